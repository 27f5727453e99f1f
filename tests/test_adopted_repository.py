"""Issue 10 item 12: an application names an existing repository (imported, its settings kept) and
an existing Slack channel; the workflows go to files the program owns and never overwrite others."""

from __future__ import annotations

import json
import re

import pytest

import config
import names
from components.github_repository import ADOPTED_SETTINGS_LEFT
from lzctl import render, review
from tests.helpers import REPO, both, example_data, setter, shared_run, write_config
from workflows import AppWorkflowSpec, app_workflows

OIDC = "token.actions.githubusercontent.com"


def adopting(data):
    shop = data["applications"]["shop"]
    shop.update({"existing_repository": True, "oidc_subject": "name", "slack_channel": "shop-releases"})


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    data = example_data()
    adopting(data)
    planned, errors = shared_run(write_config(tmp_path_factory.mktemp("adopted"), data))
    assert not errors
    return planned


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@pytest.mark.integration
def test_the_existing_repository_is_imported_by_name_with_only_archived_compared(plan):
    repository = plan.named("shop-repository")
    assert (repository.op, repository.import_id, repository.retain_on_delete) == ("import", "shop", True)
    assert repository.inputs == {"name": "shop", "archived": False}
    assert set(repository.ignore_changes) == {camel(setting) for setting in ADOPTED_SETTINGS_LEFT}
    # An import that differs is updated, not refused (pulumi/pulumi#19339): only ignore_changes keeps
    # the rename of a case difference and a private -> public flip from happening.
    assert {"name", "visibility", "description", "deleteBranchOnMerge", "hasIssues", "vulnerabilityAlerts", "archiveOnDestroy", "autoInit", "topics"} <= set(
        repository.ignore_changes
    )
    assert "archived" not in repository.ignore_changes


@pytest.mark.integration
def test_adoption_never_sets_the_visibility_whatever_github_visibility_says(tmp_path):
    data = example_data()
    adopting(data)
    data["github"]["visibility"] = "public"
    planned, errors = shared_run(write_config(tmp_path, data))
    assert not errors
    assert "visibility" not in planned.named("shop-repository").inputs
    assert planned.named("booking-repository").inputs["visibility"] == "public"


@pytest.mark.integration
def test_a_created_repository_is_still_created_and_archived_on_removal(plan):
    repository = plan.named("booking-repository")
    assert (repository.op, repository.retain_on_delete, repository.ignore_changes) == ("create", False, ())
    assert repository.inputs["archiveOnDestroy"] is True and repository.inputs["autoInit"] is True


@pytest.mark.integration
def test_no_branch_of_an_adopted_repository_is_created_or_renamed(plan):
    shop = [
        r.name for r in plan.resources if r.name.startswith("shop-") and r.type in ("github:index/branch:Branch", "github:index/branchDefault:BranchDefault")
    ]
    assert shop == []
    assert plan.named("booking-develop-branch").inputs["sourceBranch"] == "main"


@pytest.mark.integration
@pytest.mark.parametrize("branch", ["develop", "staging"])
def test_the_branches_of_a_created_repository_are_retained_so_adopting_it_later_deletes_none(plan, branch):
    assert plan.named(f"booking-{branch}-branch").retain_on_delete is True


@pytest.mark.integration
@pytest.mark.parametrize("branch", ["main", "develop", "staging"])
@pytest.mark.parametrize("workflow", ["ci", "deploy"])
def test_workflows_go_to_the_programs_own_files_and_never_overwrite(plan, branch, workflow):
    generated = app_workflows(AppWorkflowSpec(app="shop", repository="shop", kind="rails")).files[f".github/workflows/{workflow}.yml"]
    committed = plan.named(f"shop-{branch}-landing-zone-{workflow}-file")
    assert committed.inputs["file"] == f".github/workflows/landing-zone-{workflow}.yml"
    assert (committed.inputs["branch"], committed.inputs["overwriteOnCreate"], committed.inputs["content"]) == (branch, False, generated)
    # No branch resource to wait for: the file waits for the import.
    assert plan.named("shop-repository").urn in committed.dependencies


@pytest.mark.integration
def test_an_adopted_repository_gets_no_file_at_the_usual_paths(plan):
    shop_files = {r.inputs["file"] for r in plan.of_type("github:index/repositoryFile:RepositoryFile") if r.inputs["repository"] == "shop"}
    assert shop_files == {".github/workflows/landing-zone-ci.yml", ".github/workflows/landing-zone-deploy.yml"}
    booking = {r.inputs["overwriteOnCreate"] for r in plan.of_type("github:index/repositoryFile:RepositoryFile") if r.inputs["repository"] == "booking"}
    assert booking == {True}


@pytest.mark.integration
def test_the_rulesets_require_the_same_checks_from_github_actions(plan):
    checks = plan.named("shop-release-ruleset").inputs["rules"]["requiredStatusChecks"]["requiredChecks"]
    assert checks == [
        {"context": "Lint", "integrationId": names.GITHUB_ACTIONS_APP_ID},
        {"context": "Unit tests", "integrationId": names.GITHUB_ACTIONS_APP_ID},
    ]


@pytest.mark.integration
@pytest.mark.parametrize("env", ["dev", "stg", "prod"])
def test_the_deploy_roles_trust_the_subject_form_the_config_names(plan, env):
    statement = json.loads(plan.named(f"shop-{env}-deploy-role").inputs["assumeRolePolicy"])["Statement"][0]
    assert statement["Condition"]["StringEquals"][f"{OIDC}:sub"] == f"repo:acme-inc/shop:environment:{env}"
    booking = json.loads(plan.named(f"booking-{env}-deploy-role").inputs["assumeRolePolicy"])["Statement"][0]
    assert booking["Condition"]["StringEquals"][f"{OIDC}:sub"].startswith("repo:acme-inc@")


@pytest.mark.integration
def test_an_existing_channel_named_by_the_application_is_adopted_without_kicking(plan):
    channel = plan.named("slack-shop-channel").inputs
    assert (channel["name"], channel["adoptExistingChannel"], channel["actionOnUpdatePermanentMembers"]) == ("shop-releases", True, "none")
    # Named by the application, so it may be older and shared: removing the application leaves it unarchived.
    assert channel["actionOnDestroy"] == "none"
    assert plan.named("slack-booking-channel").inputs["actionOnDestroy"] == "archive"
    assert plan.named("slack-approvals-channel").inputs["actionOnDestroy"] == "archive"
    assert plan.named("slack-booking-channel").inputs["name"] == "deploy-booking"


@pytest.mark.parametrize(
    "path, owned",
    [
        (".github/workflows/ci.yml", ".github/workflows/landing-zone-ci.yml"),
        (".github/workflows/deploy.yml", ".github/workflows/landing-zone-deploy.yml"),
    ],
)
def test_adopted_workflow_paths(path, owned):
    assert names.adopted_workflow_path(path) == owned


@pytest.mark.parametrize("path", ["ci.yml", ".github/workflows/nested/ci.yml", ".github/actions/x.yml"])
def test_only_workflow_files_get_an_adopted_path(path):
    with pytest.raises(ValueError, match="not a workflow file"):
        names.adopted_workflow_path(path)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (
            setter("applications.shop.slack_channel", "deploy-approvals"),
            "applications.shop.slack_channel: Slack channel of application shop is also the channel of deploy approvals (got 'deploy-approvals'). "
            "Hint: every channel needs its own name",
        ),
        (
            both(setter("applications.shop.slack_channel", "releases"), setter("applications.booking.slack_channel", "releases")),
            "applications.booking.slack_channel: Slack channel of application booking is also the channel of application shop (got 'releases')",
        ),
        (
            setter("applications.shop.slack_channel", "deploy-booking"),
            "slack.deploy_channel: Slack channel of application booking is also the channel of application shop (got 'deploy-booking')",
        ),
        (
            both(lambda data: data.pop("slack"), lambda data: data["deployments"].update(notify_slack=False), setter("applications.shop.slack_channel", "x")),
            "applications.shop.slack_channel: names a Slack channel, but there is no slack section (got 'x'). Hint: add the slack section or remove the key",
        ),
        (setter("applications.shop.slack_channel", "Shop Releases"), "applications.shop.slack_channel: String should match pattern '^[a-z0-9_-]{1,80}$'"),
        (
            setter("applications.shop.oidc_subject", "name"),
            "applications.shop.oidc_subject: this program creates the repository, and GitHub gives every repository it creates now the immutable "
            "subject (got 'name'). Hint: leave it out (immutable); the name form is only for an existing repository (existing_repository: true) "
            "created before the switch and not opted in",
        ),
    ],
    ids=[
        "channel of the approvals",
        "two apps one channel",
        "an app takes another's default",
        "channel without slack",
        "not a channel name",
        "name subject, created",
    ],
)
def test_adoption_mistakes_are_refused(config_dir, mutate, message):
    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(mutate), refuse_example_domains=False)
    assert message in str(caught.value)


def test_the_name_subject_is_accepted_for_an_adopted_repository(config_dir):
    landing_zone = config.load(config_dir(adopting), refuse_example_domains=False)
    [shop] = [p for p in landing_zone.delivery.pipelines if p.application == "shop"]
    assert (shop.adopted, shop.subject_form, shop.slack_channel) == (True, "name", "shop-releases")


@pytest.mark.integration
def test_an_adopted_repository_left_immutable_is_trusted_by_its_numeric_id(config_dir):
    plan, errors = shared_run(config_dir(setter("applications.shop.existing_repository", True)))
    assert not errors
    statement = json.loads(plan.named("shop-prod-deploy-role").inputs["assumeRolePolicy"])["Statement"][0]
    # The import reads the repository's id (the mocks answer it as for a created one: 671900844).
    assert statement["Condition"]["StringEquals"][f"{OIDC}:sub"] == "repo:acme-inc@85447737/shop@671900844:environment:prod"


ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment"
TEAM_ACCESS = "github:index/teamRepository:TeamRepository"


@pytest.mark.integration
def test_removing_an_adopted_application_leaves_its_environments_and_team_access(plan):
    def retained(app: str) -> dict[str, bool]:
        return {r.name: r.retain_on_delete for r in plan.resources if r.name.startswith(f"{app}-") and r.type in (ENVIRONMENT, TEAM_ACCESS)}

    assert retained("shop") == {
        "shop-dev-environment": True,
        "shop-stg-environment": True,
        "shop-prod-environment": True,
        "shop-notify-environment": True,
        "shop-platform-admins-access": True,
        "shop-shop-developers-access": True,
    }
    # What the program put in them is its own and goes with the application.
    assert {r.retain_on_delete for r in plan.resources if r.name.startswith("shop-prod-") and r.type.startswith("github:index/actionsEnvironment")} == {False}
    # A created repository is archived on removal: its environments go with it, as before.
    assert set(retained("booking").values()) == {False}


@pytest.mark.integration
def test_the_docs_import_of_a_workflow_file_names_the_parent_the_program_gives_it(plan):
    readme = (REPO / "docs" / "delivery.md").read_text(encoding="utf-8")
    command = readme.split("pulumi import github:index/repositoryFile:RepositoryFile ", 1)[1].split("```", 1)[0]
    name, file_id, parent = re.fullmatch(r"(\S+) \\\n\s+'(\S+)' \\\n\s+--parent 'repository=(\S+)'\n\s*", command).groups()
    committed = plan.named(name.replace("<app>", "shop").replace("<branch>", "develop"))
    assert committed.type == "github:index/repositoryFile:RepositoryFile"
    assert file_id.replace("<repository>", "shop").replace("<branch>", "develop") == f"shop:{committed.inputs['file']}:develop"
    assert parent.replace("<app>", "shop") == committed.parent


@pytest.mark.integration
def test_the_review_and_the_plan_json_say_what_is_adopted_and_retained(tmp_path):
    """c1a finding 14: the Delivery section marks the imported repositories and the channel the
    application names; `--json` carries retainOnDelete as preview's newState does (apitype
    ResourceV3 `retainOnDelete,omitempty`), and only where it is set."""
    data = example_data()
    adopting(data)
    data["github"]["existing_infrastructure_repository"] = True
    data["applications"]["shop"]["deploy_policies"] = {"prod": ["ReadOnlyAccess", "job-function/ViewOnlyAccess"]}
    long_channel = "booking-" + "x" * 52  # Slack allows 80: the mark then goes on a line of its own
    data["applications"]["booking"]["slack_channel"] = long_channel
    folder = write_config(tmp_path, data)
    planned, errors = shared_run(folder)
    assert not errors
    lines = review.delivery(config.load(folder, refuse_example_domains=False), planned)
    shop = lines.index("  shop (rails): acme-inc/shop  [adopted: import shop, retained]")
    assert lines[shop + 4 : shop + 8] == [
        "    deploy role (dev, stg): PowerUserAccess, boundary landing-zone-deploy-boundary",
        "    deploy role (prod): ReadOnlyAccess, job-function/ViewOnlyAccess,",
        "                        boundary landing-zone-deploy-boundary",
        "    Slack: #shop-releases  [named: an existing one is taken over, kept on removal]",
    ]
    assert "  booking (container): acme-inc/booking" in lines
    slack = lines.index(f"    Slack: #{long_channel}")
    assert lines[slack + 1] == "    [named: an existing one is taken over, kept on removal]"
    infrastructure = lines.index("  this landing zone: acme-inc/landing-zone → stacks management, audit, log")
    assert lines[infrastructure + 1] == "    [adopted: import landing-zone, retained]"  # too long for one line
    assert max(len(line) for line in lines) <= review.WIDTH

    steps = {step["urn"].rsplit("::", 1)[-1]: step["newState"] for step in render.to_json(planned)["steps"]}
    assert (steps["shop-repository"]["importID"], steps["shop-repository"]["retainOnDelete"]) == ("shop", True)
    assert "retainOnDelete" not in steps["booking-repository"] and "retainOnDelete" not in steps["shop-prod-deploy-role"]
