"""One infrastructure stack's CI/CD: Pulumi Deployments settings with OIDC into its account, drift
detection, results to Slack, and a read-only role for the reviewed preview job in GitHub Actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws
import pulumi_pulumiservice as pulumiservice

import names
from delivery.policies import GITHUB_AUDIENCE, GITHUB_OIDC_URL, PULUMI_OIDC_URL, github_trust, pulumi_trust
from iam import minify

WEBHOOK_FILTERS = ["deployment_succeeded", "deployment_failed", "drift_detected", "update_failed"]


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
    preview_subject: Optional[str] = None
    """GitHub OIDC subject of the reviewed preview job; None: no read-only preview role for this stack."""
    preview_pull_requests: bool = False
    """Let Pulumi Deployments preview pull requests. Off by default: it would run unreviewed code with the deploy role."""


class StackDeployments(pulumi.ComponentResource):
    deploy_role_arn: pulumi.Output[str]
    plan_role_arn: Optional[pulumi.Output[str]]

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
                assume_role_policy=github_oidc.arn.apply(lambda arn: minify(github_trust(arn, args.preview_subject))),
                opts=in_account,
            )
            aws.iam.RolePolicyAttachment(f"{name}-plan-read-only", role=plan_role.name, policy_arn=names.READ_ONLY_ACCESS, opts=in_account)
            self.plan_role_arn = plan_role.arn

        in_pulumi = pulumi.ResourceOptions(parent=self)
        pulumiservice.DeploymentSettings(
            f"{name}-deployment-settings",
            organization=args.organization,
            project=args.project,
            stack=args.stack,
            source_context=pulumiservice.DeploymentSettingsSourceContextArgs(
                git=pulumiservice.DeploymentSettingsGitSourceArgs(branch=f"refs/heads/{names.RELEASE_BRANCH}")
            ),
            github=pulumiservice.DeploymentSettingsGithubArgs(
                repository=f"{args.github_owner}/{args.repository}",
                deploy_commits=True,
                preview_pull_requests=args.preview_pull_requests,
            ),
            operation_context=pulumiservice.DeploymentSettingsOperationContextArgs(
                oidc=pulumiservice.OperationContextOIDCArgs(
                    aws=pulumiservice.AWSOIDCConfigurationArgs(
                        role_arn=deploy_role.arn, session_name="pulumi-deployments-${stack.name}-${deployment.id}", duration="1h0m0s"
                    )
                )
            ),
            opts=in_pulumi,
        )
        pulumiservice.DriftSchedule(
            f"{name}-drift-schedule",
            organization=args.organization,
            project=args.project,
            stack=args.stack,
            schedule_cron=args.drift_schedule,
            auto_remediate=False,
            opts=in_pulumi,
        )
        if args.slack_webhook_url is not None:
            pulumiservice.Webhook(
                f"{name}-slack-webhook",
                organization_name=args.organization,
                project_name=args.project,
                stack_name=args.stack,
                display_name=f"{args.stack} deployments to Slack",
                payload_url=args.slack_webhook_url,
                format="slack",
                filters=WEBHOOK_FILTERS,
                active=True,
                opts=in_pulumi,
            )
        self.deploy_role_arn = deploy_role.arn
        self.register_outputs({"deployRoleArn": self.deploy_role_arn, "planRoleArn": self.plan_role_arn})
