"""A GitHub repository with its default branch, branches, branch rules, team access and workflows.

Its environments are a component of their own (components/github_environments.py): they carry the
ARNs of roles whose trust names this repository's numeric id, so they come after those roles.

An adopted repository (one that exists) is imported by name and keeps what its owners set. An
import whose inputs differ no longer fails: the engine imports, then updates to reconcile the
difference (pulumi/pulumi#19339, in the CLI since 2025-05; pulumi/docs#18198), and `ignore_changes`
is what protects a setting, in the import and in every update after it (pulumi/pulumi#5976). So every
input but `archived` is ignored, the name and the visibility included: adoption never renames
(a case difference in `repository:` would) nor makes a private repository public. `archived: false`
stays compared: an archived repository is unarchived by the first update or refused (the provider
says the API cannot unarchive; unverified offline), which only happens to one adopted by mistake.
Its branches must exist (none is created, renamed or deleted), it is retained, not archived or
deleted, when the application leaves the config, as are its environments and team access, which
may predate the program, and the workflows go to files of the program's own that are never
overwritten: with `overwrite_on_create` false the provider refuses to create a file that exists
("refusing to overwrite existing file", integrations/terraform-provider-github
resource_github_repository_file.go).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_github as github

from names import GITHUB_ACTIONS_APP_ID, RELEASE_BRANCH, WORKFLOW_COMMIT_MESSAGE, adopted_workflow_path

ADOPTED_SETTINGS_KEPT = ("archived",)
"""The Repository inputs an adoption compares with what exists (and would update); every other one is left to the repository's owners."""
# Read from the SDK, so a setting a newer provider adds is left to the owners too, not reset to its default.
ADOPTED_SETTINGS_LEFT = tuple(sorted(set(inspect.signature(github.RepositoryArgs).parameters) - set(ADOPTED_SETTINGS_KEPT)))
"""Every other Repository input: ignored, in the import's comparison and in every update after it."""


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
    """private, internal or public; an adopted repository keeps its own (never compared nor set)."""
    bypass_user_id: pulumi.Input[int]
    """The automation account: the one bypass of the branch rules, so it can commit workflows."""
    rules: Sequence[BranchRule]
    """Rulesets: pull requests, required checks, no force push, no deletion; admins included."""
    required_checks: Sequence[str]
    """Status check contexts every rule requires (the generated CI jobs), reported by GitHub Actions."""
    extra_branches: Sequence[str] = ()
    """Long-lived branches created from main (GitFlow's develop and staging); in an adopted repository they must exist."""
    files: Mapping[str, str] = field(default_factory=dict)
    """Path -> content, committed to main and every extra branch (workflows trigger from their branch)."""
    team_permissions: Mapping[str, tuple[pulumi.Input[int], str]] = field(default_factory=dict)
    """Team key -> (team id, permission: pull, triage, push, maintain or admin)."""
    adopted: bool = False
    """The repository exists: imported with its settings and branches kept, its files at `names.adopted_workflow_path`."""


class GitHubRepository(pulumi.ComponentResource):
    repository: github.Repository
    team_access: list[github.TeamRepository]
    """The teams' permissions: reviewers without read access are dropped by GitHub, so reviewed environments wait for these."""

    def __init__(self, name: str, args: GitHubRepositoryArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:github_repository:GitHubRepository", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.repository = self._adopted(name, args) if args.adopted else self._created(name, args)
        repository = self.repository.name
        branches: dict[str, pulumi.Resource]
        if args.adopted:
            branches = {branch: self.repository for branch in (RELEASE_BRANCH, *args.extra_branches)}
        else:
            # auto_init names the first branch after the owner's default-branch setting, which may not be
            # main: rename it, whatever it is, before anything is created from it (provider source,
            # resource_github_branch_default.go: RenameBranch when `rename` is set and the names differ).
            default_branch = github.BranchDefault(
                f"{name}-default-branch", repository=repository, branch=RELEASE_BRANCH, rename=True, wait_for_rename=True, opts=child
            )
            # Retained: no removal needs a branch deleted (removing the application archives the
            # repository), and a delete is `DeleteRef`, losing unmerged work: the branches of an
            # application switched to `existing_repository`, which declares none, stay.
            after_default = pulumi.ResourceOptions(parent=self, depends_on=[default_branch], retain_on_delete=True)
            branches = {RELEASE_BRANCH: default_branch}
            for branch in args.extra_branches:
                branches[branch] = github.Branch(
                    f"{name}-{branch}-branch", repository=repository, branch=branch, source_branch=RELEASE_BRANCH, opts=after_default
                )
        paths = {path: adopted_workflow_path(path) if args.adopted else path for path in args.files}
        files = [
            github.RepositoryFile(
                f"{name}-{branch}-{PurePosixPath(paths[path]).stem}-file",
                repository=repository,
                branch=branch,
                file=paths[path],
                content=content,
                commit_message=WORKFLOW_COMMIT_MESSAGE,
                # Every file of a repository the program created is its own; in an adopted one, only these new names.
                overwrite_on_create=not args.adopted,
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
        # In an adopted repository a team may have had access before: a delete (RemoveTeamRepoByID,
        # resource_github_team_repository.go) would take that away too, so removal leaves the permission.
        access = pulumi.ResourceOptions(parent=self, retain_on_delete=args.adopted)
        self.team_access = [
            github.TeamRepository(f"{name}-{team}-access", team_id=team_id, repository=repository, permission=permission, opts=access)
            for team, (team_id, permission) in args.team_permissions.items()
        ]
        self.register_outputs({"repository": self.repository.full_name, "repositoryId": self.repository.repo_id})

    def _created(self, name: str, args: GitHubRepositoryArgs) -> github.Repository:
        return github.Repository(
            f"{name}-repository",
            name=args.repository,
            description=args.description,
            visibility=args.visibility,
            auto_init=True,
            # Removing a repository from config archives it: code and history are never deleted.
            # GitHub keeps the archived name taken, so re-adding it needs the unarchive-and-import step (docs/delivery.md, "Re-adding a removed application").
            archive_on_destroy=True,
            delete_branch_on_merge=True,
            has_wiki=False,
            has_projects=False,
            vulnerability_alerts=True,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _adopted(self, name: str, args: GitHubRepositoryArgs) -> github.Repository:
        # The import id of a repository is its name (the provider's docs, "Import").
        return github.Repository(
            f"{name}-repository",
            name=args.repository,
            archived=False,
            opts=pulumi.ResourceOptions(parent=self, import_=args.repository, ignore_changes=list(ADOPTED_SETTINGS_LEFT), retain_on_delete=True),
        )
