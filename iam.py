"""IAM policy documents: the one place a document and its common statements are built.

Identity, resource, trust, key, bucket and service control policies all share this grammar
(IAM JSON policy reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
Statement dicts keep their keys in the order built here: documents are sent minified and
measured as sent, so their text must be stable. Pure: no Pulumi.
"""

from __future__ import annotations

import json
from typing import Union

from names import account_root

VERSION = "2012-10-17"
"""The current policy language version; the older 2008-10-17 lacks policy variables."""

Action = Union[str, list[str]]


def policy(*statements: dict) -> dict:
    return {"Version": VERSION, "Statement": list(statements)}


def minify(document: object) -> str:
    """The JSON as AWS receives it: no white space, which the API counts against size limits."""
    return json.dumps(document, separators=(",", ":"))


def allow(action: Action, resource: Union[str, list[str]]) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def deny(sid: str, actions: Action, resource: Union[str, list[str]] = "*", **extra) -> dict:
    """A deny statement; `extra` adds keys after Resource (e.g. Condition)."""
    return {"Sid": sid, "Effect": "Deny", "Action": actions, "Resource": resource, **extra}


def service_trust(service: str) -> dict:
    """Trust policy: the AWS service principal may assume the role."""
    return policy({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


def account_trust(account_id: str) -> dict:
    """Trust the given account only (its administrators decide who may assume the role)."""
    return policy({"Effect": "Allow", "Principal": {"AWS": account_root(account_id)}, "Action": "sts:AssumeRole"})


def web_identity_trust(provider_arn: str, condition: dict) -> dict:
    """Trust policy for an OIDC provider; `condition` pins the token's audience and subject."""
    return policy(
        {
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": condition,
        }
    )


def account_administers(sid: str, account_id: str) -> dict:
    """Key policy statement: the owning account administers the key through IAM (KMS's default policy)."""
    return {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": account_root(account_id)}, "Action": "kms:*", "Resource": "*"}
