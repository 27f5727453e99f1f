"""Member accounts and the providers that deploy into them: the base of SecurityOU and AppAccountSet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws

import names
from config import AccountSpec
from iam import account_trust, minify


@dataclass(frozen=True)
class AccountPlacement:
    """Where member accounts go and how they are reached: the same for security and workload accounts."""

    ou_ids: Mapping[str, pulumi.Input[str]]
    """OU key -> OU id, from `Organization.ou_ids`."""
    access_role_name: str
    """Role Organizations creates in each account; the account providers assume it."""
    region: str
    """Home region of the account providers."""
    control_tower_trusts: Optional[str] = None
    """Management account id when Control Tower is on: each active account gets its execution role."""


@dataclass(frozen=True)
class MemberAccount:
    account: aws.organizations.Account
    """The account in Organizations."""
    provider: Optional[aws.Provider]
    """None for a suspended account: nothing is deployed into it any more."""
    execution_role: Optional[aws.iam.Role] = None
    """Control Tower's execution role, when Control Tower is on; enrolment needs it."""


class MemberAccounts(pulumi.ComponentResource):
    """A component owning member accounts; subclasses keep their own type token, so URNs are theirs."""

    def _member_account(self, name: str, spec: AccountSpec, placement: AccountPlacement) -> MemberAccount:
        """Create `spec` as a child, named `<name>-<suffix>-account`.

        The account is protected and never closed on deletion: dropping it from config makes
        `pulumi up` stop at the protection instead of detaching or closing it. Suspending it in
        config moves it to the suspended OU instead. With `control_tower_trusts` (the management
        account id), the account also gets `AWSControlTowerExecution`: accounts created through
        Organizations lack it, and Control Tower cannot enrol them without it.
        """
        suffix = spec.environment or spec.key
        account = aws.organizations.Account(
            f"{name}-{suffix}-account",
            name=spec.name,
            email=spec.email,
            parent_id=placement.ou_ids[spec.ou],
            role_name=placement.access_role_name,
            close_on_deletion=False,
            tags=spec.tags,
            # Organizations cannot read role_name back, so an imported account would otherwise
            # show a diff that forces replacement.
            opts=pulumi.ResourceOptions(parent=self, protect=True, ignore_changes=["role_name"], import_=spec.existing_account_id),
        )
        if spec.suspended:
            return MemberAccount(account, None)
        provider = aws.Provider(
            f"{name}-{suffix}-provider",
            region=placement.region,
            allowed_account_ids=[account.id],
            assume_roles=[
                aws.ProviderAssumeRoleArgs(
                    role_arn=account.id.apply(names.Role(placement.access_role_name).arn),
                    session_name=names.PROVIDER_SESSION_NAME,
                )
            ],
            default_tags=aws.ProviderDefaultTagsArgs(tags=spec.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        if placement.control_tower_trusts is None:
            return MemberAccount(account, provider)
        in_account = pulumi.ResourceOptions(parent=self, provider=provider)
        execution_role = aws.iam.Role(
            f"{name}-{suffix}-control-tower-execution-role",
            name=names.CONTROL_TOWER_EXECUTION_ROLE.name,
            assume_role_policy=minify(account_trust(placement.control_tower_trusts)),
            description="Control Tower enrols and governs this account through this role.",
            opts=in_account,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-{suffix}-control-tower-execution-admin",
            role=execution_role.name,
            policy_arn=names.ADMINISTRATOR_ACCESS,
            opts=in_account,
        )
        return MemberAccount(account, provider, execution_role)
