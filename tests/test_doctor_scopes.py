"""`lzctl doctor`'s reading of a classic token's scopes (X-OAuth-Scopes: GitHub docs, "Scopes for OAuth apps")."""

from __future__ import annotations

import pytest

from lzctl.doctor.scopes import scope_findings

LOGIN = "acme-landing-zone-bot"
FIX = (
    'give the token of acme-landing-zone-bot the scopes repo, workflow, admin:org (docs/delivery.md, "The automation account"), '
    "use it as the stack's githubToken and in GITHUB_TOKEN, and run the doctor again"
)
NOTE = (
    "GitHub listed no scopes for GITHUB_TOKEN (no X-OAuth-Scopes on GET /user: a fine-grained or GitHub App token), so whether it may "
    'write workflow files could not be read: it needs the repository permission "Workflows: write" (a classic token needs the scopes '
    "repo, workflow and admin:org)"
)


@pytest.mark.parametrize(
    ("headers", "problem", "notes"),
    [
        ({"x-oauth-scopes": "admin:org, repo, workflow"}, None, []),
        ({"x-oauth-scopes": "workflow,repo,admin:org,gist"}, None, []),
        (
            {"x-oauth-scopes": "admin:org, repo"},
            "GITHUB_TOKEN is a classic token without the workflow scope (X-OAuth-Scopes: admin:org, repo): without workflow GitHub refuses "
            "the commits of the workflow files under .github/workflows",
            [],
        ),
        (
            # read:org and public_repo are narrower scopes: they do not stand for admin:org and repo.
            {"x-oauth-scopes": "public_repo, read:org, workflow"},
            "GITHUB_TOKEN is a classic token without the repo, admin:org scopes (X-OAuth-Scopes: public_repo, read:org, workflow): without "
            "repo GitHub refuses the program's repositories, branches, environments and rulesets; without admin:org GitHub refuses the "
            "program's teams and its read of the organisation's id",
            [],
        ),
        ({}, None, [NOTE]),
        ({"x-oauth-scopes": " "}, None, [NOTE]),
    ],
)
def test_a_classic_token_needs_repo_workflow_and_admin_org_and_a_token_without_scopes_is_a_note(headers, problem, notes):
    findings, noted = scope_findings(headers, LOGIN)
    assert [(f.problem, f.fix) for f in findings] == ([(problem, FIX)] if problem else [])
    assert noted == notes
