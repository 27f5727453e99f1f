"""A GitHub repository with its branches, branch rules, environments, Actions settings and workflows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_github as github

from names import RELEASE_BRANCH, WORKFLOW_COMMIT_MESSAGE


@dataclass(frozen=True)
class BranchRule:
    key: str
    """Names the ruleset and its resource."""
    branches: Sequence[str]
    """Branches the rule protects."""
    approvals: int
    """Approving reviews required to merge; stale approvals are dismissed on push."""


@dataclass(frozen=True)
class EnvironmentSpec:
    name: str
    """GitHub environment: the OIDC subject is repo:OWNER/REPO:environment:<name>."""
    branch: Optional[str]
    """The only branch allowed to deploy to it; None for pull-request environments (PR refs are not branches)."""
    reviewer_team_ids: Sequence[pulumi.Input[int]] = ()
    """Teams whose approval a deployment waits for."""
    reviewer_user_ids: Sequence[pulumi.Input[int]] = ()
    """People whose approval a deployment waits for."""
    variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Actions variables of the environment."""
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Actions secrets of the environment (Pulumi secrets)."""


@dataclass(frozen=True)
class GitHubRepositoryArgs:
    repository: str
    """Repository name under the provider's owner."""
    description: str
    """Repository description."""
    visibility: str
    """private, internal or public."""
    bypass_user_id: pulumi.Input[int]
    """The automation account: the one bypass of the branch rules, so it can commit workflows."""
    rules: Sequence[BranchRule]
    """Rulesets: pull requests, required checks, no force push, no deletion; admins included."""
    required_checks: Sequence[str]
    """Status check contexts every rule requires (the generated CI jobs)."""
    extra_branches: Sequence[str] = ()
    """Long-lived branches created from main (GitFlow's develop and staging)."""
    environments: Sequence[EnvironmentSpec] = ()
    """Deployment environments."""
    variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Repository-level Actions variables (for jobs without an environment)."""
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Repository-level Actions secrets (Pulumi secrets)."""
    files: Mapping[str, str] = field(default_factory=dict)
    """Path -> content, committed to main and every extra branch (workflows trigger from their branch)."""
    team_permissions: Mapping[str, tuple[pulumi.Input[int], str]] = field(default_factory=dict)
    """Team key -> (team id, permission: pull, triage, push, maintain or admin)."""


class GitHubRepository(pulumi.ComponentResource):
    repository: github.Repository

    def __init__(self, name: str, args: GitHubRepositoryArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:github_repository:GitHubRepository", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.repository = github.Repository(
            f"{name}-repository",
            name=args.repository,
            description=args.description,
            visibility=args.visibility,
            auto_init=True,
            # Removing a repository from config archives it: code and history are never deleted.
            archive_on_destroy=True,
            delete_branch_on_merge=True,
            has_wiki=False,
            has_projects=False,
            vulnerability_alerts=True,
            opts=child,
        )
        repository = self.repository.name
        branches: dict[str, Optional[pulumi.Resource]] = {RELEASE_BRANCH: None}
        for branch in args.extra_branches:
            branches[branch] = github.Branch(f"{name}-{branch}-branch", repository=repository, branch=branch, source_branch=RELEASE_BRANCH, opts=child)
        files = [
            github.RepositoryFile(
                f"{name}-{branch}-{PurePosixPath(path).stem}-file",
                repository=repository,
                branch=branch,
                file=path,
                content=content,
                commit_message=WORKFLOW_COMMIT_MESSAGE,
                overwrite_on_create=True,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[b for b in [created] if b is not None]),
            )
            for branch, created in branches.items()
            for path, content in args.files.items()
        ]
        for rule in args.rules:
            github.RepositoryRuleset(
                f"{name}-{rule.key}-ruleset",
                name=rule.key,
                repository=repository,
                target="branch",
                enforcement="active",
                conditions=github.RepositoryRulesetConditionsArgs(
                    ref_name=github.RepositoryRulesetConditionsRefNameArgs(includes=[f"refs/heads/{branch}" for branch in rule.branches], excludes=[])
                ),
                rules=github.RepositoryRulesetRulesArgs(
                    pull_request=github.RepositoryRulesetRulesPullRequestArgs(
                        required_approving_review_count=rule.approvals, dismiss_stale_reviews_on_push=True
                    ),
                    required_status_checks=github.RepositoryRulesetRulesRequiredStatusChecksArgs(
                        required_checks=[github.RepositoryRulesetRulesRequiredStatusChecksRequiredCheckArgs(context=check) for check in args.required_checks],
                        strict_required_status_checks_policy=True,
                    ),
                    non_fast_forward=True,
                    deletion=True,
                ),
                bypass_actors=[github.RepositoryRulesetBypassActorArgs(actor_type="User", actor_id=args.bypass_user_id, bypass_mode="always")],
                # The first workflow commits land before the rules exist.
                opts=pulumi.ResourceOptions(parent=self, depends_on=files),
            )
        for spec in args.environments:
            self._environment(name, repository, spec)
        for variable, value in args.variables.items():
            github.ActionsVariable(f"{name}-{variable}-variable", repository=repository, variable_name=variable, value=value, opts=child)
        for secret, value in args.secrets.items():
            github.ActionsSecret(f"{name}-{secret}-secret", repository=repository, secret_name=secret, plaintext_value=value, opts=child)
        for team, (team_id, permission) in args.team_permissions.items():
            github.TeamRepository(f"{name}-{team}-access", team_id=team_id, repository=repository, permission=permission, opts=child)
        self.register_outputs({"repository": self.repository.full_name})

    def _environment(self, name: str, repository: pulumi.Output[str], spec: EnvironmentSpec) -> None:
        child = pulumi.ResourceOptions(parent=self)
        reviewed = bool(spec.reviewer_team_ids or spec.reviewer_user_ids)
        environment = github.RepositoryEnvironment(
            f"{name}-{spec.name}-environment",
            repository=repository,
            environment=spec.name,
            can_admins_bypass=False,
            prevent_self_review=reviewed,
            reviewers=[github.RepositoryEnvironmentReviewerArgs(teams=list(spec.reviewer_team_ids), users=list(spec.reviewer_user_ids))] if reviewed else None,
            deployment_branch_policy=github.RepositoryEnvironmentDeploymentBranchPolicyArgs(protected_branches=False, custom_branch_policies=True)
            if spec.branch
            else None,
            opts=child,
        )
        in_environment = pulumi.ResourceOptions(parent=self, depends_on=[environment])
        if spec.branch:
            github.RepositoryEnvironmentDeploymentPolicy(
                f"{name}-{spec.name}-branch-policy",
                repository=repository,
                environment=spec.name,
                branch_pattern=spec.branch,
                opts=in_environment,
            )
        for variable, value in spec.variables.items():
            github.ActionsEnvironmentVariable(
                f"{name}-{spec.name}-{variable}-variable",
                repository=repository,
                environment=spec.name,
                variable_name=variable,
                value=value,
                opts=in_environment,
            )
        for secret, value in spec.secrets.items():
            github.ActionsEnvironmentSecret(
                f"{name}-{spec.name}-{secret}-secret",
                repository=repository,
                environment=spec.name,
                secret_name=secret,
                plaintext_value=value,
                opts=in_environment,
            )
