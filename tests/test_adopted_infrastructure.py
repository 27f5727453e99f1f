"""b2a finding 1: the infrastructure repository usually exists before the first `pulumi up` (Pulumi
Deployments deploys from it), so `github.existing_infrastructure_repository` adopts it the way an
application's `existing_repository` is adopted."""

from __future__ import annotations

import json

import pytest

import config
from components.github_repository import ADOPTED_SETTINGS_LEFT
from tests.helpers import example_data, setter, shared_run, write_config

OIDC = "token.actions.githubusercontent.com"


def adopting(data):
    data["github"].update(existing_infrastructure_repository=True, infrastructure_oidc_subject="name")


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    data = example_data()
    adopting(data)
    planned, errors = shared_run(write_config(tmp_path_factory.mktemp("adopted-infrastructure"), data))
    assert not errors
    return planned


@pytest.mark.integration
def test_the_existing_infrastructure_repository_is_imported_by_name_and_retained(plan):
    repository = plan.named("infrastructure-repository")
    assert (repository.op, repository.import_id, repository.retain_on_delete) == ("import", "landing-zone", True)
    assert repository.inputs == {"name": "landing-zone", "archived": False}
    assert len(repository.ignore_changes) == len(ADOPTED_SETTINGS_LEFT)


@pytest.mark.integration
def test_no_branch_of_it_is_created_or_renamed(plan):
    created = [r.name for r in plan.resources if r.name.startswith("infrastructure-") and r.type.endswith(("/branch:Branch", "/branchDefault:BranchDefault"))]
    assert created == []


@pytest.mark.integration
def test_its_workflow_goes_to_a_file_of_the_programs_own_never_overwriting(plan):
    files = [
        (r.name, r.inputs["file"], r.inputs["overwriteOnCreate"])
        for r in plan.of_type("github:index/repositoryFile:RepositoryFile")
        if r.inputs["repository"] == "landing-zone"
    ]
    assert files == [("infrastructure-main-landing-zone-preview-file", ".github/workflows/landing-zone-preview.yml", False)]


@pytest.mark.integration
@pytest.mark.parametrize("stack", ["audit", "log"])
def test_the_plan_roles_trust_the_name_subject_it_was_told(plan, stack):
    statement = json.loads(plan.named(f"{stack}-plan-role").inputs["assumeRolePolicy"])["Statement"][0]
    assert statement["Condition"]["StringEquals"][f"{OIDC}:sub"] == "repo:acme-inc/landing-zone:environment:preview"


def test_a_created_infrastructure_repository_still_refuses_the_name_subject(config_dir):
    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(setter("github.infrastructure_oidc_subject", "name")), refuse_example_domains=False)
    assert (
        "github.infrastructure_oidc_subject: this program creates the repository, and GitHub gives every repository it creates now the immutable "
        "subject (got 'name'). Hint: leave it out (immutable); the name form is only for an existing repository "
        "(github.existing_infrastructure_repository: true) created before the switch and not opted in"
    ) in str(caught.value)


def test_the_created_repository_is_unchanged_by_default(config_dir):
    landing_zone = config.load(config_dir(lambda data: None), refuse_example_domains=False)
    assert (landing_zone.delivery.infrastructure_adopted, landing_zone.delivery.infrastructure_subject_form) == (False, "immutable")
