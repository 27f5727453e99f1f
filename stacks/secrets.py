"""Tokens come from Pulumi secret config only, and are all checked before anything is registered."""

from __future__ import annotations

import pulumi

from config import ConfigError, ConfigIssue, LandingZone

SECRETS = {
    "githubToken": "GitHub token of github.automation_login (repo, workflow, admin:org)",
    "slackToken": "Slack token that manages the channels (channels:manage, channels:read, channels:join)",
    "slackNotifyToken": "Slack bot token that only posts (chat:write, chat:write.public): the apps' SLACK_BOT_TOKEN",
    "pulumiAccessToken": "Pulumi Cloud access token that manages the deployment settings",
    "pulumiPreviewToken": "read-only Pulumi Cloud team token for the reviewed preview jobs in GitHub Actions",
    "slackWebhookUrl": "Slack incoming webhook for deployment results",
}
"""Every secret config key the program reads -> what it is for."""


def required_secrets(landing_zone: LandingZone) -> dict[str, str]:
    """The secrets the config's integrations need -> what each is for."""
    cfg = landing_zone.config
    needed = []
    if landing_zone.delivery is not None:
        needed.append("githubToken")
    if cfg.slack is not None and cfg.slack.enabled:
        needed += ["slackToken", "slackNotifyToken"]
    if cfg.deployments is not None and cfg.deployments.enabled and landing_zone.delivery is not None:
        # No reviewer can gate the preview environment without Enterprise (private repositories): no preview token then.
        previews = ["pulumiPreviewToken"] if landing_zone.delivery.credentialed_previews else []
        needed += ["pulumiAccessToken", *previews] + (["slackWebhookUrl"] if cfg.deployments.notify_slack else [])
    return {key: SECRETS[key] for key in needed}


def read_secrets(landing_zone: LandingZone) -> dict[str, pulumi.Output[str]]:
    """Every required secret as an `Output.secret`; a missing one is a `ConfigError`."""
    settings = pulumi.Config()
    values, issues = {}, []
    for key, purpose in required_secrets(landing_zone).items():
        value = settings.get_secret(key)
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
