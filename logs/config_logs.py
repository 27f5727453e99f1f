"""AWS Config's delivery to the log archive as data: the bucket and key statements its recorders need.

With Control Tower off, every active member account records with the Config service-linked role
and delivers to one bucket in the log account. The service-linked role cannot write to S3, so
Config delivers as its service principal, `config.amazonaws.com`, which the bucket policy and the
key policy must let in. Sources (checked 2026-12):

- AWS Config developer guide, "Permissions for the Amazon S3 Bucket for the AWS Config Delivery
  Channel" (https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html): the
  GetBucketAcl, ListBucket and PutObject (`<prefix>/AWSLogs/<account>/Config/*`, with
  `bucket-owner-full-control`) statements, each restricted with `AWS:SourceAccount`; the service
  principal "won't work with organization ID or organization units based conditions", so the
  accounts are listed.
- "Permissions for the KMS Key" (https://docs.aws.amazon.com/config/latest/developerguide/s3-kms-key-policy.html):
  kms:Decrypt and kms:GenerateDataKey for the service principal, with `AWS:SourceAccount`.
- Amazon S3 user guide, bucket policy size: at most 20 KB (`BUCKET_POLICY_MAX_BYTES`).
"""

from __future__ import annotations

from typing import Sequence

import names

CONFIG = "config.amazonaws.com"
BUCKET_POLICY_MAX_BYTES = 20 * 1024


def _from_accounts(account_ids: Sequence[str]) -> dict:
    return {"AWS:SourceAccount": sorted(account_ids)}


def config_bucket_statements(bucket: str, account_ids: Sequence[str]) -> list[dict]:
    """What Config needs on the bucket to deliver the history and snapshots of `account_ids`.

    The object path is not paired with its account: pairing needs a statement per account, which
    the 20 KB policy limit allows for about sixty. An account could then write under another's
    `AWSLogs/<account>/` only through a delivery channel with a crafted prefix, and the SCPs let
    no one but the program change a delivery channel (guardrails/templates/scp/protect-security-services.json).
    """
    arn = names.bucket_arn(bucket)
    return [
        {
            "Sid": "AWSConfigBucketPermissionsCheck",
            "Effect": "Allow",
            "Principal": {"Service": CONFIG},
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": arn,
            "Condition": {"StringEquals": _from_accounts(account_ids)},
        },
        {
            "Sid": "AWSConfigBucketDelivery",
            "Effect": "Allow",
            "Principal": {"Service": CONFIG},
            "Action": "s3:PutObject",
            "Resource": f"{arn}/AWSLogs/*/Config/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **_from_accounts(account_ids)}},
        },
    ]


def config_key_statements(account_ids: Sequence[str]) -> list[dict]:
    """Config encrypts what it delivers for `account_ids` with the bucket's key."""
    return [
        {
            "Sid": "AWSConfigKMSPolicy",
            "Effect": "Allow",
            "Principal": {"Service": CONFIG},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": {"StringEquals": _from_accounts(account_ids)},
        }
    ]
