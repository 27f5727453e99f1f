"""What the audit and log stacks share: the management stack's values and their own providers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pulumi
import pulumi_aws as aws

import names
from config import LandingZone
from delivery import handoff


class HandoffMissing(pulumi.RunError):
    """A `HandoffError` as bad state: a RunError, so the Pulumi CLI prints the message alone, without
    a traceback, also when it is raised in an apply (the program's unhandled RPC error is re-raised as is)."""


def first_management(stack: str, problem: str) -> HandoffMissing:
    return HandoffMissing(f"the {stack} stack cannot read the management stack's values: {problem}")


def read_handoff(stack: str, parameters: dict[str, str]) -> handoff.ManagementValues:
    try:
        return handoff.read(parameters)
    except handoff.HandoffError as err:
        raise first_management(stack, str(err)) from None


@dataclass(frozen=True)
class Management:
    """The management stack's values, as Outputs of the parameters it wrote into this stack's account."""

    organization_id: pulumi.Output[str]
    """The organisation's id."""
    root_id: pulumi.Output[str]
    """The organisation root's id."""
    account_ids: pulumi.Output[dict]
    """Account key -> id (`management`, `audit`, `log`, `<app>-<env>`)."""
    slack_channel_ids: pulumi.Output[dict]
    """Channel key -> id of the channels these stacks post to (empty without Slack)."""
    stack: str
    """The stack reading them."""

    def account_id(self, key: str) -> pulumi.Output[str]:
        def pick(ids: dict) -> str:
            if key not in ids:
                raise first_management(
                    self.stack, f"its account ids name no {key!r} account: run `pulumi up --stack {names.MANAGEMENT_STACK}` with this config first"
                )
            return ids[key]

        return self.account_ids.apply(pick)


def management_values(landing_zone: LandingZone, stack: str) -> Management:
    """Read what the management stack wrote under names.HANDOFF_PATH in this stack's account (delivery/handoff.py).

    The reading provider has no `allowed_account_ids` (the account id is what it reads); every
    provider that then acts is pinned to the account id read here, so credentials of another
    account stop there.
    """
    region = landing_zone.organization.home_region
    reader = aws.Provider(f"{stack}-handoff-reader", region=region, default_tags=aws.ProviderDefaultTagsArgs(tags=names.MANAGED_BY_TAG))
    found = aws.ssm.get_parameters_by_path_output(
        path=names.HANDOFF_PATH, recursive=True, with_decryption=False, opts=pulumi.InvokeOutputOptions(provider=reader)
    )
    # The data source marks `values` sensitive; these are ids, written with insecure_value.
    values = pulumi.Output.unsecret(found.apply(lambda result: read_handoff(stack, dict(zip(result.names, result.values, strict=True)))))
    return Management(
        organization_id=values.apply(lambda v: v.organization_id),
        root_id=values.apply(lambda v: v.root_id),
        account_ids=values.apply(lambda v: v.account_ids),
        slack_channel_ids=values.apply(lambda v: v.slack_channel_ids),
        stack=stack,
    )


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
