"""An application's deploy access in each environment account: GitHub OIDC, deploy role, boundary, ECR.

Each deploy role trusts exactly one environment of one repository, named by the immutable subject
(numeric owner and repository ids) unless the repository still sends the name form; so does the
read-only plan role of a terraform app's release environment (its `<env>-plan` environment).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

import names
from delivery.policies import GITHUB_AUDIENCE, GITHUB_OIDC_URL, deploy_boundary, ecr_lifecycle_policy, github_subject, github_trust
from iam import minify
from names import managed_policy_arn, managed_policy_key


@dataclass(frozen=True)
class DeployRolesArgs:
    owner: pulumi.Input[str]
    """The login of the repository's GitHub owner as GitHub spells it (the `sub` carries it; StringEquals is case-sensitive)."""
    repository: str
    """The application's repository; its environments' jobs assume the deploy roles."""
    providers: Mapping[str, aws.Provider]
    """Environment -> provider of that environment's account."""
    deploy_policies: Mapping[str, Sequence[str]]
    """Environment -> AWS managed policies of the deploy role."""
    owner_id: pulumi.Input[str] = ""
    """The owner's numeric id (immutable subjects)."""
    repository_id: pulumi.Input[int] = 0
    """The repository's numeric id (immutable subjects): an output of the repository, so the roles wait for it."""
    subject_form: str = "immutable"
    """`immutable` or `name`: which `sub` the repository's tokens carry (delivery.policies.SUBJECT_FORMS)."""
    container_repository: Optional[str] = None
    """ECR repository name, for container applications."""
    privileged_role_arns: Sequence[str] = ()
    """Roles the SCPs exempt; the boundary forbids deploys to create or change them."""
    plan_environments: Sequence[str] = ()
    """Environments whose reviewed deploy applies a plan made before the review (terraform apps'
    release environment): each gets a read-only plan role trusting its `<env>-plan` environment."""


class DeployRoles(pulumi.ComponentResource):
    deploy_role_arns: dict[str, pulumi.Output[str]]
    image_repository_urls: dict[str, pulumi.Output[str]]
    roles: dict[str, aws.iam.Role]
    """Environment -> deploy role."""
    image_repositories: dict[str, aws.ecr.Repository]
    """Environment -> the application's ECR repository (container applications)."""
    plan_roles: dict[str, aws.iam.Role]
    """Environment -> its read-only plan role (`plan_environments`)."""

    def __init__(self, name: str, args: DeployRolesArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:deploy_roles:DeployRoles", name, None, opts)
        self.deploy_role_arns, self.image_repository_urls, self.roles, self.image_repositories, self.plan_roles = {}, {}, {}, {}, {}
        for env, provider in args.providers.items():
            in_account = pulumi.ResourceOptions(parent=self, provider=provider)
            oidc = aws.iam.OpenIdConnectProvider(
                f"{name}-{env}-github-oidc",
                url=GITHUB_OIDC_URL,
                client_id_lists=[GITHUB_AUDIENCE],
                opts=in_account,
            )
            boundary = aws.iam.Policy(
                f"{name}-{env}-deploy-boundary",
                name=names.DEPLOY_BOUNDARY,
                path=names.GITHUB_PATH,
                description="Caps every GitHub deploy and plan role: no IAM users, no org changes, no touching the OIDC trust.",
                policy=minify(deploy_boundary(args.privileged_role_arns)),
                opts=in_account,
            )
            spec = names.github_deploy_role(env)
            role = aws.iam.Role(
                f"{name}-{env}-deploy-role",
                name=spec.name,
                path=spec.path,
                assume_role_policy=self._trust(args, oidc, env),
                permissions_boundary=boundary.arn,
                max_session_duration=3600,
                opts=in_account,
            )
            if env in args.plan_environments:
                # Read-only, so the job that runs before the review cannot change the environment: its
                # code is reviewed (main only), but `terraform plan` runs providers and `external` data
                # sources, and a write role there would let merged code skip the deployment review.
                plan = names.github_plan_role(env)
                self.plan_roles[env] = aws.iam.Role(
                    f"{name}-{env}-plan-role",
                    name=plan.name,
                    path=plan.path,
                    assume_role_policy=self._trust(args, oidc, names.plan_environment(env)),
                    permissions_boundary=boundary.arn,
                    max_session_duration=3600,
                    opts=in_account,
                )
                aws.iam.RolePolicyAttachment(f"{name}-{env}-plan-read-only", role=self.plan_roles[env].name, policy_arn=names.READ_ONLY_ACCESS, opts=in_account)
            for policy_arn in (managed_policy_arn(p) for p in args.deploy_policies[env]):
                aws.iam.RolePolicyAttachment(
                    f"{name}-{env}-deploy-{managed_policy_key(policy_arn)}-attachment",
                    role=role.name,
                    policy_arn=policy_arn,
                    opts=in_account,
                )
            self.deploy_role_arns[env] = role.arn
            self.roles[env] = role
            if args.container_repository:
                images = aws.ecr.Repository(
                    f"{name}-{env}-images",
                    name=args.container_repository,
                    image_tag_mutability="IMMUTABLE",
                    image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
                    encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="AES256")],
                    opts=in_account,
                )
                aws.ecr.LifecyclePolicy(
                    f"{name}-{env}-images-lifecycle",
                    repository=images.name,
                    policy=minify(ecr_lifecycle_policy()),
                    opts=in_account,
                )
                self.image_repository_urls[env] = images.repository_url
                self.image_repositories[env] = images
        self.register_outputs({"deployRoleArns": self.deploy_role_arns, "planRoleArns": {env: role.arn for env, role in self.plan_roles.items()}})

    @staticmethod
    def _trust(args: DeployRolesArgs, oidc: aws.iam.OpenIdConnectProvider, environment: str) -> pulumi.Output[str]:
        """Trust of the one subject of the repository's jobs in `environment`."""
        return pulumi.Output.all(oidc.arn, args.owner, args.owner_id, args.repository_id).apply(
            lambda values: minify(github_trust(values[0], github_subject(values[1], args.repository, environment, args.subject_form, values[2], values[3])))
        )
