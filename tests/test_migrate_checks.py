"""`lzctl migrate`'s pure parts, as tables: name matching, trust policies, preflight checks, report notes."""

from __future__ import annotations

import dataclasses

import pytest

from lzctl.migrate.context import identity_mismatches
from lzctl.migrate.exposure import PERIMETER_TEMPLATE, S3_TEMPLATE, SHARING_TEMPLATE, Exposure, account_of_principal, principals
from lzctl.migrate.inventory import dev_stg_word, github_subjects
from lzctl.migrate.inventory_report import config_notes, regions_in_use, ungoverned_in_use
from lzctl.migrate.preflight import CHECKS, Facts, run_checks
from lzctl.migrate.roles import FOREIGN_TRUST, MISSING, NO_ADMIN, READY, RoleState, trusted_principals, trusts_only

MANAGEMENT = "123456789012"
ROOT = f"arn:aws:iam::{MANAGEMENT}:root"


@pytest.mark.parametrize(
    "texts, word",
    [
        (("shop-dev-db",), "dev"),
        (("my_staging_bucket",), "staging"),
        (("api-STG",), "STG"),
        (("develop/branch",), "develop"),
        (("Development",), "Development"),
        (("device-registry",), None),
        (("DevOps-team",), None),
        (("prod-api", "owner=team"), None),
        (("prod-api", "stg"), "stg"),
        (("",), None),
    ],
)
def test_dev_stg_words_match_whole_words_only(texts, word):
    assert dev_stg_word(*texts) == word


def _trust(principal, condition=None, action="sts:AssumeRole", effect="Allow") -> dict:
    statement = {"Effect": effect, "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


GITHUB = {"Federated": "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"}


@pytest.mark.parametrize(
    "trust, subjects",
    [
        (_trust(GITHUB, {"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:corp/shop:environment:prod"}}), ["repo:corp/shop:environment:prod"]),
        (
            _trust(GITHUB, {"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:corp/*", "repo:corp/a:ref:x"]}}),
            ["repo:corp/*", "repo:corp/a:ref:x"],
        ),
        (_trust(GITHUB, {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}), []),
        (_trust({"AWS": ROOT}), None),
        (_trust({"Service": "lambda.amazonaws.com"}), None),
    ],
)
def test_github_subjects_of_a_trust_policy(trust, subjects):
    assert github_subjects(trust) == subjects


@pytest.mark.parametrize(
    "trust, only",
    [
        (_trust({"AWS": ROOT}), True),
        (_trust({"AWS": MANAGEMENT}), True),
        (_trust({"AWS": [ROOT]}, action=["sts:AssumeRole"]), True),
        (_trust({"AWS": [ROOT, "arn:aws:iam::999988887777:root"]}), False),
        (_trust({"AWS": ROOT}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}}), False),
        (_trust({"AWS": ROOT}, action="sts:*"), False),
        (_trust({"AWS": ROOT}, effect="Deny"), False),
        (_trust({"Service": "ec2.amazonaws.com"}), False),
        (_trust("*"), False),
        ({"Version": "2012-10-17", "Statement": []}, False),
    ],
)
def test_trusts_only_the_management_account(trust, only):
    assert trusts_only(trust, MANAGEMENT) is only


def test_trusted_principals_name_each_principal():
    trust = {"Statement": [{"Principal": {"AWS": [ROOT, "arn:aws:iam::1:user/x"]}}, {"Principal": "*"}]}
    assert trusted_principals(trust) == [f"AWS {ROOT}", "AWS arn:aws:iam::1:user/x", "*"]


CLEAN = Facts(
    account_id="210987654321",
    profile="legacy",
    management_id=MANAGEMENT,
    governed_regions=("ap-northeast-1", "us-east-1"),
    control_tower=True,
    organization=None,
    region_status={"ap-northeast-1": "opt-in-not-required", "us-east-1": "opt-in-not-required", "ap-east-1": "not-opted-in"},
    recorders={"ap-northeast-1": [], "us-east-1": []},
    channels={"ap-northeast-1": [], "us-east-1": []},
    access_role=RoleState("OrganizationAccountAccessRole", READY),
    execution_role=RoleState("AWSControlTowerExecution", MISSING),
    prepare_command="python -m lzctl migrate prepare-account --profile legacy",
    exposure=Exposure(frozenset({S3_TEMPLATE, SHARING_TEMPLATE, PERIMETER_TEMPLATE}), frozenset({"210987654321", MANAGEMENT, "582318560864"})),
)
PARTNER = "444455556666"
OAI = "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL"


def _exposure(**change) -> dict:
    return {"exposure": dataclasses.replace(CLEAN.exposure, **change)}


def test_a_clean_account_passes_every_check():
    results = run_checks(CLEAN)
    assert [r.id for r in results] == [check_id for check_id, _, _ in CHECKS]
    assert all(r.passed for r in results) and all(r.fix == "" and r.why == "" for r in results)


@pytest.mark.parametrize(
    "change, check_id, finding, fix",
    [
        (
            {"organization": {"Id": "o-other", "MasterAccountId": "999988887777"}},
            "organization",
            "member of organisation o-other (management account 999988887777)",
            "aws organizations leave-organization --profile legacy",
        ),
        (
            {"recorders": {"ap-northeast-1": ["default"], "us-east-1": []}},
            "config-recorder",
            "AWS Config recorders: ap-northeast-1: default",
            "aws configservice stop-configuration-recorder --configuration-recorder-name default --region ap-northeast-1 --profile legacy",
        ),
        (
            {"channels": {"us-east-1": ["legacy-channel"]}},
            "config-delivery-channel",
            "AWS Config delivery channels: us-east-1: legacy-channel",
            "aws configservice delete-delivery-channel --delivery-channel-name legacy-channel --region us-east-1 --profile legacy",
        ),
        (
            {"access_role": RoleState("OrganizationAccountAccessRole", MISSING)},
            "access-role",
            "OrganizationAccountAccessRole is missing",
            "`python -m lzctl migrate prepare-account --profile legacy`",
        ),
        (
            {"access_role": RoleState("OrganizationAccountAccessRole", NO_ADMIN)},
            "access-role",
            "OrganizationAccountAccessRole is without AdministratorAccess",
            "prepare-account",
        ),
        (
            {"access_role": RoleState("OrganizationAccountAccessRole", FOREIGN_TRUST, _trust({"AWS": "arn:aws:iam::999988887777:root"}))},
            "access-role",
            "trusts someone else",
            "aws iam update-assume-role-policy --role-name OrganizationAccountAccessRole",
        ),
        (
            {"governed_regions": ("ap-northeast-1", "ap-east-1")},
            "governed-regions",
            "governed regions not enabled in the account: ap-east-1",
            "aws account enable-region --region-name ap-east-1 --profile legacy",
        ),
        (
            _exposure(public_buckets=(("www-assets", "its bucket policy"), ("uploads", "its ACL"))),
            "s3-public-access",
            "public buckets that S3 Block Public Access makes private at the first full `pulumi up`: www-assets: its bucket policy; uploads: its ACL",
            "keep `block-public-access` off this account's OU for now (guardrails.s3_policy.targets)",
        ),
        (
            _exposure(public_snapshots=(("ap-northeast-1", "snap-1"),), public_images=(("us-east-1", "ami-1"),)),
            "public-sharing",
            "snapshots made private at the first full `pulumi up`: ap-northeast-1: snap-1; AMIs that stay public but can never be shared publicly again: us-east-1: ami-1",
            "guardrails.declarative_ec2.targets",
        ),
        (
            _exposure(
                grants=(
                    ("arn:aws:s3:::logs", "arn:aws:iam::582318560864:root"),
                    ("arn:aws:s3:::www", OAI),
                    ("arn:aws:iam::210987654321:role/partner", f"arn:aws:iam::{PARTNER}:root"),
                    ("arn:aws:sqs:ap-northeast-1:210987654321:in", PARTNER),
                    ("arn:aws:kms:ap-northeast-1:210987654321:key/k", "*"),
                    ("arn:aws:iam::210987654321:role/ci", f"arn:aws:iam::{MANAGEMENT}:role/x"),
                    ("arn:aws:iam::210987654321:role/old", "AROAEXAMPLEUNIQUEID"),
                )
            ),
            "data-perimeter",
            "principals outside the organisation that the RCPs deny from the first full `pulumi up`: arn:aws:s3:::www: " + OAI + "; "
            f"arn:aws:iam::210987654321:role/partner: arn:aws:iam::{PARTNER}:root; arn:aws:sqs:ap-northeast-1:210987654321:in: {PARTNER}; "
            "arn:aws:kms:ap-northeast-1:210987654321:key/k: *",
            "add its account id to guardrails.rcp.trusted_accounts; replace CloudFront origin access identities with origin access control",
        ),
    ],
)
def test_each_failing_condition_fails_its_check_with_a_fix(change, check_id, finding, fix):
    results = {r.id: r for r in run_checks(dataclasses.replace(CLEAN, **change))}
    failed = [r for r in results.values() if not r.passed]
    assert [r.id for r in failed] == [check_id]
    assert finding in failed[0].finding and fix in failed[0].fix and failed[0].why


@pytest.mark.parametrize(
    "change, finding",
    [
        ({"organization": {"Id": "o-ours", "MasterAccountId": MANAGEMENT}}, "already a member of o-ours"),
        ({"control_tower": False, "execution_role": RoleState("AWSControlTowerExecution", READY)}, "not needed: guardrails.control_tower.enabled is false"),
        (
            {"access_role": RoleState("AWSControlTowerExecution", READY), "execution_role": RoleState("AWSControlTowerExecution", READY)},
            "AWSControlTowerExecution is the account's access role, checked by access-role (ready)",
        ),
        # An adopted audit or log account keeps the organisation's access role; CreateLandingZone makes the execution role.
        ({}, "not needed: Control Tower creates AWSControlTowerExecution in the audit and log accounts at set-up (missing)"),
        (
            _exposure(templates=frozenset({PERIMETER_TEMPLATE}), public_buckets=(("www-assets", "its ACL"),)),
            "not applied: no `block-public-access` in guardrails.s3_policy on this account's path",
        ),
        (
            _exposure(templates=frozenset(), grants=(("arn:aws:s3:::www", OAI),)),
            "not applied: no `enforce-org-identities` in guardrails.rcp on this account's path",
        ),
        (
            _exposure(grants=(("arn:aws:s3:::logs", "arn:aws:iam::582318560864:root"),)),
            "no resource policy or role trust lets in a principal outside the organisation",
        ),
    ],
)
def test_conditions_that_pass(change, finding):
    assert any(r.passed and r.finding == finding for r in run_checks(dataclasses.replace(CLEAN, **change)))


@pytest.mark.parametrize(
    "statement, found",
    [
        ({"Effect": "Allow", "Principal": "*"}, ["*"]),
        ({"Effect": "Allow", "Principal": {"AWS": "*"}, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}, []),
        ({"Effect": "Allow", "Principal": {"AWS": [PARTNER, OAI]}}, [PARTNER, OAI]),
        ({"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}}, []),
        ({"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"}}, []),
        ({"Effect": "Deny", "Principal": "*"}, []),
    ],
)
def test_principals_of_allow_statements(statement, found):
    assert list(principals({"Statement": [statement]})) == found


@pytest.mark.parametrize(
    "principal, account",
    [
        (PARTNER, PARTNER),
        (f"arn:aws:iam::{PARTNER}:role/a/b", PARTNER),
        (f"arn:aws:sts::{PARTNER}:assumed-role/r/s", PARTNER),
        (OAI, "cloudfront"),
        ("AROAEXAMPLE", None),
    ],
)
def test_account_of_principal(principal, account):
    assert account_of_principal(principal) == account


@pytest.mark.parametrize(
    "actual, mismatches",
    [
        ({"name": "Shop Production", "email": "AWS+Shop-Prod@example.com"}, []),
        ({"name": "shop", "email": "aws+shop-prod@example.com"}, [("name", "shop", "Shop Production")]),
        ({"name": None, "email": "root@corp.example"}, [("email", "root@corp.example", "aws+shop-prod@example.com")]),
    ],
)
def test_identity_mismatches_ignore_email_case_and_unread_fields(actual, mismatches):
    assert identity_mismatches(actual, {"name": "Shop Production", "email": "aws+shop-prod@example.com"}) == mismatches


def _region(resources=None, alarms=(), security_hub=False) -> dict:
    return {
        "resources": resources or {},
        "trails": [],
        "config_recorders": [],
        "guardduty_detectors": [],
        "alarms": list(alarms),
        "subscriptions": [],
        "security_hub": security_hub,
    }


def test_regions_in_use_and_the_ungoverned_ones():
    inventory = {
        "expected": {"governed_regions": ["ap-northeast-1", "us-east-1"]},
        "by_region": {"ap-northeast-1": _region({"s3": 2, "ec2": 1}), "us-east-1": _region(), "eu-west-1": _region(alarms=[{"name": "x"}], security_hub=True)},
    }
    assert regions_in_use(inventory) == {"ap-northeast-1": 3, "eu-west-1": 2}
    assert ungoverned_in_use(inventory) == ["eu-west-1"]


@pytest.mark.parametrize(
    "account, expected, notes",
    [
        (
            {"id": "210987654321", "name": "Legacy", "email": None},
            {},
            ['no account in the config adopts 210987654321: set `existing_account_id: "210987654321"` on the prod account of the application it runs.'],
        ),
        (
            {"id": "1", "name": "Legacy", "email": None},
            {"key": "shop-prod", "name": "Shop Production", "email": "a@corp.example"},
            [
                "email: AWS did not let this profile read it; the config gives 'a@corp.example', which must match exactly.",
                "name: AWS has 'Legacy', the config gives 'Shop Production': set name: 'Legacy' under the shop-prod account.",
            ],
        ),
        (
            {"id": "1", "name": "Shop Production", "email": "a@corp.example"},
            {"key": "shop-prod", "name": "Shop Production", "email": "a@corp.example"},
            ["name and root e-mail match the config's shop-prod account."],
        ),
    ],
)
def test_config_notes_say_what_to_set_for_the_import(account, expected, notes):
    assert config_notes({"account": account, "expected": expected}) == notes
