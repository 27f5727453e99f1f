"""Slack channels for deploys, security alerts and approvals, created or adopted by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

import pulumi
import pulumi_slack as slack


@dataclass(frozen=True)
class SlackChannelsArgs:
    channels: Mapping[str, str]
    """Key (an app key, `security-alerts`, `approvals`) -> channel name."""


class SlackChannels(pulumi.ComponentResource):
    channel_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: SlackChannelsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:slack_channels:SlackChannels", name, None, opts)
        self.channel_ids = {
            key: slack.Conversation(
                f"{name}-{key}-channel",
                name=channel,
                is_private=False,
                # An existing channel of that name is taken over, and archived (not deleted) on removal.
                adopt_existing_channel=True,
                action_on_destroy="archive",
                opts=pulumi.ResourceOptions(parent=self),
            ).id
            for key, channel in args.channels.items()
        }
        self.register_outputs({"channelIds": self.channel_ids})
