"""The management stack's values, written as SSM parameters into the accounts of the stacks that read them.

delivery/handoff.py says why (no StackReference, so no right on the management stack's secrets)
and how the values are split to fit standard-tier parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from delivery import handoff


@dataclass(frozen=True)
class ManagementHandoffArgs:
    providers: Mapping[str, aws.Provider]
    """Account key -> provider of each account that gets the parameters (audit, log), in the home region."""
    organization_id: pulumi.Input[str]
    """The organisation's id."""
    root_id: pulumi.Input[str]
    """The organisation root's id."""
    account_keys: Sequence[str]
    """Every account key the values name, in order (the split into parameters follows it)."""
    account_ids: Mapping[str, pulumi.Input[str]]
    """Account key -> id."""
    channel_ids: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Slack channel key -> id, for the channels the reading stacks post to."""


class ManagementHandoff(pulumi.ComponentResource):
    def __init__(self, name: str, args: ManagementHandoffArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:management_handoff:ManagementHandoff", name, None, opts)
        # purpose (names the resource) -> (parameter name, value)
        values = {
            handoff.ORGANIZATION: (
                handoff.parameter_name(handoff.ORGANIZATION),
                pulumi.Output.all(args.organization_id, args.root_id).apply(lambda v: handoff.organization_value(*v)),
            )
        }
        for index, keys in enumerate(handoff.account_parts(args.account_keys)):
            values[f"{handoff.ACCOUNTS}-{index}"] = (
                handoff.parameter_name(handoff.ACCOUNTS, index),
                pulumi.Output.all(*(args.account_ids[key] for key in keys)).apply(
                    lambda ids, keys=keys: handoff.accounts_value(dict(zip(keys, ids, strict=True)))
                ),
            )
        if args.channel_ids:
            channels = sorted(args.channel_ids)
            values[handoff.SLACK_CHANNELS] = (
                handoff.parameter_name(handoff.SLACK_CHANNELS),
                pulumi.Output.all(*(args.channel_ids[key] for key in channels)).apply(
                    lambda ids: handoff.channels_value(dict(zip(channels, ids, strict=True)))
                ),
            )
        for account, provider in args.providers.items():
            for purpose, (parameter, value) in values.items():
                aws.ssm.Parameter(
                    f"{name}-{account}-{purpose}",
                    name=parameter,
                    type="String",
                    tier="Standard",
                    # Not secret, and readable in the plan: ids only, no credentials.
                    insecure_value=value,
                    description="Written by the landing zone's management stack; read by this account's stack.",
                    opts=pulumi.ResourceOptions(parent=self, provider=provider),
                )
        self.register_outputs({"parameters": sorted(parameter for parameter, _ in values.values())})
