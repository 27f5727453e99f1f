"""A repository's deployment environments: branch policy, reviewers, variables and secrets.

Secrets live here only, never at repository level: a repository secret reaches every job,
pull-request jobs included, while an environment's reaches only jobs its protection rules let in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_github as github


@dataclass(frozen=True)
class EnvironmentSpec:
    name: str
    """GitHub environment: the OIDC subject ends in `:environment:<name>`."""
    branch: Optional[str]
    """The only branch allowed to deploy to it; None for pull-request environments (PR refs are not branches)."""
    reviewer_team_ids: Sequence[pulumi.Input[int]] = ()
    """Teams whose approval a deployment waits for (they need read access to the repository)."""
    reviewer_user_ids: Sequence[pulumi.Input[int]] = ()
    """People whose approval a deployment waits for (they need read access to the repository)."""
    variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Actions variables of the environment."""
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Actions secrets of the environment (Pulumi secrets)."""


@dataclass(frozen=True)
class GitHubEnvironmentsArgs:
    repository: pulumi.Input[str]
    """Repository name (the repository resource's output, so each environment waits for it)."""
    environments: Sequence[EnvironmentSpec]
    """The repository's environments."""
    reviewer_access: Sequence[pulumi.Resource] = ()
    """Team permissions and memberships that give the reviewers access: GitHub drops reviewers
    without read access to the repository ("Managing environments for deployment", required reviewers)."""
    moved_from: Optional[pulumi.Resource] = None
    """The component these resources were children of before this one existed (their alias parent)."""
    retained: bool = False
    """The repository is adopted: its environments may predate the program, so removing them leaves them in
    GitHub (`retain_on_delete`). A delete is `DeleteEnvironment` (resource_github_repository_environment.go),
    which takes the owners' own secrets, variables and protection rules in it too."""


class GitHubEnvironments(pulumi.ComponentResource):
    environments: dict[str, github.RepositoryEnvironment]

    def __init__(self, name: str, args: GitHubEnvironmentsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:github_environments:GitHubEnvironments", name, None, opts)
        # Same names under a new parent: without the alias, `pulumi up` would create each environment
        # again (GitHub's PUT succeeds on the existing one) and then delete the old resource, which
        # deletes the environment itself.
        self._aliases = [pulumi.Alias(parent=args.moved_from)] if args.moved_from is not None else []
        self.environments = {spec.name: self._environment(name, args, spec) for spec in args.environments}
        self.register_outputs({"environments": sorted(self.environments)})

    def _options(self, depends_on: Sequence[pulumi.Resource] = (), retain: bool = False) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, aliases=self._aliases, depends_on=list(depends_on), retain_on_delete=retain)

    def _environment(self, name: str, args: GitHubEnvironmentsArgs, spec: EnvironmentSpec) -> github.RepositoryEnvironment:
        reviewed = bool(spec.reviewer_team_ids or spec.reviewer_user_ids)
        environment = github.RepositoryEnvironment(
            f"{name}-{spec.name}-environment",
            repository=args.repository,
            environment=spec.name,
            can_admins_bypass=False,
            prevent_self_review=reviewed,
            reviewers=[github.RepositoryEnvironmentReviewerArgs(teams=list(spec.reviewer_team_ids), users=list(spec.reviewer_user_ids))] if reviewed else None,
            deployment_branch_policy=github.RepositoryEnvironmentDeploymentBranchPolicyArgs(protected_branches=False, custom_branch_policies=True)
            if spec.branch
            else None,
            opts=self._options(args.reviewer_access if reviewed else (), retain=args.retained),
        )
        in_environment = self._options([environment])
        if spec.branch:
            github.RepositoryEnvironmentDeploymentPolicy(
                f"{name}-{spec.name}-branch-policy",
                repository=args.repository,
                environment=spec.name,
                branch_pattern=spec.branch,
                opts=in_environment,
            )
        for variable, value in spec.variables.items():
            github.ActionsEnvironmentVariable(
                f"{name}-{spec.name}-{variable}-variable",
                repository=args.repository,
                environment=spec.name,
                variable_name=variable,
                value=value,
                opts=in_environment,
            )
        for secret, value in spec.secrets.items():
            github.ActionsEnvironmentSecret(
                f"{name}-{spec.name}-{secret}-secret",
                repository=args.repository,
                environment=spec.name,
                secret_name=secret,
                # `value`, not the deprecated `plaintext_value` (pulumi_github actions_environment_secret.py: "Please use `value`");
                # both are Sensitive and neither is ForceNew in the provider (v6.13.0, the one pulumi-github 6.15.0 bridges), so
                # the switch is an in-place update (a PUT of the same secret), never a replace that would delete it.
                value=value,
                opts=in_environment,
            )
        return environment
