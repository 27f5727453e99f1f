"""What the backup policy's plans need in each account they cover: the vault and the role, by the names it gives.

AWS Backup creates the plans a backup policy describes in every account below its targets, but
not what they name: "The backup vault must exist before the plan can successfully run" and "The
specified IAM role must already exist in the account the policy is applied to. If it does not, the
backup plan might successfully start backup jobs, but those backup jobs will fail"
(orgs_manage_policies_backup_create.html). So each covered account gets `names.BACKUP_ROLE`
(trusting AWS Backup, holding the policies of AWSBackupDefaultServiceRole and S3's pair, which the
console would otherwise have to create) and `names.BACKUP_VAULT` in every region of the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

import names
from components.account import account_provider
from iam import minify, service_trust

BACKUP_SERVICE = "backup.amazonaws.com"


@dataclass(frozen=True)
class BackupAccount:
    account_id: pulumi.Input[str]
    """The account's id."""
    provider: aws.Provider
    """Its provider in the home region."""
    access_role_name: Optional[str]
    """The role its providers assume; None for the management account (the caller's credentials)."""
    tags: Mapping[str, str]
    """Default tags of its providers."""


@dataclass(frozen=True)
class BackupVaultsArgs:
    accounts: Mapping[str, BackupAccount]
    """Account key -> the account, for every account the backup policy covers."""
    regions: Sequence[str]
    """Regions of the plan, home region first (the home-region provider serves the first)."""


class BackupVaults(pulumi.ComponentResource):
    resources: list[pulumi.Resource]
    """Every vault, role and attachment: what the backup policy's attachment waits for."""

    def __init__(self, name: str, args: BackupVaultsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:backup_vaults:BackupVaults", name, None, opts)
        self.resources = []
        for key, account in args.accounts.items():
            in_account = pulumi.ResourceOptions(parent=self, provider=account.provider)
            role = aws.iam.Role(
                f"{name}-{key}-role",
                name=names.BACKUP_ROLE.name,
                path=names.BACKUP_ROLE.path,
                assume_role_policy=minify(service_trust(BACKUP_SERVICE)),
                description="AWS Backup runs the landing zone's backup policy with this role.",
                opts=in_account,
            )
            self.resources.append(role)
            for policy in names.BACKUP_ROLE_POLICIES:
                self.resources.append(
                    aws.iam.RolePolicyAttachment(f"{name}-{key}-{names.managed_policy_key(policy)}", role=role.name, policy_arn=policy, opts=in_account)
                )
            for index, region in enumerate(args.regions):
                provider = account.provider
                if index:
                    provider = account_provider(f"{name}-{key}-{region}-provider", account.account_id, account.access_role_name, region, account.tags, self)
                self.resources.append(
                    aws.backup.Vault(f"{name}-{key}-{region}-vault", name=names.BACKUP_VAULT, opts=pulumi.ResourceOptions(parent=self, provider=provider))
                )
        self.register_outputs({})
