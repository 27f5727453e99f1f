"""Each component under Pulumi mocks: the inputs it records, its children's names and options."""

from __future__ import annotations

import json

import pulumi
import pytest

from components import (
    AccountPlacement,
    AppAccountSet,
    AppAccountSetArgs,
    Organization,
    OrganizationalUnitSpec,
    OrganizationArgs,
    SecurityOU,
    SecurityOUArgs,
    SSOAccess,
    SSOAccessArgs,
)
from components.organization import TRUSTED_SERVICES
from components.sso_access import first_instance
from config import AccountSpec
from config.model import CONTROL_TOWER_SERVICE
from lzctl.mocks import account_id, stable_uuid
from tests.helpers import run_mocked, setter, shared_run

OU_IDS = {"security": "ou-a1b2-security", "dev": "ou-a1b2-dev", "stg": "ou-a1b2-stg", "prod": "ou-a1b2-prod", "suspended": "ou-a1b2-suspended"}
ACCESS_ROLES = {
    "audit": "OrgAccess",
    "log": "LogAccess",
    **{f"{app}-{env}": "OrgAccess" for app in ("shop", "booking") for env in ("dev", "stg", "prod")},
}
"""Account key -> its access role; the log account's differs, to show each account gets its own."""
PLACEMENT = AccountPlacement(OU_IDS, ACCESS_ROLES, "ap-northeast-1")
ACCOUNT = "aws:organizations/account:Account"
PROVIDER = "pulumi:providers:aws"


def account_sets(example, *apps):
    def program():
        for app in apps:
            AppAccountSet(app, AppAccountSetArgs(example.application_accounts(app), PLACEMENT))

    return run_mocked(program)


@pytest.mark.integration
def test_organization_enables_all_features_the_policy_types_in_use_and_root_access():
    args = OrganizationArgs(
        {"sec": OrganizationalUnitSpec("Security", None)},
        policy_types=["RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY"],
        guardrail_services=["iam.amazonaws.com"],
        root_access=True,
    )
    plan = run_mocked(lambda: Organization("org", args))
    org = plan.named("org-organization")
    assert org.protect is True
    assert org.inputs["featureSet"] == "ALL"
    assert org.inputs["enabledPolicyTypes"] == ["RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY"]
    assert set(org.inputs["awsServiceAccessPrincipals"]) == set(TRUSTED_SERVICES) | {"iam.amazonaws.com"}
    features = plan.named("org-root-access")
    assert features.inputs["enabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]
    assert org.urn in features.dependencies


@pytest.mark.integration
def test_an_organization_without_guardrails_enables_no_policy_type_and_no_root_access():
    plan = run_mocked(lambda: Organization("org", OrganizationArgs({"sec": OrganizationalUnitSpec("Security", None)})))
    assert plan.named("org-organization").inputs["enabledPolicyTypes"] == []
    assert plan.of_type("aws:iam/organizationsFeatures:OrganizationsFeatures") == []


def test_trusted_services_cover_what_control_tower_enables_for_itself():
    control_tower_enables = {
        "controltower.amazonaws.com",
        "sso.amazonaws.com",
        "config.amazonaws.com",
        "cloudtrail.amazonaws.com",
        "member.org.stacksets.cloudformation.amazonaws.com",
    }
    assert control_tower_enables - {CONTROL_TOWER_SERVICE} <= set(TRUSTED_SERVICES)


@pytest.mark.integration
def test_control_tower_is_trusted_only_when_it_is_on(management_plan, config_dir):
    assert "controltower.amazonaws.com" in management_plan.named("organization-organization").inputs["awsServiceAccessPrincipals"]
    plan, errors = shared_run(config_dir(setter("guardrails.control_tower.enabled", False)))
    assert not errors and "controltower.amazonaws.com" not in plan.named("organization-organization").inputs["awsServiceAccessPrincipals"]


@pytest.mark.integration
def test_organizational_units_hang_from_their_parents_created_first():
    units = {
        "dev": OrganizationalUnitSpec("Dev", "member"),
        "member": OrganizationalUnitSpec("Member", None),
        "team": OrganizationalUnitSpec("Team", "dev"),
    }
    plan = run_mocked(lambda: Organization("org", OrganizationArgs(units)))
    member, dev, team = (plan.named(f"org-{key}-ou") for key in ("member", "dev", "team"))
    assert member.inputs["parentId"] == "r-a1b2"
    assert dev.inputs["parentId"].startswith("ou-a1b2-") and member.urn in dev.dependencies
    assert dev.urn in team.dependencies
    assert (member.inputs["name"], dev.inputs["name"], team.inputs["name"]) == ("Member", "Dev", "Team")


@pytest.mark.integration
def test_security_ou_creates_protected_audit_and_log_accounts_in_the_security_ou(example):
    args = SecurityOUArgs(example.account("audit"), example.account("log"), PLACEMENT)
    plan = run_mocked(lambda: SecurityOU("security", args))
    accounts = {r.name: r for r in plan.of_type(ACCOUNT)}
    assert set(accounts) == {"security-audit-account", "security-log-account"}
    for account in accounts.values():
        assert account.protect is True
        assert account.inputs["closeOnDeletion"] is False
        assert account.inputs["parentId"] == "ou-a1b2-security"
    assert {name: account.inputs["roleName"] for name, account in accounts.items()} == {
        "security-audit-account": "OrgAccess",
        "security-log-account": "LogAccess",
    }
    assert accounts["security-log-account"].inputs["name"] == "Log Archive"


@pytest.mark.integration
def test_account_provider_assumes_the_access_role_in_that_account_only(example):
    plan = account_sets(example, "shop")
    provider = plan.named("shop-prod-provider")
    expected_id = account_id("shop-prod-account")
    assume_roles = json.loads(provider.inputs["assumeRoles"])
    assert assume_roles == [{"roleArn": f"arn:aws:iam::{expected_id}:role/OrgAccess", "sessionName": "landing-zone"}]
    assert json.loads(provider.inputs["allowedAccountIds"]) == [expected_id]
    assert provider.inputs["region"] == "ap-northeast-1"
    assert json.loads(provider.inputs["defaultTags"]) == {"tags": {"managed-by": "landing-zone", "app": "shop", "env": "prod"}}


@pytest.mark.integration
def test_app_account_set_puts_one_tagged_account_per_environment_in_its_ou(example):
    plan = account_sets(example, "shop")
    accounts = {r.name: r.inputs for r in plan.of_type(ACCOUNT)}
    assert {name: inputs["parentId"] for name, inputs in accounts.items()} == {
        "shop-dev-account": "ou-a1b2-dev",
        "shop-stg-account": "ou-a1b2-stg",
        "shop-prod-account": "ou-a1b2-prod",
    }
    assert accounts["shop-dev-account"]["tags"] == {"managed-by": "landing-zone", "app": "shop", "env": "dev"}
    assert accounts["shop-dev-account"]["email"] == "aws+shop-dev@example.com"


@pytest.mark.integration
def test_two_account_sets_give_unique_urns(example):
    plan = account_sets(example, "shop", "booking")
    urns = [r.urn for r in plan.resources]
    assert len(urns) == len(set(urns)) == 1 + 2 + 2 * 3 * 2


@pytest.mark.integration
def test_suspended_account_moves_to_the_suspended_ou_without_a_provider():
    accounts = [
        AccountSpec("shop-dev", "shop-dev", "a@acme.co.jp", "suspended", "shop", "dev", suspended=True),
        AccountSpec("shop-prod", "shop-prod", "b@acme.co.jp", "prod", "shop", "prod"),
    ]
    outputs = {}

    def program():
        outputs["set"] = AppAccountSet("shop", AppAccountSetArgs(accounts, PLACEMENT))

    plan = run_mocked(program)
    assert plan.named("shop-dev-account").inputs["parentId"] == "ou-a1b2-suspended"
    assert plan.named("shop-dev-account").protect is True
    assert [r.name for r in plan.of_type(PROVIDER)] == ["shop-prod-provider"]
    assert set(outputs["set"].providers) == {"prod"}


def sso_plan(example):
    account_ids = {"management": "123456789012", **{a.key: account_id(a.key) for a in example.accounts}}
    args = SSOAccessArgs("ap-northeast-1", example.people, example.groups, example.permission_sets, example.assignments, account_ids)
    return run_mocked(lambda: SSOAccess("sso", args))


@pytest.mark.integration
def test_sso_creates_users_groups_and_memberships_from_people(example):
    plan = sso_plan(example)
    user = plan.named("sso-hanako-user").inputs
    assert user["userName"] == "hanako.yamada@example.com"
    assert user["name"] == {"givenName": "Hanako", "familyName": "Yamada"}
    assert user["identityStoreId"] == "d-9067a1b2c3"
    assert len(plan.of_type("aws:identitystore/group:Group")) == 4
    group = plan.named("sso-auditors-group").inputs
    assert (group["displayName"], group["description"]) == ("auditors", "Read-only security review across the organisation.")
    membership = plan.named("sso-shop-developers-taro-membership").inputs
    assert (membership["groupId"], membership["memberId"]) == (stable_uuid("sso-shop-developers-group"), stable_uuid("sso-taro-user"))
    memberships = {r.name for r in plan.of_type("aws:identitystore/groupMembership:GroupMembership")}
    assert memberships == {
        "sso-platform-admins-hanako-membership",
        "sso-platform-admins-kenji-membership",
        "sso-shop-developers-taro-membership",
        "sso-shop-developers-jiro-membership",
        "sso-booking-developers-jiro-membership",
        "sso-auditors-sakura-membership",
    }


@pytest.mark.integration
def test_sso_permission_sets_carry_duration_managed_and_inline_policies(example):
    plan = sso_plan(example)
    developer = plan.named("sso-DeveloperAccess-permission-set").inputs
    assert (developer["name"], developer["sessionDuration"]) == ("DeveloperAccess", "PT8H")
    assert developer["instanceArn"] == "arn:aws:sso:::instance/ssoins-7758a1b2c3d4e5f6"
    attachments = {r.name: r.inputs["managedPolicyArn"] for r in plan.of_type("aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment")}
    assert attachments["sso-SecurityAudit-SecurityAudit-attachment"] == "arn:aws:iam::aws:policy/SecurityAudit"
    assert attachments["sso-SecurityAudit-ReadOnlyAccess-attachment"] == "arn:aws:iam::aws:policy/ReadOnlyAccess"
    inline = plan.named("sso-DeveloperAccess-inline-policy").inputs["inlinePolicy"]
    assert json.loads(inline)["Statement"][0]["Sid"] == "OperateContainers"


@pytest.mark.integration
def test_sso_assigns_groups_to_accounts_after_the_policies_are_attached(example):
    plan = sso_plan(example)
    assignments = plan.of_type("aws:ssoadmin/accountAssignment:AccountAssignment")
    assert len(assignments) == 24
    prod = plan.named("sso-shop-developers-shop-prod-ReadOnlyAccess-assignment")
    assert prod.inputs["targetId"] == account_id("shop-prod")
    assert (prod.inputs["principalType"], prod.inputs["targetType"]) == ("GROUP", "AWS_ACCOUNT")
    assert prod.inputs["principalId"] == stable_uuid("sso-shop-developers-group")
    attachment = plan.named("sso-ReadOnlyAccess-ReadOnlyAccess-attachment")
    assert attachment.urn in prod.dependencies
    management = plan.named("sso-platform-admins-management-AdministratorAccess-assignment")
    assert management.inputs["targetId"] == "123456789012"


def test_sso_without_identity_center_fails_with_the_fix():
    with pytest.raises(pulumi.RunError, match="no instance in ap-northeast-1: enable it"):
        first_instance([], "instance ARN", "ap-northeast-1")
