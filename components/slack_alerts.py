"""Encrypted SNS topics delivered to Slack channels by AWS Chatbot, with a read-only Chatbot role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

import names
from iam import minify, service_trust
from security.alerting import CHATBOT, CHATBOT_GUARDRAIL, CHATBOT_ROLE_POLICY, topic_key_policy, topic_policy


@dataclass(frozen=True)
class SlackAlertsArgs:
    account_id: pulumi.Input[str]
    """The account the topics live in (key and topic policies name it)."""
    publishers: Sequence[str]
    """Service principals that publish (events.amazonaws.com, budgets.amazonaws.com)."""
    topics: Sequence[str]
    """Topic keys; each becomes an encrypted topic `<name>-<key>`."""
    channels: Mapping[str, pulumi.Input[str]]
    """Topic key -> Slack channel id it is delivered to (topics without one only publish)."""
    slack_team_id: Optional[str]
    """Slack workspace id authorised in Chatbot; None creates the topics without Chatbot delivery."""
    chatbot_provider: Optional[aws.Provider] = None
    """Provider of the same account in Chatbot's region; required with a team id."""


class SlackAlerts(pulumi.ComponentResource):
    topic_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: SlackAlertsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:slack_alerts:SlackAlerts", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        key = aws.kms.Key(
            f"{name}-topics-key",
            description=f"Encrypts the {name} alert topics; lets their publishers and Chatbot use it",
            enable_key_rotation=True,
            policy=pulumi.Output.from_input(args.account_id).apply(lambda account: minify(topic_key_policy(account, args.publishers))),
            opts=child,
        )
        self.topic_arns = {}
        topics = []
        for key_name in args.topics:
            topic = aws.sns.Topic(f"{name}-{key_name}-topic", name=f"{name}-{key_name}", kms_master_key_id=key.arn, opts=child)
            aws.sns.TopicPolicy(
                f"{name}-{key_name}-topic-policy",
                arn=topic.arn,
                policy=pulumi.Output.all(topic.arn, args.account_id).apply(lambda v: minify(topic_policy(v[0], v[1], args.publishers))),
                opts=child,
            )
            self.topic_arns[key_name] = topic.arn
            if key_name in args.channels:
                topics.append((key_name, args.channels[key_name], topic))
        if args.slack_team_id is not None and topics:
            role = aws.iam.Role(f"{name}-chatbot-role", name=names.chatbot_role(name).name, assume_role_policy=minify(service_trust(CHATBOT)), opts=child)
            aws.iam.RolePolicyAttachment(f"{name}-chatbot-read-only", role=role.name, policy_arn=CHATBOT_ROLE_POLICY, opts=child)
            in_chatbot = pulumi.ResourceOptions(parent=self, provider=args.chatbot_provider)
            for key_name, channel_id, topic in topics:
                aws.chatbot.SlackChannelConfiguration(
                    f"{name}-{key_name}-slack",
                    configuration_name=f"{name}-{key_name}",
                    slack_team_id=args.slack_team_id,
                    slack_channel_id=channel_id,
                    sns_topic_arns=[topic.arn],
                    iam_role_arn=role.arn,
                    guardrail_policy_arns=[CHATBOT_GUARDRAIL],
                    logging_level="ERROR",
                    opts=in_chatbot,
                )
        self.register_outputs({"topicArns": self.topic_arns})
