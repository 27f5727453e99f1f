"""The `sub` GitHub's OIDC tokens will carry, next to the one the plan's trusts expect.

Every GitHub trust of the plan is `StringEquals` on one exact `sub` (delivery/policies.py), so two things
GitHub holds, and the config cannot say, make every deploy role refuse:

- a subject claim customisation template: `include_claim_keys` replaces the default `repo:...:<context>`
  `sub` with the listed claims (GitHub docs, "OpenID Connect" (security hardening), "Customizing the subject
  claims for an organization or repository"). A repository's own template applies when its `use_default` is false and
  it lists keys; with `use_default` false and no keys it takes the organisation's; `use_default: true` is
  GitHub's default (pulumi_github ActionsRepositoryOidcSubjectClaimCustomizationTemplate, its `use_default`
  table). The organisation's template reaches a repository, new ones included, only once that repository
  opts in (same docs section, the note under "Customizing the subject claims"). `["repo", "context"]` is
  the default format (same section, "Resetting your customizations").
- the form: repositories created or renamed on or after 2026-07-15 send the immutable
  `repo:OWNER@OWNER_ID/REPO@REPO_ID:...`, older ones `repo:OWNER/REPO:...` until they opt in (GitHub docs,
  "OpenID Connect", "Immutable subject claims", github/docs#45221). The repository's GET answers `sub_claim_prefix`,
  the prefix its tokens carry; `use_immutable_subject` is not a reliable guide (repositories report `false`
  with an immutable prefix: Azure/azure-dev#9430 reads the prefix for that reason). Neither field is in the
  REST reference's schema of the answer (checked 2026-12-02), so the prefix is read when present and the
  boolean only when it is absent.

And the owner: the `sub` carries GitHub's login as GitHub spells it, and IAM's string operators compare
case-sensitively (IAM user guide, "IAM JSON policy elements: Condition operators", "String condition operators").
The roles' trusts and the GitHub tenant RCP's patterns take the login from the organisation lookup at deploy
(stacks/delivery.py, the `<github-owner>` slot of guardrails/policies.py), so another case in `github.owner` is only
noted (`GET /orgs/{org}` answers `login`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Mapping, Optional

from delivery.policies import GITHUB_OIDC_HOST, parse_github_subject
from lzctl.doctor.github import GitHub, segment
from lzctl.doctor.repositories import REPOSITORY, Finding
from lzctl.runtime import Plan

ROLE = "aws:iam/role:Role"
DEFAULT_CLAIM_KEYS = ("repo", "context")
"""The template of GitHub's default `sub` (GitHub docs, "Resetting your customizations")."""
_PREFIX = {"immutable": "repo:{owner}@OWNER_ID/{repository}@REPO_ID", "name": "repo:{owner}/{repository}"}


@dataclass(frozen=True)
class TrustedRepository:
    """A repository whose jobs the plan's roles trust, with the `sub` form those trusts expect."""

    name: str
    form: str
    """`immutable` or `name` (delivery.policies.SUBJECT_FORMS), as the plan's trust subjects spell it."""
    adopted: bool
    """The plan imports the repository (it exists); else it creates it."""
    form_setting: str
    """The config field that says the repository's form (`applications.shop.oidc_subject`)."""
    adopt_setting: str
    """The config field that adopts it (`applications.shop.existing_repository`)."""


def _trusted_subjects(policy: object) -> list[str]:
    document = json.loads(policy) if isinstance(policy, str) else policy
    if not isinstance(document, dict):
        return []
    statements = document.get("Statement", [])
    subjects = []
    for statement in statements if isinstance(statements, list) else [statements]:
        value = (statement.get("Condition", {}).get("StringEquals", {}) or {}).get(f"{GITHUB_OIDC_HOST}:sub")
        subjects += value if isinstance(value, list) else [value] if value else []
    return subjects


def trusted_repositories(plan: Plan, settings: Mapping[str, tuple[str, str]]) -> tuple[TrustedRepository, ...]:
    """The repositories the plan's GitHub trusts name (role `assumeRolePolicy` inputs), one per name; `settings`:
    repository -> (its form's config field, its adoption's config field)."""
    forms: dict[str, set[str]] = {}
    for role in plan.of_type(ROLE):
        for subject in map(parse_github_subject, _trusted_subjects(role.inputs.get("assumeRolePolicy"))):
            if subject is not None:
                forms.setdefault(subject.repository, set()).add(subject.form)
    adopted = {r.inputs["name"] for r in plan.of_type(REPOSITORY) if r.import_id}
    found = []
    for name in sorted(forms):
        # One repository's trusts share its one form (config/delivery_checks.py builds them from one setting).
        form_setting, adopt_setting = settings.get(name, (f"the oidc_subject of {name}", f"the existing_repository of {name}"))
        found.append(TrustedRepository(name, sorted(forms[name])[0], name in adopted, form_setting, adopt_setting))
    return tuple(found)


def sent_form(answer: Mapping) -> Optional[str]:
    """The form a repository's tokens carry, from its `GET .../actions/oidc/customization/sub`; None when it does not say."""
    prefix = answer.get("sub_claim_prefix")
    if isinstance(prefix, str) and prefix:
        subject = parse_github_subject(f"{prefix}:environment:x")
        return subject.form if subject is not None else None
    return "immutable" if answer.get("use_immutable_subject") is True else None


def _customised(keys) -> bool:
    return bool(keys) and tuple(keys) != DEFAULT_CLAIM_KEYS


def subject_findings(github: GitHub, owner: str, repositories: tuple[TrustedRepository, ...]) -> tuple[list[Finding], list[str]]:
    """(what makes the trusts refuse, notes): GitHub GET /orgs/{org}, /orgs/{org}/actions/oidc/customization/sub and
    /repos/{owner}/{repo}/actions/oidc/customization/sub for each repository the plan's trusts name."""
    organization = github.find(f"/orgs/{segment(owner)}")
    if organization is None:
        return [
            Finding(
                f"GitHub has no organisation {owner} the token can see (GET /orgs/{owner} answered 404)",
                "correct github.owner to the organisation's login, or give the token access to it",
            )
        ], []
    findings, notes = [], []
    login = organization["login"]
    if login != owner:
        # Not a failure: the trusts and the enforce-github-tenant RCP both take the login from the organisation lookup.
        notes.append(
            f"github.owner is {owner}, GitHub's login of the organisation {login}: the tokens' sub carries the login and IAM compares "
            "case-sensitively, so the roles' trusts and the enforce-github-tenant RCP's subject patterns take it from GitHub at deploy; "
            f"github.owner: {login} would make the config say what the trusts do"
        )
    org_keys = (github.find(f"/orgs/{segment(owner)}/actions/oidc/customization/sub") or {}).get("include_claim_keys")
    for repository in repositories:
        answer = github.find(f"/repos/{segment(owner)}/{segment(repository.name)}/actions/oidc/customization/sub")
        if answer is None:
            if repository.adopted:
                findings.append(
                    Finding(
                        f"adopted repository {owner}/{repository.name} was not found (its OIDC customization answered 404)",
                        f"create it, or give the token access to it (repo scope), or remove {repository.adopt_setting}",
                    )
                )
            else:
                opt_in = f"; the organisation's template {list(org_keys)} reaches it only if it opts in (use_default: false)" if _customised(org_keys) else ""
                notes.append(f"{repository.name} does not exist yet: GitHub gives a repository it creates now the immutable subject{opt_in}")
            continue
        keys, where = (None, "") if answer.get("use_default", True) else (answer.get("include_claim_keys"), "its own template")
        if not answer.get("use_default", True) and not keys:
            keys, where = org_keys, "the organisation's template, which it opted into"
        expected = _PREFIX[repository.form].format(owner=login, repository=repository.name)
        if _customised(keys):
            findings.append(
                Finding(
                    f"{repository.name}'s OIDC tokens carry a customised sub ({where}: include_claim_keys {list(keys)}), not the {expected}:environment:ENV "
                    "its trusts expect, so every deploy role would refuse them",
                    f"reset it to GitHub's default: `gh api -X PUT repos/{owner}/{repository.name}/actions/oidc/customization/sub -F use_default=true`",
                )
            )
            continue
        sent = sent_form(answer)
        prefix = answer.get("sub_claim_prefix") or "no sub_claim_prefix"
        if sent is None:
            notes.append(
                f"{repository.name}: GitHub's answer ({prefix}) does not say which subject form it sends; its trusts expect the {repository.form} form"
            )
        elif sent != repository.form:
            fix = f"set {repository.form_setting}: {sent}" if sent == "name" else f"remove {repository.form_setting} (immutable is the default)"
            if not repository.adopted:
                fix = f"the repository exists already: set {repository.adopt_setting}: true and {fix.removeprefix('set ')}"
            findings.append(
                Finding(
                    f"{repository.name} sends the {sent} subject ({prefix}), but the plan's trusts expect the {repository.form} form ({expected}), "
                    "so every deploy role would refuse its tokens",
                    fix,
                )
            )
        else:
            notes.append(f"{repository.name} sends the {sent} subject ({prefix}), as its trusts expect")
    return findings, notes
