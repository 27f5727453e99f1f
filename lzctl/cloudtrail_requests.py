"""CloudTrail records (as the log stack's Athena table returns them) turned into simulator requests.

A record is a JSON object with the table's columns (logs/cloudtrail.py): `eventsource`,
`eventname`, `awsregion`, `useridentity` (a struct, or flattened as `useridentity.arn`),
`recipientaccountid`, `resources`, `sourceipaddress`, `requestparameters`... Raw CloudTrail
records (camelCase: `eventSource`, `userIdentity`) read the same: keys are matched case-insensitively.

The IAM action is `<service>:<eventName>` with the service from the event source, except where the
service authorization reference names the permission differently (`EVENT_ACTIONS`). Context keys
are rebuilt from what the record shows: region, MFA, source IP, TLS.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

EVENT_SOURCE_PREFIXES = {"monitoring": "cloudwatch"}
"""Event sources whose IAM prefix differs (CloudWatch's API is logged as monitoring.amazonaws.com)."""

S3_PERMISSIONS = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html"
EVENT_ACTIONS = {
    "s3:PutBucketLifecycle": "s3:PutLifecycleConfiguration",
    "s3:GetBucketLifecycle": "s3:GetLifecycleConfiguration",
    "s3:DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
    "s3:PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:PutBucketReplication": "s3:PutReplicationConfiguration",
    "s3:GetBucketReplication": "s3:GetReplicationConfiguration",
    "s3:DeleteBucketReplication": "s3:PutReplicationConfiguration",
    "s3:PutBucketCors": "s3:PutBucketCORS",
    "s3:GetBucketCors": "s3:GetBucketCORS",
    "s3:DeleteBucketCors": "s3:PutBucketCORS",
    "s3:DeleteBucketTagging": "s3:PutBucketTagging",
    "s3:DeleteBucketOwnershipControls": "s3:PutBucketOwnershipControls",
    "s3:DeleteBucketPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "s3:PutObjectLockConfiguration": "s3:PutBucketObjectLockConfiguration",
    "s3:GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "s3:DeleteObjects": "s3:DeleteObject",
    "s3:HeadObject": "s3:GetObject",
    "s3:HeadBucket": "s3:ListBucket",
    "s3:ListObjects": "s3:ListBucket",
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:ListObjectVersions": "s3:ListBucketVersions",
    "s3:ListBuckets": "s3:ListAllMyBuckets",
    "s3:CopyObject": "s3:PutObject",
    "s3:CreateMultipartUpload": "s3:PutObject",
    "s3:UploadPart": "s3:PutObject",
    "s3:UploadPartCopy": "s3:PutObject",
    "s3:CompleteMultipartUpload": "s3:PutObject",
}
"""CloudTrail event name -> the permission it needs, where they differ. Source: the S3 User Guide page above."""
_LAMBDA_VERSION = re.compile(r"\d{8}(v\d+)?$")
"""Lambda logs its API versions in event names: CreateFunction20150331, UpdateFunctionCode20150331v2."""


class RecordError(ValueError):
    """The record lacks what a request needs (a field or its shape)."""


class Skip(Exception):
    """The record is well formed but names a caller the simulator cannot stand in for."""


def _get(record: Mapping, dotted: str) -> Any:
    """`useridentity.sessioncontext.sessionissuer.arn` from nested structs or flattened keys, any case."""
    lowered = {str(k).lower(): v for k, v in record.items()} if isinstance(record, Mapping) else {}
    if dotted in lowered:
        return lowered[dotted]
    head, _, rest = dotted.partition(".")
    if not rest or not isinstance(lowered.get(head), Mapping):
        return None
    return _get(lowered[head], rest)


def action_of(event_source: str, event_name: str) -> str:
    prefix = event_source.removesuffix(".amazonaws.com")
    prefix = EVENT_SOURCE_PREFIXES.get(prefix, prefix)
    name = _LAMBDA_VERSION.sub("", event_name) if prefix == "lambda" else event_name
    action = f"{prefix}:{name}"
    return EVENT_ACTIONS.get(action, action)


def principal_of(record: Mapping) -> str:
    kind = _get(record, "useridentity.type")
    if kind == "AssumedRole":
        # The session issuer is the role with its path, which aws:PrincipalArn carries; the session ARN drops it.
        return _get(record, "useridentity.sessioncontext.sessionissuer.arn") or _get(record, "useridentity.arn") or ""
    if kind in ("Root", "IAMUser", "FederatedUser"):
        return _get(record, "useridentity.arn") or ""
    if kind == "AWSService":
        return _get(record, "useridentity.invokedby") or ""
    raise Skip(f"userIdentity.type {kind!r}: no principal ARN to evaluate")


def _resource(record: Mapping, action: str) -> str:
    resources = _get(record, "resources") or []
    arns = [r.get("arn") or r.get("ARN") for r in resources if isinstance(r, Mapping)]
    arns = [a for a in arns if a]
    if arns:
        return arns[0]
    if action.startswith("s3:"):
        parameters = _get(record, "requestparameters")
        if isinstance(parameters, str):
            try:
                parameters = json.loads(parameters)
            except ValueError:
                parameters = None
        if isinstance(parameters, Mapping) and parameters.get("bucketName"):
            key = parameters.get("key")
            return f"arn:aws:s3:::{parameters['bucketName']}" + (f"/{key}" if key else "")
    return ""


@dataclass(frozen=True)
class RecordRequest:
    account_id: str
    principal: str
    action: str
    resource: str
    region: str
    context: dict[str, str] = field(default_factory=dict)
    error_code: Optional[str] = None
    """What AWS answered then (`AccessDenied`...), to compare with the answer now."""


def is_record(line: Mapping) -> bool:
    return _get(line, "eventsource") is not None


def request_of(record: Mapping) -> RecordRequest:
    """The request a CloudTrail record shows; RecordError if a field is missing, Skip if it cannot be evaluated."""
    missing = [k for k in ("eventsource", "eventname", "recipientaccountid") if not _get(record, k)]
    if missing:
        raise RecordError(f"CloudTrail record without {', '.join(missing)}")
    action = action_of(str(_get(record, "eventsource")), str(_get(record, "eventname")))
    context: dict[str, str] = {}
    mfa = _get(record, "useridentity.sessioncontext.attributes.mfaauthenticated")
    if mfa in ("true", "false"):
        context["aws:MultiFactorAuthPresent"] = mfa
    source = str(_get(record, "sourceipaddress") or "")
    try:
        ipaddress.ip_address(source)
        context["aws:SourceIp"] = source
    except ValueError:
        if source.endswith(".amazonaws.com"):
            context["aws:ViaAWSService"] = "true"
    if _get(record, "tlsdetails.tlsversion"):
        context["aws:SecureTransport"] = "true"
    return RecordRequest(
        account_id=str(_get(record, "recipientaccountid")),
        principal=principal_of(record),
        action=action,
        resource=_resource(record, action),
        region=str(_get(record, "awsregion") or ""),
        context=context,
        error_code=_get(record, "errorcode") or None,
    )
