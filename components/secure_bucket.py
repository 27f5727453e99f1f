"""A private S3 bucket with its own KMS key: the hardening every bucket of the log account shares.

Public access blocked (all four settings), SSE-KMS with a rotating customer managed key and the
S3 bucket key, ACLs off (BucketOwnerEnforced), a bucket policy that refuses anything but TLS,
lifecycle rules; optionally versioning and an Object Lock default retention.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from iam import minify
from logs.buckets import OBJECT_LOCK_MODES, LifecycleRule, bucket_policy, key_policy, lifecycle_rule
from names import kms_alias


def _lifecycle_args(rule: LifecycleRule) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    transitions, noncurrent_transitions, expiration = None, None, None
    if rule.glacier_after_days is not None:
        transitions = [aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(days=rule.glacier_after_days, storage_class="GLACIER")]
        noncurrent_transitions = [
            aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionTransitionArgs(noncurrent_days=rule.glacier_after_days, storage_class="GLACIER")
        ]
    if rule.expire_after_days is not None:
        expiration = aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=rule.expire_after_days)
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id=rule.id,
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),
        abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
            days_after_initiation=rule.abort_incomplete_uploads_days
        ),
        transitions=transitions,
        noncurrent_version_transitions=noncurrent_transitions,
        expiration=expiration,
    )


@dataclass(frozen=True)
class ObjectLock:
    mode: str
    """GOVERNANCE or COMPLIANCE (see OBJECT_LOCK_MODES)."""
    days: int
    """Default retention of every new object version."""


@dataclass(frozen=True)
class SecureBucketArgs:
    bucket: pulumi.Input[str]
    """Globally unique bucket name; policies name it, so it is chosen, not generated."""
    account_id: pulumi.Input[str]
    """The account the bucket and its key live in: it administers the key."""
    description: str
    """What the bucket holds, for the key's description."""
    key_statements: pulumi.Input[Sequence[dict]] = ()
    """More key policy statements, e.g. a service that encrypts with the key."""
    policy_statements: pulumi.Input[Sequence[dict]] = ()
    """More bucket policy statements after the TLS-only deny, e.g. a service that writes to it."""
    expire_after_days: Optional[int] = None
    """Delete objects this long after creation; None keeps them."""
    glacier_after_days: Optional[int] = None
    """Move objects to S3 Glacier Flexible Retrieval this long after creation; None keeps them in Standard."""
    versioning: bool = False
    """Keep every version of every object (required by Object Lock)."""
    object_lock: Optional[ObjectLock] = None
    """Default retention; Object Lock can only be switched on when the bucket is created."""
    protect: bool = False
    """Protect the bucket and its key: deleting them from the program would lose the logs."""


class SecureBucket(pulumi.ComponentResource):
    bucket: aws.s3.Bucket
    key: aws.kms.Key
    key_arn: pulumi.Output[str]
    policy: aws.s3.BucketPolicy
    name: pulumi.Output[str]

    def __init__(self, name: str, args: SecureBucketArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:secure_bucket:SecureBucket", name, None, opts)
        if args.object_lock is not None and (args.object_lock.mode not in OBJECT_LOCK_MODES or not args.versioning):
            raise ValueError(f"{name}: Object Lock needs versioning and a mode among {OBJECT_LOCK_MODES}")
        child = pulumi.ResourceOptions(parent=self)
        kept = pulumi.ResourceOptions(parent=self, protect=args.protect)
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts {args.description}"[:8192],
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.all(args.account_id, args.key_statements).apply(lambda v: minify(key_policy(v[0], v[1]))),
            opts=kept,
        )
        aws.kms.Alias(f"{name}-key-alias", name=kms_alias(name), target_key_id=self.key.id, opts=child)
        self.key_arn = self.key.arn
        self.bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=args.bucket,
            object_lock_enabled=True if args.object_lock is not None else None,
            opts=kept,
        )
        self.name = self.bucket.bucket
        bucket_id = self.bucket.id
        ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket_id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket_id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms", kms_master_key_id=self.key_arn
                    ),
                    bucket_key_enabled=True,
                )
            ],
            opts=child,
        )
        after_versioning: list[pulumi.Resource] = []
        if args.versioning:
            after_versioning.append(
                aws.s3.BucketVersioning(
                    f"{name}-versioning",
                    bucket=bucket_id,
                    versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
                    opts=child,
                )
            )
        if args.object_lock is not None:
            aws.s3.BucketObjectLockConfiguration(
                f"{name}-object-lock",
                bucket=bucket_id,
                rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                    default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(mode=args.object_lock.mode, days=args.object_lock.days)
                ),
                opts=pulumi.ResourceOptions(parent=self, depends_on=after_versioning),
            )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket_id,
            rules=[_lifecycle_args(lifecycle_rule(args.expire_after_days, args.glacier_after_days))],
            # CloudTrail files are mostly under 128 KB, which S3 otherwise never moves to Glacier.
            transition_default_minimum_object_size="varies_by_storage_class" if args.glacier_after_days is not None else None,
            opts=pulumi.ResourceOptions(parent=self, depends_on=after_versioning),
        )
        self.policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket_id,
            policy=pulumi.Output.all(self.bucket.bucket, args.policy_statements).apply(lambda v: minify(bucket_policy(v[0], v[1]))),
            # S3 refuses concurrent changes to one bucket's configuration; the policy goes last.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[ownership, public_access]),
        )
        self.register_outputs({"bucketName": self.name, "keyArn": self.key_arn})
