"""The example config resolves as documented: accounts, e-mails, placements, assignments."""

from __future__ import annotations

import pytest

import config
from config import AssignmentSpec
from tests.helpers import EXAMPLE_DIR


def test_example_has_security_accounts_and_three_per_application(example):
    keys = [account.key for account in example.accounts]
    assert keys == ["audit", "log", "shop-dev", "shop-stg", "shop-prod", "booking-dev", "booking-stg", "booking-prod"]


def test_accounts_sit_in_their_environment_ou(example):
    assert {a.key: a.ou for a in example.application_accounts("shop")} == {"shop-dev": "dev", "shop-stg": "stg", "shop-prod": "prod"}
    assert example.account("audit").ou == example.account("log").ou == "security"


def test_emails_come_from_the_template_filled_with_the_account_key(example):
    assert example.account("booking-prod").email == "aws+booking-prod@example.com"
    assert example.account("log").name == "Log Archive"


def test_example_domains_are_one_warning_offline(example):
    domains = [warning for warning in example.warnings if "example domains" in warning]
    assert len(domains) == 1
    assert "8 accounts" in domains[0] and "pulumi up" in domains[0]


def test_developers_get_a_permission_set_per_environment_of_their_app_only(example):
    shop = {(a.account, a.permission_set) for a in example.assignments if a.group == "shop-developers"}
    assert shop == {("shop-dev", "PowerUserAccess"), ("shop-stg", "DeveloperAccess"), ("shop-prod", "ReadOnlyAccess")}


def test_all_scope_covers_management_security_and_every_workload_account(example):
    admin = {a.account for a in example.assignments if a.group == "platform-admins"}
    assert admin == {"management"} | {a.key for a in example.accounts}


def test_assignment_count_is_groups_times_scoped_accounts(example):
    # admins 9 + auditors 9 + shop devs 3 + booking devs 3
    assert len(example.assignments) == 24


def test_inline_policy_is_loaded_minified(example):
    policy = example.permission_sets["DeveloperAccess"].inline_policy
    assert policy.startswith('{"Version":"2012-10-17","Statement":[') and " " not in policy


def test_explicit_email_and_name_override_the_defaults(config_dir):
    def mutate(data):
        data["applications"]["shop"]["accounts"] = {"prod": {"email": "shop-prod@acme-corp.co.jp", "name": "Shop Production"}}

    landing_zone = config.load(config_dir(mutate), refuse_example_domains=False)
    account = landing_zone.account("shop-prod")
    assert (account.email, account.name) == ("shop-prod@acme-corp.co.jp", "Shop Production")


def test_suspended_account_moves_to_the_suspended_ou_and_loses_access(config_dir):
    def mutate(data):
        data["applications"]["shop"]["accounts"] = {"dev": {"suspended": True}}

    landing_zone = config.load(config_dir(mutate), refuse_example_domains=False)
    assert landing_zone.account("shop-dev").ou == "suspended"
    assert not [a for a in landing_zone.assignments if a.account == "shop-dev"]


def test_application_with_fewer_environments_gets_fewer_accounts(config_dir):
    def mutate(data):
        data["applications"]["booking"]["environments"] = ["dev", "prod"]

    landing_zone = config.load(config_dir(mutate), refuse_example_domains=False)
    assert [a.key for a in landing_zone.application_accounts("booking")] == ["booking-dev", "booking-prod"]


def test_a_list_of_permission_sets_assigns_each(config_dir):
    def mutate(data):
        data["identity_center"]["assignments"][1]["permission_sets"] = {"security": ["SecurityAudit", "ReadOnlyAccess"]}

    landing_zone = config.load(config_dir(mutate), refuse_example_domains=False)
    auditors = {a for a in landing_zone.assignments if a.group == "auditors"}
    assert auditors == {AssignmentSpec("auditors", ps, account) for ps in ("SecurityAudit", "ReadOnlyAccess") for account in ("audit", "log")}


def test_real_runs_refuse_example_domain_emails():
    with pytest.raises(config.ConfigError) as caught:
        config.load(EXAMPLE_DIR, refuse_example_domains=True)
    assert len(caught.value.issues) == 8
    assert caught.value.issues[0].path == "security.audit.email"
    assert "reserved example domain" in str(caught.value)


def test_yaml_merge_keys_are_read(config_dir):
    # The merged reviewers (shop-developers) need access to the new repository too.
    directory = config_dir(lambda data: data["identity_center"]["groups"]["shop-developers"]["repositories"].update(search="push"))
    text = (directory / "landing-zone.yaml").read_text()
    text = text.replace("  shop:\n", "  shop: &app\n", 1).replace("  booking:\n", "  search: {<<: *app, repository: search}\n  booking:\n", 1)
    (directory / "landing-zone.yaml").write_text(text)
    landing_zone = config.load(directory, refuse_example_domains=False)
    assert landing_zone.config.applications["search"].description == "Storefront (Rails)."


@pytest.mark.parametrize(
    "mutate, regions, integration",
    [
        (lambda data: None, ["ap-northeast-1", "us-east-1"], True),
        (
            lambda data: data["organization"].update(governed_regions=["us-east-1", "eu-west-1", "ap-northeast-1"]),
            ["ap-northeast-1", "us-east-1", "eu-west-1"],
            True,
        ),
        (lambda data: data["guardrails"].update(control_tower={"enabled": False}), ["ap-northeast-1", "us-east-1"], False),
    ],
    ids=["example", "home region moved first", "Control Tower off"],
)
def test_derived_facts_are_properties_of_the_model(config_dir, mutate, regions, integration):
    def change(data):
        data.setdefault("guardrails", {})
        mutate(data)

    landing_zone = config.load(config_dir(change), refuse_example_domains=False)
    assert landing_zone.governed_regions == regions
    assert landing_zone.control_tower_config_integration is integration
