"""Slack channels for deploys, security alerts and approvals, created or adopted by name.

What pablovarela/terraform-provider-slack (v1.2.2, the version pulumi-slack 0.5.3 bridges) does,
read in slack/resource_conversation.go:
- `adopt_existing_channel` takes over a channel whose name is taken, but it looks the name up with
  `ExcludeArchived: true`: an archived channel of that name is never found, so creating it fails
  (unarchive it in Slack first). A private channel is found only if the token's bot is in it
  (conversations.list returns the private channels the caller belongs to): invite the bot first.
- `action_on_update_permanent_members` defaults to `kick`: every member not listed in
  `permanent_members` (but the creator and the bot) is removed from an adopted channel. Here it is
  `none`: members are only ever added.
- `is_private` is read but never updated: a public channel stays public after the flag changes
  (convert it in Slack's channel settings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import AbstractSet, Mapping, Optional, Sequence

import pulumi
import pulumi_slack as slack


@dataclass(frozen=True)
class SlackChannelsArgs:
    channels: Mapping[str, str]
    """Key (an app key, `security-alerts`, `approvals`) -> channel name."""
    private: AbstractSet[str] = frozenset()
    """Keys of the channels that are private."""
    members: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Key -> Slack member ids invited to the channel (never removed: members are not kicked)."""
    kept: AbstractSet[str] = frozenset()
    """Keys of channels that may predate the program (an application's `slack_channel`): left as they are on removal, not archived."""


class SlackChannels(pulumi.ComponentResource):
    channel_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: SlackChannelsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:slack_channels:SlackChannels", name, None, opts)
        self.channel_ids = {
            key: slack.Conversation(
                f"{name}-{key}-channel",
                name=channel,
                is_private=key in args.private,
                permanent_members=list(args.members.get(key, ())) or None,
                # An existing channel of that name is taken over with its members. On removal the program's
                # own channels are archived (not deleted); one named by an application, often shared
                # beyond it, is left as it is (`none`: the provider's Delete does nothing,
                # resource_conversation.go).
                adopt_existing_channel=True,
                action_on_update_permanent_members="none",
                action_on_destroy="none" if key in args.kept else "archive",
                opts=pulumi.ResourceOptions(parent=self),
            ).id
            for key, channel in args.channels.items()
        }
        self.register_outputs({"channelIds": self.channel_ids})
