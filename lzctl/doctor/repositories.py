"""Adopted repositories (`applications.<app>.existing_repository`, `github.existing_infrastructure_repository`):
what the plan manages in each, what GitHub holds there already, and the judgement.

An adopted repository's environments are taken over by the program's PUT of each environment
(`CreateUpdateEnvironment`, integrations/terraform-provider-github resource_github_repository_environment.go),
which sets `custom_branch_policies` and adds one branch policy per environment
(`CreateDeploymentBranchPolicy`, resource_github_repository_environment_deployment_policy.go). Policies the
owners made are separate objects no resource of the program knows, so they stay: a `*` or `feature/*` on
`dev` lets any such branch run a job in `dev`, read its secrets and get an OIDC token the deploy role trusts
(`repo:<owner>/<repo>:environment:dev`). The program cannot remove them itself: the import id of a policy is
its numeric id (`<repo>:<env>:<id>`, pulumi_github repository_environment_deployment_policy.py), known only
live, and pulumi_github has no resource that owns an environment's whole list of policies. So the doctor
lists them before the first `pulumi up` and fails on every one the config does not name.

The program commits its workflow files with the Contents API (`CreateFile`, resource_github_repository_file.go)
as the automation login, which is the bypass actor of the program's own rulesets only: a ruleset or classic
branch protection the repository (or its organisation) already has applies to that commit too.

Sources (GitHub REST docs, checked 2026-12-02): "REST API endpoints for deployment environments" (Get an
environment: `deployment_branch_policy` null = all branches, else `protected_branches` / `custom_branch_policies`);
"REST API endpoints for deployment branch policies" (List: `branch_policies` of `{id, name, type}`, `type`
branch or tag; Delete); "REST API endpoints for rules" (Get rules for a branch: every active rule, repository
or organisation level, with `ruleset_id`; Get a repository ruleset: `current_user_can_bypass`, returned on the
repository-level endpoint only); "REST API endpoints for protected branches" (Get branch protection).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

from lzctl.doctor.github import GitHub, segment
from lzctl.runtime import Plan

REPOSITORY = "github:index/repository:Repository"
ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment"
BRANCH_POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
FILE = "github:index/repositoryFile:RepositoryFile"
BYPASSING = ("always", "exempt")
"""`current_user_can_bypass` values under which a direct push is not held by the ruleset. The REST docs list
`always`, `pull_requests_only` (bypasses only in pull requests) and `never`; `exempt` is the newer bypass mode
of ruleset bypass actors, taken to pass too should the field ever answer it (unverified offline)."""
PUSH_NEUTRAL = frozenset(
    {"creation", "deletion", "non_fast_forward", "required_linear_history", "branch_name_pattern", "tag_name_pattern", "copilot_code_review"}
)
"""Rule types a fast-forward commit to an existing branch does not meet (the Contents API makes one commit on
the branch's head); `copilot_code_review` only requests a review of pull requests (its parameters are
`review_on_push`, `review_draft_pull_requests`). Every other type, one GitHub adds later included, is taken
to hold the commit."""


@dataclass(frozen=True)
class AdoptedRepository:
    name: str
    environments: Mapping[str, Optional[str]]
    """Environment -> the one branch the program lets deploy to it; None where it names no branch policy."""
    commit_branches: tuple[str, ...]
    """Branches the program commits its workflow files to."""


def adopted_repositories(plan: Plan) -> tuple[AdoptedRepository, ...]:
    """The repositories the plan imports, with what it manages in each (plan inputs, so names as GitHub gets them)."""
    names = [r.inputs["name"] for r in plan.of_type(REPOSITORY) if r.import_id]
    patterns = {(r.inputs["repository"], r.inputs["environment"]): r.inputs["branchPattern"] for r in plan.of_type(BRANCH_POLICY)}
    found = []
    for name in names:
        environments = {
            r.inputs["environment"]: patterns.get((name, r.inputs["environment"])) for r in plan.of_type(ENVIRONMENT) if r.inputs["repository"] == name
        }
        branches = tuple(sorted({r.inputs["branch"] for r in plan.of_type(FILE) if r.inputs["repository"] == name}))
        found.append(AdoptedRepository(name, dict(sorted(environments.items())), branches))
    return tuple(found)


@dataclass(frozen=True)
class Finding:
    problem: str
    fix: str


def environment_findings(github: GitHub, owner: str, repository: AdoptedRepository) -> tuple[list[Finding], list[str]]:
    """(what fails, notes) for each environment of `repository` the program names a branch for."""
    findings, notes = [], []
    # GitHub answers 404 for an environment of a repository the token cannot see as for one that does not
    # exist: reading the repository first turns that into a refused read, not a pass.
    github.get(f"/repos/{segment(owner)}/{segment(repository.name)}")
    base = f"/repos/{segment(owner)}/{segment(repository.name)}/environments"
    for env, branch in repository.environments.items():
        if branch is None:
            continue
        existing = github.find(f"{base}/{segment(env)}")
        if existing is None:
            continue  # created by the program, with its one policy
        setting = existing.get("deployment_branch_policy")
        where = f"{owner}/{repository.name} environment {env}"
        if not setting or not setting.get("custom_branch_policies"):
            today = "protected branches" if setting and setting.get("protected_branches") else "every branch"
            notes.append(f"{where} lets {today} deploy today; the first `pulumi up` limits it to {branch}")
            continue
        for policy in github.pages(f"{base}/{segment(env)}/deployment-branch-policies", "branch_policies"):
            kind, name = policy.get("type", "branch"), policy["name"]
            if (kind, name) == ("branch", branch):
                notes.append(
                    f"{where} has a branch policy for {branch} already (id {policy['id']}): if `pulumi up` is refused creating the same one, "
                    f"delete it (`gh api -X DELETE repos/{owner}/{repository.name}/environments/{env}/deployment-branch-policies/{policy['id']}`)"
                )
                continue
            findings.append(
                Finding(
                    f"{where} lets {kind} pattern '{name}' deploy (policy id {policy['id']}), which the config does not name: the program adds "
                    f"{branch} and keeps it, so those refs could run jobs that read the environment's secrets and assume its deploy role",
                    f"delete it: `gh api -X DELETE repos/{owner}/{repository.name}/environments/{env}/deployment-branch-policies/{policy['id']}`",
                )
            )
    return findings, notes


def classic_protection(protection: dict, login: str, admin: bool) -> Optional[str]:
    """What of classic branch protection holds the automation's commit, None if nothing (GitHub docs, "About
    protected branches": administrators pass the other settings unless "Do not allow bypassing the above
    settings", `enforce_admins`, is on). A locked branch is taken to refuse everyone, and required signatures
    to refuse the Contents API's commit: neither is verified offline, and both err towards a fail the user
    can judge over an up that fails."""
    if (protection.get("lock_branch") or {}).get("enabled"):
        return "the branch is locked: nobody can push to it"
    held = []
    if protection.get("required_pull_request_reviews"):
        held.append("pull request reviews")
    if protection.get("required_status_checks"):
        held.append("status checks")
    if (protection.get("required_signatures") or {}).get("enabled"):
        held.append("signed commits")
    restrictions = protection.get("restrictions")
    if restrictions is not None and login.lower() not in {u["login"].lower() for u in restrictions.get("users", [])}:
        held.append(f"push restrictions that do not list {login} (a team or app listed there may include it)")
    if not held:
        return None
    if admin and (protection.get("enforce_admins") or {}).get("enabled"):
        return f"it requires {', '.join(held)}, and 'Do not allow bypassing the above settings' holds administrators such as {login} too"
    return None if admin else f"it requires {', '.join(held)}, and {login} is not an administrator of the repository"


def branch_findings(github: GitHub, owner: str, login: str, repository: AdoptedRepository) -> list[Finding]:
    """What would hold the commit of the program's workflow files to each branch, for the token's user `login`."""
    findings = []
    repo = f"/repos/{segment(owner)}/{segment(repository.name)}"
    admin = bool((github.get(repo).get("permissions") or {}).get("admin"))
    if not admin:
        # GitHub docs, "Managing rulesets for a repository": "People with admin access to a repository, or a
        # custom role with the 'edit repository rules' permission, can create, edit, and delete rulesets"; the
        # program creates its release and integration rulesets in the adopted repository (GitHubRepository).
        # A custom role does not show in `permissions`: this errs towards a fail the user can judge.
        findings.append(
            Finding(
                f"{owner}/{repository.name}: {login} is not an administrator of the repository, and the program creates its rulesets there, "
                "which GitHub lets administrators do (or a custom role that may edit repository rules)",
                f"make {login} an administrator of {owner}/{repository.name} (or an owner of {owner})",
            )
        )
    for branch in repository.commit_branches:
        where = f"{owner}/{repository.name} branch {branch}"
        found = github.find(f"{repo}/branches/{segment(branch)}")
        if found is None:
            findings.append(
                Finding(
                    f"{where} does not exist: the program commits its workflow files there and creates no branch in an adopted repository",
                    f"create it from main (`git push origin origin/main:refs/heads/{branch}`), or map no environment to it",
                )
            )
            continue
        rules: dict[int, set[str]] = {}
        for rule in github.pages(f"{repo}/rules/branches/{segment(branch)}"):
            if rule["type"] not in PUSH_NEUTRAL:
                rules.setdefault(rule["ruleset_id"], set()).add(rule["type"])
        for ruleset_id, types in sorted(rules.items()):
            ruleset = github.get(f"{repo}/rulesets/{ruleset_id}")
            can = ruleset.get("current_user_can_bypass", "never")
            if can in BYPASSING:
                continue
            level = f"{ruleset.get('source_type', 'Repository').lower()} {ruleset.get('source', '')}".rstrip()
            findings.append(
                Finding(
                    f"{where}: ruleset '{ruleset['name']}' (id {ruleset_id}, {level}) requires {', '.join(sorted(types))}, "
                    f"and {login} cannot bypass it (current_user_can_bypass: {can}), so the commit of the workflow files is refused",
                    f"add {login} to its bypass list with 'Always allow' (the ruleset's settings, Bypass list), or lift it for the first `pulumi up`",
                )
            )
        if found.get("protected"):
            held = classic_protection(github.find(f"{repo}/branches/{segment(branch)}/protection") or {}, login, admin)
            if held:
                findings.append(
                    Finding(
                        f"{where}: classic branch protection holds the commit of the workflow files: {held}",
                        "move those rules to a ruleset that lists the automation login as a bypass actor, or lift them for the first `pulumi up`",
                    )
                )
    return findings
