"""GitHub, Slack and Pulumi Deployments wired to the accounts of the management stack.

Per application: a repository, deploy roles in each environment account trusting that repository's
environments, the environments carrying those roles' ARNs, the account ids and the Slack channel,
and the generated workflows. For the landing zone itself: its repository and Pulumi Deployments
per infrastructure stack, management first and audit and log after it.
"""

from __future__ import annotations

from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws
import pulumi_github as github
import pulumi_pulumiservice as pulumiservice
import pulumi_slack as slack

import names
from components import AppAccountSet, SecurityOU
from components.application_pipeline import ApplicationPipeline, ApplicationPipelineArgs
from components.github_environments import EnvironmentSpec, GitHubEnvironments, GitHubEnvironmentsArgs
from components.github_repository import BranchRule, GitHubRepository, GitHubRepositoryArgs
from components.github_teams import GitHubTeams, GitHubTeamsArgs
from components.slack_channels import SlackChannels, SlackChannelsArgs
from components.stack_deployments import StackDeployments, StackDeploymentsArgs
from config import LandingZone
from config.model import PipelineSpec, ReviewerSpec
from delivery.policies import github_subject
from workflows import OFFLINE_ONLY, ActionPins, InfraWorkflowSpec, infra_workflows

DEPLOYS_AFTER = {names.AUDIT_STACK: names.MANAGEMENT_STACK, names.LOG_STACK: names.MANAGEMENT_STACK}
"""Stack -> the stack whose successful update starts its deployment (both read what management writes)."""


def user_id(login: str, provider: github.Provider) -> pulumi.Output[int]:
    found = github.get_user_output(username=login, opts=pulumi.InvokeOutputOptions(provider=provider))
    return found.id.apply(int)


class Delivery:
    """Builds the delivery resources; one instance per management stack run."""

    def __init__(self, landing_zone: LandingZone, secrets: Mapping[str, pulumi.Output[str]]):
        self.landing_zone = landing_zone
        self.cfg = landing_zone.config
        self.plan = landing_zone.delivery
        self.secrets = secrets
        self.github = github.Provider("github", owner=self.cfg.github.owner, token=secrets["githubToken"])
        self.in_github = pulumi.ResourceOptions(providers=[self.github])
        self.pins = ActionPins.from_mapping(self.cfg.github.action_pins) if self.cfg.github.action_pins else None
        self.bypass = user_id(self.cfg.github.automation_login, self.github)
        organization = github.get_organization_output(name=self.cfg.github.owner, summary_only=True, opts=pulumi.InvokeOutputOptions(provider=self.github))
        # The organisation's numeric id (the data source's id is `strconv.FormatInt(organization.GetID(), 10)`,
        # integrations/terraform-provider-github data_source_github_organization.go), for immutable OIDC subjects.
        self.owner_id = organization.id
        # The subjects name the login as GitHub spells it (`login` is organization.GetLogin() in the same file, whatever
        # the case of the name it was looked up by; `name` is the display name): IAM's StringEquals is case-sensitive.
        self.owner_login = organization.login
        self.channels: dict[str, pulumi.Output[str]] = {}
        self.teams: Optional[GitHubTeams] = None

    def team_permissions(self, repository: str) -> dict[str, tuple[pulumi.Output[int], str]]:
        return {team.group: (self.teams.team_ids[team.group], team.permissions[repository]) for team in self.plan.teams if repository in team.permissions}

    def reviewers(self, spec: ReviewerSpec) -> dict:
        """Reviewer arguments of a reviewed environment; none where the GitHub plan has no environment reviewers."""
        if not self.plan.environment_reviewers:
            return {}
        return {
            "reviewer_team_ids": [self.teams.team_ids[team] for team in spec.teams],
            "reviewer_user_ids": [user_id(login, self.github) for login in spec.logins],
        }

    def reviewer_memberships(self, repository: str) -> list[pulumi.Resource]:
        """Memberships of every team with access to `repository`: reviewers, teams and people alike, have access through them."""
        if not self.plan.environment_reviewers:
            return []
        return [membership for team in self.plan.teams if repository in team.permissions for membership in self.teams.memberships[team.group]]

    def slack_channels(self) -> None:
        if self.cfg.slack is None or not self.cfg.slack.enabled:
            return
        provider = slack.Provider("slack", token=self.secrets["slackToken"])
        names_ = {p.application: p.slack_channel for p in self.plan.pipelines}
        names_.update({names.SECURITY_ALERTS: self.cfg.slack.security_alerts_channel, names.APPROVALS: self.cfg.slack.approvals_channel})
        members = {names.SECURITY_ALERTS: [self.cfg.slack.chatbot_user_id]} if self.cfg.slack.chatbot_user_id else {}
        # The posting bot, invited where it posts, needs no chat:write.public; and a channel it is in can be private.
        notify = self.cfg.slack.notify_user_id
        posted = [p.application for p in self.plan.pipelines] + [names.APPROVALS]
        members.update({key: [notify] for key in posted} if notify else {})
        channels = SlackChannels(
            "slack",
            SlackChannelsArgs(
                names_,
                private=frozenset({names.SECURITY_ALERTS, *([names.APPROVALS] if notify else [])}),
                members=members,
                kept=frozenset(p.application for p in self.plan.pipelines if p.slack_channel_named),
            ),
            opts=pulumi.ResourceOptions(providers=[provider]),
        )
        self.channels = channels.channel_ids

    def application(self, pipeline: PipelineSpec, accounts: AppAccountSet) -> ApplicationPipeline:
        channel = self.channels.get(pipeline.application)
        return ApplicationPipeline(
            pipeline.application,
            ApplicationPipelineArgs(
                pipeline=pipeline,
                owner=self.owner_login,
                owner_id=self.owner_id,
                visibility=self.cfg.github.visibility,
                providers={env: accounts.providers[env] for env in pipeline.accounts},
                account_ids={env: accounts.account_ids[env] for env in pipeline.accounts},
                region=self.cfg.organization.home_region,
                privileged_role_arns=self.landing_zone.guardrails.privileged_role_arns,
                bypass_user_id=self.bypass,
                reviewer_memberships=self.reviewer_memberships(pipeline.repository),
                team_permissions=self.team_permissions(pipeline.repository),
                slack_channel_id=channel,
                slack_bot_token=self.secrets["slackNotifyToken"] if channel is not None else None,
                app_secrets={
                    env: {name: self.secrets[names.app_secret_path(pipeline.application, env, name)] for name in pipeline.secrets}
                    for env in pipeline.branches.values()
                },
                approvals_channel_id=self.channels.get(names.APPROVALS),
                pins=self.pins,
                **self.reviewers(pipeline.reviewers),
            ),
            opts=self.in_github,
        )

    def infrastructure(self, providers: Mapping[str, aws.Provider]) -> GitHubRepository:
        deployments = self.cfg.deployments if self.cfg.deployments is not None and self.cfg.deployments.enabled else None
        stacks = list(deployments.stacks) if deployments else list(names.STACKS)
        repository_name = self.plan.infrastructure_repository
        previews = deployments is not None and self.plan.credentialed_previews
        workflows = infra_workflows(
            InfraWorkflowSpec(
                repository=repository_name,
                stacks=tuple(stacks),
                organization=deployments.organization if deployments else names.PREFIX,
                project=pulumi.get_project(),
                previews=previews,
                **({"pins": self.pins} if self.pins else {}),
            )
        )
        repository = GitHubRepository(
            "infrastructure",
            GitHubRepositoryArgs(
                repository=repository_name,
                description="The AWS landing zone as code (Pulumi): organisation, accounts, guardrails, pipelines.",
                visibility=self.cfg.github.visibility,
                bypass_user_id=self.bypass,
                rules=[BranchRule("release", [names.RELEASE_BRANCH], approvals=1)],
                required_checks=workflows.required_checks,
                files=workflows.files,
                team_permissions=self.team_permissions(repository_name),
                adopted=self.plan.infrastructure_adopted,
            ),
            opts=self.in_github,
        )
        preview_variables: dict[str, pulumi.Input[str]] = {names.AWS_REGION: self.cfg.organization.home_region}
        preview_secrets: dict[str, pulumi.Input[str]] = {}
        if deployments:
            service = pulumiservice.Provider("pulumi-cloud", access_token=self.secrets["pulumiAccessToken"])
            preview_subject = pulumi.Output.all(self.owner_login, self.owner_id, repository.repository.repo_id).apply(
                lambda values: github_subject(values[0], repository_name, names.PREVIEW_ENVIRONMENT, self.plan.infrastructure_subject_form, *values[1:])
            )
            if previews:
                # Not the token that manages Deployments: approved PR code must not be able to trigger one.
                preview_secrets[names.PULUMI_ACCESS_TOKEN] = self.secrets["pulumiPreviewToken"]
            built: dict[str, StackDeployments] = {}
            for stack in sorted(stacks, key=names.STACKS.index):
                upstream = DEPLOYS_AFTER.get(stack)
                built[stack] = StackDeployments(
                    stack,
                    StackDeploymentsArgs(
                        organization=deployments.organization,
                        project=pulumi.get_project(),
                        stack=stack,
                        provider=providers[stack],
                        github_owner=self.cfg.github.owner,
                        repository=repository_name,
                        drift_schedule=deployments.drift_schedule,
                        slack_webhook_url=self.secrets.get("slackWebhookUrl"),
                        preview_subject=preview_subject if previews and stack not in OFFLINE_ONLY else None,
                        preview_pull_requests=deployments.preview_pull_requests,
                        after=built.get(upstream) if upstream else None,
                    ),
                    opts=pulumi.ResourceOptions(providers=[service]),
                )
                if built[stack].plan_role_arn is not None:
                    preview_variables[names.plan_role_variable(stack)] = built[stack].plan_role_arn
        reviewers = self.reviewers(self.plan.infrastructure_reviewers)
        environments = [EnvironmentSpec(stack, names.RELEASE_BRANCH, **reviewers) for stack in stacks]
        if previews:
            # Pull-request code gets the Pulumi token and the plan roles only once a reviewer approves.
            environments.append(EnvironmentSpec(names.PREVIEW_ENVIRONMENT, None, variables=preview_variables, secrets=preview_secrets, **reviewers))
        GitHubEnvironments(
            "infrastructure",
            GitHubEnvironmentsArgs(
                repository=repository.repository.name,
                environments=environments,
                reviewer_access=[*repository.team_access, *self.reviewer_memberships(repository_name)],
                moved_from=repository,
            ),
            opts=self.in_github,
        )
        return repository


def build_delivery(
    delivery: Optional[Delivery],
    landing_zone: LandingZone,
    management: aws.Provider,
    security: SecurityOU,
    applications: Mapping[str, AppAccountSet],
) -> tuple[dict[str, object], dict[str, pulumi.Output[str]]]:
    """Builds the delivery resources; returns the stack outputs and the Slack channel ids by key.
    `delivery`: made first by the stack (the guardrails need its owner id), None without GitHub."""
    if delivery is None or landing_zone.delivery is None:
        return {}, {}
    delivery.slack_channels()
    delivery.teams = GitHubTeams("github", GitHubTeamsArgs(teams=landing_zone.delivery.teams), opts=delivery.in_github)
    repositories = {p.repository: delivery.application(p, applications[p.application]).repository for p in landing_zone.delivery.pipelines}
    providers: dict[str, Optional[aws.Provider]] = {
        names.MANAGEMENT_STACK: management,
        names.AUDIT_STACK: security.audit.provider,
        names.LOG_STACK: security.log.provider,
    }
    repositories[landing_zone.delivery.infrastructure_repository] = delivery.infrastructure(providers)
    outputs = {
        "repositories": {name: repo.repository.full_name for name, repo in repositories.items()},
        "slackChannelIds": delivery.channels,
    }
    return outputs, delivery.channels
