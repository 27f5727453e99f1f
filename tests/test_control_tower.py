"""Control Tower and guardrail components inside the management stack, in each landing-zone mode."""

from __future__ import annotations

import json

import pytest

import config
from guardrails.control_tower import CONTROL_TOWER_BASELINE_ID
from tests.helpers import run_management, setter, shared_run

BASELINE = "aws:controltower/baseline:Baseline"
CONTROL = "aws:controltower/controlTowerControl:ControlTowerControl"


@pytest.fixture
def plan_with(config_dir):
    """`plan_with(mutate)`: the management plan of the example changed by `mutate`; `shared=True`
    for a test that changes nothing else (tests/helpers.py's shared_run)."""

    def plan(mutate=lambda data: None, shared: bool = False):
        result, errors = (shared_run if shared else run_management)(config_dir(mutate))
        assert not errors, errors
        return result

    return plan


@pytest.mark.integration
def test_prerequisite_roles_are_service_roles_with_the_documented_trust(management_plan):
    roles = {r.inputs["name"]: r.inputs for r in management_plan.of_type("aws:iam/role:Role") if r.name.startswith("control-tower-")}
    services = {name: json.loads(inputs["assumeRolePolicy"])["Statement"][0]["Principal"]["Service"] for name, inputs in roles.items()}
    assert services == {
        "AWSControlTowerAdmin": "controltower.amazonaws.com",
        "AWSControlTowerCloudTrailRole": "cloudtrail.amazonaws.com",
        "AWSControlTowerStackSetRole": "cloudformation.amazonaws.com",
        "AWSControlTowerConfigAggregatorRoleForOrganizations": "config.amazonaws.com",
    }
    stackset = json.loads(management_plan.named("control-tower-stackset-AWSControlTowerStackSetRolePolicy").inputs["policy"])
    assert stackset["Statement"][0]["Resource"] == "arn:aws:iam::*:role/AWSControlTowerExecution"


@pytest.mark.integration
def test_landing_zone_waits_for_its_roles_and_the_shared_accounts(management_plan):
    landing_zone = management_plan.named("control-tower-landing-zone")
    needed = [
        "control-tower-admin-role",
        "control-tower-cloudtrail-role",
        "control-tower-stackset-role",
        "control-tower-config-aggregator-role",
        "security-audit-account",
        "security-log-account",
    ]
    assert {management_plan.named(name).urn for name in needed} <= set(landing_zone.dependencies)
    manifest = json.loads(landing_zone.inputs["manifestJson"])
    accounts = management_plan.outputs["accountIds"]
    assert manifest["centralizedLogging"]["accountId"] == accounts["log"]
    assert manifest["securityRoles"] == {"accountId": accounts["audit"], "enabled": True}
    assert manifest["accessManagement"] == {"enabled": False}
    assert manifest["governedRegions"] == ["ap-northeast-1", "us-east-1"]
    assert "organizationStructure" not in manifest
    assert landing_zone.inputs["version"] == "4.0"
    # Accounts moved into a registered OU later are enrolled on arrival.
    assert landing_zone.inputs["remediationTypes"] == ["INHERITANCE_DRIFT"]


@pytest.mark.integration
def test_the_prerequisite_roles_are_built_in_the_bootstrap_phase_and_keep_their_urns(config_dir):
    plan, errors = shared_run(config_dir(), phase="organization")
    assert not errors, errors
    names = sorted(r.name for r in plan.resources if r.type.startswith("aws:iam/"))
    assert names == [
        "control-tower-admin-AWSControlTowerAdminPolicy",
        "control-tower-admin-AWSControlTowerServiceRolePolicy-attachment",
        "control-tower-admin-role",
        "control-tower-cloudtrail-AWSControlTowerCloudTrailRolePolicy-attachment",
        "control-tower-cloudtrail-role",
        "control-tower-config-aggregator-AWSConfigRoleForOrganizations-attachment",
        "control-tower-config-aggregator-role",
        "control-tower-stackset-AWSControlTowerStackSetRolePolicy",
        "control-tower-stackset-role",
        "organization-root-access",
    ]
    assert plan.of_type("aws:controltower/landingZone:LandingZone") == []
    role = plan.named("control-tower-admin-role")
    assert role.urn == "urn:pulumi:management::landing-zone::landingzone:control_tower_roles:ControlTowerRoles$aws:iam/role:Role::control-tower-admin-role"
    # It was a child of the ControlTower component: the alias moves it instead of replacing it.
    assert "urn:pulumi:management::landing-zone::landingzone:control_tower:ControlTower::control-tower" in json.dumps(role.aliases)


@pytest.mark.integration
def test_ou_registrations_run_one_after_another_parents_first_starting_at_the_landing_zone(management_plan):
    baselines = {r.name: r for r in management_plan.of_type(BASELINE)}
    order = ["member", "dev", "stg", "prod"]
    assert sorted(baselines) == sorted(f"control-tower-{key}-baseline" for key in order)
    previous = management_plan.named("control-tower-landing-zone")
    for key in order:
        baseline = baselines[f"control-tower-{key}-baseline"]
        assert previous.urn in baseline.dependencies, key
        assert baseline.inputs["baselineIdentifier"] == f"arn:aws:controltower:ap-northeast-1::baseline/{CONTROL_TOWER_BASELINE_ID}"
        assert baseline.inputs["baselineVersion"] == "5.0"
        assert "parameters" not in baseline.inputs
        previous = baseline


@pytest.mark.integration
def test_the_security_ou_is_never_registered(management_plan):
    security = management_plan.outputs["organizationalUnitIds"]["security"]
    assert not [b for b in management_plan.of_type(BASELINE) if b.inputs["targetIdentifier"].endswith("/" + security)]
    assert not [c for c in management_plan.of_type(CONTROL) if c.inputs["targetIdentifier"].endswith("/" + security)]


@pytest.mark.integration
def test_registering_an_ou_waits_for_the_accounts_it_enrols(management_plan):
    dev = management_plan.named("control-tower-dev-baseline")
    assert management_plan.named("shop-dev-account").urn in dev.dependencies
    assert management_plan.named("booking-dev-account").urn in dev.dependencies
    assert management_plan.named("shop-prod-account").urn not in dev.dependencies


@pytest.mark.integration
def test_controls_use_global_identifiers_and_target_their_ou_after_its_registration(management_plan):
    control = management_plan.named("control-tower-prod-AWS-GR_RESTRICTED_SSH-control")
    assert control.inputs["controlIdentifier"] == "arn:aws:controlcatalog:::control/6rilu41n0gb9w6mxrkyewoer4"
    assert control.inputs["targetIdentifier"].endswith("/" + management_plan.outputs["organizationalUnitIds"]["prod"])
    assert management_plan.named("control-tower-prod-baseline").urn in control.dependencies
    assert "parameters" not in control.inputs


@pytest.mark.integration
def test_controls_and_baselines_are_disabled_before_they_are_replaced(management_plan):
    """Moving a deployed control from its regional to its global ARN replaces it (control_identifier
    forces replacement), on the OU where it is still enabled."""
    replaced = management_plan.of_type(CONTROL) + management_plan.of_type(BASELINE)
    assert len(replaced) == 48 and all(r.delete_before_replace for r in replaced)
    assert not management_plan.named("control-tower-landing-zone").delete_before_replace


@pytest.mark.integration
def test_the_default_controls_deny_no_deploy_and_exempt_only_root_sessions(management_plan):
    enabled = {r.name.removeprefix("control-tower-").removesuffix("-control") for r in management_plan.of_type(CONTROL)}
    assert not {name for name in enabled if "S3_DELETE_WITHOUT_MFA" in name or "RETENTION" in name}
    assert {name.split("-", 1)[0] for name in enabled} == {"dev", "stg", "prod"}
    parameters = {r.name: r.inputs["parameters"] for r in management_plan.of_type(CONTROL) if "parameters" in r.inputs}
    assert parameters == {
        f"control-tower-{ou}-AWS-GR_RESTRICT_ROOT_USER-control": [{"key": "ExemptAssumeRoot", "value": "true"}] for ou in ("dev", "stg", "prod")
    }


@pytest.mark.integration
def test_workload_accounts_are_created_with_the_control_tower_execution_role_and_reached_through_it(management_plan):
    ids = management_plan.outputs["accountIds"]
    roles = {a.name: a.inputs["roleName"] for a in management_plan.of_type("aws:organizations/account:Account")}
    workload = {name for name in roles if not name.startswith("security-")}
    assert len(workload) == 6 and {roles[name] for name in workload} == {"AWSControlTowerExecution"}
    provider = management_plan.named("shop-prod-provider").inputs
    assert json.loads(provider["assumeRoles"])[0]["roleArn"] == f"arn:aws:iam::{ids['shop-prod']}:role/AWSControlTowerExecution"
    # Organizations creates the role; nothing here manages it, so no update or deletion can touch it.
    assert not [r for r in management_plan.of_type("aws:iam/role:Role") if r.inputs["name"] == "AWSControlTowerExecution"]


@pytest.mark.integration
def test_the_shared_accounts_are_created_with_the_default_access_role_which_their_providers_assume(management_plan):
    """Control Tower's API walkthrough (step 1) and the Landing Zone Accelerator create the audit and log
    accounts with CreateAccount's default role; CreateLandingZone creates AWSControlTowerExecution in them."""
    ids = management_plan.outputs["accountIds"]
    for key in ("audit", "log"):
        assert management_plan.named(f"security-{key}-account").inputs["roleName"] == "OrganizationAccountAccessRole"
        provider = json.loads(management_plan.named(f"security-{key}-provider").inputs["assumeRoles"])
        assert provider == [{"roleArn": f"arn:aws:iam::{ids[key]}:role/OrganizationAccountAccessRole", "sessionName": "landing-zone"}]
    roles = management_plan.outputs["accessRoleNames"]
    assert roles == {key: "OrganizationAccountAccessRole" if key in ("audit", "log") else "AWSControlTowerExecution" for key in ids if key != "management"}


def test_another_shared_access_role_is_used_for_audit_and_log_only_and_warned_about(config_dir):
    landing_zone = config.load(config_dir(setter("organization.access_role_name", "LandingZoneAccess")), refuse_example_domains=False)
    assert landing_zone.access_role_name("audit") == landing_zone.access_role_name("log") == "LandingZoneAccess"
    assert landing_zone.access_role_name("shop-prod") == "AWSControlTowerExecution"
    [warning] = [w for w in landing_zone.warnings if "organization.access_role_name" in w]
    assert warning == (
        "organization.access_role_name (LandingZoneAccess): with Control Tower on it is the role of the audit and log accounts only "
        "(workload accounts get AWSControlTowerExecution); Control Tower's API walkthrough creates those two with the default "
        "OrganizationAccountAccessRole, and no AWS page says CreateLandingZone sets them up through another role name"
    )


@pytest.mark.integration
def test_a_suspended_account_keeps_its_execution_role(plan_with):
    plan = plan_with(setter("applications.shop.accounts.dev", {"suspended": True}), shared=True)
    account = plan.named("shop-dev-account")
    assert account.inputs["roleName"] == "AWSControlTowerExecution"
    assert account.inputs["parentId"] == plan.outputs["organizationalUnitIds"]["suspended"]
    assert not [r for r in plan.resources if r.name.startswith("shop-dev-") and r.type.startswith("aws:iam/")]
    # The suspended OU's deny-all spares the role, so Control Tower and the program can still reach the account.
    deny_all = json.loads(plan.named("guardrails-suspended-deny-all-policy").inputs["content"])
    exempted = json.dumps(deny_all)
    assert "arn:aws:iam::*:role/AWSControlTowerExecution" in exempted


@pytest.mark.integration
def test_opt_in_controls_exempt_the_landing_zones_own_roles_by_exact_arn(plan_with):
    plan = plan_with(
        lambda data: data.setdefault("guardrails", {}).update(
            controls={"prod": ["AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA", "AWS-GR_RESTRICT_ROOT_USER"], "security": ["AWS-GR_AUDIT_BUCKET_RETENTION_POLICY"]}
        ),
        shared=True,
    )
    ids = plan.outputs["accountIds"]
    mfa = plan.named("control-tower-prod-AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA-control").inputs["parameters"]
    exempted = sorted(
        f"arn:aws:iam::{ids[account]}:role/{role}"
        for account in ("shop-prod", "booking-prod")
        for role in ("AWSControlTowerExecution", "github/github-deploy-prod")
    )
    # Compact, as the provider's json.Marshal reads it back (control.go flattenControlParameters):
    # any other spelling would diff on every `pulumi up`.
    assert mfa == [{"key": "ExemptedPrincipalArns", "value": '["' + '","'.join(exempted) + '"]'}]
    retention = plan.named("control-tower-security-AWS-GR_AUDIT_BUCKET_RETENTION_POLICY-control")
    # The audit and log accounts' access role, which their providers and the first run of their
    # stacks (docs/deploying.md, "Audit and log stacks", `accessRoleNames`) deploy with.
    assert plan.outputs["accessRoleNames"]["log"] == "OrganizationAccountAccessRole"
    assert json.loads(retention.inputs["parameters"][0]["value"]) == sorted(
        [
            f"arn:aws:iam::{ids['audit']}:role/OrganizationAccountAccessRole",
            f"arn:aws:iam::{ids['audit']}:role/github/pulumi-deploy-audit",
            f"arn:aws:iam::{ids['log']}:role/OrganizationAccountAccessRole",
            f"arn:aws:iam::{ids['log']}:role/github/pulumi-deploy-log",
        ]
    )
    # The Security OU is not registered: its (preventive) control waits for the landing zone.
    assert plan.named("control-tower-landing-zone").urn in retention.dependencies
    # A control that denies only the root user exempts no role, only the root sessions centralised
    # root access opens; its access-key sibling exempts neither.
    assert plan.named("control-tower-prod-AWS-GR_RESTRICT_ROOT_USER-control").inputs["parameters"] == [{"key": "ExemptAssumeRoot", "value": "true"}]


@pytest.mark.integration
def test_every_policy_type_is_attached_to_its_targets(management_plan):
    ids = management_plan.outputs["organizationalUnitIds"]
    root = management_plan.outputs["rootId"]
    attachments = {r.name: r.inputs["targetId"] for r in management_plan.of_type("aws:organizations/policyAttachment:PolicyAttachment")}
    assert attachments == {
        "guardrails-root-deny-leaving-organization-attachment": root,
        "guardrails-security-protect-log-buckets-attachment": ids["security"],
        "guardrails-suspended-deny-all-attachment": ids["suspended"],
        "guardrails-prod-protect-backups-attachment": ids["prod"],
        "guardrails-rcp-root-enforce-org-identities-attachment": root,
        "guardrails-tag-member-required-tags-attachment": ids["member"],
        "guardrails-ec2-root-instance-metadata-v2-attachment": root,
        "guardrails-s3-root-block-public-access-attachment": root,
        "guardrails-ai-root-opt-out-all-attachment": root,
        "guardrails-backup-prod-daily-attachment": ids["prod"],
    }
    scp = management_plan.named("guardrails-root-deny-leaving-organization-policy").inputs
    assert scp["type"] == "SERVICE_CONTROL_POLICY" and scp["name"] == "landing-zone-root-deny-leaving-organization"
    assert [s["Sid"] for s in json.loads(scp["content"])["Statement"]] == [
        "DenyLeavingOrganization",
        "DenyRootUser",
        "DenyIamUsersAndAccessKeys",
        "ProtectSecurityServices",
        "DenyUngovernedRegions",
    ]
    rcp = management_plan.named("guardrails-rcp-root-enforce-org-identities-policy").inputs
    assert rcp["type"] == "RESOURCE_CONTROL_POLICY"
    assert [s["Sid"] for s in json.loads(rcp["content"])["Statement"]] == [
        "EnforceOrgIdentities",
        "EnforceConfusedDeputyProtection",
        "EnforceSecureTransport",
        "EnforceGitHubTenant",
        "EnforcePulumiTenant",
    ]
    tags = json.loads(management_plan.named("guardrails-tag-member-required-tags-policy").inputs["content"])
    assert tags["tags"]["owner"]["report_required_tag_for"]["@@assign"][0] == "ec2:instance"
    types = {r.inputs["type"] for r in management_plan.of_type("aws:organizations/policy:Policy")}
    assert types == {
        "SERVICE_CONTROL_POLICY",
        "RESOURCE_CONTROL_POLICY",
        "TAG_POLICY",
        "DECLARATIVE_POLICY_EC2",
        "S3_POLICY",
        "AISERVICES_OPT_OUT_POLICY",
        "BACKUP_POLICY",
    }
    assert sorted(management_plan.named("organization-organization").inputs["enabledPolicyTypes"]) == sorted(types)


@pytest.mark.integration
def test_policies_wait_for_the_organisation(management_plan):
    organization = management_plan.named("organization-organization").urn
    assert organization in management_plan.named("guardrails-suspended-deny-all-policy").dependencies


@pytest.mark.integration
def test_without_control_tower_the_stack_is_still_complete(plan_with):
    plan = plan_with(setter("guardrails.control_tower.enabled", False), shared=True)
    types = {r.type for r in plan.resources}
    assert not {t for t in types if t.startswith("aws:controltower")}
    assert "landingzone:control_tower:ControlTower" not in types
    assert not [r for r in plan.of_type("aws:iam/role:Role") if r.inputs["name"].startswith("AWSControlTower")]
    assert len(plan.of_type("aws:organizations/account:Account")) == 8
    assert len(plan.of_type("aws:organizations/policyAttachment:PolicyAttachment")) == 10  # nine types and targets, and protect-backups on the prod OU
    assert "landingZoneArn" not in plan.outputs


@pytest.mark.integration
def test_controls_run_in_chained_batches_of_control_towers_limit(plan_with, monkeypatch):
    """With a limit of 10, the example's controls form batches of 10, each waiting for the whole
    batch before it, so no more than 10 can be in progress at once whatever --parallel is."""
    import components.control_tower
    from lzctl.plan import views
    from rules.service import control_operations_within_the_limit

    monkeypatch.setattr(components.control_tower, "CONTROL_OPERATIONS", 10)
    plan = plan_with()
    controls = plan.of_type(CONTROL)
    urns = [c.urn for c in controls]
    assert len(controls) > 30
    for index, control in enumerate(controls):
        start = (index // 10 - 1) * 10
        assert [d for d in control.dependencies if d in urns] == (urns[start : start + 10] if index >= 10 else [])
    assert list(control_operations_within_the_limit(views(plan), limit=10)) == []
    assert list(control_operations_within_the_limit(views(plan), limit=9)) == [
        (urns[0], "10 control operations can be in progress at once, over Control Tower's 9: chain the controls in batches of 9")
    ]
