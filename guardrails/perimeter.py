"""The tenants a data perimeter trusts on multi-tenant OIDC issuers: the subject patterns of the RCPs.

GitHub and Pulumi each issue tokens for all their customers from one issuer, so a role trusting the
issuer trusts every tenant unless its policy checks the subject; the RCP templates
`enforce-github-tenant` and `enforce-pulumi-tenant` deny `sts:AssumeRoleWithWebIdentity` to any
other tenant's token, whatever a role's trust says (aws-samples/resource-control-policy-examples,
Limit-access-to-trusted-OIDC-identity-providers, read 2026-12).
"""

from __future__ import annotations


def github_subjects(owner: str, owner_id: str) -> tuple[str, ...]:
    """`sub` patterns of the owner's repositories: the name-only form `repo:OWNER/REPO:...`, and the
    immutable form `repo:OWNER@OWNER_ID/REPO@REPO_ID:...` that repositories created or renamed on or
    after 2026-07-15 get (GitHub docs, "OpenID Connect", "Immutable subject claims",
    github/docs#45221; the changelog of 2026-04-23 showed a `-` form that section superseded). GitHub names
    cannot hold `/` or `@`, so neither pattern matches another owner whose name merely starts with
    this one.

    `owner_id` (the numeric id, or a slot for it) pins the immutable form: someone who registers the
    owner's name after it is released gets another id, so their repositories' immutable subjects
    are refused. The name form cannot be pinned (it carries no id); it stays for repositories older
    than 2026-07-15 that have not opted in, and it is the way through if GitHub lets a new
    repository switch back to it (the repository setting `use_immutable_subject`; not documented)."""
    return (f"repo:{owner}/*", f"repo:{owner}@{owner_id}/*")


def pulumi_subjects(organization: str) -> tuple[str, ...]:
    """`sub` pattern of the Pulumi Cloud organisation's tokens, `pulumi:<kind>:org:<org>:...`
    (Deployments: `pulumi:deploy:org:ORG:project:...`; the AWS example's pattern, which keeps ESC's
    `pulumi:environments:org:ORG:...` too). Pulumi names cannot hold `:`, so `:org:ORG:` cannot
    be forged inside another organisation's project or stack name."""
    return (f"pulumi:*:org:{organization}:*",)
