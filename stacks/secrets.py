"""Tokens and application secrets come from Pulumi secret config only, and are all checked before
anything is registered."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import pulumi

import names
from config import ConfigError, ConfigIssue, LandingZone
from config.app_secrets import GivenSecrets, command, is_secure, leaves
from config.yamlfile import parse_yaml

SECRETS = {
    "githubToken": "GitHub token of github.automation_login (repo, workflow, admin:org)",
    "slackToken": "Slack token that manages the channels (channels:manage, channels:read, channels:join, groups:write, groups:read)",
    "slackNotifyToken": "Slack bot token that only posts (chat:write; chat:write.public without slack.notify_user_id): the apps' SLACK_BOT_TOKEN",
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
                    _file_name(_stack_file()),
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


def read_app_secrets() -> tuple[GivenSecrets, dict[str, pulumi.Output[str]], list[ConfigIssue]]:
    """The applications' secret values (`appSecrets`, config/app_secrets.py) as `Output.secret`s by
    `names.app_secret_path`; which are set, for the config check; and what is wrong with the key.
    No message repeats a value."""
    path = _stack_file()
    file = _file_name(path)
    key = f"{pulumi.get_project()}:{names.APP_SECRETS}"
    given = GivenSecrets(file, key, frozenset())
    text = pulumi.Config().get(names.APP_SECRETS)
    if text is None:
        return given, {}, []
    example = command("<app>", "<env>", "<NAME>")
    if not pulumi.runtime.is_config_secret(key):
        return (
            given,
            {},
            [ConfigIssue(file, key, "a plaintext secret: it would sit unencrypted in the stack file", None, f"remove it and set each value with {example}")],
        )
    written = _stack_file_leaf_issues(path, key)
    if written:
        return given, {}, written
    try:
        value = json.loads(text)
    except ValueError:
        return given, {}, [ConfigIssue(file, key, "must be a mapping of applications (set with --path)", None, f"remove it and set each value with {example}")]
    found, issues = leaves(value, file, key, lambda leaf: isinstance(leaf, str) and leaf != "")
    values = {names.app_secret_path(*leaf): pulumi.Output.secret(leaf_value) for leaf, leaf_value in found.items()}
    return GivenSecrets(file, key, frozenset(found)), values, issues


def _stack_file() -> Optional[Path]:
    """The stack file by the path `lzctl` names it by too (lzctl/stackfile.py `stack_file`), so both report
    one file alike. Pulumi gives the program its project root, an absolute path (`get_root_directory`,
    where the CLI and Pulumi Deployments' checkout keep `Pulumi.<stack>.yaml`), and so does lzctl's
    offline plan (lzctl/sdk.py `install`); bare mocks give none or the relative placeholder
    `root_directory` (pulumi/runtime/mocks.py, MockSettings): no path then."""
    root = pulumi.get_root_directory()
    return Path(root) / f"Pulumi.{pulumi.get_stack()}.yaml" if root and Path(root).is_absolute() else None


def _file_name(path: Optional[Path]) -> str:
    return str(path) if path is not None else f"Pulumi.{pulumi.get_stack()}.yaml"


def _stack_file_leaf_issues(path: Optional[Path], key: str) -> list[ConfigIssue]:
    """The problems of `appSecrets` as the stack file `path` holds it, leaf by leaf, as `lzctl validate` reads it.

    The engine marks an object value secret when any one leaf is (pulumi sdk/go/common/resource/config
    value.go, `hasSecureValue`) and hands the program the decrypted whole, so a leaf set without
    `--secret` beside secure ones passes `is_config_secret` while it sits in plaintext in the file: only
    the file shows it. Config kept elsewhere (no stack file) cannot be checked here."""
    if path is None or not path.is_file():
        return []
    data, _ = parse_yaml(path, allow_empty=True)
    settings = data.get("config")
    written = settings.get(key, settings.get(names.APP_SECRETS)) if isinstance(settings, dict) else None
    return [] if written is None else leaves(written, str(path), key, is_secure)[1]
