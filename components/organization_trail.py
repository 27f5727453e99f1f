"""The organisation trail and its log bucket, for landing zones without Control Tower.

The log archive account is CloudTrail's delegated administrator (the management stack registers
it), so it creates the trail; the trail still belongs to the management account, whose id is in
the trail's ARN. Logs go to a versioned, Object-Locked, KMS-encrypted bucket in the log account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.secure_bucket import ObjectLock, SecureBucket, SecureBucketArgs
from logs.cloudtrail import OBJECT_LOCK_MODE, trail_arn, trail_bucket_statements, trail_key_statements, trail_location
from names import TRAIL, TRAIL_LOGS, regional_bucket


@dataclass(frozen=True)
class OrganizationTrailArgs:
    account_id: pulumi.Input[str]
    """The log archive account: owns the bucket and the key, and is CloudTrail's delegated administrator."""
    management_account_id: str
    """Owner of every organisation trail; its id is in the trail's ARN and the encryption context."""
    organization_id: pulumi.Input[str]
    """The organisation (`o-...`): CloudTrail writes under `AWSLogs/<org id>/`."""
    region: str
    """Home region: the trail's home region and the bucket's region."""
    object_lock_days: int
    """Default Object Lock retention of every log file."""
    glacier_after_days: int
    """Log files move to S3 Glacier Flexible Retrieval after this."""
    object_lock_mode: str = OBJECT_LOCK_MODE
    """GOVERNANCE or COMPLIANCE; see OBJECT_LOCK_MODE."""


class OrganizationTrail(pulumi.ComponentResource):
    trail: aws.cloudtrail.Trail
    logs: SecureBucket
    trail_arn: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    log_location: pulumi.Output[str]

    def __init__(self, name: str, args: OrganizationTrailArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:organization_trail:OrganizationTrail", name, None, opts)
        arn = trail_arn(args.region, args.management_account_id)
        bucket = pulumi.Output.from_input(args.account_id).apply(lambda account: regional_bucket(TRAIL_LOGS, account, args.region))
        self.logs = SecureBucket(
            f"{name}-logs",
            SecureBucketArgs(
                bucket=bucket,
                account_id=args.account_id,
                description="the organisation trail's log files",
                key_statements=trail_key_statements(arn, args.management_account_id),
                policy_statements=pulumi.Output.all(bucket, args.organization_id).apply(
                    lambda v: trail_bucket_statements(v[0], arn, v[1], args.management_account_id)
                ),
                glacier_after_days=args.glacier_after_days,
                versioning=True,
                object_lock=ObjectLock(mode=args.object_lock_mode, days=args.object_lock_days),
                protect=True,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.trail = aws.cloudtrail.Trail(
            f"{name}-trail",
            name=TRAIL,
            s3_bucket_name=self.logs.name,
            kms_key_id=self.logs.key_arn,
            is_organization_trail=True,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            # CloudTrail checks the bucket policy when the trail is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.logs.policy]),
        )
        self.trail_arn = self.trail.id.apply(lambda _: arn)
        self.bucket_name = self.logs.name
        self.log_location = pulumi.Output.all(self.logs.name, args.organization_id).apply(lambda v: trail_location(v[0], v[1]))
        self.register_outputs({"trailArn": self.trail_arn, "bucketName": self.bucket_name})
