"""AWS Config recording in every active member account and governed region, delivered to the log
archive: what Control Tower sets up in the accounts it enrols, built here when Control Tower is off.

Without a recorder an organisation conformance pack fails in that account and Security Hub's
Config-based controls have nothing to evaluate. Per account: the Config service-linked role; per
governed region: a recorder of every supported resource type (the global IAM types in the home
region only, so they are recorded once), its delivery channel to the log account's bucket, and the
recorder's status, started once the channel exists. The provider's docs of `cfg.Recorder`,
`cfg.DeliveryChannel` and `cfg.RecorderStatus` (pulumi-aws 7.51.1) give the order: the channel
needs the recorder, and starting the recorder needs the channel. The management stack builds this
through the organisation access role of each account, which the SCPs exempt; the bucket comes first
because PutDeliveryChannel checks that Config can reach it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

import names
from components.secure_bucket import SecureBucket, SecureBucketArgs
from logs.config_logs import CONFIG, config_bucket_statements, config_key_statements


@dataclass(frozen=True)
class RecordedAccount:
    key: str
    """Account key; names its resources."""
    account_id: pulumi.Input[str]
    """The account's id, which the bucket and key policies let Config deliver for."""
    provider: aws.Provider
    """The account's provider (organisation access role, home region); other regions are set per resource."""
    existing_service_role: Optional[str] = None
    """The id of an adopted account that has AWSServiceRoleForConfig already (existing_config_service_role): imported,
    an account that ever used Config keeps the role after its recorder is deleted, and CreateServiceLinkedRole
    refuses a second one ("has been taken in this account"). Only where adopt read it: an import of a role
    that does not exist fails."""


@dataclass(frozen=True)
class ConfigRecordingArgs:
    accounts: Sequence[RecordedAccount]
    """Every active member account: each records in every governed region."""
    regions: Sequence[str]
    """The governed regions, home region first."""
    home_region: str
    """Where global resource types are recorded and the bucket lives."""
    log_account_id: pulumi.Input[str]
    """The log archive account, which owns the bucket and its key."""
    log_provider: aws.Provider
    """The log account's provider."""
    glacier_after_days: int
    """Configuration history moves to S3 Glacier Flexible Retrieval after this."""


class ConfigRecording(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]

    def __init__(self, name: str, args: ConfigRecordingArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:config_recording:ConfigRecording", name, None, opts)
        account_ids = pulumi.Output.all(*(account.account_id for account in args.accounts))
        bucket = pulumi.Output.from_input(args.log_account_id).apply(lambda account: names.regional_bucket(names.CONFIG_LOGS, account, args.home_region))
        logs = SecureBucket(
            f"{name}-logs",
            SecureBucketArgs(
                bucket=bucket,
                account_id=args.log_account_id,
                description="AWS Config's configuration history and snapshots of every member account",
                key_statements=account_ids.apply(config_key_statements),
                policy_statements=pulumi.Output.all(bucket, account_ids).apply(lambda v: config_bucket_statements(v[0], v[1])),
                glacier_after_days=args.glacier_after_days,
                versioning=True,
                protect=True,
            ),
            opts=pulumi.ResourceOptions(parent=self, providers=[args.log_provider]),
        )
        self.bucket_name = logs.name
        for account in args.accounts:
            in_account = pulumi.ResourceOptions(parent=self, provider=account.provider)
            # The provider imports a service-linked role by its ARN (pulumi_aws iam/service_linked_role.py, "## Import").
            adopt = (
                pulumi.ResourceOptions(import_=names.CONFIG_SERVICE_LINKED_ROLE.arn(account.existing_service_role)) if account.existing_service_role else None
            )
            role = aws.iam.ServiceLinkedRole(
                f"{name}-{account.key}-service-role", aws_service_name=CONFIG, opts=pulumi.ResourceOptions.merge(in_account, adopt)
            )
            # The role's ARN is fixed by AWS; naming it here shows it in the plan (and the policies agree).
            role_arn = pulumi.Output.from_input(account.account_id).apply(names.CONFIG_SERVICE_LINKED_ROLE.arn)
            for region in args.regions:
                recorder = aws.cfg.Recorder(
                    f"{name}-{account.key}-{region}-recorder",
                    name=names.CONFIG_RECORDER,
                    region=region,
                    role_arn=role_arn,
                    recording_group=aws.cfg.RecorderRecordingGroupArgs(all_supported=True, include_global_resource_types=region == args.home_region),
                    opts=pulumi.ResourceOptions(parent=self, provider=account.provider, depends_on=[role]),
                )
                channel = aws.cfg.DeliveryChannel(
                    f"{name}-{account.key}-{region}-delivery-channel",
                    name=names.CONFIG_RECORDER,
                    region=region,
                    s3_bucket_name=logs.name,
                    s3_kms_key_arn=logs.key_arn,
                    opts=pulumi.ResourceOptions(parent=self, provider=account.provider, depends_on=[recorder, logs.policy]),
                )
                aws.cfg.RecorderStatus(
                    f"{name}-{account.key}-{region}-recorder-status",
                    name=recorder.name,
                    region=region,
                    is_enabled=True,
                    opts=pulumi.ResourceOptions(parent=self, provider=account.provider, depends_on=[channel]),
                )
        self.register_outputs({"bucketName": self.bucket_name})
