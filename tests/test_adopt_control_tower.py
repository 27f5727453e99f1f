"""lzctl/adopt/control_tower*.py without AWS: how a landing zone is mapped onto the config and compared with a plan (table-driven)."""

from __future__ import annotations

import json

import pytest

from guardrails.control_tower import PREREQUISITE_ROLES
from guardrails.controls import control_arn
from lzctl.adopt.control_tower import EnabledBaseline, EnabledControl, ExistingRole, LandingZone, adopt_control_tower
from lzctl.adopt.control_tower_report import BASELINE, CONTROL, LANDING_ZONE, ROLE, control_tower_differences, normalised_manifest
from lzctl.adopt.mapping import Adoption, adopt
from lzctl.adopt.read import Inventory, Member, Unit
from lzctl.runtime import Plan, PlannedResource

REGION = "ap-northeast-1"
ORG = "o-abcdefghij"
ZONE = f"arn:aws:controltower:{REGION}:123456789012:landingzone/ZONEID0123456789"
UNITS = [Unit(f"ou-ab12-{name}", name, "r-ab12", {}, f"arn:aws:organizations::123456789012:ou/{ORG}/ou-ab12-{name}") for name in ("security", "dev", "x")]
OU_KEYS = {u.id: u.name for u in UNITS}
ARN = {u.name: u.arn for u in UNITS}


@pytest.mark.parametrize(
    "aws, program, equal",
    [
        ({"b": 1, "a": {"retentionDays": "365"}}, {"a": {"retentionDays": 365}, "b": 1}, True),  # key order, a retention as a string
        ({"governedRegions": ["us-east-1", REGION]}, {"governedRegions": [REGION, "us-east-1"]}, False),  # list order counts
        ({"a": {"retentionDays": "x"}}, {"a": {"retentionDays": "x"}}, True),  # not a number: left as it is
        ({"enabled": True}, {"enabled": "true"}, False),
    ],
)
def test_the_manifest_is_compared_as_the_provider_normalises_it(aws, program, equal):
    assert (normalised_manifest(aws) == normalised_manifest(program)) is equal


def zone(manifest=None, **extra) -> LandingZone:
    return LandingZone(ZONE, "4.0", "4.0", "ACTIVE", "IN_SYNC", manifest or {}, ["INHERITANCE_DRIFT"], {}, **extra)


def mapped(landing_zone: LandingZone) -> Adoption:
    done = Adoption(config={"guardrails": {}, "organization": {"suspended_ou": "suspended"}, "security": {"ou": "security"}}, files={})
    adopt_control_tower(landing_zone, UNITS, OU_KEYS, {}, REGION, done)
    return done


CT_BASELINE = f"arn:aws:controltower:{REGION}::baseline/17BSJV3IGJ2QSGA2"


@pytest.mark.parametrize(
    "baseline, registered, why",
    [
        (EnabledBaseline("arn:b", CT_BASELINE, "5.0", ARN["dev"], "SUCCEEDED", {}), ["dev"], None),
        (EnabledBaseline("arn:b", CT_BASELINE, "5.0", ARN["security"], "SUCCEEDED", {}), [], "the config never registers the Security or suspended OU"),
        (EnabledBaseline("arn:b", CT_BASELINE.replace(REGION, "us-east-1"), "5.0", ARN["dev"], "SUCCEEDED", {}), [], "not the home region's baseline ARN"),
        (
            EnabledBaseline("arn:b", f"arn:aws:controltower:{REGION}::baseline/OTHER", "1.0", ARN["dev"], "SUCCEEDED", {}),
            [],
            "a baseline the landing zone manages",
        ),
        (EnabledBaseline("arn:b", CT_BASELINE, "5.0", "arn:aws:organizations::123456789012:ou/o-x/ou-gone", "SUCCEEDED", {}), [], "its target is not an OU"),
    ],
)
def test_only_an_ou_baseline_of_the_home_region_registers_an_ou(baseline, registered, why):
    done = mapped(zone(baselines=[baseline]))
    settings = done.config["guardrails"]["control_tower"]
    assert settings["registered_ous"] == registered
    assert settings.get("existing_baselines", {}) == ({"dev": "arn:b"} if registered else {})
    assert [why in w for _, w in done.left_alone] == ([] if why is None else [True])


@pytest.mark.parametrize(
    "identifier, target, adopted, why",
    [
        (control_arn("AWS-GR_RESTRICT_ROOT_USER"), "x", True, None),  # preventive: any OU
        (control_arn("AWS-GR_ROOT_ACCOUNT_MFA_ENABLED"), "x", False, "a detective control on an OU the config does not register"),
        (f"arn:aws:controltower:{REGION}::control/AWS-GR_RESTRICT_ROOT_USER", "x", False, "enabled by its regional ARN"),
        ("arn:aws:controlcatalog:::control/unknown", "x", False, "not in the program's catalogue"),
    ],
)
def test_a_control_is_adopted_only_as_the_program_names_it(identifier, target, adopted, why):
    done = mapped(zone(controls=[EnabledControl("arn:c", identifier, ARN[target], "SUCCEEDED", "IN_SYNC")]))
    controls = done.config["guardrails"]["controls"]
    assert controls == ({"x": ["AWS-GR_RESTRICT_ROOT_USER"]} if adopted else {})
    assert [why in w for _, w in done.left_alone] == ([] if adopted else [True])


def resource(type_: str, import_id: str, **inputs) -> PlannedResource:
    return PlannedResource(f"urn:pulumi:s::p::{type_}::r", type_, "r", True, "", "", False, inputs, (), import_id)


@pytest.mark.parametrize(
    "program, aws, differs",
    [
        ('["arn:aws:iam::1:role/a","arn:aws:iam::1:role/b"]', ["arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"], False),
        ('["arn:aws:iam::1:role/b","arn:aws:iam::1:role/a"]', ["arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"], True),  # the provider's set of strings
        (None, ["arn:aws:iam::1:role/a"], True),
    ],
)
def test_a_control_parameter_is_compared_as_the_provider_reads_it_back(program, aws, differs):
    control = EnabledControl(
        "arn:c", control_arn("AWS-GR_RESTRICT_ROOT_USER"), ARN["x"], "SUCCEEDED", "IN_SYNC", [{"key": "ExemptedPrincipalArns", "value": aws}]
    )
    parameters = [{"key": "ExemptedPrincipalArns", "value": program}] if program else []
    plan = Plan("p", "s", [resource(CONTROL, control.import_id, parameters=parameters)])
    found = control_tower_differences(plan, zone(controls=[control]))
    assert [d.what.split(":")[0] for d in found] == (["parameter ExemptedPrincipalArns"] if differs else [])


def test_a_landing_zone_that_matches_has_no_difference_and_drift_is_one():
    manifest = {"governedRegions": [REGION], "centralizedLogging": {"configurations": {"loggingBucket": {"retentionDays": "365"}}}}
    program = json.dumps({"centralizedLogging": {"configurations": {"loggingBucket": {"retentionDays": 365}}}, "governedRegions": [REGION]})
    plan = Plan("p", "s", [resource(LANDING_ZONE, "ZONEID0123456789", version="4.0", manifestJson=program, remediationTypes=["INHERITANCE_DRIFT"])])
    assert control_tower_differences(plan, zone(manifest=manifest)) == []
    drifted = zone(manifest=manifest)
    drifted.drift = "DRIFTED"
    assert [d.what for d in control_tower_differences(plan, drifted)] == ["landing zone drift DRIFTED"]


@pytest.mark.parametrize(
    "version, parameters, what",
    [
        ("5.0", [], []),
        (
            "4.0",
            [],
            [
                "baseline version: AWS has 4.0, the program names 5.0 and ignores changes to it (components/control_tower.py), which an import "
                "honours (pulumi/pulumi#5878, fixed by #5976 in 2.16): AWS's version stays, no replacement"
            ],
        ),
        (
            "5.0",
            [{"key": "IdentityCenterEnabledBaselineArn", "value": "arn:aws:controltower:ap-northeast-1:1:enabledbaseline/X"}],
            ["parameters: AWS has ['IdentityCenterEnabledBaselineArn'], the program sets none"],
        ),
    ],
)
def test_a_baseline_s_version_and_parameters_are_compared(version, parameters, what):
    baseline = EnabledBaseline("arn:b", CT_BASELINE, version, ARN["dev"], "SUCCEEDED", {}, parameters)
    plan = Plan("p", "s", [resource(BASELINE, "arn:b", baselineIdentifier=CT_BASELINE, baselineVersion="5.0", targetIdentifier=ARN["dev"])])
    assert [d.what for d in control_tower_differences(plan, zone(baselines=[baseline]))] == what


ADMIN = PREREQUISITE_ROLES[0]
GUARDED = {**ADMIN.trust_policy, "Statement": [{**ADMIN.trust_policy["Statement"][0], "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}]}


@pytest.mark.parametrize(
    "trust, what",
    [
        (ADMIN.trust_policy, []),
        ({**ADMIN.trust_policy, "Statement": []}, ["trust policy: the program's is not the one in AWS"]),
        (
            GUARDED,
            [
                'trust policy: AWS\'s has conditions (Control Tower user guide, "Optional conditions for your role trust relationships"), '
                "which the first `pulumi up` would remove: the program's has none"
            ],
        ),
    ],
)
def test_a_role_s_trust_policy_is_compared_and_conditions_it_would_lose_are_named(trust, what):
    role = ExistingRole(ADMIN.key, ADMIN.role.name, ADMIN.role.path, trust, "", 3600, [], {}, {})
    plan = Plan("p", "s", [resource(ROLE, ADMIN.role.name, path=ADMIN.role.path, assumeRolePolicy=json.dumps(ADMIN.trust_policy))])
    assert [d.what for d in control_tower_differences(plan, zone(roles=[role]))] == what


def test_a_landing_zone_s_shared_accounts_are_the_audit_and_log_accounts_whatever_their_names():
    # A landing zone set up before 2021: its Security OU is called Core, its accounts are named freely.
    core = Unit("ou-ab12-core", "Core", "r-ab12", {}, f"arn:aws:organizations::123456789012:ou/{ORG}/ou-ab12-core")
    members = [Member(n, name, f"{n}@example.com", "ACTIVE", core.id, {}) for n, name in (("111111111111", "Sec Tooling"), ("222222222222", "Logs"))]
    manifest = {"securityRoles": {"accountId": "111111111111"}, "centralizedLogging": {"accountId": "222222222222"}}
    inventory = Inventory(
        "123456789012", ORG, "123456789012", "ALL", "r-ab12", [], [], units=[core], accounts=members, landing_zones=[ZONE], landing_zone=zone(manifest)
    )
    security = adopt(inventory, REGION).config["security"]
    assert security["ou"] == "core"
    assert {key: security[key].get("existing_account_id") for key in ("audit", "log")} == {"audit": "111111111111", "log": "222222222222"}


@pytest.mark.parametrize(
    "configurations, written",
    [
        (
            {"kmsKeyArn": "arn:aws:kms:ap-northeast-1:222222222222:key/0a1b2c3d-0000-1111-2222-333344445556"},
            {"config_kms_key_arn": "arn:aws:kms:ap-northeast-1:222222222222:key/0a1b2c3d-0000-1111-2222-333344445556"},
        ),
        ({}, {}),
    ],
)
def test_the_config_integration_s_kms_key_is_adopted_into_its_own_field(configurations, written):
    settings = mapped(zone(manifest={"config": {"configurations": configurations}})).config["guardrails"]["control_tower"]
    assert {k: v for k, v in settings.items() if k == "config_kms_key_arn"} == written
