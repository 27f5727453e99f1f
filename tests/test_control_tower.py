"""Control Tower and guardrail components inside the management stack, in each landing-zone mode."""

from __future__ import annotations

import json

import pytest

from guardrails.control_tower import CONTROL_TOWER_BASELINE_ID
from tests.helpers import run_management, setter

BASELINE = "aws:controltower/baseline:Baseline"
CONTROL = "aws:controltower/controlTowerControl:ControlTowerControl"


@pytest.fixture
def plan_with(config_dir):
    def plan(mutate=lambda data: None):
        result, errors = run_management(config_dir(mutate))
        assert not errors, errors
        return result

    return plan


def test_prerequisite_roles_are_service_roles_with_the_documented_trust(management_plan):
    roles = {r.inputs["name"]: r.inputs for r in management_plan.of_type("aws:iam/role:Role") if r.inputs.get("path") == "/service-role/"}
    services = {name: json.loads(inputs["assumeRolePolicy"])["Statement"][0]["Principal"]["Service"] for name, inputs in roles.items()}
    assert services == {
        "AWSControlTowerAdmin": "controltower.amazonaws.com",
        "AWSControlTowerCloudTrailRole": "cloudtrail.amazonaws.com",
        "AWSControlTowerStackSetRole": "cloudformation.amazonaws.com",
        "AWSControlTowerConfigAggregatorRoleForOrganizations": "config.amazonaws.com",
    }
    stackset = json.loads(management_plan.named("control-tower-stackset-AWSControlTowerStackSetRolePolicy").inputs["policy"])
    assert stackset["Statement"][0]["Resource"] == "arn:aws:iam::*:role/AWSControlTowerExecution"


def test_landing_zone_waits_for_its_roles_and_the_shared_accounts(management_plan):
    landing_zone = management_plan.named("control-tower-landing-zone")
    needed = [
        "control-tower-admin-role",
        "control-tower-cloudtrail-role",
        "control-tower-stackset-role",
        "control-tower-config-aggregator-role",
        "security-audit-control-tower-execution-role",
        "security-log-control-tower-execution-role",
    ]
    assert {management_plan.named(name).urn for name in needed} <= set(landing_zone.dependencies)
    manifest = json.loads(landing_zone.inputs["manifestJson"])
    accounts = management_plan.outputs["accountIds"]
    assert manifest["centralizedLogging"]["accountId"] == accounts["log"]
    assert manifest["securityRoles"]["accountId"] == accounts["audit"]
    assert manifest["governedRegions"] == ["ap-northeast-1", "us-east-1"]
    assert landing_zone.inputs["version"] == "4.0"


def test_ou_registrations_run_one_after_another_parents_first(management_plan):
    baselines = {r.name: r for r in management_plan.of_type(BASELINE)}
    order = ["security", "member", "dev", "stg", "prod"]
    previous = management_plan.named("control-tower-landing-zone")
    for key in order:
        baseline = baselines[f"control-tower-{key}-baseline"]
        assert previous.urn in baseline.dependencies, key
        assert baseline.inputs["baselineIdentifier"] == f"arn:aws:controltower:ap-northeast-1::baseline/{CONTROL_TOWER_BASELINE_ID}"
        assert baseline.inputs["baselineVersion"] == "5.0"
        assert "parameters" not in baseline.inputs
        previous = baseline


def test_registering_an_ou_waits_for_the_execution_roles_of_its_accounts(management_plan):
    dev = management_plan.named("control-tower-dev-baseline")
    assert management_plan.named("shop-dev-control-tower-execution-role").urn in dev.dependencies
    assert management_plan.named("booking-dev-control-tower-execution-role").urn in dev.dependencies
    assert management_plan.named("shop-prod-control-tower-execution-role").urn not in dev.dependencies


def test_controls_target_their_ou_after_its_registration(management_plan):
    control = management_plan.named("control-tower-prod-AWS-GR_RESTRICTED_SSH-control")
    assert control.inputs["controlIdentifier"] == "arn:aws:controltower:ap-northeast-1::control/AWS-GR_RESTRICTED_SSH"
    assert control.inputs["targetIdentifier"].endswith("/" + management_plan.outputs["organizationalUnitIds"]["prod"])
    assert management_plan.named("control-tower-prod-baseline").urn in control.dependencies


def test_execution_role_trusts_only_the_management_account(management_plan):
    role = management_plan.named("shop-prod-control-tower-execution-role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]
    assert management_plan.named("shop-prod-control-tower-execution-admin").inputs["policyArn"] == "arn:aws:iam::aws:policy/AdministratorAccess"


def test_scps_and_the_tag_policy_are_attached_to_their_targets(management_plan):
    ids = management_plan.outputs["organizationalUnitIds"]
    attachments = {r.name: r.inputs["targetId"] for r in management_plan.of_type("aws:organizations/policyAttachment:PolicyAttachment")}
    assert attachments == {
        "guardrails-root-deny-leaving-organization-attachment": management_plan.outputs["rootId"],
        "guardrails-security-protect-log-buckets-attachment": ids["security"],
        "guardrails-suspended-deny-all-attachment": ids["suspended"],
        "guardrails-tags-attachment": ids["member"],
    }
    root = management_plan.named("guardrails-root-deny-leaving-organization-policy").inputs
    assert root["type"] == "SERVICE_CONTROL_POLICY" and root["name"] == "landing-zone-root-deny-leaving-organization"
    assert [s["Sid"] for s in json.loads(root["content"])["Statement"]] == [
        "DenyLeavingOrganization",
        "DenyRootUser",
        "DenyIamUsersAndAccessKeys",
        "ProtectSecurityServices",
        "DenyUngovernedRegions",
    ]
    tags = json.loads(management_plan.named("guardrails-tags-policy").inputs["content"])
    assert tags["tags"]["owner"]["report_required_tag_for"]["@@assign"][0] == "ec2:instance"


def test_policies_wait_for_the_organisation(management_plan):
    organization = management_plan.named("organization-organization").urn
    assert organization in management_plan.named("guardrails-suspended-deny-all-policy").dependencies


def test_without_control_tower_the_stack_is_still_complete(plan_with):
    plan = plan_with(setter("guardrails.control_tower.enabled", False))
    types = {r.type for r in plan.resources}
    assert not {t for t in types if t.startswith("aws:controltower")}
    assert "landingzone:control_tower:ControlTower" not in types
    assert not [r for r in plan.of_type("aws:iam/role:Role") if r.inputs["name"].startswith("AWSControlTower")]
    assert len(plan.of_type("aws:organizations/account:Account")) == 8
    assert len(plan.of_type("aws:organizations/policyAttachment:PolicyAttachment")) == 4
    assert "landingZoneArn" not in plan.outputs


def test_access_management_waits_for_the_identity_center_baseline(plan_with):
    plan = plan_with(setter("guardrails.control_tower.access_management", True))
    manifest = json.loads(plan.named("control-tower-landing-zone").inputs["manifestJson"])
    assert manifest["accessManagement"] == {"enabled": True}
    assert plan.of_type(BASELINE) == [] and plan.of_type(CONTROL) == []
    assert any("identity_center_baseline_arn" in warning for warning in plan.warnings)


def test_access_management_points_every_registration_at_the_identity_center_baseline(plan_with):
    arn = "arn:aws:controltower:ap-northeast-1:123456789012:enabledbaseline/XALULM96QHI525UOC"
    plan = plan_with(lambda data: data.setdefault("guardrails", {}).update({"control_tower": {"access_management": True, "identity_center_baseline_arn": arn}}))
    baselines = plan.of_type(BASELINE)
    assert len(baselines) == 5
    assert all(b.inputs["parameters"] == {"key": "IdentityCenterEnabledBaselineArn", "value": arn} for b in baselines)


def test_landing_zone_3_3_registers_no_security_ou_and_names_it_in_the_manifest(plan_with):
    plan = plan_with(setter("guardrails.control_tower.landing_zone_version", "3.3"))
    assert sorted(b.name for b in plan.of_type(BASELINE)) == [
        "control-tower-dev-baseline",
        "control-tower-member-baseline",
        "control-tower-prod-baseline",
        "control-tower-stg-baseline",
    ]
    assert all(b.inputs["baselineVersion"] == "4.0" for b in plan.of_type(BASELINE))
    manifest = json.loads(plan.named("control-tower-landing-zone").inputs["manifestJson"])
    assert manifest["organizationStructure"] == {"security": {"name": "Security"}}
    # The security OU is governed (Control Tower registered it), so its control waits for the landing zone.
    control = plan.named("control-tower-security-AWS-GR_AUDIT_BUCKET_RETENTION_POLICY-control")
    assert plan.named("control-tower-landing-zone").urn in control.dependencies
