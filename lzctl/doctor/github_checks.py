"""The doctor's GitHub checks: each reads GitHub (the requests are named in its docstring) through `Live.github`
and judges with `repositories` (adopted repositories) or `subjects` (the OIDC subjects the trusts expect)."""

from __future__ import annotations

from typing import Callable, Optional, Protocol

from lzctl.doctor import verdicts
from lzctl.doctor.github import TOKEN_VARIABLE, GitHub, GitHubError
from lzctl.doctor.intent import Intent
from lzctl.doctor.repositories import Finding, branch_findings, environment_findings
from lzctl.doctor.scopes import scope_findings
from lzctl.doctor.subjects import subject_findings
from lzctl.doctor.verdicts import Outcome

ADOPTED = "the adopted repositories'"


class Live(Protocol):
    """What these checks read of `checks.Live`."""

    intent: Intent
    github: Optional[GitHub]


def _github_reads(live: Live, judge: Callable[[GitHub, str], tuple[list, list[str]]], what: str, sound: str, whose: str = ADOPTED) -> Outcome:
    """Runs `judge(github, owner)`, GitHub's refusals turned into a fail; skipped without an adopted repository when
    `whose` are the adopted repositories."""
    if whose == ADOPTED and not live.intent.adopted_repositories:
        return verdicts.skipped("no adopted repository (existing_repository, existing_infrastructure_repository)", "nothing to check")
    if live.github is None:
        return verdicts.skipped(
            f"{TOKEN_VARIABLE} is not set, so {whose} {what} were not read",
            f"run the doctor with {TOKEN_VARIABLE} set to the token of {live.intent.automation_login} (the stack's githubToken); it only reads",
        )
    try:
        findings, notes = judge(live.github, live.intent.github_owner)
    except GitHubError as err:
        fix = (
            "check that this machine reaches api.github.com (urllib reads a proxy from HTTPS_PROXY) and run the doctor again"
            if err.status is None
            else f"give {TOKEN_VARIABLE} the token of {live.intent.automation_login} (the stack's githubToken: repo, workflow and admin:org scopes, docs/delivery.md) and run the doctor again"
        )
        return verdicts.failed(f"{err}, so {whose} {what} could not be checked", fix)
    return verdicts.github_findings(findings, notes, sound)


def adopted_environments(live: Live) -> Outcome:
    """GitHub GET /repos/{owner}/{repo}/environments/{env} and .../deployment-branch-policies, for each environment
    the plan names a branch for in an adopted repository."""

    def judge(github: GitHub, owner: str):
        findings, notes = [], []
        for repository in live.intent.adopted_repositories:
            found, noted = environment_findings(github, owner, repository)
            findings += found
            notes += noted
        return findings, notes

    return _github_reads(
        live, judge, "environment branch policies", "no environment of an adopted repository lets a branch deploy that the config does not name"
    )


def adopted_branches(live: Live) -> Outcome:
    """GitHub GET /user (whose token, and a classic token's scopes: lzctl/doctor/scopes.py), /repos/{owner}/{repo},
    .../branches/{branch}, .../rules/branches/{branch}, .../rulesets/{id} and .../branches/{branch}/protection, for each
    branch the plan commits workflow files to."""

    def judge(github: GitHub, owner: str):
        user, headers = github.read("/user")
        login = user["login"]
        automation = live.intent.automation_login
        if login.lower() != automation.lower():
            return [
                Finding(
                    f"{TOKEN_VARIABLE} is the token of {login}, not of github.automation_login {automation}: whether the commits can bypass "
                    "the branches' rules is answered for the token's user",
                    f"run the doctor with {TOKEN_VARIABLE} set to the token of {automation} (the stack's githubToken)",
                )
            ], []
        findings, notes = scope_findings(headers, automation)
        findings += [f for repository in live.intent.adopted_repositories for f in branch_findings(github, owner, login, repository)]
        return findings, notes

    return _github_reads(live, judge, "branch rules", "the automation login can commit the workflow files to every branch of the adopted repositories")


def oidc_subjects(live: Live) -> Outcome:
    """GitHub GET /orgs/{org}, /orgs/{org}/actions/oidc/customization/sub and /repos/{owner}/{repo}/actions/oidc/customization/sub,
    for each repository the plan's roles trust, created and adopted (lzctl/doctor/subjects.py)."""
    if not live.intent.trusted_repositories:
        return verdicts.skipped("no role of the plan trusts a GitHub repository", "nothing to check")
    return _github_reads(
        live,
        lambda github, owner: subject_findings(github, owner, live.intent.trusted_repositories),
        "OIDC subjects",
        "every existing repository's tokens carry the sub its trusts expect",
        whose="the organisation's and repositories'",
    )
