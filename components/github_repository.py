"""A GitHub repository with its default branch, branches, branch rules, team access and workflows.

Its environments are a component of their own (components/github_environments.py): they carry the
ARNs of roles whose trust names this repository's numeric id, so they come after those roles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_github as github

from names import GITHUB_ACTIONS_APP_ID, RELEASE_BRANCH, WORKFLOW_COMMIT_MESSAGE


@dataclass(frozen=True)
class BranchRule:
    key: str
    """Names the ruleset and its resource."""
    branches: Sequence[str]
    """Branches the rule protects."""
    approvals: int
    """Approving reviews required to merge; stale approvals are dismissed on push."""


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
    """Status check contexts every rule requires (the generated CI jobs), reported by GitHub Actions."""
    extra_branches: Sequence[str] = ()
    """Long-lived branches created from main (GitFlow's develop and staging)."""
    files: Mapping[str, str] = field(default_factory=dict)
    """Path -> content, committed to main and every extra branch (workflows trigger from their branch)."""
    team_permissions: Mapping[str, tuple[pulumi.Input[int], str]] = field(default_factory=dict)
    """Team key -> (team id, permission: pull, triage, push, maintain or admin)."""


class GitHubRepository(pulumi.ComponentResource):
    repository: github.Repository
    team_access: list[github.TeamRepository]
    """The teams' permissions: reviewers without read access are dropped by GitHub, so reviewed environments wait for these."""

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
            # GitHub keeps the archived name taken, so re-adding it needs the README's unarchive-and-import step.
            archive_on_destroy=True,
            delete_branch_on_merge=True,
            has_wiki=False,
            has_projects=False,
            vulnerability_alerts=True,
            opts=child,
        )
        repository = self.repository.name
        # auto_init names the first branch after the owner's default-branch setting, which may not be
        # main: rename it, whatever it is, before anything is created from it (provider source,
        # resource_github_branch_default.go: RenameBranch when `rename` is set and the names differ).
        default_branch = github.BranchDefault(
            f"{name}-default-branch", repository=repository, branch=RELEASE_BRANCH, rename=True, wait_for_rename=True, opts=child
        )
        after_default = pulumi.ResourceOptions(parent=self, depends_on=[default_branch])
        branches: dict[str, pulumi.Resource] = {RELEASE_BRANCH: default_branch}
        for branch in args.extra_branches:
            branches[branch] = github.Branch(f"{name}-{branch}-branch", repository=repository, branch=branch, source_branch=RELEASE_BRANCH, opts=after_default)
        files = [
            github.RepositoryFile(
                f"{name}-{branch}-{PurePosixPath(path).stem}-file",
                repository=repository,
                branch=branch,
                file=path,
                content=content,
                commit_message=WORKFLOW_COMMIT_MESSAGE,
                overwrite_on_create=True,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[created]),
            )
            for branch, created in branches.items()
            for path, content in args.files.items()
        ]
        checks = [
            # Pinned to the GitHub Actions app: without an integration id, anyone who can write to the
            # repository can satisfy a required check with a commit status of that name.
            github.RepositoryRulesetRulesRequiredStatusChecksRequiredCheckArgs(context=check, integration_id=GITHUB_ACTIONS_APP_ID)
            for check in args.required_checks
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
                        required_approving_review_count=rule.approvals,
                        dismiss_stale_reviews_on_push=True,
                        # Whoever pushed last cannot be the one approving: the ruleset's own
                        # prevent-self-review, the gate that remains where environments have no reviewers.
                        require_last_push_approval=rule.approvals > 0,
                    ),
                    required_status_checks=github.RepositoryRulesetRulesRequiredStatusChecksArgs(
                        required_checks=checks,
                        strict_required_status_checks_policy=True,
                    ),
                    non_fast_forward=True,
                    deletion=True,
                ),
                bypass_actors=[github.RepositoryRulesetBypassActorArgs(actor_type="User", actor_id=args.bypass_user_id, bypass_mode="always")],
                # The first workflow commits land before the rules exist.
                opts=pulumi.ResourceOptions(parent=self, depends_on=files),
            )
        self.team_access = [
            github.TeamRepository(f"{name}-{team}-access", team_id=team_id, repository=repository, permission=permission, opts=child)
            for team, (team_id, permission) in args.team_permissions.items()
        ]
        self.register_outputs({"repository": self.repository.full_name, "repositoryId": self.repository.repo_id})
