"""`lzctl doctor`'s GitHub checks of adopted repositories (c1a findings 4 and 2), against recorded answers shaped
as GitHub's REST docs give them: "REST API endpoints for deployment environments", "... for deployment branch
policies", "... for rules" and "... for protected branches"."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest

from lzctl.doctor import github_checks as checks
from lzctl.doctor.github import GitHub, GitHubError, from_environment, urllib_transport
from lzctl.doctor.repositories import AdoptedRepository, adopted_repositories, branch_findings, classic_protection, environment_findings
from tests.doctor_fixtures import doctor_run, statuses
from tests.helpers import OTHER, RecordedGitHub, moto_session, shared_run

OWNER, LOGIN = "acme-inc", "acme-landing-zone-bot"
SHOP = AdoptedRepository("shop", {"dev": "develop", "prod": "main"}, ("main", "develop"))
ENVS = "/repos/acme-inc/shop/environments"
REPO = "/repos/acme-inc/shop"
PAGE = "?per_page=100&page=1"
CUSTOM = {"protected_branches": False, "custom_branch_policies": True}


def environment(name: str, policy) -> dict:
    """Get an environment's 200 body (its fields as the docs list them)."""
    return {
        "id": 161088068,
        "node_id": "MDExOkVudmlyb25tZW50MTYxMDg4MDY4",
        "name": name,
        "url": f"https://api.github.com{ENVS}/{name}",
        "deployment_branch_policy": policy,
    }


def policies(*listed: tuple[int, str, str]) -> dict:
    """List deployment branch policies' 200 body."""
    return {
        "total_count": len(listed),
        "branch_policies": [{"id": i, "node_id": f"MDE2OkdhdGVCcmFuY2hQb2xpY3k{i}", "name": n, "type": t} for i, n, t in listed],
    }


NOT_FOUND = (404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"})


def github(answers: dict) -> GitHub:
    return GitHub(RecordedGitHub(answers))


@pytest.mark.integration
def test_the_plan_names_the_adopted_repository_with_its_environments_branches_and_commit_branches(adopting):
    _, plan = adopting
    assert adopted_repositories(plan) == (
        AdoptedRepository("shop", {"dev": "develop", "notify": "main", "prod": "main", "stg": "staging"}, ("develop", "main", "staging")),
    )


@pytest.mark.integration
def test_the_adopted_infrastructure_repository_names_its_stack_environments_and_the_preview_one_without_a_branch(config_dir):
    plan, errors = shared_run(config_dir(lambda data: data["github"].update(existing_infrastructure_repository=True)))
    assert not errors
    assert adopted_repositories(plan) == (
        AdoptedRepository("landing-zone", {"audit": "main", "log": "main", "management": "main", "preview": None}, ("main",)),
    )


def test_environments_that_do_not_exist_or_name_only_the_configs_branch_pass():
    answers = {
        REPO: repository(admin=False),
        f"{ENVS}/dev": NOT_FOUND,
        f"{ENVS}/prod": environment("prod", CUSTOM),
        f"{ENVS}/prod/deployment-branch-policies{PAGE}": policies((361471, "main", "branch")),
    }
    findings, notes = environment_findings(github(answers), OWNER, SHOP)
    assert findings == []
    assert notes == [
        "acme-inc/shop environment prod has a branch policy for main already (id 361471): if `pulumi up` is refused creating the same one, "
        "delete it (`gh api -X DELETE repos/acme-inc/shop/environments/prod/deployment-branch-policies/361471`)"
    ]


def test_a_branch_or_tag_policy_the_config_does_not_name_fails_with_the_delete_that_removes_it():
    answers = {
        REPO: repository(admin=False),
        f"{ENVS}/dev": environment("dev", CUSTOM),
        f"{ENVS}/dev/deployment-branch-policies{PAGE}": policies((11, "develop", "branch"), (12, "*", "branch"), (13, "v*", "tag")),
        f"{ENVS}/prod": environment("prod", None),
    }
    findings, notes = environment_findings(github(answers), OWNER, SHOP)
    assert [(f.problem, f.fix) for f in findings] == [
        (
            "acme-inc/shop environment dev lets branch pattern '*' deploy (policy id 12), which the config does not name: the program adds develop "
            "and keeps it, so those refs could run jobs that read the environment's secrets and assume its deploy role",
            "delete it: `gh api -X DELETE repos/acme-inc/shop/environments/dev/deployment-branch-policies/12`",
        ),
        (
            "acme-inc/shop environment dev lets tag pattern 'v*' deploy (policy id 13), which the config does not name: the program adds develop "
            "and keeps it, so those refs could run jobs that read the environment's secrets and assume its deploy role",
            "delete it: `gh api -X DELETE repos/acme-inc/shop/environments/dev/deployment-branch-policies/13`",
        ),
    ]
    assert notes[1:] == ["acme-inc/shop environment prod lets every branch deploy today; the first `pulumi up` limits it to main"]
    assert notes[0].startswith("acme-inc/shop environment dev has a branch policy for develop already (id 11)")


def test_policies_are_read_page_by_page():
    first = policies(*((i, f"release/{i}", "branch") for i in range(100)))
    answers = {
        REPO: repository(admin=False),
        f"{ENVS}/prod": environment("prod", CUSTOM),
        f"{ENVS}/prod/deployment-branch-policies{PAGE}": first,
        f"{ENVS}/prod/deployment-branch-policies?per_page=100&page=2": policies((100, "main", "branch")),
    }
    findings, _ = environment_findings(github(answers), OWNER, AdoptedRepository("shop", {"prod": "main"}, ()))
    assert len(findings) == 100 and "'release/99'" in findings[-1].problem


def rule(kind: str, ruleset_id: int, source_type: str = "Repository", source: str = "acme-inc/shop") -> dict:
    """One item of Get rules for a branch."""
    return {"type": kind, "ruleset_source_type": source_type, "ruleset_source": source, "ruleset_id": ruleset_id}


def ruleset(ruleset_id: int, name: str, can: str, source_type: str = "Repository", source: str = "acme-inc/shop") -> dict:
    """Get a repository ruleset's 200 body, as the repository-level endpoint gives it."""
    return {
        "id": ruleset_id,
        "name": name,
        "target": "branch",
        "source_type": source_type,
        "source": source,
        "enforcement": "active",
        "current_user_can_bypass": can,
        "conditions": {"ref_name": {"include": ["~DEFAULT_BRANCH"], "exclude": []}},
        "rules": [],
    }


def branch(name: str, protected: bool) -> dict:
    return {"name": name, "commit": {"sha": "7fd1a60b01f91b314f59955a4e4d4e80d8edf11d"}, "protected": protected}


def repository(admin: bool) -> dict:
    return {
        "id": 1296269,
        "name": "shop",
        "full_name": "acme-inc/shop",
        "permissions": {"admin": admin, "maintain": admin, "push": True, "triage": True, "pull": True},
    }


ONE_BRANCH = AdoptedRepository("shop", {"prod": "main"}, ("main",))


def test_rules_a_fast_forward_commit_does_not_meet_or_the_login_bypasses_pass():
    answers = {
        REPO: repository(admin=True),
        f"{REPO}/branches/main": branch("main", protected=False),
        f"{REPO}/rules/branches/main{PAGE}": [rule("deletion", 1), rule("non_fast_forward", 1), rule("copilot_code_review", 3), rule("pull_request", 2)],
        f"{REPO}/rulesets/2": ruleset(2, "release", "always"),
    }
    assert branch_findings(github(answers), OWNER, LOGIN, ONE_BRANCH) == []


def test_an_organisation_ruleset_the_login_cannot_bypass_fails():
    answers = {
        REPO: repository(admin=True),
        f"{REPO}/branches/main": branch("main", protected=False),
        f"{REPO}/rules/branches/main{PAGE}": [
            rule("pull_request", 7, "Organization", "acme-inc"),
            rule("required_status_checks", 7, "Organization", "acme-inc"),
        ],
        f"{REPO}/rulesets/7": ruleset(7, "protect-main", "pull_requests_only", "Organization", "acme-inc"),
    }
    [finding] = branch_findings(github(answers), OWNER, LOGIN, ONE_BRANCH)
    assert finding.problem == (
        "acme-inc/shop branch main: ruleset 'protect-main' (id 7, organization acme-inc) requires pull_request, required_status_checks, "
        "and acme-landing-zone-bot cannot bypass it (current_user_can_bypass: pull_requests_only), so the commit of the workflow files is refused"
    )
    assert finding.fix == (
        "add acme-landing-zone-bot to its bypass list with 'Always allow' (the ruleset's settings, Bypass list), or lift it for the first `pulumi up`"
    )


def test_a_missing_branch_fails():
    answers = {REPO: repository(admin=True), f"{REPO}/branches/main": NOT_FOUND}
    [finding] = branch_findings(github(answers), OWNER, LOGIN, ONE_BRANCH)
    assert finding.problem == (
        "acme-inc/shop branch main does not exist: the program commits its workflow files there and creates no branch in an adopted repository"
    )


def test_a_login_that_is_not_an_administrator_fails_as_it_cannot_create_the_programs_rulesets():
    answers = {REPO: repository(admin=False), f"{REPO}/branches/main": branch("main", protected=False), f"{REPO}/rules/branches/main{PAGE}": []}
    assert [(f.problem, f.fix) for f in branch_findings(github(answers), OWNER, LOGIN, ONE_BRANCH)] == [
        (
            "acme-inc/shop: acme-landing-zone-bot is not an administrator of the repository, and the program creates its rulesets there, which GitHub "
            "lets administrators do (or a custom role that may edit repository rules)",
            "make acme-landing-zone-bot an administrator of acme-inc/shop (or an owner of acme-inc)",
        )
    ]


PROTECTION = {
    "url": "https://api.github.com/repos/acme-inc/shop/branches/main/protection",
    "required_status_checks": {"strict": True, "contexts": ["build"], "checks": [{"context": "build", "app_id": None}]},
    "required_pull_request_reviews": {"dismiss_stale_reviews": True, "required_approving_review_count": 1},
    "enforce_admins": {"enabled": True},
    "required_signatures": {"enabled": False},
    "lock_branch": {"enabled": False},
}


@pytest.mark.parametrize(
    "protection, admin, held",
    [
        (
            PROTECTION,
            True,
            "it requires pull request reviews, status checks, and 'Do not allow bypassing the above settings' holds administrators such as acme-landing-zone-bot too",
        ),
        ({**PROTECTION, "enforce_admins": {"enabled": False}}, True, None),
        (
            {**PROTECTION, "enforce_admins": {"enabled": False}},
            False,
            "it requires pull request reviews, status checks, and acme-landing-zone-bot is not an administrator of the repository",
        ),
        ({"enforce_admins": {"enabled": False}, "restrictions": {"users": [{"login": "Acme-Landing-Zone-Bot"}], "teams": [], "apps": []}}, False, None),
        (
            {"enforce_admins": {"enabled": False}, "restrictions": {"users": [], "teams": [{"slug": "release"}], "apps": []}},
            False,
            "it requires push restrictions that do not list acme-landing-zone-bot (a team or app listed there may include it), and acme-landing-zone-bot is "
            "not an administrator of the repository",
        ),
        ({**PROTECTION, "enforce_admins": {"enabled": False}, "lock_branch": {"enabled": True}}, True, "the branch is locked: nobody can push to it"),
        ({"enforce_admins": {"enabled": True}, "required_linear_history": {"enabled": True}}, True, None),
    ],
    ids=["admins enforced", "admin exempt", "not an admin", "listed pusher", "pusher unlisted", "locked", "linear history only"],
)
def test_classic_protection_holds_the_commit_unless_an_administrator_is_exempt(protection, admin, held):
    assert classic_protection(protection, LOGIN, admin) == held


def test_classic_protection_of_a_protected_branch_is_read_and_reported():
    answers = {
        REPO: repository(admin=True),
        f"{REPO}/branches/main": branch("main", protected=True),
        f"{REPO}/rules/branches/main{PAGE}": [],
        f"{REPO}/branches/main/protection": PROTECTION,
    }
    [finding] = branch_findings(github(answers), OWNER, LOGIN, ONE_BRANCH)
    assert finding.problem.startswith("acme-inc/shop branch main: classic branch protection holds the commit of the workflow files: it requires pull request")


def live(github_client, repositories=(ONE_BRANCH,)):
    intent = SimpleNamespace(adopted_repositories=repositories, github_owner=OWNER, automation_login=LOGIN)
    return SimpleNamespace(intent=intent, github=github_client)


def test_without_an_adopted_repository_or_a_token_the_checks_are_skipped_saying_how_to_run_them():
    assert checks.adopted_environments(live(None, ())).status == "skip"
    outcome = checks.adopted_branches(live(None))
    assert (outcome.status, outcome.finding, outcome.advice) == (
        "skip",
        "GITHUB_TOKEN is not set, so the adopted repositories' branch rules were not read",
        "run the doctor with GITHUB_TOKEN set to the token of acme-landing-zone-bot (the stack's githubToken); it only reads",
    )
    assert from_environment({}) is None and isinstance(from_environment({"GITHUB_TOKEN": "ghp_x"}), GitHub)


def test_the_branch_rules_are_judged_for_the_automation_login_only():
    outcome = checks.adopted_branches(live(github({"/user": {"login": "alice"}})))
    assert outcome.status == "fail"
    assert outcome.finding.startswith("GITHUB_TOKEN is the token of alice, not of github.automation_login acme-landing-zone-bot")


BRANCH_ANSWERS = {REPO: repository(admin=True), f"{REPO}/branches/main": branch("main", protected=False), f"{REPO}/rules/branches/main{PAGE}": []}


def test_a_classic_token_without_the_workflow_scope_fails_the_branch_check_and_one_without_scopes_is_a_note():
    user = (200, {"login": LOGIN}, {"x-oauth-scopes": "admin:org, repo"})
    outcome = checks.adopted_branches(live(github({"/user": user, **BRANCH_ANSWERS})))
    assert (outcome.status, outcome.finding) == (
        "fail",
        "GITHUB_TOKEN is a classic token without the workflow scope (X-OAuth-Scopes: admin:org, repo): without workflow GitHub refuses the "
        "commits of the workflow files under .github/workflows",
    )
    assert outcome.advice.startswith("give the token of acme-landing-zone-bot the scopes repo, workflow, admin:org")
    outcome = checks.adopted_branches(live(github({"/user": {"login": LOGIN}, **BRANCH_ANSWERS})))
    assert (outcome.status, outcome.finding) == (
        "pass",
        "the automation login can commit the workflow files to every branch of the adopted repositories",
    )
    assert outcome.advice.startswith("GitHub listed no scopes for GITHUB_TOKEN (no X-OAuth-Scopes on GET /user")


def test_a_refused_read_fails_the_check_naming_the_request_and_the_token_to_use():
    outcome = checks.adopted_environments(live(github({REPO: (401, {"message": "Bad credentials"})})))
    assert (outcome.status, outcome.finding) == (
        "fail",
        f"GitHub answered 401 to GET {REPO}: Bad credentials, so the adopted repositories' environment branch policies could not be checked",
    )
    assert outcome.advice == (
        "give GITHUB_TOKEN the token of acme-landing-zone-bot (the stack's githubToken: repo, workflow and admin:org scopes, docs/delivery.md) "
        "and run the doctor again"
    )


def test_a_repository_the_token_cannot_see_fails_the_environments_check_rather_than_passing_it():
    # Every environment of a hidden repository answers 404, as an environment the program will create does.
    outcome = checks.adopted_environments(live(github({REPO: NOT_FOUND, f"{ENVS}/prod": NOT_FOUND})))
    assert (outcome.status, outcome.finding) == (
        "fail",
        f"GitHub answered 404 to GET {REPO}: Not Found, so the adopted repositories' environment branch policies could not be checked",
    )


def test_the_client_raises_what_github_answered():
    with pytest.raises(GitHubError, match="GitHub answered 403 to GET /user: Resource not accessible by integration"):
        github({"/user": (403, {"message": "Resource not accessible by integration"})}).get("/user")


def test_names_are_one_path_segment_each():
    answers = {REPO: repository(admin=False), f"{ENVS}/prod%2Feu": NOT_FOUND}
    assert environment_findings(github(answers), OWNER, AdoptedRepository("shop", {"prod/eu": "main"}, ())) == ([], [])


@pytest.fixture
def adopting(config_dir):
    data_dir = config_dir(lambda data: data["applications"]["shop"].update(existing_repository=True))
    plan, errors = shared_run(data_dir)
    assert not errors
    return data_dir, plan


def _answers_for_the_example(star_on_dev: bool) -> dict:
    answers = {"/user": (200, {"login": LOGIN}, {"x-oauth-scopes": "admin:org, repo, workflow"}), REPO: repository(admin=True)}
    for env, wanted in (("dev", "develop"), ("notify", "main"), ("prod", "main"), ("stg", "staging")):
        answers[f"{ENVS}/{env}"] = environment(env, CUSTOM)
        listed = [(1, wanted, "branch")] + ([(2, "*", "branch")] if star_on_dev and env == "dev" else [])
        answers[f"{ENVS}/{env}/deployment-branch-policies{PAGE}"] = policies(*listed)
    for name in ("main", "develop", "staging"):
        answers[f"{REPO}/branches/{name}"] = branch(name, protected=False)
        answers[f"{REPO}/rules/branches/{name}{PAGE}"] = []
    # The oidc-subjects check (tests/test_doctor_subjects.py): shop sends the immutable form; the others do not exist yet.
    answers |= {
        "/orgs/acme-inc": {"login": OWNER, "id": 85447737},
        "/orgs/acme-inc/actions/oidc/customization/sub": {"include_claim_keys": ["repo", "context"]},
    }
    answers[f"{REPO}/actions/oidc/customization/sub"] = {"use_default": True, "sub_claim_prefix": "repo:acme-inc@85447737/shop@671900844"}
    for name in ("booking", "landing-zone"):
        answers[f"/repos/acme-inc/{name}/actions/oidc/customization/sub"] = NOT_FOUND
    return answers


@pytest.mark.integration
@pytest.mark.parametrize("star", [False, True])
def test_doctor_runs_the_github_checks_of_the_example_adopting_shop(world, adopting, capsys, star):
    data_dir, plan = adopting
    world.stub("service_quotas").add_client_error(
        "list_service_quotas", "NoSuchResourceException", "no organisation", 400, expected_params={"ServiceCode": "organizations"}
    )
    world.stub("service_quotas").add_response(
        "list_aws_default_service_quotas",
        {"Quotas": [{"ServiceCode": "organizations", "QuotaCode": "L-29A0C5DF", "QuotaName": "Default maximum number of accounts", "Value": 10.0}]},
        {"ServiceCode": "organizations"},
    )
    world.stub("chatbot").add_response("describe_slack_workspaces", {"SlackWorkspaces": [{"SlackTeamId": "T0ACME1234", "SlackTeamName": "acme-inc"}]}, {})
    client = github(_answers_for_the_example(star))
    code, out, err = doctor_run(capsys, world, plan, data_dir, "--json", github=client)
    document = json.loads(out)
    by_id = {c["id"]: c for c in document["checks"]}
    assert (by_id["adopted-branches"]["status"], by_id["adopted-branches"]["note"]) == ("pass", None)
    assert by_id["oidc-subjects"]["status"] == "pass"
    assert "GET /user" in document["githubRequests"]
    if not star:
        assert (code, by_id["adopted-environments"]["status"]) == (0, "pass")
        return
    assert (code, by_id["adopted-environments"]["status"]) == (4, "fail")
    assert by_id["adopted-environments"]["finding"].startswith("acme-inc/shop environment dev lets branch pattern '*' deploy (policy id 2)")
    assert by_id["adopted-environments"]["fix"] == "delete it: `gh api -X DELETE repos/acme-inc/shop/environments/dev/deployment-branch-policies/2`"


@pytest.mark.integration
def test_a_profile_of_another_account_skips_the_aws_checks_but_the_github_checks_still_run(world, adopting, capsys):
    data_dir, plan = adopting
    client = github(_answers_for_the_example(star_on_dev=True))
    sessions = world.sessions(account_session=moto_session(OTHER))
    code, out, _ = doctor_run(capsys, world, plan, data_dir, sessions=sessions, github=client)
    found = statuses(out)
    assert code == 4
    assert {check: found[check] for check in ("credentials", "organization", "adopted-environments", "adopted-branches", "oidc-subjects")} == {
        "credentials": "FAIL",
        "organization": "SKIP",
        "adopted-environments": "FAIL",
        "adopted-branches": "PASS",
        "oidc-subjects": "PASS",
    }
    assert "FAIL adopted-environments: acme-inc/shop environment dev lets branch pattern '*' deploy (policy id 2)" in out
    assert "/user" in client.requests


def test_the_urllib_transport_sends_a_get_with_the_token_and_api_version_and_decodes_errors(monkeypatch):
    sent = []

    class Answer(io.BytesIO):
        status = 200
        headers = {"X-OAuth-Scopes": "repo, workflow"}

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def urlopen(request, timeout):
        sent.append(request)
        if request.full_url.endswith("/missing"):
            raise urllib.error.HTTPError(request.full_url, 404, "Not Found", {"X-GitHub-Request-Id": "1"}, io.BytesIO(b'{"message": "Not Found"}'))
        return Answer(b'{"login": "acme-landing-zone-bot"}')

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    get = urllib_transport("ghp_secret")
    assert get("/user") == (200, {"login": "acme-landing-zone-bot"}, {"x-oauth-scopes": "repo, workflow"})
    assert get("/missing") == (404, {"message": "Not Found"}, {"x-github-request-id": "1"})
    request = sent[0]
    assert (request.full_url, request.get_method()) == ("https://api.github.com/user", "GET")
    assert (request.get_header("Authorization"), request.get_header("X-github-api-version")) == ("Bearer ghp_secret", "2022-11-28")


def test_no_answer_from_github_fails_the_check_saying_so_without_a_traceback(monkeypatch):
    class Page(io.BytesIO):
        status = 200
        headers = {}

    def urlopen(request, timeout):
        if request.full_url.endswith("/html"):
            return Page(b"<html>proxy login</html>")
        raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    client = GitHub(urllib_transport("ghp_secret"))
    outcome = checks.adopted_environments(live(client))
    assert client.requests == [REPO]
    assert (outcome.status, outcome.finding, outcome.advice) == (
        "fail",
        f"GitHub gave no readable answer to GET {REPO}: [Errno 111] Connection refused, so the adopted repositories' environment branch policies "
        "could not be checked",
        "check that this machine reaches api.github.com (urllib reads a proxy from HTTPS_PROXY) and run the doctor again",
    )
    with pytest.raises(GitHubError, match="^GitHub gave no readable answer to GET /html: a 200 whose body is not JSON"):
        urllib_transport("ghp_secret")("/html")
