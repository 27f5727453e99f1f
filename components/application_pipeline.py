"""One application's pipeline: its repository, the deploy roles in its environment accounts, and the
repository's environments that carry them.

The order is the trust's: the repository exists first (its numeric id is in every deploy role's
OIDC subject), then the roles, then the environments whose variables name the roles' ARNs. The
generated workflows are committed to every deploy branch and their checks required.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

import names
from components.deploy_roles import DeployRoles, DeployRolesArgs
from components.github_environments import EnvironmentSpec, GitHubEnvironments, GitHubEnvironmentsArgs
from components.github_repository import BranchRule, GitHubRepository, GitHubRepositoryArgs
from components.image_promotion import ImagePromotion, ImagePromotionArgs
from components.secure_bucket import SecureBucket, SecureBucketArgs
from config.model import PipelineSpec
from delivery.policies import terraform_plan_state_policy
from iam import minify
from workflows import ActionPins, AppWorkflowSpec, app_workflows

MOVED_FROM_THE_STACK = [pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)]
"""DeployRoles and GitHubRepository were children of the stack before this component existed: the
aliases make `pulumi up` of an existing stack move them instead of deleting and recreating
repositories and roles; their own children inherit the alias through them (Pulumi docs,
"Refactoring with aliases", wrapping resources in a component: `parent: <root stack>` on each
child). Keep them until every stack has been updated once; then they can go."""


@dataclass(frozen=True)
class ApplicationPipelineArgs:
    pipeline: PipelineSpec
    """Repository, branches -> environments, commands, reviewers, deploy policies."""
    owner: pulumi.Input[str]
    """The login of the GitHub organisation owning the repository, as GitHub spells it: its OIDC subjects name it."""
    owner_id: pulumi.Input[str]
    """The organisation's numeric id, for immutable OIDC subjects."""
    visibility: str
    """private, internal or public."""
    providers: Mapping[str, aws.Provider]
    """Environment -> provider of that environment's account."""
    account_ids: Mapping[str, pulumi.Input[str]]
    """Environment -> account id."""
    region: str
    """Home region, the deploy jobs' AWS_REGION."""
    privileged_role_arns: Sequence[str]
    """Roles the SCPs exempt; the deploy boundary forbids creating or changing them."""
    bypass_user_id: pulumi.Input[int]
    """The automation account, the one bypass of the branch rules."""
    reviewer_team_ids: Sequence[pulumi.Input[int]] = ()
    """Teams whose approval the release environment's deployments wait for (empty where the GitHub plan has no reviewers)."""
    reviewer_user_ids: Sequence[pulumi.Input[int]] = ()
    """People whose approval the release environment's deployments wait for."""
    reviewer_memberships: Sequence[pulumi.Resource] = ()
    """Team memberships that give the reviewers their access; the reviewed environment waits for them."""
    team_permissions: Mapping[str, tuple[pulumi.Input[int], str]] = field(default_factory=dict)
    """Team key -> (team id, permission) on the repository."""
    slack_channel_id: Optional[pulumi.Input[str]] = None
    """The application's deploy channel; None without Slack."""
    slack_bot_token: Optional[pulumi.Input[str]] = None
    """The post-only Slack token (a Pulumi secret), with a channel."""
    app_secrets: Mapping[str, Mapping[str, pulumi.Input[str]]] = field(default_factory=dict)
    """Environment -> secret name -> value (Pulumi secrets): the application's own environment secrets."""
    approvals_channel_id: Optional[pulumi.Input[str]] = None
    """The approvals channel, where prod's approval request and its result go; None without Slack."""
    pins: Optional[ActionPins] = None
    """Actions the workflows use; None for the shipped pins."""


class ApplicationPipeline(pulumi.ComponentResource):
    roles: DeployRoles
    repository: GitHubRepository
    environments: GitHubEnvironments

    def __init__(self, name: str, args: ApplicationPipelineArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:application_pipeline:ApplicationPipeline", name, None, opts)
        pipeline = args.pipeline
        moved = pulumi.ResourceOptions(parent=self, aliases=MOVED_FROM_THE_STACK)
        container = pipeline.application if pipeline.kind == "container" else None
        release_branch, release_environment = pipeline.release
        spec = AppWorkflowSpec(
            app=pipeline.application,
            repository=pipeline.repository,
            kind=pipeline.kind,
            branches=pipeline.branches,
            prod_environment=release_environment,
            ecr_repository=container,
            secrets=pipeline.secrets,
            slack=pipeline.slack_channel is not None,
            **pipeline.commands,
            **({"pins": args.pins} if args.pins else {}),
        )
        workflows = app_workflows(spec)
        integration = [branch for branch in pipeline.branches if branch != names.RELEASE_BRANCH]
        # Only the development environment's branch merges unreviewed: a merge deploys with that
        # environment's role and secrets (SLACK_BOT_TOKEN, the app's), so staging and any other
        # branch takes one approval by someone other than the last pusher, as main does.
        unreviewed = [branch for branch in integration if pipeline.branches[branch] == names.GITFLOW_BRANCHES[names.DEVELOP_BRANCH]]
        reviewed = [branch for branch in integration if branch not in unreviewed]
        self.repository = GitHubRepository(
            name,
            GitHubRepositoryArgs(
                repository=pipeline.repository,
                description=pipeline.description,
                visibility=args.visibility,
                bypass_user_id=args.bypass_user_id,
                rules=[BranchRule("release", [names.RELEASE_BRANCH], approvals=1)]
                + ([BranchRule("integration", unreviewed, approvals=0)] if unreviewed else [])
                + ([BranchRule("staging", reviewed, approvals=1)] if reviewed else []),
                required_checks=workflows.required_checks,
                extra_branches=integration,
                files=workflows.files,
                team_permissions=dict(args.team_permissions),
                adopted=pipeline.adopted,
            ),
            opts=moved,
        )
        self.roles = DeployRoles(
            name,
            DeployRolesArgs(
                owner=args.owner,
                repository=pipeline.repository,
                providers=args.providers,
                deploy_policies=pipeline.deploy_policies,
                owner_id=args.owner_id,
                repository_id=self.repository.repository.repo_id,
                subject_form=pipeline.subject_form,
                container_repository=container,
                privileged_role_arns=args.privileged_role_arns,
                # The release environment's reviewers approve a saved plan (workflows/app.py).
                plan_environments=[release_environment] if pipeline.kind == "terraform" else [],
            ),
            opts=moved,
        )
        # The tested image reaches prod from the staging environment's registry (spec.staging_environment).
        promoted_from = spec.staging_environment if container else None
        if promoted_from:
            ImagePromotion(
                name,
                ImagePromotionArgs(
                    source_environment=promoted_from,
                    target_environment=release_environment,
                    region=args.region,
                    source_provider=args.providers[promoted_from],
                    source_account_id=args.account_ids[promoted_from],
                    source_repository=self.roles.image_repositories[promoted_from],
                    target_provider=args.providers[release_environment],
                    target_account_id=args.account_ids[release_environment],
                    target_repository=self.roles.image_repositories[release_environment],
                    target_role=self.roles.roles[release_environment],
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
        state_buckets, state_keys = self._terraform_state(name, args) if pipeline.kind == "terraform" else ({}, {})
        # The saved plan's data key is of the state's key (workflows/app.py PLAN_CIPHERTEXT): both jobs name it.
        plan_key = {env: {names.TF_STATE_KMS_KEY: state_keys[env]} for env in self.roles.plan_roles}
        slack_variables = {names.SLACK_CHANNEL_ID: args.slack_channel_id} if args.slack_channel_id is not None else {}
        slack_secrets = {names.SLACK_BOT_TOKEN: args.slack_bot_token} if args.slack_channel_id is not None else {}
        environments = []
        for branch, env in pipeline.branches.items():
            variables = {
                names.AWS_ROLE_ARN: self.roles.deploy_role_arns[env],
                names.AWS_REGION: args.region,
                names.AWS_ACCOUNT_ID: args.account_ids[env],
                **slack_variables,
                **({names.STAGING_ACCOUNT_ID: args.account_ids[promoted_from]} if promoted_from and env == release_environment else {}),
                **({names.TF_STATE_BUCKET: state_buckets[env]} if env in state_buckets else {}),
                **plan_key.get(env, {}),
            }
            reviewers = {"reviewer_team_ids": args.reviewer_team_ids, "reviewer_user_ids": args.reviewer_user_ids} if env == release_environment else {}
            secrets = {**slack_secrets, **args.app_secrets.get(env, {})}
            environments.append(EnvironmentSpec(env, branch, variables=variables, secrets=secrets, **reviewers))
            if env in self.roles.plan_roles:
                # Unreviewed but release-branch only, so only merged code plans; no secrets, and a
                # role that can read but not change the environment.
                plan_variables = {
                    names.AWS_ROLE_ARN: self.roles.plan_roles[env].arn,
                    names.AWS_REGION: args.region,
                    names.TF_STATE_BUCKET: state_buckets[env],
                    **plan_key[env],
                }
                environments.append(EnvironmentSpec(names.plan_environment(env), branch, variables=plan_variables))
        # The approval request and the release tag post outside a deploy environment. Created here,
        # branch-restricted, even without Slack: a job naming a missing environment makes GitHub
        # create it with no protection rules.
        approvals = {names.SLACK_APPROVALS_CHANNEL_ID: args.approvals_channel_id} if args.approvals_channel_id is not None else {}
        notify = EnvironmentSpec(names.NOTIFY_ENVIRONMENT, release_branch, variables={**slack_variables, **approvals}, secrets=dict(slack_secrets))
        environments.append(notify)
        self.environments = GitHubEnvironments(
            name,
            GitHubEnvironmentsArgs(
                repository=self.repository.repository.name,
                environments=environments,
                reviewer_access=[*self.repository.team_access, *args.reviewer_memberships],
                moved_from=self.repository,
                retained=pipeline.adopted,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"repository": self.repository.repository.full_name, "deployRoleArns": self.roles.deploy_role_arns})

    def _terraform_state(self, name: str, args: ApplicationPipelineArgs) -> tuple[dict[str, pulumi.Output[str]], dict[str, pulumi.Output[str]]]:
        """A state bucket in each environment account of a terraform app: versioned (the S3 backend's
        docs advise it, to recover a state), encrypted with its own key, TLS only.

        Protected, with its key: S3 refuses to delete a bucket that still holds objects (DeleteBucket),
        but nothing stops the key's deletion being scheduled beside it, after which the state cannot
        be decrypted; removing a terraform app takes an explicit `pulumi state unprotect` of both.
        Returns environment -> bucket name, and environment -> its key's ARN.
        """
        buckets, keys = {}, {}
        key = names.terraform_state_key(args.pipeline.application)
        for env, provider in args.providers.items():
            state = SecureBucket(
                f"{name}-{env}-tfstate",
                SecureBucketArgs(
                    bucket=pulumi.Output.from_input(args.account_ids[env]).apply(
                        lambda account: names.regional_bucket(names.TERRAFORM_STATE, account, args.region)
                    ),
                    account_id=args.account_ids[env],
                    description=f"the Terraform state of {args.pipeline.application} in {env}",
                    versioning=True,
                    protect=True,
                ),
                opts=pulumi.ResourceOptions(parent=self, providers=[provider]),
            )
            buckets[env], keys[env] = state.name, state.key_arn
            plan_role = self.roles.plan_roles.get(env)
            if plan_role is not None:
                aws.iam.RolePolicy(
                    f"{name}-{env}-plan-state",
                    role=plan_role.name,
                    policy=pulumi.Output.all(state.name, state.key_arn).apply(lambda v: minify(terraform_plan_state_policy(v[0], key, v[1]))),
                    opts=pulumi.ResourceOptions(parent=self, provider=provider),
                )
        return buckets, keys
