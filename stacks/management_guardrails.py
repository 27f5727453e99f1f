"""Management stack wiring of the Organizations policies: every type's documents, and the vaults and
roles the backup policy's plans need in the accounts it covers."""

from __future__ import annotations

from typing import Mapping

import pulumi
import pulumi_aws as aws

from components import BackupAccount, BackupVaults, BackupVaultsArgs, Guardrails, GuardrailsArgs, Organization
from config import LandingZone
from config.schema import SCOPE_MANAGEMENT, SCP_ROOT
from guardrails.policy_types import BACKUP


def build_guardrails(
    landing_zone: LandingZone,
    management: aws.Provider,
    organization: Organization,
    providers: Mapping[str, aws.Provider],
    account_ids: Mapping[str, pulumi.Input[str]],
    github_owner_id: pulumi.Input[str] = "",
    github_login: pulumi.Input[str] = "",
) -> Guardrails:
    """`providers`: account key -> its home-region provider, for the active member accounts;
    `github_owner_id`, `github_login`: the GitHub owner's numeric id and login as GitHub spells it (the GitHub
    tenant RCP's subject patterns name both), empty without GitHub."""
    plan = landing_zone.guardrails
    in_management = pulumi.ResourceOptions(providers=[management])
    attach_after: dict[str, list[pulumi.Resource]] = {}
    if plan.backup is not None:
        covered = {
            key: BackupAccount(account_ids[key], providers[key], landing_zone.access_role_name(key), landing_zone.account(key).tags)
            for key in plan.backup.accounts
        }
        if plan.backup.management:
            covered[SCOPE_MANAGEMENT] = BackupAccount(landing_zone.organization.management_account_id, management, None, {})
        vaults = BackupVaults("backup", BackupVaultsArgs(accounts=covered, regions=plan.backup.regions), opts=in_management)
        attach_after[BACKUP.key] = vaults.resources
    return Guardrails(
        "guardrails",
        GuardrailsArgs(
            policies=plan.policies,
            target_ids={SCP_ROOT: organization.root_id, **organization.ou_ids},
            organization_id=organization.organization.id,
            account_ids=account_ids,
            github_owner_id=github_owner_id,
            github_login=github_login,
            after=[organization.organization],
            attach_after=attach_after,
            adopted=landing_zone.adopted_policies,
        ),
        opts=in_management,
    )
