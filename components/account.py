"""A member account and the provider that deploys into it; shared by SecurityOU and AppAccountSet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws

from config import AccountSpec

PROVIDER_SESSION_NAME = "landing-zone"


@dataclass(frozen=True)
class MemberAccount:
    account: aws.organizations.Account
    provider: Optional[aws.Provider]
    """None for a suspended account: nothing is deployed into it any more."""


def role_arn(account_id: pulumi.Input[str], role_name: str) -> pulumi.Output[str]:
    return pulumi.Output.concat("arn:aws:iam::", account_id, ":role/", role_name)


def create_member_account(
    component: pulumi.ComponentResource,
    name: str,
    spec: AccountSpec,
    ou_ids: Mapping[str, pulumi.Input[str]],
    access_role_name: str,
    region: str,
) -> MemberAccount:
    """Create `spec` as a child of `component`, named `<name>-<suffix>-account`.

    The account is protected and never closed on deletion: dropping it from config makes
    `pulumi up` stop at the protection instead of detaching or closing it. Suspending it in
    config moves it to the suspended OU instead.
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
        opts=pulumi.ResourceOptions(parent=component, protect=True, ignore_changes=["role_name"]),
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
    return MemberAccount(account, provider)
