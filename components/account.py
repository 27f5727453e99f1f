"""A member account and the provider that deploys into it; shared by SecurityOU and AppAccountSet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws

import names
from config import AccountSpec
from iam import account_trust, minify


@dataclass(frozen=True)
class MemberAccount:
    account: aws.organizations.Account
    provider: Optional[aws.Provider]
    """None for a suspended account: nothing is deployed into it any more."""
    execution_role: Optional[aws.iam.Role] = None
    """Control Tower's execution role, when Control Tower is on; enrolment needs it."""


def create_member_account(
    component: pulumi.ComponentResource,
    name: str,
    spec: AccountSpec,
    ou_ids: Mapping[str, pulumi.Input[str]],
    access_role_name: str,
    region: str,
    control_tower_trusts: Optional[str] = None,
) -> MemberAccount:
    """Create `spec` as a child of `component`, named `<name>-<suffix>-account`.

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
        parent_id=ou_ids[spec.ou],
        role_name=access_role_name,
        close_on_deletion=False,
        tags=spec.tags,
        # Organizations cannot read role_name back, so an imported account would otherwise
        # show a diff that forces replacement.
        opts=pulumi.ResourceOptions(
            parent=component, protect=True, ignore_changes=["role_name"], import_=spec.existing_account_id
        ),
    )
    if spec.suspended:
        return MemberAccount(account, None)
    provider = aws.Provider(
        f"{name}-{suffix}-provider",
        region=region,
        allowed_account_ids=[account.id],
        assume_roles=[
            aws.ProviderAssumeRoleArgs(
                role_arn=account.id.apply(names.Role(access_role_name).arn),
                session_name=names.PROVIDER_SESSION_NAME,
            )
        ],
        default_tags=aws.ProviderDefaultTagsArgs(tags=spec.tags),
        opts=pulumi.ResourceOptions(parent=component),
    )
    if control_tower_trusts is None:
        return MemberAccount(account, provider)
    in_account = pulumi.ResourceOptions(parent=component, provider=provider)
    execution_role = aws.iam.Role(
        f"{name}-{suffix}-control-tower-execution-role",
        name=names.CONTROL_TOWER_EXECUTION_ROLE.name,
        assume_role_policy=minify(account_trust(control_tower_trusts)),
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
