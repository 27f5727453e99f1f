"""Tokens come from Pulumi secret config only, and are all checked before anything is registered."""

from __future__ import annotations

import pulumi

from config import ConfigError, ConfigIssue, LandingZone

OFFLINE_PLACEHOLDER = "offline-plan-placeholder"
"""What a secret that is not set reads as in the offline plan (masked like any secret)."""


def required_secrets(landing_zone: LandingZone) -> dict[str, str]:
    """Secret config key -> what it is for, given which integrations the config turns on."""
    cfg = landing_zone.config
    needed = {}
    if landing_zone.delivery is not None:
        needed["githubToken"] = "GitHub token of github.automation_login (repo, workflow, admin:org)"
    if cfg.slack is not None and cfg.slack.enabled:
        needed["slackToken"] = "Slack token that manages the channels (channels:manage, channels:read, channels:join)"
        needed["slackNotifyToken"] = "Slack bot token that only posts (chat:write, chat:write.public): the apps' SLACK_BOT_TOKEN"
    if cfg.deployments is not None and cfg.deployments.enabled and landing_zone.delivery is not None:
        needed["pulumiAccessToken"] = "Pulumi Cloud access token that manages the deployment settings"
        needed["pulumiPreviewToken"] = "read-only Pulumi Cloud team token for the reviewed preview jobs in GitHub Actions"
        if cfg.deployments.notify_slack:
            needed["slackWebhookUrl"] = "Slack incoming webhook for deployment results"
    return needed


def read_secrets(landing_zone: LandingZone, offline: bool) -> dict[str, pulumi.Output[str]]:
    """Every required secret as an `Output.secret`; a missing one is a `ConfigError` (a placeholder offline)."""
    settings = pulumi.Config()
    values, issues = {}, []
    for key, purpose in required_secrets(landing_zone).items():
        value = settings.get_secret(key)
        if value is None and offline:
            value = pulumi.Output.secret(OFFLINE_PLACEHOLDER)
        if value is None:
            issues.append(
                ConfigIssue(
                    f"Pulumi.{pulumi.get_stack()}.yaml",
                    f"{pulumi.get_project()}:{key}",
                    f"missing secret: {purpose}",
                    None,
                    f"pulumi config set --secret {key} <value>",
                )
            )
        values[key] = value
    if issues:
        raise ConfigError(issues)
    return values
