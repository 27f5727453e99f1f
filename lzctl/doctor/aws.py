"""AWS access for `lzctl doctor`: sessions that can only read, and the IAM action behind each call.

Every client the doctor makes comes from a `ReadOnlySession`, which refuses, before anything is
sent, any operation that is not a read (Get*, List*, Describe*, Head*), plus STS AssumeRole; so a
bug here cannot change an account. Sessions in member accounts are assumed through the
organisation access role with an inline session policy that allows only the reads the doctor
makes there: the session's permissions are the intersection of the role's and that policy (STS
AssumeRole API reference, `Policy`: "You cannot use session policies to grant more permissions
than those allowed by the identity-based policy of the role", at most 2,048 characters).
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Optional

from botocore.exceptions import ClientError

from lzctl.aws_session import sdk_session
from lzctl.migrate.aws import error_code

READS = re.compile(r"^(Get|List|Describe|Head)[A-Z]")
ASSUME_ROLE = "AssumeRole"
SESSION_NAME = "lzctl-doctor"
SESSION_SECONDS = 900
"""AssumeRole's minimum: the member-account sessions live only as long as the run needs."""

# botocore service name -> IAM service prefix, where they differ (Service Authorization Reference).
_PREFIX = {"sso-admin": "sso", "service-quotas": "servicequotas"}
# S3's HeadBucket and ListObjectsV2 are authorised by s3:ListBucket (S3 API reference, "Permissions").
_ACTION = {("s3", "HeadBucket"): "s3:ListBucket", ("s3", "ListObjectsV2"): "s3:ListBucket"}

MEMBER_READS = (
    "chatbot:DescribeSlackWorkspaces",
    "config:DescribeConfigurationRecorders",
    "config:DescribeDeliveryChannels",
    "iam:GetRole",
    "s3:ListBucket",
)
"""Everything the doctor reads inside member accounts; the session policy allows nothing else."""

CredentialsSession = Callable[[dict], Any]


class MutatingCallRefused(Exception):
    """A bug: the doctor tried an operation that is not a read."""


def iam_action(service: str, operation: str) -> str:
    return _ACTION.get((service, operation), f"{_PREFIX.get(service, service)}:{operation}")


def session_policy() -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(MEMBER_READS), "Resource": "*"}]},
        separators=(",", ":"),
    )


def credentials_session(credentials: dict):
    """A boto3 session from AssumeRole's temporary credentials."""
    return sdk_session(credentials=credentials)


class Calls:
    """The IAM actions a run used, shared by its sessions: the report lists them, a refusal names the last."""

    def __init__(self):
        self.actions: set[str] = set()
        self.last = ""


class ReadOnlySession:
    """Wraps a boto3-like session: its clients refuse non-read operations and record the IAM actions used."""

    def __init__(self, session, calls: Calls):
        self.session = session
        self.calls = calls

    def client(self, service: str, region_name: Optional[str] = None, **options):
        """`options`: the SDK's other client arguments (`config`, the retry mode)."""
        api = self.session.client(service, region_name=region_name, **options)

        def guard(model, **_):
            if not (READS.match(model.name) or (service, model.name) == ("sts", ASSUME_ROLE)):
                raise MutatingCallRefused(f"lzctl doctor only reads, but tried {service} {model.name}")
            self.calls.last = iam_action(service, model.name)
            self.calls.actions.add(self.calls.last)

        # The first event of every call, ahead of parameter validation, signing and any Stubber's answer.
        api.meta.events.register_first("provide-client-params.*.*", guard)
        return api


def assume_read_only(session: ReadOnlySession, account_id: str, role: str, region: str, opened: CredentialsSession) -> Optional[ReadOnlySession]:
    """A read-only session in `account_id` through `role`, or None when AWS refuses the role to us.

    Calls STS AssumeRole with the inline session policy of MEMBER_READS.
    """
    try:
        answer = session.client("sts", region_name=region).assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/{role}",
            RoleSessionName=SESSION_NAME,
            DurationSeconds=SESSION_SECONDS,
            Policy=session_policy(),
        )
    except ClientError as err:
        if error_code(err).startswith("AccessDenied"):
            return None
        raise
    return ReadOnlySession(opened(answer["Credentials"]), session.calls)
