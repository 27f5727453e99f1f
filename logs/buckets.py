"""Hardened S3 buckets as data: the TLS-only bucket policy, the key policy, the lifecycle rule.

Sources: Amazon S3 user guide, "Enforce encryption in transit" (aws:SecureTransport) and
"Setting an S3 Lifecycle configuration"; AWS KMS developer guide, "Default key policy".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import names
from iam import account_administers, policy

OBJECT_LOCK_MODES = ("GOVERNANCE", "COMPLIANCE")
ABORT_INCOMPLETE_UPLOADS_DAYS = 7


def tls_only_statement(bucket: str) -> dict:
    arn = names.bucket_arn(bucket)
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def bucket_policy(bucket: str, statements: Sequence[dict] = ()) -> dict:
    """TLS only, then whatever the bucket's writers need."""
    return policy(tls_only_statement(bucket), *statements)


def key_policy(account_id: str, statements: Sequence[dict] = ()) -> dict:
    """The owning account administers and uses the key through IAM (KMS's default policy), plus `statements`."""
    return policy(account_administers("AccountAdministersKey", account_id), *statements)


@dataclass(frozen=True)
class LifecycleRule:
    """One lifecycle rule over the whole bucket (noncurrent versions archived alike)."""

    id: str
    """What the rule does: `archive`, `expire`, `archive-and-expire` or `clean-up`."""
    glacier_after_days: Optional[int]
    """Move objects (and noncurrent versions) to S3 Glacier Flexible Retrieval after this; None: stay."""
    expire_after_days: Optional[int]
    """Delete objects this long after creation; None: keep."""
    abort_incomplete_uploads_days: int = ABORT_INCOMPLETE_UPLOADS_DAYS
    """Multipart uploads never completed are aborted (and their parts freed) after this."""


def lifecycle_rule(expire_after_days: Optional[int], glacier_after_days: Optional[int]) -> LifecycleRule:
    """Abort stale uploads always; archive and/or expire as configured."""
    purposes = [purpose for purpose, days in (("archive", glacier_after_days), ("expire", expire_after_days)) if days]
    return LifecycleRule("-and-".join(purposes) or "clean-up", glacier_after_days, expire_after_days)
