"""Validation phase 2: what AWS, GitHub or Slack would refuse at deploy time, checked on the values
the program will send (after templating), and names the program itself reserves.

Sources (checked 2026-12):
- Slack channel names: lowercase letters, numbers, hyphens and underscores, at most 80 characters,
  not only punctuation: https://docs.slack.dev/reference/methods/conversations.create/
- managed policies per IAM role: 10 by default (guardrails.limits.role_managed_policies):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
- a permission set's managed policies count against that quota too, in every account it is assigned
  to ("IAM sets a quota of 10 managed policies per role ... request an increase ... for each AWS
  account where you want to deploy the permission set", footnote 1 of
  https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html; 20 per permission set there)
- GitHub repository descriptions at most 350 characters ("Description cannot be more than 350
  characters"; not in GitHub's docs: https://github.com/Ylianst/MeshCentral/issues/4724,
  https://github.com/owasp-modsecurity/ModSecurity/issues/3130)
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from typing import Any, Callable

from pydantic import BaseModel

import names
from config.delivery_schema import REPOSITORY_SCOPE_ALL, REPOSITORY_SCOPE_INFRASTRUCTURE
from config.issues import ConfigIssue, path_of
from config.managed_policies import ARN_PREFIX, ROOT_TASK_PATH, TAKEN
from config.managed_policies import NAMES as MANAGED_POLICIES
from config.schema import LandingZoneConfig
from workflows.pins import ActionPins

Fail = Callable[..., None]
SLACK_CHANNEL_MAX_CHARS = 80
GITHUB_DESCRIPTION_MAX_CHARS = 350
RESERVED_APPLICATION_KEYS = (REPOSITORY_SCOPE_INFRASTRUCTURE, REPOSITORY_SCOPE_ALL, names.SECURITY_ALERTS, names.APPROVALS)
"""Keys that mean something else where application keys are used: a group's `repositories`
(`infrastructure`, `all`) and the Slack channels and budget topics (`security-alerts`, `approvals`)."""
_SLACK_CHANNEL = re.compile(r"^[a-z0-9_-]+$")


def check_application_keys(cfg: LandingZoneConfig, fail: Fail) -> None:
    for key in cfg.applications:
        if key in RESERVED_APPLICATION_KEYS:
            fail(
                path_of("applications", key),
                "this application key is reserved",
                key,
                f"rename the application; {', '.join(RESERVED_APPLICATION_KEYS)} are taken",
            )


def check_repository_descriptions(cfg: LandingZoneConfig, fail: Fail) -> None:
    if cfg.github is None or not cfg.github.enabled:
        return
    for key, app in cfg.applications.items():
        if len(app.description) > GITHUB_DESCRIPTION_MAX_CHARS:
            fail(
                path_of("applications", key, "description"),
                f"{len(app.description)} characters: it becomes the repository's description, which GitHub caps at {GITHUB_DESCRIPTION_MAX_CHARS}",
                None,
                "shorten it",
            )


def _channel_problem(name: str) -> str | None:
    if "{" in name or "}" in name:
        return "has a brace left after templating (only {app}, in deploy_channel, is filled)"
    if len(name) > SLACK_CHANNEL_MAX_CHARS:
        return f"is {len(name)} characters, over Slack's {SLACK_CHANNEL_MAX_CHARS}"
    if not _SLACK_CHANNEL.match(name):
        return "may hold only lowercase letters, digits, hyphens and underscores"
    if not name.strip("-_"):
        return "is only punctuation, which Slack refuses"
    return None


def check_slack_channels(cfg: LandingZoneConfig, fail: Fail) -> None:
    """Every channel name the program creates, as sent to Slack, valid and distinct."""
    slack = cfg.slack
    if slack is None or not slack.enabled:
        return
    # (field, whose channel, name as sent)
    channels = [
        (path_of("applications", key, "slack_channel"), f"application {key}", app.slack_channel)
        if app.slack_channel
        else ("slack.deploy_channel", f"application {key}", slack.deploy_channel.replace("{app}", key))
        for key, app in cfg.applications.items()
    ]
    channels += [("slack.security_alerts_channel", "security alerts", slack.security_alerts_channel)]
    channels += [("slack.approvals_channel", "deploy approvals", slack.approvals_channel)]
    for path, whose, channel in channels:
        problem = _channel_problem(channel)
        if problem:
            fail(path, f"Slack channel of {whose} {problem}", channel)
    counts = Counter(channel for _, _, channel in channels)
    for path, whose, channel in channels:
        if counts[channel] > 1:
            others = " and ".join(other for _, other, name in channels if name == channel and other != whose)
            fail(path, f"Slack channel of {whose} is also the channel of {others}", channel, "every channel needs its own name")


def check_deploy_policies(cfg: LandingZoneConfig, fail: Fail) -> None:
    limit = cfg.guardrails.limits.role_managed_policies
    for key, app in cfg.applications.items():
        for env, policies in app.deploy_policies.items():
            # By name or by ARN, one policy attached twice would be two resources of one name.
            arns = Counter(names.managed_policy_arn(policy) for policy in policies)
            for arn, count in arns.items():
                if count > 1 and len({p for p in policies if names.managed_policy_arn(p) == arn}) > 1:
                    fail(path_of("applications", key, "deploy_policies", env), "names one managed policy twice (by name and by ARN)", arn)
            if len(policies) > limit:
                fail(
                    path_of("applications", key, "deploy_policies", env),
                    f"{len(policies)} managed policies on one deploy role, over IAM's {limit} per role",
                    None,
                    "raise guardrails.limits.role_managed_policies if AWS raised your quota (at most 20)",
                )


def check_permission_set_policies(cfg: LandingZoneConfig, fail: Fail) -> None:
    limit = cfg.guardrails.limits.role_managed_policies
    for name, permission_set in cfg.identity_center.permission_sets.items():
        count = len(permission_set.managed_policies)
        if count > limit:
            fail(
                path_of("identity_center.permission_sets", name, "managed_policies"),
                f"{count} managed policies on one permission set, over IAM's {limit} per role: Identity Center provisions it as a role in each account",
                None,
                "raise guardrails.limits.role_managed_policies if AWS raised the quota in every account it is assigned to (at most 20)",
            )


def check_managed_policy_names(cfg: LandingZoneConfig, warn: Callable[[str], None]) -> None:
    """Managed policies the bundled list does not know (or that only root sessions use): a warning,
    since AWS adds managed policies every week, with the command that settles it."""
    named = [
        (path_of("identity_center.permission_sets", n, "managed_policies", i), p)
        for n, ps in cfg.identity_center.permission_sets.items()
        for i, p in enumerate(ps.managed_policies)
    ]
    named += [
        (path_of("applications", k, "deploy_policies", e, i), p)
        for k, app in cfg.applications.items()
        for e, ps in app.deploy_policies.items()
        for i, p in enumerate(ps)
    ]
    for path, policy in named:
        name = policy.removeprefix(ARN_PREFIX)
        check = f"`aws iam get-policy --policy-arn {ARN_PREFIX}{name}`"
        if name.startswith(ROOT_TASK_PATH):
            warn(f"{path}: {name} is a task policy of sts:AssumeRoot root sessions, not one for a role: it grants a role nothing useful")
        elif name not in MANAGED_POLICIES:
            close = difflib.get_close_matches(name, sorted(MANAGED_POLICIES), n=1)
            guess = f" (did you mean {close[0]}?)" if close else ""
            warn(f"{path}: {name} is not in the list of AWS managed policies of {TAKEN}{guess}; if AWS added it since, ignore this. Check with {check}")


def check_action_pins(cfg: LandingZoneConfig, fail: Fail) -> None:
    if cfg.github is not None and cfg.github.action_pins:
        try:
            ActionPins.from_mapping(cfg.github.action_pins)
        except ValueError as err:
            fail("github.action_pins", str(err), None, "pin only the actions the generated workflows use")


def _lists(node: Any, path: tuple) -> list[tuple[tuple, list]]:
    """(path, list) of every list of plain values in the validated config."""
    if isinstance(node, BaseModel):
        return [found for name in type(node).model_fields for found in _lists(getattr(node, name), path + (name,))]
    if isinstance(node, dict):
        return [found for key, value in node.items() for found in _lists(value, path + (key,))]
    if isinstance(node, list) and all(isinstance(item, (str, int, float)) for item in node):
        return [(path, node)]
    return []


def check_duplicates(cfg: LandingZoneConfig, fail: Fail, reported: list[ConfigIssue]) -> None:
    """No list of the config names one thing twice (a region, a control, a template, a reviewer...):
    AWS refuses some (the same control enabled twice), the rest mean a typo. Lists already reported
    at the same place by their own check are left alone."""
    for path, values in _lists(cfg, ()):
        where = path_of(*path)
        if any(issue.path.startswith(where) for issue in reported):
            continue
        for value, count in Counter(values).items():
            if count > 1:
                fail(where, "listed twice", value, "keep one: each list names a thing once")


def check_required_tags(cfg: LandingZoneConfig, fail: Fail) -> None:
    """The tag policy has one entry per tag key, lowercased (its tag_key pins the spelling:
    guardrails/tag_policy.py), so `app` and `App` would silently become one."""
    tags = cfg.guardrails.tag_policy.required_tags
    for tag, count in Counter(tag.lower() for tag in tags).items():
        spellings = sorted({t for t in tags if t.lower() == tag})
        if count > 1 and len(spellings) > 1:
            fail("guardrails.tag_policy.required_tags", "one tag key in two spellings: the tag policy pins one spelling per key", ", ".join(spellings))
