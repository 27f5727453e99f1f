"""What the audit and log stacks share: the management stack's outputs and their own providers."""

from __future__ import annotations

from typing import Sequence

import pulumi
import pulumi_aws as aws

import names


def management_reference() -> pulumi.StackReference:
    """The management stack; `landing-zone:managementStack` overrides `<org>/<project>/management`."""
    name = pulumi.Config().get("managementStack") or f"{pulumi.get_organization()}/{pulumi.get_project()}/{names.MANAGEMENT_STACK}"
    return pulumi.StackReference(names.MANAGEMENT_STACK, name)


def account_providers(name: str, account_id: pulumi.Input[str], regions: Sequence[str]) -> dict[str, aws.Provider]:
    """One provider per region for the account this stack runs in, refusing any other account."""
    return {
        region: aws.Provider(
            f"{name}-{region}",
            region=region,
            allowed_account_ids=[account_id],
            default_tags=aws.ProviderDefaultTagsArgs(tags=names.MANAGED_BY_TAG),
        )
        for region in regions
    }
