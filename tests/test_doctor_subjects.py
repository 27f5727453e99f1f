"""`lzctl doctor`'s oidc-subjects check (b2a findings 6 and 7), against recorded answers shaped as GitHub documents
them: "REST API endpoints for organizations" (Get an organization: `login`), "REST API endpoints for GitHub Actions
OIDC" (the organisation's `include_claim_keys`; the repository's `use_default`, `include_claim_keys`) and the
repository answer's `use_immutable_subject` / `sub_claim_prefix` as repositories answer it (Azure/azure-dev#9430)."""

from __future__ import annotations

import pytest

from lzctl.doctor.github import GitHub
from lzctl.doctor.subjects import TrustedRepository, sent_form, subject_findings, trusted_repositories
from tests.helpers import RecordedGitHub, shared_run

OWNER, OWNER_ID = "acme-inc", 85447737
ORG = f"/orgs/{OWNER}"
ORG_TEMPLATE = f"{ORG}/actions/oidc/customization/sub"
NOT_FOUND = (404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"})
SHOP = TrustedRepository("shop", "immutable", True, "applications.shop.oidc_subject", "applications.shop.existing_repository")
BOOKING = TrustedRepository("booking", "immutable", False, "applications.booking.oidc_subject", "applications.booking.existing_repository")
LEGACY_SHOP = TrustedRepository("shop", "name", True, "applications.shop.oidc_subject", "applications.shop.existing_repository")


def template(name: str) -> str:
    return f"/repos/{OWNER}/{name}/actions/oidc/customization/sub"


def organization(login: str = OWNER) -> dict:
    """Get an organization's 200 body (the fields this check reads, and a few around them)."""
    return {"login": login, "id": OWNER_ID, "node_id": "O_kgDOBRrYeQ", "url": f"https://api.github.com/orgs/{login}", "name": "Acme, Inc."}


def repository_template(prefix: str, use_default: bool = True, keys=None, immutable: bool = False) -> dict:
    answer = {"use_default": use_default, "use_immutable_subject": immutable, "sub_claim_prefix": prefix}
    return answer | ({"include_claim_keys": keys} if keys is not None else {})


IMMUTABLE_SHOP = f"repo:{OWNER}@{OWNER_ID}/shop@671900844"


def judged(answers: dict, *repositories: TrustedRepository, owner: str = OWNER):
    findings, notes = subject_findings(GitHub(RecordedGitHub(answers)), owner, repositories)
    return [(f.problem, f.fix) for f in findings], notes


DEFAULT_ORG = {ORG: organization(), ORG_TEMPLATE: {"include_claim_keys": ["repo", "context"]}}


@pytest.mark.integration
def test_the_example_plan_names_each_trusted_repository_with_its_form_and_settings(config_dir):
    plan, errors = shared_run(config_dir(lambda data: data["applications"]["shop"].update(existing_repository=True, oidc_subject="name")))
    assert not errors
    settings = {"shop": ("applications.shop.oidc_subject", "applications.shop.existing_repository")}
    assert trusted_repositories(plan, settings) == (
        TrustedRepository("booking", "immutable", False, "the oidc_subject of booking", "the existing_repository of booking"),
        TrustedRepository("landing-zone", "immutable", False, "the oidc_subject of landing-zone", "the existing_repository of landing-zone"),
        LEGACY_SHOP,
    )


def test_default_templates_with_the_expected_forms_pass_and_say_which_form_each_sends():
    answers = DEFAULT_ORG | {template("shop"): repository_template(IMMUTABLE_SHOP), template("booking"): NOT_FOUND}
    assert judged(answers, SHOP, BOOKING) == (
        [],
        [
            f"shop sends the immutable subject ({IMMUTABLE_SHOP}), as its trusts expect",
            "booking does not exist yet: GitHub gives a repository it creates now the immutable subject",
        ],
    )


def test_an_owner_spelled_with_another_case_than_githubs_login_is_noted_since_trusts_and_rcp_take_the_login():
    answers = {"/orgs/Acme-Inc": organization(), "/orgs/Acme-Inc/actions/oidc/customization/sub": {}}
    assert judged(answers, owner="Acme-Inc") == (
        [],
        [
            "github.owner is Acme-Inc, GitHub's login of the organisation acme-inc: the tokens' sub carries the login and IAM compares "
            "case-sensitively, so the roles' trusts and the enforce-github-tenant RCP's subject patterns take it from GitHub at deploy; "
            "github.owner: acme-inc would make the config say what the trusts do"
        ],
    )


def test_a_missing_organisation_fails():
    assert judged({ORG: NOT_FOUND}, SHOP) == (
        [
            (
                "GitHub has no organisation acme-inc the token can see (GET /orgs/acme-inc answered 404)",
                "correct github.owner to the organisation's login, or give the token access to it",
            )
        ],
        [],
    )


def test_a_repository_template_with_its_own_claim_keys_fails_with_the_reset():
    answers = DEFAULT_ORG | {template("shop"): repository_template(IMMUTABLE_SHOP, use_default=False, keys=["repo", "context", "job_workflow_ref"])}
    assert judged(answers, SHOP) == (
        [
            (
                "shop's OIDC tokens carry a customised sub (its own template: include_claim_keys ['repo', 'context', 'job_workflow_ref']), not the "
                "repo:acme-inc@OWNER_ID/shop@REPO_ID:environment:ENV its trusts expect, so every deploy role would refuse them",
                "reset it to GitHub's default: `gh api -X PUT repos/acme-inc/shop/actions/oidc/customization/sub -F use_default=true`",
            )
        ],
        [],
    )


def test_the_organisation_template_fails_a_repository_that_opted_into_it_and_is_noted_for_one_not_yet_created():
    answers = {
        ORG: organization(),
        ORG_TEMPLATE: {"include_claim_keys": ["repository_owner", "repository_visibility"]},
        template("shop"): repository_template(IMMUTABLE_SHOP, use_default=False),
        template("booking"): NOT_FOUND,
    }
    findings, notes = judged(answers, SHOP, BOOKING)
    assert [problem for problem, _ in findings] == [
        "shop's OIDC tokens carry a customised sub (the organisation's template, which it opted into: include_claim_keys "
        "['repository_owner', 'repository_visibility']), not the repo:acme-inc@OWNER_ID/shop@REPO_ID:environment:ENV its trusts expect, "
        "so every deploy role would refuse them"
    ]
    assert notes == [
        "booking does not exist yet: GitHub gives a repository it creates now the immutable subject; the organisation's template "
        "['repository_owner', 'repository_visibility'] reaches it only if it opts in (use_default: false)"
    ]


def test_the_organisation_template_does_not_reach_a_repository_on_the_default():
    answers = {ORG: organization(), ORG_TEMPLATE: {"include_claim_keys": ["repository_owner"]}, template("shop"): repository_template(IMMUTABLE_SHOP)}
    assert judged(answers, SHOP)[0] == []


def test_an_adopted_repository_that_sends_the_name_form_fails_with_the_setting_that_says_so():
    answers = DEFAULT_ORG | {template("shop"): repository_template("repo:acme-inc/shop")}
    assert judged(answers, SHOP) == (
        [
            (
                "shop sends the name subject (repo:acme-inc/shop), but the plan's trusts expect the immutable form "
                "(repo:acme-inc@OWNER_ID/shop@REPO_ID), so every deploy role would refuse its tokens",
                "set applications.shop.oidc_subject: name",
            )
        ],
        [],
    )


def test_a_repository_configured_for_the_name_form_that_sends_the_immutable_one_fails():
    answers = DEFAULT_ORG | {template("shop"): repository_template(IMMUTABLE_SHOP)}
    assert judged(answers, LEGACY_SHOP)[0] == [
        (
            f"shop sends the immutable subject ({IMMUTABLE_SHOP}), but the plan's trusts expect the name form (repo:acme-inc/shop), "
            "so every deploy role would refuse its tokens",
            "remove applications.shop.oidc_subject (immutable is the default)",
        )
    ]


def test_a_repository_the_plan_creates_that_exists_with_the_name_form_fails_with_adoption():
    answers = DEFAULT_ORG | {template("booking"): repository_template("repo:acme-inc/booking")}
    assert judged(answers, BOOKING)[0][0][1] == (
        "the repository exists already: set applications.booking.existing_repository: true and applications.booking.oidc_subject: name"
    )


def test_an_adopted_repository_that_is_not_found_fails():
    assert judged(DEFAULT_ORG | {template("shop"): NOT_FOUND}, SHOP)[0] == [
        (
            "adopted repository acme-inc/shop was not found (its OIDC customization answered 404)",
            "create it, or give the token access to it (repo scope), or remove applications.shop.existing_repository",
        )
    ]


@pytest.mark.parametrize(
    "answer, form",
    [
        # The prefix wins over the boolean: repositories answer false with an immutable prefix (Azure/azure-dev#9430).
        ({"use_default": True, "use_immutable_subject": False, "sub_claim_prefix": IMMUTABLE_SHOP}, "immutable"),
        ({"use_default": True, "use_immutable_subject": False, "sub_claim_prefix": "repo:acme-inc/shop"}, "name"),
        ({"use_default": True, "use_immutable_subject": True}, "immutable"),
        ({"use_default": True}, None),
        ({"use_default": True, "sub_claim_prefix": "repo:acme-inc@1/shop"}, None),
    ],
)
def test_the_sent_form_is_read_from_the_prefix_first(answer, form):
    assert sent_form(answer) == form


def test_an_answer_that_does_not_say_the_form_is_a_note():
    answers = DEFAULT_ORG | {template("shop"): {"use_default": True}}
    assert judged(answers, SHOP) == (
        [],
        ["shop: GitHub's answer (no sub_claim_prefix) does not say which subject form it sends; its trusts expect the immutable form"],
    )


def test_the_expected_subject_names_githubs_login_as_the_trusts_do():
    answers = {
        "/orgs/Acme-Inc": organization(),
        "/orgs/Acme-Inc/actions/oidc/customization/sub": {},
        "/repos/Acme-Inc/shop/actions/oidc/customization/sub": repository_template("repo:acme-inc/shop"),
    }
    findings, _ = judged(answers, SHOP, owner="Acme-Inc")
    assert [problem for problem, _ in findings] == (
        [
            "shop sends the name subject (repo:acme-inc/shop), but the plan's trusts expect the immutable form "
            "(repo:acme-inc@OWNER_ID/shop@REPO_ID), so every deploy role would refuse its tokens"
        ]
    )
