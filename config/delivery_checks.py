"""Validation phase 2 for GitHub, Slack and Pulumi Deployments, resolved into a `DeliveryPlan`.

Every repository, team, reviewer, channel and deploy role is derived here from the same config
as the accounts, so adding an application adds its whole pipeline and nothing else.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Optional

import names
from config.delivery_schema import REPOSITORY_SCOPE_ALL, REPOSITORY_SCOPE_INFRASTRUCTURE
from config.issues import path_of
from config.model import AccountSpec, DeliveryPlan, PipelineSpec, ReviewerSpec, TeamSpec
from config.schema import LandingZoneConfig
from delivery.policies import GITHUB_OIDC_HOST, github_subject, github_trust
from iam import minify

Fail = Callable[..., None]
Warn = Callable[[str], None]
DEFAULT_DEPLOY_POLICIES = (names.POWER_USER_ACCESS,)
MAX_REVIEWERS = 6
"""GitHub allows six required reviewers per environment."""
LONGEST_PROVIDER_ARN = f"arn:aws:iam::123456789012:oidc-provider/{GITHUB_OIDC_HOST}"
"""Provider ARNs differ only in the 12-digit account id, so any one measures the trust policy."""


def _reviewers(cfg: LandingZoneConfig, path: str, reviewers, fail: Fail) -> ReviewerSpec:
    ic = cfg.identity_center
    for index, team in enumerate(reviewers.teams):
        if team not in ic.groups:
            fail(path_of(path, "teams", index), "no such group", team, "reviewer teams are Identity Center groups (each becomes a GitHub team)")
    logins = []
    for index, person in enumerate(reviewers.people):
        if person not in ic.people:
            fail(path_of(path, "people", index), "no such person", person)
        elif not ic.people[person].github:
            fail(path_of(path, "people", index), "person has no GitHub login", person, f"set identity_center.people.{person}.github")
        else:
            logins.append(ic.people[person].github)
    if len(reviewers.teams) + len(logins) > MAX_REVIEWERS:
        fail(
            path,
            f"{len(reviewers.teams) + len(logins)} reviewers, over GitHub's {MAX_REVIEWERS} per environment",
            None,
            "review with a team instead of many people",
        )
    return ReviewerSpec(tuple(reviewers.teams), tuple(logins))


def _pipeline(cfg: LandingZoneConfig, app_key: str, accounts: list[AccountSpec], fail: Fail) -> PipelineSpec:
    app = cfg.applications[app_key]
    path = path_of("applications", app_key)
    active = {a.environment: a.key for a in accounts if a.application == app_key and not a.suspended}
    environments = {a.environment for a in accounts if a.application == app_key}
    branches = app.branches if app.branches is not None else {b: e for b, e in names.GITFLOW_BRANCHES.items() if e in environments}
    for branch, env in branches.items():
        if env not in environments:
            fail(path_of(path, "branches", branch), "branch deploys to an environment this application does not have", env)
    for env, count in Counter(branches.values()).items():
        if count > 1:
            fail(path_of(path, "branches"), "two branches deploy to one environment", env, "map one branch per environment")
    for env in app.deploy_policies:
        if env not in environments:
            fail(path_of(path, "deploy_policies", env), "no such environment for this application", env)
    limit = cfg.guardrails.limits.trust_policy_max_chars
    repository = app.repository or app_key
    if cfg.github is not None:
        for env in active:
            trust = github_trust(LONGEST_PROVIDER_ARN, github_subject(cfg.github.owner, repository, env))
            size = len(minify(trust))
            if size > limit:
                fail(path_of(path, "repository"), f"the {env} deploy role's trust policy is {size} characters, over the limit of {limit}", repository)
    channel = cfg.slack.deploy_channel.replace("{app}", app_key) if cfg.slack is not None else None
    return PipelineSpec(
        application=app_key,
        repository=repository,
        kind=app.kind,
        commands={name: value for name, value in app.commands.model_dump().items() if value is not None},
        branches={branch: env for branch, env in branches.items() if env in active},
        reviewers=_reviewers(cfg, path_of(path, "reviewers"), app.reviewers, fail),
        deploy_policies={env: tuple(app.deploy_policies.get(env, DEFAULT_DEPLOY_POLICIES)) for env in active},
        accounts=active,
        slack_channel=channel,
        description=app.description,
    )


def _teams(cfg: LandingZoneConfig, repositories: dict[str, str], fail: Fail, warn: Warn) -> tuple[TeamSpec, ...]:
    """repositories: app key (and `infrastructure`) -> repository name."""
    ic = cfg.identity_center
    teams = []
    for group_key, group in ic.groups.items():
        permissions: dict[str, str] = {}
        for scope, permission in group.repositories.items():
            if scope == REPOSITORY_SCOPE_ALL:
                permissions.update({name: permission for name in repositories.values()})
            elif scope in repositories:
                permissions[repositories[scope]] = permission
            else:
                fail(
                    path_of("identity_center.groups", group_key, "repositories", scope),
                    "no such application",
                    scope,
                    f"use an app key, {REPOSITORY_SCOPE_INFRASTRUCTURE} or {REPOSITORY_SCOPE_ALL}",
                )
        without_login = [m for m in group.members if m in ic.people and not ic.people[m].github]
        if without_login:
            warn(f"group {group_key}: {', '.join(without_login)} have no GitHub login and are not added to its GitHub team")
        logins = tuple(ic.people[m].github for m in group.members if m in ic.people and ic.people[m].github)
        teams.append(TeamSpec(group_key, logins, permissions))
    return tuple(teams)


def _check_integrations(cfg: LandingZoneConfig, fail: Fail) -> None:
    github_on = cfg.github is not None and cfg.github.enabled
    if cfg.deployments is not None and cfg.deployments.enabled:
        if not github_on:
            fail("deployments", "Pulumi Deployments needs the github section (it deploys from the infrastructure repository)")
        for stack, count in Counter(cfg.deployments.stacks).items():
            if count > 1:
                fail("deployments.stacks", "stack listed twice", stack)
    if cfg.slack is not None and cfg.slack.enabled:
        if not github_on:
            fail("slack", "the Slack channels are wired into the GitHub pipelines; add the github section", None, "or remove the slack section")
        if "{app}" not in cfg.slack.deploy_channel:
            fail("slack.deploy_channel", "must contain {app}, or every application would share one channel", cfg.slack.deploy_channel)
    types = set(cfg.security_services.inspector.resource_types)
    if "LAMBDA_CODE" in types and "LAMBDA" not in types:
        fail("security_services.inspector.resource_types", "LAMBDA_CODE scanning needs LAMBDA", sorted(types))


def check_delivery(cfg: LandingZoneConfig, accounts: list[AccountSpec], fail: Fail, warn: Warn) -> Optional[DeliveryPlan]:
    _check_integrations(cfg, fail)
    if cfg.github is None or not cfg.github.enabled:
        return None
    every = tuple(_pipeline(cfg, app_key, accounts, fail) for app_key in cfg.applications)
    # An application whose accounts are all suspended keeps its name but has nothing to deploy to.
    pipelines = tuple(pipeline for pipeline in every if pipeline.branches)
    taken = Counter(p.repository.lower() for p in every) + Counter([cfg.github.infrastructure_repository.lower()])
    for pipeline in every:
        if taken[pipeline.repository.lower()] > 1:
            fail(path_of("applications", pipeline.application, "repository"), "repository name used twice", pipeline.repository)
    repositories = {p.application: p.repository for p in every}
    repositories[REPOSITORY_SCOPE_INFRASTRUCTURE] = cfg.github.infrastructure_repository
    infrastructure_reviewers = _reviewers(cfg, "github.infrastructure_reviewers", cfg.github.infrastructure_reviewers, fail)
    if not (infrastructure_reviewers.teams or infrastructure_reviewers.logins):
        fail(
            "github.infrastructure_reviewers",
            "the landing zone's environments need reviewers",
            None,
            "they gate the preview token and the plan roles; name a team, e.g. {teams: [platform-admins]}",
        )
    for pipeline in pipelines:
        if not (pipeline.reviewers.teams or pipeline.reviewers.logins):
            fail(
                path_of("applications", pipeline.application, "reviewers"),
                "production deploys need reviewers",
                None,
                "name the app's team, e.g. {teams: [<app>-developers]}",
            )
    return DeliveryPlan(
        pipelines=pipelines,
        teams=_teams(cfg, repositories, fail, warn),
        infrastructure_repository=cfg.github.infrastructure_repository,
        infrastructure_reviewers=infrastructure_reviewers,
    )
