"""Shape of the delivery sections: GitHub, Slack and Pulumi Deployments (validation phase 1)."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

import names
from config.types import Cron, Key, Model, RepositoryName

GitHubOwner = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$", max_length=39)]
SlackChannel = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_{}-]{1,80}$")]
GITHUB_PREFIX = "GITHUB_"
"""Secret names must not start with it (GitHub docs, "Using secrets in GitHub Actions", naming your secrets)."""


GITHUB_PREFIX_ERROR = "github_secret_prefix"
"""The error type of a GITHUB_-prefixed name, by which config/loader.py gives its hint."""


def _not_github_prefixed(name: str) -> str:
    if name.startswith(GITHUB_PREFIX):
        raise PydanticCustomError(GITHUB_PREFIX_ERROR, f"GitHub refuses secret names starting with {GITHUB_PREFIX}")
    return name


# The prefix rule is part of the shape, so a list with a lowercase name and a GITHUB_ one reports both
# at once (a list is valid or invalid whole for phase 2, config/partial.py). It is a validator, not a
# `(?!GITHUB_)` in the pattern: pydantic's Rust regex engine has no look-ahead.
SecretName = Annotated[str, StringConstraints(pattern=r"^[A-Z_][A-Z0-9_]*$", max_length=100), AfterValidator(_not_github_prefixed)]
"""An Actions secret name: GitHub allows letters, digits and underscores, not starting with a digit nor
with GITHUB_, and compares them case-insensitively ("Using secrets in GitHub Actions", naming your
secrets); one spelling, uppercase, keeps two entries from naming one secret."""
SlackChannelName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,80}$")]
"""A channel's own name: lowercase letters, digits, hyphens and underscores, at most 80 (Slack, conversations.create `name`)."""
Command = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
ActionSha = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}$")]
AppKind = Literal["rails", "go", "nuxt", "container", "terraform"]
"""workflows.spec.KINDS."""
RepositoryPermission = Literal["pull", "triage", "push", "maintain", "admin"]
SubjectForm = Literal["immutable", "name"]
"""delivery.policies.SUBJECT_FORMS."""
GitHubPlan = Literal["free", "pro", "team", "enterprise"]
SlackUserId = Annotated[str, StringConstraints(pattern=r"^[UW][A-Z0-9]{6,12}$")]

REPOSITORY_SCOPE_ALL = "all"
REPOSITORY_SCOPE_INFRASTRUCTURE = "infrastructure"


class Reviewers(Model):
    teams: list[Key] = Field(default_factory=list, description="Group keys; their GitHub teams review.")
    people: list[Key] = Field(default_factory=list, description="Person keys; their GitHub logins review.")


class Commands(Model):
    lint: Optional[Command] = None
    test: Optional[Command] = None
    deploy: Optional[Command] = None
    integration: Optional[Command] = Field(None, description="Integration tests on the staging environment after its deploy (workflows.spec).")
    e2e: Optional[Command] = Field(None, description="End-to-end tests on the staging environment after the integration tests.")


class GitHubSettings(Model):
    enabled: bool = True
    owner: GitHubOwner = Field(description="Organisation owning the repositories (teams need an organisation).")
    plan: GitHubPlan = Field(
        description="The organisation's GitHub plan. Required reviewers and wait timers on environments of private or "
        "internal repositories need Enterprise; environments of private repositories need Pro, Team or Enterprise "
        '(GitHub docs, "Managing environments for deployment").'
    )
    automation_login: GitHubOwner = Field(
        description="Account whose token runs the landing zone; the only bypass of the branch rules, so it can commit the generated workflows."
    )
    infrastructure_repository: RepositoryName = Field(names.PREFIX, description="This program's repository (GitHub Flow).")
    owners: list[GitHubOwner] = Field(
        default_factory=list, description="Logins of the organisation's owners: admin on every repository, so they can review and push."
    )
    base_permission: Optional[Literal["none", "read", "write", "admin"]] = Field(
        None,
        description="The organisation's base repository permission (Settings -> Member privileges), which every member has on "
        "every repository; unset: unknown, so a reviewer without a group's access is a warning, not an error.",
    )
    existing_infrastructure_repository: bool = Field(
        False,
        description="The infrastructure repository exists (Pulumi Deployments deploys from it, so the code is usually pushed "
        "there before the first `pulumi up`): adopt it as an application's existing_repository is adopted "
        '(README, "Bootstrapping the infrastructure repository").',
    )
    visibility: Literal["private", "internal", "public"] = "private"
    infrastructure_reviewers: Reviewers = Field(default_factory=Reviewers, description="Required reviewers of the management, audit and log environments.")
    infrastructure_oidc_subject: SubjectForm = Field(
        "immutable", description="The `sub` form of the infrastructure repository's OIDC tokens; name only with existing_infrastructure_repository."
    )
    action_pins: dict[Annotated[str, StringConstraints(pattern=r"^[\w.-]+/[\w.-]+$")], ActionSha] = Field(
        default_factory=dict, description="owner/action -> full commit SHA, overriding the pins shipped in workflows/."
    )


class SlackSettings(Model):
    enabled: bool = True
    workspace: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    team_id: Optional[Annotated[str, StringConstraints(pattern=r"^T[A-Z0-9]{6,12}$")]] = Field(
        None, description="Slack workspace id (T...), for AWS Chatbot alerts; authorise the workspace in the Chatbot console first."
    )
    chatbot_user_id: Optional[SlackUserId] = Field(
        None,
        description="Slack member id (U...) of the AWS chat app (Amazon Q Developer, formerly AWS Chatbot) in this workspace: "
        "it is invited to the private security-alerts channel. Without it, /invite @Amazon Q there by hand.",
    )
    notify_user_id: Optional[SlackUserId] = Field(
        None,
        description="Slack member id (U..., the `user_id` auth.test returns for slackNotifyToken) of the bot that posts "
        "(the apps' SLACK_BOT_TOKEN): invited to every deploy channel and to the approvals channel, which is then private, "
        "so the token needs chat:write only. Without it the bot posts through chat:write.public (to any public channel) "
        "and the approvals channel stays public.",
    )
    deploy_channel: SlackChannel = Field(names.DEFAULT_DEPLOY_CHANNEL, description="Per-application deploy channel; {app} is the app key.")
    security_alerts_channel: SlackChannel = names.DEFAULT_SECURITY_ALERTS_CHANNEL
    approvals_channel: SlackChannel = names.DEFAULT_APPROVALS_CHANNEL


class DeploymentsSettings(Model):
    enabled: bool = True
    organization: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")] = Field(
        description="Pulumi Cloud organisation: the OIDC audience and the owner of the stacks."
    )
    stacks: list[Literal[names.STACKS]] = Field(default_factory=lambda: list(names.STACKS), min_length=1)
    drift_schedule: Cron = Field("0 21 * * *", description="Daily drift detection (cron, UTC).")
    notify_slack: bool = Field(True, description="Post deployment results to the approvals channel's webhook.")
    preview_pull_requests: bool = Field(
        False,
        description="Let Pulumi Deployments preview pull requests. It runs the PR's code with the stack's admin deploy "
        "role, so it is off: previews run in GitHub Actions with read-only roles after a reviewer approves.",
    )
