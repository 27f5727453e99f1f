"""What the audit and log stacks share: the management stack's outputs and their own providers."""

from __future__ import annotations

from typing import Sequence

import pulumi
import pulumi_aws as aws

import names
from config import LandingZone


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


def governed_regions(landing_zone: LandingZone) -> list[str]:
    """Home region first: aggregators and alerts live there."""
    org = landing_zone.organization
    return [org.home_region, *(r for r in org.governed_regions if r != org.home_region)]


def control_tower_config_integration(cfg) -> bool:
    """Landing zone 4.0 integrates AWS Config itself: it registers the Config administrator and aggregates."""
    control_tower = cfg.guardrails.control_tower
    return control_tower.enabled and control_tower.landing_zone_version != "3.3"
