"""Issue 6 in the program: the existing account adopted as prod by import; temporary migration access."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

import config
from lzctl import render
from lzctl.mocks import stable_uuid
from tests.helpers import both, example_data, setter, shared_run, write_config

EXISTING = "210987654321"


def adopting(data):
    data["applications"]["shop"]["accounts"] = {"prod": {"existing_account_id": EXISTING, "name": "Acme Production", "email": "aws-root@acme-corp.co.jp"}}


def migration_access(until: date, **override):
    entry = {"people": ["taro"], "account": "shop-prod", "permission_set": "AdministratorAccess", "until": until, **override}
    return lambda data: data["identity_center"].__setitem__("migration_access", [entry])


@pytest.fixture(scope="module")
def adopted_plan(tmp_path_factory):
    data = example_data()
    adopting(data)
    plan, errors = shared_run(write_config(tmp_path_factory.mktemp("adopted"), data))
    assert not errors
    return plan


@pytest.mark.integration
def test_the_existing_account_is_imported_into_the_prod_ou_not_created(adopted_plan):
    account = adopted_plan.named("shop-prod-account")
    assert (account.op, account.import_id, account.protect) == ("import", EXISTING, True)
    assert account.inputs["name"] == "Acme Production" and account.inputs["email"] == "aws-root@acme-corp.co.jp"
    prod_ou = adopted_plan.named("organization-prod-ou")
    assert prod_ou.urn in account.dependencies
    assert adopted_plan.outputs["accountIds"]["shop-prod"] == EXISTING


@pytest.mark.integration
def test_the_plan_marks_the_import(adopted_plan):
    document = render.to_json(adopted_plan)
    assert document["changeSummary"]["import"] == 1
    step = next(s for s in document["steps"] if s["urn"].endswith("::shop-prod-account"))
    assert step["op"] == "import" and step["newState"]["importID"] == EXISTING
    assert "aws:organizations/account:Account × 3 (1 to import)" in render.to_tree(adopted_plan)


@pytest.mark.integration
def test_the_adopted_account_gets_the_same_pipeline_as_any_other(adopted_plan):
    variables = {
        r.inputs["variableName"]: r.inputs["value"]
        for r in adopted_plan.of_type("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
        if r.inputs["repository"] == "shop" and r.inputs["environment"] == "prod"
    }
    assert variables["AWS_ACCOUNT_ID"] == EXISTING
    assert variables["AWS_ROLE_ARN"] == f"arn:aws:iam::{EXISTING}:role/github/github-deploy-prod"


def test_adoption_warns_that_name_and_email_must_match(config_dir):
    landing_zone = config.load(config_dir(adopting), refuse_example_domains=False)
    assert any("adopting account 210987654321" in w and "'Acme Production'" in w for w in landing_zone.warnings)


@pytest.mark.parametrize(
    "mutate, path, words",
    [
        (
            setter("applications.shop.accounts", {"prod": {"existing_account_id": "123456789012"}}),
            "applications.shop.accounts.prod.existing_account_id",
            "management account cannot be adopted",
        ),
        (
            both(adopting, setter("applications.booking.accounts", {"prod": {"existing_account_id": EXISTING}})),
            "applications.booking.accounts.prod.existing_account_id",
            "adopted twice",
        ),
        (
            setter("applications.shop.accounts", {"prod": {"existing_account_id": "2109876543"}}),
            "applications.shop.accounts.prod.existing_account_id",
            "12 digits",
        ),
    ],
    ids=["management", "twice", "not 12 digits"],
)
def test_bad_adoptions_are_refused(config_dir, mutate, path, words):
    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(mutate), refuse_example_domains=False)
    assert any(issue.path == path and words in str(issue) for issue in caught.value.issues), str(caught.value)


@pytest.mark.integration
def test_migration_access_assigns_the_permission_set_to_the_person_directly(config_dir):
    plan, errors = shared_run(config_dir(migration_access(date.today() + timedelta(days=30))))
    assert not errors
    access = plan.named("sso-taro-shop-prod-AdministratorAccess-migration-assignment").inputs
    assert (access["principalType"], access["principalId"]) == ("USER", stable_uuid("sso-taro-user"))
    assert access["targetId"] == plan.outputs["accountIds"]["shop-prod"]


def test_expired_migration_access_is_removed_and_reported(config_dir):
    landing_zone = config.load(config_dir(migration_access(date.today() - timedelta(days=1))), refuse_example_domains=False)
    assert landing_zone.migration_assignments == ()
    assert any("migration_access[0] ended" in w and "delete the entry" in w for w in landing_zone.warnings)


@pytest.mark.parametrize(
    "override, path, words",
    [
        ({"until": date.today() + timedelta(days=120)}, "identity_center.migration_access[0].until", "at most 90 days"),
        ({"people": ["nobody"]}, "identity_center.migration_access[0].people[0]", "no such person"),
        ({"account": "shop-qa"}, "identity_center.migration_access[0].account", "no such active account"),
        ({"permission_set": "Admin"}, "identity_center.migration_access[0].permission_set", "no such permission set"),
    ],
    ids=["too long", "person", "account", "permission set"],
)
def test_bad_migration_access_is_refused(config_dir, override, path, words):
    until = override.pop("until", date.today() + timedelta(days=10))
    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(migration_access(until, **override)), refuse_example_domains=False)
    assert any(issue.path == path and words in str(issue) for issue in caught.value.issues), str(caught.value)
