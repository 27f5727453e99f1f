"""The whole management stack of the example org, as `lzctl plan` runs it."""

from __future__ import annotations

import re
from collections import Counter

from tests.helpers import EXAMPLE_DIR, run_management, write_config

EXPECTED_COUNTS = {
    "pulumi:pulumi:Stack": 1,
    "pulumi:providers:aws": 1 + 8,
    "landingzone:organization:Organization": 1,
    "landingzone:security_ou:SecurityOU": 1,
    "landingzone:app_account_set:AppAccountSet": 2,
    "landingzone:sso_access:SSOAccess": 1,
    "landingzone:guardrails:Guardrails": 1,
    "landingzone:control_tower:ControlTower": 1,
    "aws:organizations/policy:Policy": 4,  # root baseline, security log buckets, suspended deny-all, tags
    "aws:organizations/policyAttachment:PolicyAttachment": 4,
    "aws:iam/role:Role": 4 + 8,  # Control Tower's prerequisites, its execution role in each account
    "aws:iam/rolePolicy:RolePolicy": 2,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 3 + 8,
    "aws:controltower/landingZone:LandingZone": 1,
    "aws:controltower/baseline:Baseline": 5,  # security, member, dev, stg, prod
    "aws:controltower/controlTowerControl:ControlTowerControl": 1 + 14 + 14 + 17,
    "aws:organizations/organization:Organization": 1,
    "aws:organizations/organizationalUnit:OrganizationalUnit": 6,
    "aws:organizations/account:Account": 8,
    "aws:identitystore/user:User": 4,
    "aws:identitystore/group:Group": 4,
    "aws:identitystore/groupMembership:GroupMembership": 5,
    "aws:ssoadmin/permissionSet:PermissionSet": 5,
    "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment": 6,
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": 1,
    "aws:ssoadmin/accountAssignment:AccountAssignment": 24,
}


def test_management_stack_registers_exactly_the_expected_resources(management_plan):
    assert dict(Counter(r.type for r in management_plan.resources)) == EXPECTED_COUNTS


def test_every_aws_resource_names_an_explicit_provider(management_plan):
    management = management_plan.named("management")
    for resource in management_plan.resources:
        if not resource.custom or resource.type.startswith("pulumi:providers:"):
            continue
        if "control-tower-execution" in resource.name:
            # Inside a member account: the provider of that account, created beside it.
            account = resource.name.split("-control-tower-execution")[0]
            assert resource.provider.startswith(management_plan.named(f"{account}-provider").urn + "::"), resource.urn
        else:
            assert resource.provider.startswith(management.urn + "::"), resource.urn


def test_management_provider_refuses_every_account_but_management(management_plan):
    management = management_plan.named("management")
    assert management.inputs["allowedAccountIds"] == '["123456789012"]'
    assert "assumeRoles" not in management.inputs
    assert management.inputs["region"] == "ap-northeast-1"


def test_organization_and_every_account_are_protected(management_plan):
    protected = {r.name for r in management_plan.resources if r.protect}
    accounts = {r.name for r in management_plan.of_type("aws:organizations/account:Account")}
    assert protected == accounts | {"organization-organization"}


def test_accounts_hang_from_the_ou_of_their_environment(management_plan):
    ous = {r.name: r.urn for r in management_plan.of_type("aws:organizations/organizationalUnit:OrganizationalUnit")}
    assert ous["organization-prod-ou"] in management_plan.named("booking-prod-account").dependencies
    assert ous["organization-security-ou"] in management_plan.named("security-log-account").dependencies


def test_outputs_give_every_account_id_by_key(management_plan):
    ids = management_plan.outputs["accountIds"]
    assert set(ids) == {"management", "audit", "log", "shop-dev", "shop-stg", "shop-prod", "booking-dev", "booking-stg", "booking-prod"}
    assert all(re.fullmatch(r"\d{12}", value) for value in ids.values())
    assert management_plan.outputs["applicationAccountIds"]["shop"]["prod"] == ids["shop-prod"]
    assert set(management_plan.outputs["organizationalUnitIds"]) == {"security", "member", "dev", "stg", "prod", "suspended"}
    assert management_plan.outputs["ssoInstanceArn"].startswith("arn:aws:sso:::instance/ssoins-")


def test_offline_plan_warns_once_about_example_domains(management_plan):
    assert len(management_plan.warnings) == 1 and "example domains" in management_plan.warnings[0]


def test_bad_config_registers_nothing(tmp_path):
    plan, errors = run_management(write_config(tmp_path, "organization: {}\n"))
    assert errors and "organization.management_account_id" in str(errors[0])
    assert [r.type for r in plan.resources] == ["pulumi:pulumi:Stack"]


def test_unknown_role_is_refused_naming_the_stack_file():
    plan, errors = run_management(EXAMPLE_DIR, role="workloads")
    assert str(errors[0]).endswith("Pulumi.management.yaml: landing-zone:role: unknown or missing stack role (got 'workloads'). Hint: set one of: management")
    assert len(plan.resources) == 1


def test_adding_an_application_adds_its_accounts_providers_and_assignments_only(tmp_path, management_plan):
    import yaml

    data = yaml.safe_load((EXAMPLE_DIR / "landing-zone.yaml").read_text())
    data["applications"]["search"] = {"description": "Search (Go)."}
    plan, errors = run_management(write_config(tmp_path, data))
    assert not errors
    before = {r.urn: r for r in management_plan.resources}
    after = {r.urn: r for r in plan.resources}
    assert set(before) <= set(after)
    changed = [urn for urn, r in before.items() if r.inputs != after[urn].inputs and r.custom]
    assert changed == []
    added = Counter(r.type for r in plan.resources if r.urn not in before)
    assert added == {
        "landingzone:app_account_set:AppAccountSet": 1,
        "aws:organizations/account:Account": 3,
        "pulumi:providers:aws": 3,
        "aws:ssoadmin/accountAssignment:AccountAssignment": 6,  # admins and auditors on 3 accounts
        "aws:iam/role:Role": 3,  # Control Tower's execution role in each new account
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 3,
    }
