"""SCP library, guardrail limits, Control Tower wiring and the guardrail components."""

from __future__ import annotations

import fnmatch
import json

import pytest
from parliament import analyze_policy_string

import config
import names
from components.organization import TRUSTED_SERVICES
from config.model import CONTROL_TOWER_SERVICE
from delivery.policies import deploy_boundary
from guardrails import policies, scp
from guardrails.control_tower import PREREQUISITE_ROLES, ManifestSettings, manifest
from guardrails.controls import CATALOGUE, ELECTIVE, GLOBAL_IDS, STRONGLY_RECOMMENDED, control_arn
from guardrails.policy_types import RCP, SCP, template_names
from iam import policy
from tests.helpers import both, setter, shared_run

PARAMETERS = scp.ScpParameters(
    governed_regions=("ap-northeast-1", "us-east-1"),
    privileged_role_arns=tuple(e.arn for e in scp.exemptions("OrganizationAccountAccessRole", ["BreakGlass"])),
    protected_bucket_resources=scp.bucket_resources(["aws-controltower-logs-*"]),
)
VALUES = PARAMETERS.values()
BASELINE = ["deny-leaving-organization", "deny-root-user", "deny-iam-users", "protect-security-services", "deny-ungoverned-regions"]


def test_region_deny_keeps_governed_regions_open_and_exempts_the_landing_zone_roles():
    statement = policies.render(SCP, "deny-ungoverned-regions", VALUES)
    assert statement["Condition"]["StringNotEquals"]["aws:RequestedRegion"] == ["ap-northeast-1", "us-east-1"]
    assert statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == [
        "arn:aws:iam::*:role/AWSControlTowerExecution",
        "arn:aws:iam::*:role/OrganizationAccountAccessRole",
        "arn:aws:iam::*:role/BreakGlass",
    ]
    assert {"iam:*", "sts:*", "organizations:*", "route53:*", "support:*"} <= set(statement["NotAction"])


def test_log_bucket_protection_covers_buckets_and_objects():
    statement = policies.render(SCP, "protect-log-buckets", VALUES)
    assert statement["Resource"] == ["arn:aws:s3:::aws-controltower-logs-*", "arn:aws:s3:::aws-controltower-logs-*/*"]
    assert "s3:DeleteBucket" in statement["Action"]


@pytest.mark.parametrize("max_chars, groups", [(5120, [BASELINE]), (1200, [BASELINE[:3], BASELINE[3:4], BASELINE[4:]])])
def test_pack_merges_in_order_as_far_as_the_size_limit_allows(max_chars, groups):
    documents = policies.pack(SCP, "root", BASELINE, VALUES, max_chars)
    assert [list(d.templates) for d in documents] == groups
    assert all(len(d.content) <= max_chars for d in documents)
    assert all(d.content == json.dumps(json.loads(d.content), separators=(",", ":")) for d in documents)


def test_slots_count_full_aws_access_and_control_towers_own_scp():
    documents = policies.pack(SCP, "root", BASELINE, VALUES, 1200)
    assert policies.check_limits(documents, 1200, 5, ["FullAWSAccess"]) == []
    [breach] = policies.check_limits(documents, 1200, 4, ["FullAWSAccess", "Control Tower's guardrail SCP"])
    assert breach.message == "target root needs 3 SCPs plus FullAWSAccess and Control Tower's guardrail SCP: 5, over the limit of 4 per target"


def without_principal(document: dict) -> dict:
    """An RCP as parliament reads it: its statements' `"Principal": "*"` (every RCP's) is not identity-policy grammar."""
    return {**document, "Statement": [{k: v for k, v in s.items() if k != "Principal"} for s in document["Statement"]]}


PARLIAMENT_PREDATES = {"aws:SourceOrgID", "token.actions.githubusercontent.com:sub", "api.pulumi.com/oidc:sub"}
"""Condition keys parliament's bundled data does not know: aws:SourceOrgID, a global key AWS added
after that copy (IAM User Guide, reference_policies_condition-keys.html), and the OIDC providers'
`<issuer>:sub` keys, which IAM names after each provider (condition-keys-wif). Only
UNKNOWN_CONDITION_FOR_ACTION findings about these are accepted."""


def lint(document: str) -> list:
    return [
        (f.issue, f.detail)
        for f in analyze_policy_string(document).findings
        if not (f.issue == "UNKNOWN_CONDITION_FOR_ACTION" and any(f"condition {key} " in str(f.detail) for key in PARLIAMENT_PREDATES))
    ]


def test_every_emitted_scp_rcp_and_identity_policy_is_lint_clean(example):
    authorization = [d for d in example.guardrails.policies if d.policy_type in (SCP, RCP)]
    assert {d.policy_type for d in authorization} == {SCP, RCP}
    documents = [json.dumps(without_principal(json.loads(policies.measured(d.content)))) for d in authorization]
    documents += [spec.inline_policy for spec in example.permission_sets.values() if spec.inline_policy]
    documents += [json.dumps(doc) for role in PREREQUISITE_ROLES for doc in role.inline_policies.values()]
    documents += [json.dumps(policy(policies.render(SCP, name, VALUES))) for name in template_names(SCP)]
    documents.append(json.dumps(deploy_boundary()))
    for document in documents:
        assert lint(document) == [], document[:80]


def limit_error(config_dir, mutate) -> str:
    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(mutate), refuse_example_domains=False)
    return str(caught.value)


def test_an_oversize_scp_is_refused_naming_policy_target_and_numbers(config_dir):
    message = limit_error(config_dir, setter("guardrails.limits.scp_max_chars", 800))
    assert "guardrails.scp.targets.root: SCP root-protect-security-services is 1280 characters minified, over the limit of 800" in message


def test_too_many_scps_for_a_target_are_refused(config_dir):
    message = limit_error(config_dir, both(setter("guardrails.limits.scp_max_chars", 1100), setter("guardrails.limits.scps_per_target", 3)))
    assert "target root needs 3 SCPs plus FullAWSAccess: 4, over the limit of 3 per target" in message


def test_a_governed_ou_reserves_a_slot_for_control_tower(config_dir):
    message = limit_error(config_dir, setter("guardrails.limits.scps_per_target", 2))
    assert "target security needs 1 SCPs plus FullAWSAccess and Control Tower's guardrail SCP: 3, over the limit of 2" in message
    assert "target suspended" not in message  # not governed by Control Tower


@pytest.mark.parametrize(
    "mutate, words",
    [
        (
            setter("guardrails.scp.targets", {"root": ["deny-leaving-org"]}),
            "no such SCP template (got 'deny-leaving-org'). Hint: did you mean deny-leaving-organization?",
        ),
        (setter("guardrails.scp.targets", {"members": ["deny-all"]}), "guardrails.scp.targets.members: no such SCP target"),
        (
            setter("guardrails.controls", {"prod": ["AWS-GR_RESTRICTED_SHH"]}),
            "guardrails.controls.prod[0]: unknown control id (got 'AWS-GR_RESTRICTED_SHH'). Hint: did you mean AWS-GR_RESTRICTED_SSH?",
        ),
        (
            setter("guardrails.controls", {"suspended": ["AWS-GR_RESTRICTED_SSH"]}),
            "guardrails.controls.suspended[0]: a detective control needs an OU registered with Control Tower, and suspended is not"
            " (got 'AWS-GR_RESTRICTED_SSH'). Hint: registered OUs: member, dev, stg, prod; preventive controls (SCPs) can target any OU",
        ),
        (
            setter("guardrails.controls", {"security": ["AWS-GR_ROOT_ACCOUNT_MFA_ENABLED"]}),
            "guardrails.controls.security[0]: a detective control needs an OU registered with Control Tower, and security is not",
        ),
        (setter("guardrails.controls", {"workloads": ["AWS-GR_RESTRICT_ROOT_USER"]}), "guardrails.controls.workloads: no such organizational unit"),
        (
            setter("guardrails.tag_policy.targets", {"workloads": ["required-tags"]}),
            "guardrails.tag_policy.targets.workloads: no such tag policy target (got 'workloads')",
        ),
        (
            setter("guardrails.limits.tag_policy_max_chars", 100),
            "guardrails.tag_policy.targets.member: tag policy tag-member-required-tags is 491 characters minified, over the limit of 100",
        ),
        (
            setter("guardrails.limits.trust_policy_max_chars", 100),
            "trust policy of AWSControlTowerAdmin is 136 characters, over the limit of 100",
        ),
        (
            setter("guardrails.control_tower.landing_zone_version", "3.3"),
            "guardrails.control_tower.landing_zone_version: Control Tower creates only the latest landing zone version, 4.0"
            " (CreateLandingZone: \"must be latest available version\") (got '3.3'). Hint: remove the key or set 4.0",
        ),
        (
            setter("guardrails.control_tower.baseline_version", "4.0"),
            "guardrails.control_tower.baseline_version: landing zone 4.0 registers OUs with AWSControlTowerBaseline 5.0 (got '4.0'). Hint: remove the key or set 5.0",
        ),
        (
            setter("guardrails.control_tower.access_management", True),
            "guardrails.control_tower.access_management: Control Tower cannot manage Identity Center here: every OU registration would then need"
            " the IdentityCenterEnabledBaselineArn parameter, which the provider source read sends as a quoted string Control Tower refuses,"
            " and the bridged version is unverified",
        ),
        (setter("guardrails.limits.ou_max_depth", 1), "organization.organizational_units.dev: OU is nested 2 levels deep"),
    ],
    ids=[
        "template typo",
        "unknown target",
        "control typo",
        "detective on an unregistered OU",
        "detective on the Security OU",
        "controls on no OU",
        "tag target",
        "tag size",
        "trust size",
        "version",
        "baseline version",
        "access management",
        "depth limit",
    ],
)
def test_guardrail_mistakes_are_refused_before_deploy(config_dir, mutate, words):
    assert words in limit_error(config_dir, mutate)


def test_default_controls_strongly_recommended_everywhere_mfa_electives_on_prod(example):
    controls = example.guardrails.controls
    assert set(controls["dev"]) == set(controls["stg"]) == set(STRONGLY_RECOMMENDED)
    assert set(controls["prod"]) == set(STRONGLY_RECOMMENDED) | set(ELECTIVE)
    assert set(controls) == {"dev", "stg", "prod"}
    assert example.guardrails.control_exemptions == {}


def test_registration_order_puts_parents_first_and_skips_the_suspended_and_security_ous(example):
    assert example.guardrails.registered_ous == ("member", "dev", "stg", "prod")


def test_manifest_has_every_integration_flag_the_config_integration_and_no_organization_structure():
    settings = ManifestSettings(["ap-northeast-1"], 365, 3650, None)
    document = manifest(settings, "111111111111", "222222222222")
    assert set(document) == {"governedRegions", "centralizedLogging", "securityRoles", "accessManagement", "config", "backup"}
    assert document["centralizedLogging"]["accountId"] == "222222222222"
    assert document["securityRoles"] == {"accountId": "111111111111", "enabled": True}
    assert document["accessManagement"] == {"enabled": False}
    assert document["backup"] == {"enabled": False}
    assert document["config"]["accountId"] == "111111111111"
    assert manifest(ManifestSettings(["ap-northeast-1"], 365, 3650, None, "log"), "1", "2")["config"]["accountId"] == "2"


def test_manifest_carries_the_retention_and_the_kms_key():
    key = "arn:aws:kms:ap-northeast-1:222222222222:key/0a1b2c3d-0000-1111-2222-333344445555"
    document = manifest(ManifestSettings(["ap-northeast-1"], 30, 60, key), "111111111111", "222222222222")
    assert document["centralizedLogging"]["configurations"] == {
        "loggingBucket": {"retentionDays": 30},
        "accessLoggingBucket": {"retentionDays": 60},
        "kmsKeyArn": key,
    }
    # The Config integration keeps S3's own encryption unless it has a key of its own.
    assert "kmsKeyArn" not in document["config"]["configurations"]


def test_manifest_carries_the_config_integration_s_own_kms_key():
    trail, config = (f"arn:aws:kms:ap-northeast-1:222222222222:key/0a1b2c3d-0000-1111-2222-33334444555{n}" for n in (5, 6))
    document = manifest(ManifestSettings(["ap-northeast-1"], 30, 60, trail, config_kms_key_arn=config), "111111111111", "222222222222")
    assert document["config"]["configurations"] == {"loggingBucket": {"retentionDays": 30}, "accessLoggingBucket": {"retentionDays": 60}, "kmsKeyArn": config}
    assert document["centralizedLogging"]["configurations"]["kmsKeyArn"] == trail


def test_trusted_access_keeps_every_service_control_tower_enables():
    assert {
        "controltower.amazonaws.com",
        "sso.amazonaws.com",
        "config.amazonaws.com",
        "cloudtrail.amazonaws.com",
        "member.org.stacksets.cloudformation.amazonaws.com",
    } <= {*TRUSTED_SERVICES, CONTROL_TOWER_SERVICE}  # the last with Control Tower on only (tests/test_components.py)


def test_control_arns_are_the_global_control_catalog_arns():
    assert control_arn("AWS-GR_RESTRICTED_SSH") == "arn:aws:controlcatalog:::control/6rilu41n0gb9w6mxrkyewoer4"
    assert set(GLOBAL_IDS) == set(CATALOGUE)
    assert len(set(GLOBAL_IDS.values())) == len(GLOBAL_IDS)


def test_a_stack_deploy_role_is_exempt_in_its_own_account_only():
    exempted = scp.exemptions("OrganizationAccountAccessRole", ["BreakGlass"], True, {"management": "management", "audit": "audit"})
    assert [e.arn for e in exempted] == [
        "arn:aws:iam::*:role/AWSControlTowerExecution",
        "arn:aws:iam::*:role/OrganizationAccountAccessRole",
        "arn:aws:iam::<account:management>:role/github/pulumi-deploy-management",
        "arn:aws:iam::<account:audit>:role/github/pulumi-deploy-audit",
        "arn:aws:iam::*:role/BreakGlass",
    ]
    parameters = scp.ScpParameters(("ap-northeast-1",), tuple(e.arn for e in exempted), ())
    [document] = policies.pack(SCP, "root", ["deny-iam-users"], parameters.values(), 5120)
    assert document.accounts == ("management", "audit")
    filled = document.render({"management": "123456789012", "audit": "210987654321"})
    assert "arn:aws:iam::210987654321:role/github/pulumi-deploy-audit" in filled and "<account:" not in filled
    # Measured with a 12-digit stand-in, so a size check holds whatever the ids turn out to be.
    assert document.size == len(filled)
    assert policies.measured(document.content) == document.render({"management": "000000000000", "audit": "000000000000"})


def planned_roles(plan) -> set[str]:
    """ARN of every role the plan creates: IAM roles in their provider's account, and the access
    role Organizations creates in each new account."""
    accounts = {r.urn: json.loads(r.inputs["allowedAccountIds"])[0] for r in plan.of_type("pulumi:providers:aws")}
    roles = {names.Role(r.inputs["name"], r.inputs.get("path", "/")).arn(accounts[r.provider.rsplit("::", 1)[0]]) for r in plan.of_type("aws:iam/role:Role")}
    return roles | {names.Role(r.inputs["roleName"]).arn(r.id) for r in plan.of_type("aws:organizations/account:Account")}


@pytest.mark.integration
@pytest.mark.parametrize("control_tower", [True, False], ids=["example", "Control Tower off"])
def test_every_scp_exemption_names_a_role_the_plan_creates_in_that_account(config_dir, management_plan, control_tower):
    plan = management_plan if control_tower else shared_run(config_dir(setter("guardrails.control_tower.enabled", False)))[0]
    roles = planned_roles(plan)
    scps = [json.loads(r.inputs["content"]) for r in plan.of_type("aws:organizations/policy:Policy") if r.inputs["type"] == "SERVICE_CONTROL_POLICY"]
    exempted = {arn for document in scps for s in document["Statement"] for arn in s.get("Condition", {}).get("ArnNotLike", {}).get("aws:PrincipalArn", [])}
    assert exempted and all(any(fnmatch.fnmatchcase(role, arn) for role in roles) for arn in exempted), exempted - roles
    ids = plan.outputs["accountIds"]
    for stack in ("management", "audit", "log"):
        assert f"arn:aws:iam::{ids[stack]}:role/github/pulumi-deploy-{stack}" in exempted
    assert not [arn for arn in exempted if "pulumi-deploy" in arn and ":iam::*:" in arn]
    # The organisation's access role: with Control Tower on only the audit and log accounts are
    # created with it, so it is exempt there by exact ARN and nowhere else.
    access = {arn for arn in exempted if arn.endswith(":role/OrganizationAccountAccessRole")}
    expected = {f"arn:aws:iam::{ids[key]}:role/OrganizationAccountAccessRole" for key in ("audit", "log")}
    assert access == (expected if control_tower else {"arn:aws:iam::*:role/OrganizationAccountAccessRole"})
