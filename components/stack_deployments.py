"""One infrastructure stack's CI/CD: Pulumi Deployments settings with OIDC into its account, how a
push to main reaches it, drift detection, results to Slack, and a read-only role for the reviewed
preview job in GitHub Actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws
import pulumi_pulumiservice as pulumiservice

import names
from delivery.policies import (
    GITHUB_AUDIENCE,
    GITHUB_OIDC_URL,
    PULUMI_OIDC_URL,
    PULUMI_SESSION_SECONDS,
    github_trust,
    pulumi_session_duration,
    pulumi_trust,
)
from iam import minify

WEBHOOK_FILTERS = [
    pulumiservice.WebhookFilters.UPDATE_SUCCEEDED,
    pulumiservice.WebhookFilters.UPDATE_FAILED,
    pulumiservice.WebhookFilters.DEPLOYMENT_FAILED,
    pulumiservice.WebhookFilters.DRIFT_DETECTED,
    pulumiservice.WebhookFilters.DRIFT_DETECTION_FAILED,
]
"""What reaches Slack: updates that succeeded or failed, any deployment that failed (one that fails
before its update starts, a clone or a dependency install, raises no update event), drift, and a
drift detection that fails to run, as loud as drift itself.

Not `deployment_succeeded`: it fires when "a deployment succeeds", and the daily drift schedule
runs one deployment per stack (a preview-only refresh, Pulumi docs "Drift detection and
remediation"), so every quiet day would post three successes. `update_succeeded` fires for a stack
update only ("when a stack update succeeds"), not for a refresh preview; `drift_detection_succeeded`
fires "regardless of whether drift is detected" and stays off too. Event names and meanings: the
WebhookFilters enum of pulumi_pulumiservice (provider/pkg/resources/webhook.go), Pulumi docs
"Pulumi Cloud Webhooks". A drift run that fails posts twice (deployment_failed and
drift_detection_failed): a failure is worth the noise."""


@dataclass(frozen=True)
class StackDeploymentsArgs:
    organization: str
    """Pulumi Cloud organisation (the OIDC audience)."""
    project: str
    """Pulumi project of the stack."""
    stack: str
    """Stack name: management, audit or log."""
    provider: aws.Provider
    """Provider of the account the stack deploys into."""
    github_owner: str
    """Owner of the infrastructure repository."""
    repository: str
    """The infrastructure repository (GitHub Flow: main deploys)."""
    drift_schedule: str
    """Cron of the daily drift detection."""
    slack_webhook_url: Optional[pulumi.Input[str]]
    """Incoming webhook for deployment results (a Pulumi secret), or None."""
    preview_subject: Optional[pulumi.Input[str]] = None
    """GitHub OIDC subject of the reviewed preview job; None: no read-only preview role for this stack."""
    preview_pull_requests: bool = False
    """Let Pulumi Deployments preview pull requests. Off by default: it would run unreviewed code with the deploy role."""
    after: Optional["StackDeployments"] = None
    """The stack this one deploys after: a successful update of it starts this one's deployment
    (a `pulumi_deployments` webhook on it), and this one does not deploy on push itself. None: deploy on push."""


class StackDeployments(pulumi.ComponentResource):
    deploy_role_arn: pulumi.Output[str]
    plan_role_arn: Optional[pulumi.Output[str]]
    settings: pulumiservice.DeploymentSettings
    stack: str

    def __init__(self, name: str, args: StackDeploymentsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:stack_deployments:StackDeployments", name, None, opts)
        in_account = pulumi.ResourceOptions(parent=self, provider=args.provider)
        pulumi_oidc = aws.iam.OpenIdConnectProvider(f"{name}-pulumi-oidc", url=PULUMI_OIDC_URL, client_id_lists=[args.organization], opts=in_account)
        deploy = names.pulumi_deploy_role(args.stack)
        deploy_role = aws.iam.Role(
            f"{name}-deploy-role",
            name=deploy.name,
            path=deploy.path,
            assume_role_policy=pulumi_oidc.arn.apply(lambda arn: minify(pulumi_trust(arn, args.organization, args.project, args.stack))),
            # AssumeRoleWithWebIdentity refuses a DurationSeconds over the role's maximum.
            max_session_duration=PULUMI_SESSION_SECONDS,
            opts=in_account,
        )
        # The landing zone manages Organizations, IAM and Control Tower: nothing narrower suffices.
        aws.iam.RolePolicyAttachment(f"{name}-deploy-admin", role=deploy_role.name, policy_arn=names.ADMINISTRATOR_ACCESS, opts=in_account)
        self.plan_role_arn: Optional[pulumi.Output[str]] = None
        if args.preview_subject is not None:
            github_oidc = aws.iam.OpenIdConnectProvider(f"{name}-github-oidc", url=GITHUB_OIDC_URL, client_id_lists=[GITHUB_AUDIENCE], opts=in_account)
            plan = names.github_plan_role(args.stack)
            plan_role = aws.iam.Role(
                f"{name}-plan-role",
                name=plan.name,
                path=plan.path,
                assume_role_policy=pulumi.Output.all(github_oidc.arn, args.preview_subject).apply(lambda v: minify(github_trust(v[0], v[1]))),
                opts=in_account,
            )
            aws.iam.RolePolicyAttachment(f"{name}-plan-read-only", role=plan_role.name, policy_arn=names.READ_ONLY_ACCESS, opts=in_account)
            self.plan_role_arn = plan_role.arn

        in_pulumi = pulumi.ResourceOptions(parent=self)
        self.settings = pulumiservice.DeploymentSettings(
            f"{name}-deployment-settings",
            organization=args.organization,
            project=args.project,
            stack=args.stack,
            # The settings pin main of the repository below; a deployment started with Stack Write can
            # still override the source (README, "Who can start a deployment"): the role trusts the
            # stack, and no token claim names the git source.
            source_context=pulumiservice.DeploymentSettingsSourceContextArgs(
                git=pulumiservice.DeploymentSettingsGitSourceArgs(branch=f"refs/heads/{names.RELEASE_BRANCH}")
            ),
            github=pulumiservice.DeploymentSettingsGithubArgs(
                repository=f"{args.github_owner}/{args.repository}",
                # Stacks that deploy after another start from its webhook, not from the push: two
                # push-triggered deployments of one commit would race.
                deploy_commits=args.after is None,
                preview_pull_requests=args.preview_pull_requests,
                # Review stacks copy these settings, deploy role included, and run a PR's code with it.
                pull_request_template=False,
            ),
            operation_context=pulumiservice.DeploymentSettingsOperationContextArgs(
                oidc=pulumiservice.OperationContextOIDCArgs(
                    aws=pulumiservice.AWSOIDCConfigurationArgs(
                        role_arn=deploy_role.arn,
                        session_name="pulumi-deployments-${stack.name}-${deployment.id}",
                        duration=pulumi_session_duration(),
                    )
                )
            ),
            opts=in_pulumi,
        )
        # Pulumi Cloud refuses a drift schedule or a deployment webhook for a stack without deployment settings.
        on_settings = pulumi.ResourceOptions(parent=self, depends_on=[self.settings])
        pulumiservice.DriftSchedule(
            f"{name}-drift-schedule",
            organization=args.organization,
            project=args.project,
            stack=args.stack,
            schedule_cron=args.drift_schedule,
            auto_remediate=False,
            opts=on_settings,
        )
        if args.after is not None:
            # Pulumi docs, "Post-deployment automation", deployment webhook destinations: a webhook of
            # format pulumi_deployments on the upstream stack, payload `project/stack`; both stacks
            # need deployment settings.
            pulumiservice.Webhook(
                f"{name}-after-{args.after.stack}-webhook",
                organization_name=args.organization,
                project_name=args.project,
                stack_name=args.after.stack,
                display_name=f"deploy {args.stack} after {args.after.stack}",
                payload_url=f"{args.project}/{args.stack}",
                format=pulumiservice.WebhookFormat.PULUMI_DEPLOYMENTS,
                filters=[pulumiservice.WebhookFilters.UPDATE_SUCCEEDED],
                active=True,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.settings, args.after.settings]),
            )
        if args.slack_webhook_url is not None:
            pulumiservice.Webhook(
                f"{name}-slack-webhook",
                organization_name=args.organization,
                project_name=args.project,
                stack_name=args.stack,
                display_name=f"{args.stack} deployments to Slack",
                payload_url=args.slack_webhook_url,
                format=pulumiservice.WebhookFormat.SLACK,
                filters=WEBHOOK_FILTERS,
                active=True,
                opts=on_settings,
            )
        self.stack = args.stack
        self.deploy_role_arn = deploy_role.arn
        self.register_outputs({"deployRoleArn": self.deploy_role_arn, "planRoleArn": self.plan_role_arn})
