"""High-severity findings to the security-alerts Slack channel: EventBridge -> encrypted SNS -> Chatbot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

import names
from components.slack_alerts import SlackAlerts, SlackAlertsArgs
from config.model import AlertSpec
from iam import minify
from security.alerting import EVENTS, alert_patterns

TOPIC = "findings"


@dataclass(frozen=True)
class SecurityAlertsArgs:
    settings: AlertSpec
    """Severity thresholds and whether Access Analyzer findings alert."""
    account_id: pulumi.Input[str]
    """The audit account."""
    provider: aws.Provider
    """Audit account, home region: where Security Hub aggregates findings."""
    chatbot_provider: Optional[aws.Provider]
    """Audit account in Chatbot's region, when Slack delivery is configured."""
    slack_team_id: Optional[str]
    """Slack workspace id authorised in Chatbot."""
    channel_id: Optional[pulumi.Input[str]]
    """The security-alerts channel."""


class SecurityAlerts(pulumi.ComponentResource):
    topic_arn: pulumi.Output[str]

    def __init__(self, name: str, args: SecurityAlertsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:security_alerts:SecurityAlerts", name, None, opts)
        here = pulumi.ResourceOptions(parent=self, provider=args.provider)
        alerts = SlackAlerts(
            name,
            SlackAlertsArgs(
                account_id=args.account_id,
                publishers=[EVENTS],
                topics=[TOPIC],
                channels={TOPIC: args.channel_id} if args.channel_id is not None else {},
                slack_team_id=args.slack_team_id,
                chatbot_provider=args.chatbot_provider,
            ),
            opts=pulumi.ResourceOptions(parent=self, providers=[args.provider]),
        )
        self.topic_arn = alerts.topic_arns[TOPIC]
        settings = args.settings
        patterns = alert_patterns(settings.security_hub_severities, settings.guardduty_min_severity, settings.access_analyzer)
        for key, pattern in patterns.items():
            rule = aws.cloudwatch.EventRule(
                f"{name}-{key}-rule",
                name=names.findings_rule(key),
                description=f"{key} findings (through Security Hub) that page the {names.SECURITY_ALERTS} channel",
                event_pattern=minify(pattern),
                opts=here,
            )
            aws.cloudwatch.EventTarget(f"{name}-{key}-target", rule=rule.name, arn=self.topic_arn, opts=here)
        self.register_outputs({"topicArn": self.topic_arn})
