"""Whether a classic `GITHUB_TOKEN` carries the scopes the program's GitHub token (`githubToken`) needs.

GitHub sends a classic token's scopes in the `X-OAuth-Scopes` response header (GitHub docs, "Scopes for OAuth apps",
"Checking scopes"); fine-grained tokens and GitHub App tokens send none, since they carry permissions instead, which
no REST answer lists.
"""

from __future__ import annotations

from typing import Mapping

from lzctl.doctor.github import TOKEN_VARIABLE
from lzctl.doctor.repositories import Finding

SCOPES_HEADER = "x-oauth-scopes"
REQUIRED_SCOPES = {
    "repo": "GitHub refuses the program's repositories, branches, environments and rulesets",
    "workflow": "GitHub refuses the commits of the workflow files under .github/workflows",
    "admin:org": "GitHub refuses the program's teams and its read of the organisation's id",
}
"""The scopes docs/delivery.md ("The automation account") asks of `githubToken`, with what fails without each
(GitHub docs, "Scopes for OAuth apps": `workflow` "Grants the ability to add and update GitHub Actions workflow
files"; `repo` "Grants full access to public and private repositories"; `admin:org` "Fully manage the organization and
its teams"). Checked 2026-12-02."""


def scope_findings(headers: Mapping[str, str], automation_login: str) -> tuple[list[Finding], list[str]]:
    """(what fails, notes) of the token whose GET /user answered with `headers` (lower-case names)."""
    listed = headers.get(SCOPES_HEADER, "").strip()
    if not listed:
        # An empty header is what a classic token without any scope sends too; it cannot be told from an App token.
        return [], [
            f"GitHub listed no scopes for {TOKEN_VARIABLE} (no X-OAuth-Scopes on GET /user: a fine-grained or GitHub App token), "
            'so whether it may write workflow files could not be read: it needs the repository permission "Workflows: write" '
            "(a classic token needs the scopes repo, workflow and admin:org)"
        ]
    scopes = {scope.strip() for scope in listed.split(",")}
    missing = [scope for scope in REQUIRED_SCOPES if scope not in scopes]
    if not missing:
        return [], []
    return [
        Finding(
            f"{TOKEN_VARIABLE} is a classic token without the {', '.join(missing)} scope{'s' if len(missing) > 1 else ''} "
            f"(X-OAuth-Scopes: {listed}): without {'; without '.join(f'{s} {REQUIRED_SCOPES[s]}' for s in missing)}",
            f'give the token of {automation_login} the scopes {", ".join(REQUIRED_SCOPES)} (docs/delivery.md, "The automation account"), '
            f"use it as the stack's githubToken and in {TOKEN_VARIABLE}, and run the doctor again",
        )
    ], []
