"""A member account and the provider that deploys into it; shared by SecurityOU and AppAccountSet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws

from config import AccountSpec
from guardrails.control_tower import EXECUTION_ROLE, account_trust
from guardrails.scp import minify

ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"

PROVIDER_SESSION_NAME = "landing-zone"


@dataclass(frozen=True)
class MemberAccount:
    account: aws.organizations.Account
    provider: Optional[aws.Provider]
    """None for a suspended account: nothing is deployed into it any more."""
    execution_role: Optional[aws.iam.Role] = None
    """Control Tower's execution role, when Control Tower is on; enrolment needs it."""


def role_arn(account_id: pulumi.Input[str], role_name: str) -> pulumi.Output[str]:
    return pulumi.Output.concat("arn:aws:iam::", account_id, ":role/", role_name)


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
                role_arn=role_arn(account.id, access_role_name),
                session_name=PROVIDER_SESSION_NAME,
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
        name=EXECUTION_ROLE,
        assume_role_policy=minify(account_trust(control_tower_trusts)),
        description="Control Tower enrols and governs this account through this role.",
        opts=in_account,
    )
    aws.iam.RolePolicyAttachment(
        f"{name}-{suffix}-control-tower-execution-admin",
        role=execution_role.name,
        policy_arn=ADMINISTRATOR_ACCESS,
        opts=in_account,
    )
    return MemberAccount(account, provider, execution_role)
