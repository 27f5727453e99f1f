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
LONGEST_GITHUB_ID = 2**63 - 1
"""GitHub's ids are 64-bit integers: the longest an owner or repository id of an immutable subject can be."""
WRITE_PERMISSIONS = ("push", "maintain", "admin")
"""Repository permissions whose holders can push, and whose approving reviews count."""
PROGRAM_SECRETS = (names.SLACK_BOT_TOKEN, names.PULUMI_ACCESS_TOKEN)
"""Environment secrets the stacks set themselves."""
# An application secret reaches the deploy step as an environment variable of its name
# (workflows/app.py), where it would shadow, or be shadowed by, what the job, the runner and
# configure-aws-credentials set: GitHub allows these names for secrets, so only this refuses them.
# Sources: GitHub docs "Store information in variables" (default environment variables: CI,
# GITHUB_*, RUNNER_*), "Enabling debug logging" (ACTIONS_STEP_DEBUG, ACTIONS_RUNNER_DEBUG),
# aws-actions/configure-aws-credentials README (it exports the credentials and region as AWS_*
# variables; not re-read offline); checked 2026-12-02. Which of a step's `env` and GITHUB_ENV wins
# for one name is not verified offline: refusing the name makes it moot.
SHADOWED_PREFIXES = {
    "AWS_": "the AWS credentials and region configure-aws-credentials exports, and the AWS CLI's and SDKs' settings",
    "ACTIONS_": "the runner's own settings (ACTIONS_STEP_DEBUG, ACTIONS_RUNTIME_TOKEN)",
    "RUNNER_": "the runner's default environment variables (RUNNER_TEMP, RUNNER_OS)",
}
"""Prefix -> what a secret name starting with it would shadow in the deploy step."""
SHADOWED_NAMES = {
    "DEPLOY_ENV": "the environment the deploy job gives the deploy command",
    "IMAGE_URI": "the image the container deploy job gives the deploy command",
    "ECR_REPOSITORY": "the ECR repository the container deploy job pushes to",
    "CI": "the runner's CI=true, which tools read to run non-interactively",
    "PATH": "the runner's search path for commands",
    "HOME": "the runner's home directory",
    "BASH_ENV": "a file bash runs before every run step",
    "LD_PRELOAD": "libraries loaded into every process",
}
"""Name -> what a secret of that name would shadow in the deploy step."""
ENVIRONMENT_SECRETS_LIMIT = 100
"""Secrets one GitHub environment can hold (GitHub docs, "Secrets reference", Limits for secrets:
"100 environment secrets"; checked 2026-12-02). Its 48 KB limit per value is not checked: values
are not read by an offline plan."""


def shadowed_by(secret: str) -> Optional[str]:
    """What an application secret of this name would shadow in the deploy step's environment, or None."""
    return SHADOWED_NAMES.get(secret) or next((what for prefix, what in SHADOWED_PREFIXES.items() if secret.startswith(prefix)), None)


SUBJECT_OF_CREATED = "immutable"
"""The only `sub` form a repository created now can send (GitHub docs, "OpenID Connect", "Immutable subject
claims": the default for repositories created or renamed on or after 2026-07-15)."""


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
    if app.oidc_subject != SUBJECT_OF_CREATED and not app.existing_repository:
        fail(
            path_of(path, "oidc_subject"),
            "this program creates the repository, and GitHub gives every repository it creates now the immutable subject",
            app.oidc_subject,
            "leave it out (immutable); the name form is only for an existing repository (existing_repository: true) created before the switch and not opted in",
        )
    if cfg.github is not None:
        for env in active:
            subject = github_subject(cfg.github.owner, repository, env, app.oidc_subject, LONGEST_GITHUB_ID, LONGEST_GITHUB_ID)
            trust = github_trust(LONGEST_PROVIDER_ARN, subject)
            size = len(minify(trust))
            if size > limit:
                fail(path_of(path, "repository"), f"the {env} deploy role's trust policy is {size} characters, over the limit of {limit}", repository)
    if cfg.slack is None and app.slack_channel is not None:
        fail(
            path_of(path, "slack_channel"), "names a Slack channel, but there is no slack section", app.slack_channel, "add the slack section or remove the key"
        )
    channel = (app.slack_channel or cfg.slack.deploy_channel.replace("{app}", app_key)) if cfg.slack is not None else None
    secrets = _accepted_secret_names(path, app.secrets, fail)
    # Each deploy environment also holds the program's SLACK_BOT_TOKEN when Slack posts there.
    room = ENVIRONMENT_SECRETS_LIMIT - (1 if channel is not None else 0)
    if len(app.secrets) > room:
        fail(
            path_of(path, "secrets"),
            f"{len(app.secrets)} secrets, over the {room} a deploy environment has room for "
            f"(GitHub holds at most {ENVIRONMENT_SECRETS_LIMIT} per environment" + (", and SLACK_BOT_TOKEN is one)" if channel is not None else ")"),
            None,
            "keep the others in AWS Secrets Manager of the account, read by the deploy command",
        )
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
        slack_channel_named=app.slack_channel is not None,
        description=app.description,
        subject_form=app.oidc_subject,
        adopted=app.existing_repository,
        secrets=secrets,
    )


def _accepted_secret_names(path: str, secrets: list[str], fail: Fail) -> tuple[str, ...]:
    """The names the environments get: each one refused is reported here and left out, so it is not
    reported again as a missing value with a command to set it (config/app_secrets.py)."""
    accepted: list[str] = []
    for index, name in enumerate(secrets):
        where = path_of(path, "secrets", index)
        if name in PROGRAM_SECRETS:
            fail(where, "the program sets this environment secret itself", name, "rename it")
        elif shadowed := shadowed_by(name):
            fail(where, f"the deploy step gets each secret as an environment variable of its name, and this one would shadow {shadowed}", name, "rename it")
        elif name in secrets[:index]:
            fail(where, "secret named twice", name)
        else:
            accepted.append(name)
    return tuple(accepted)


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


def _check_integrations(cfg: LandingZoneConfig, fail: Fail, warn: Warn) -> None:
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
        if cfg.slack.team_id and not cfg.slack.chatbot_user_id:
            # Amazon Q Developer in chat applications (AWS Chatbot) posts to a private channel only once invited.
            channel = cfg.slack.security_alerts_channel
            warn(f"#{channel} is private: invite the AWS chat app into it (/invite @Amazon Q in #{channel}), or set slack.chatbot_user_id to its member id")
        if not cfg.slack.notify_user_id:
            warn(
                f"slack.notify_user_id is not set: the posting bot (slackNotifyToken) needs chat:write.public, with which its token posts to "
                f"any public channel, and #{cfg.slack.approvals_channel} stays public; set it to the bot's member id"
            )
    types = set(cfg.security_services.inspector.resource_types)
    if "LAMBDA_CODE" in types and "LAMBDA" not in types:
        fail("security_services.inspector.resource_types", "LAMBDA_CODE scanning needs LAMBDA", sorted(types))


def _environments_on_plan(cfg: LandingZoneConfig, fail: Fail) -> bool:
    """Whether environments can have required reviewers on the organisation's plan; refuses what cannot exist at all.

    GitHub docs, "Managing environments for deployment": environments, their secrets and deployment
    branches exist for public repositories on every plan, for private and internal ones on Pro, Team
    and Enterprise; required reviewers and wait timers on private and internal ones need Enterprise.
    Internal repositories exist only in Enterprise organisations.
    """
    github_cfg = cfg.github
    if github_cfg.visibility == "public":
        return True
    if github_cfg.visibility == "internal" and github_cfg.plan != "enterprise":
        fail("github.visibility", f"internal repositories exist only in GitHub Enterprise organisations (github.plan is {github_cfg.plan})", "internal")
    elif github_cfg.plan == "free":
        fail(
            "github.plan",
            "private repositories on GitHub Free have no environments, and every deploy role trusts a job's environment",
            "free",
            "choose: github.plan team or enterprise (if the organisation has it), or github.visibility: public",
        )
    return github_cfg.plan == "enterprise"


def _refuse_reviewers_without_enterprise(cfg: LandingZoneConfig, reviewed: dict[str, object], fail: Fail) -> None:
    for path, reviewers in reviewed.items():
        if reviewers.teams or reviewers.people:
            fail(
                path,
                f"required reviewers on environments of {cfg.github.visibility} repositories need GitHub Enterprise (github.plan is {cfg.github.plan})",
                None,
                "choose: github.plan: enterprise if the organisation has it; github.visibility: public; or remove the reviewers: then "
                "the release ruleset's approving review, by someone other than the last pusher, gates what main deploys, each "
                "environment takes deploys from its own branch only, and pull requests get no credentialed preview (docs/delivery.md, "
                '"Without GitHub Enterprise")',
            )


def _people(teams: dict[str, TeamSpec], spec: ReviewerSpec) -> set[str]:
    # GitHub logins are case-insensitive: one person spelled two ways is still one reviewer.
    return {login.lower() for team in spec.teams if team in teams for login in teams[team].logins} | {login.lower() for login in spec.logins}


def _check_reviewers_can_review(
    cfg: LandingZoneConfig, path: str, repository: str, spec: ReviewerSpec, teams: dict[str, TeamSpec], fail: Fail, warn: Warn
) -> None:
    """Reviewers GitHub would drop, and reviewer sets that deadlock on their own members' work.

    Access also comes from outside the groups: organisation owners are admins of every repository,
    and the base permission applies to every member ("Roles in an organization", "Setting base
    permissions for an organization", GitHub docs); direct collaborators are not modelled.
    """
    github_cfg = cfg.github
    owners = {login.lower() for login in github_cfg.owners}
    base = github_cfg.base_permission
    readers = {team.group for team in teams.values() if repository in team.permissions}
    for index, team in enumerate(spec.teams):
        if team in teams and team not in readers:
            fail(
                path_of(path, "teams", index),
                f"team has no access to repository {repository}, and GitHub drops environment reviewers without read access",
                team,
                f"give the group a permission on it: identity_center.groups.{team}.repositories",
            )
    with_access = {login.lower() for group in readers for login in teams[group].logins} | owners
    if base in (None, "none"):
        for login in spec.logins:
            if login.lower() in with_access:
                continue
            problem = f"{login} has no access to repository {repository} through any group, and GitHub drops environment reviewers without read access"
            if base is None:
                warn(f"{path}: {problem}, unless the organisation's base permission or a direct grant gives it (set github.base_permission to check)")
            else:
                fail(
                    path_of(path, "people"),
                    problem,
                    login,
                    "add the person to a group with a permission on the repository, or to github.owners if they own the organisation",
                )
    reviewers = _people(teams, spec)
    if len(reviewers) == 1:
        [only] = reviewers
        fail(
            path,
            f"{only} is the only reviewer, and self-review is prevented: no one can approve {only}'s own deployments",
            None,
            "name a second person (another team member, or a second team)",
        )
    if base in ("write", "admin"):
        return  # every member can push: no one person holds the only write access
    pushers = {login.lower() for team in teams.values() if team.permissions.get(repository) in WRITE_PERMISSIONS for login in team.logins} | owners
    hint = "give a second person write access (push, maintain or admin) through a group's repositories"
    if not pushers:
        fail(
            path,
            f"no one can push to {repository}: no group gives write access and github.owners names no one, so only the automation account "
            "could merge its pull requests",
            None,
            hint.replace("a second person", "two people"),
        )
    elif len(pushers) == 1:
        [only] = pushers
        fail(
            path,
            f"{only} is the only person who can push to {repository}: the release ruleset needs an approving review from someone "
            f"else with write access, so {only}'s pull requests can never merge",
            None,
            hint,
        )


def check_delivery(cfg: LandingZoneConfig, accounts: list[AccountSpec], fail: Fail, warn: Warn) -> Optional[DeliveryPlan]:
    _check_integrations(cfg, fail, warn)
    if cfg.github is None or not cfg.github.enabled:
        return None
    for env in cfg.environments:
        if env == names.NOTIFY_ENVIRONMENT:
            fail(path_of("environments", env), "the name of the main-only GitHub environment the Slack notifications post from", env, "rename the environment")
        planned = env.removesuffix(names.PLAN_ENVIRONMENT_SUFFIX)
        if planned != env and planned in cfg.environments:
            fail(
                path_of("environments", env),
                f"the name of the GitHub environment a terraform app plans {planned} in before its reviewed deploy",
                env,
                "rename the environment",
            )
    every = tuple(_pipeline(cfg, app_key, accounts, fail) for app_key in cfg.applications)
    # An application whose accounts are all suspended keeps its name but has nothing to deploy to.
    pipelines = tuple(pipeline for pipeline in every if pipeline.branches)
    if cfg.github.visibility == "public":
        # Anyone can read a public repository's run pages and logs; the plan job puts `terraform show`
        # there for the reviewers, which hides values marked sensitive only.
        for pipeline in (p for p in pipelines if p.kind == "terraform" and not p.adopted):
            warn(
                f"applications.{pipeline.application}: its repository is public (github.visibility), so anyone can read the prod plan "
                "in the run summary and the logs of plan-prod, attributes the provider does not mark sensitive included "
                "(the saved plan itself is encrypted; docs/delivery.md, Terraform)"
            )
    taken = Counter(p.repository.lower() for p in every) + Counter([cfg.github.infrastructure_repository.lower()])
    for pipeline in every:
        if taken[pipeline.repository.lower()] > 1:
            fail(path_of("applications", pipeline.application, "repository"), "repository name used twice", pipeline.repository)
    repositories = {p.application: p.repository for p in every}
    repositories[REPOSITORY_SCOPE_INFRASTRUCTURE] = cfg.github.infrastructure_repository
    if cfg.github.infrastructure_oidc_subject != SUBJECT_OF_CREATED and not cfg.github.existing_infrastructure_repository:
        fail(
            "github.infrastructure_oidc_subject",
            "this program creates the repository, and GitHub gives every repository it creates now the immutable subject",
            cfg.github.infrastructure_oidc_subject,
            "leave it out (immutable); the name form is only for an existing repository (github.existing_infrastructure_repository: true) "
            "created before the switch and not opted in",
        )
    infrastructure_reviewers = _reviewers(cfg, "github.infrastructure_reviewers", cfg.github.infrastructure_reviewers, fail)
    teams = _teams(cfg, repositories, fail, warn)
    environment_reviewers = _environments_on_plan(cfg, fail)
    reviewed = {"github.infrastructure_reviewers": (cfg.github.infrastructure_reviewers, infrastructure_reviewers, cfg.github.infrastructure_repository)}
    reviewed.update(
        {path_of("applications", p.application, "reviewers"): (cfg.applications[p.application].reviewers, p.reviewers, p.repository) for p in pipelines}
    )
    if not environment_reviewers:
        _refuse_reviewers_without_enterprise(cfg, {path: given for path, (given, _, _) in reviewed.items()}, fail)
    else:
        by_group = {team.group: team for team in teams}
        for path, (_, spec, repository) in reviewed.items():
            if not (spec.teams or spec.logins):
                gated = "they gate the preview token and the plan roles" if path.startswith("github.") else "they approve production deploys"
                fail(path, "this environment needs reviewers", None, f"{gated}; name a team, e.g. {{teams: [<a group>]}}")
            else:
                _check_reviewers_can_review(cfg, path, repository, spec, by_group, fail, warn)
    return DeliveryPlan(
        pipelines=pipelines,
        teams=teams,
        infrastructure_repository=cfg.github.infrastructure_repository,
        infrastructure_reviewers=infrastructure_reviewers,
        environment_reviewers=environment_reviewers,
        infrastructure_subject_form=cfg.github.infrastructure_oidc_subject,
        infrastructure_adopted=cfg.github.existing_infrastructure_repository,
    )
