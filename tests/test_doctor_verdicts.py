"""The doctor's pure parts, as tables: verdicts on AWS's answers, the plan's intent, IAM action names."""

from __future__ import annotations

import pytest

import config
from config.regions import AWS_REGIONS, CONTROL_TOWER_REGIONS
from lzctl.doctor import verdicts
from lzctl.doctor.aws import READS, iam_action
from lzctl.doctor.intent import NamedResource, intent_of
from lzctl.doctor.verdicts import FAIL, PASS, SKIP, AccountNeed, ConfigResources, Found
from tests.helpers import shared_run

MANAGEMENT = "123456789012"
HOME = "ap-northeast-1"
LZ = f"arn:aws:controltower:{HOME}:{MANAGEMENT}:landingzone/1A2B3C4D5E6F7G8H"
ORG = {"Id": "o-abc", "MasterAccountId": MANAGEMENT, "FeatureSet": "ALL"}


@pytest.mark.parametrize(
    "arn, account, status, finding",
    [
        (f"arn:aws:sts::{MANAGEMENT}:assumed-role/Admin/me", MANAGEMENT, PASS, f"as arn:aws:sts::{MANAGEMENT}:assumed-role/Admin/me"),
        (f"arn:aws:iam::{MANAGEMENT}:root", MANAGEMENT, FAIL, "signs in as the root user"),
        (f"arn:aws-us-gov:iam::{MANAGEMENT}:root", MANAGEMENT, FAIL, "signs in as the root user"),
        (f"arn:aws:iam::{MANAGEMENT}:user/root", MANAGEMENT, PASS, "reaches the management account"),
        ("arn:aws:sts::999988887777:assumed-role/Admin/me", "999988887777", FAIL, "reaches account 999988887777"),
    ],
)
def test_credentials(arn, account, status, finding):
    outcome = verdicts.credentials({"Account": account, "Arn": arn}, "p", MANAGEMENT, "config/landing-zone.yaml")
    assert outcome.status == status and finding in outcome.finding


@pytest.mark.parametrize(
    "org, status, text",
    [
        (None, PASS, "belongs to no organisation yet (first run)"),
        (ORG, PASS, "organisation o-abc with all features"),
        ({**ORG, "FeatureSet": "CONSOLIDATED_BILLING"}, FAIL, "aws organizations enable-all-features"),
        ({**ORG, "MasterAccountId": "999988887777"}, FAIL, "aws organizations leave-organization --profile p"),
    ],
)
def test_organization(org, status, text):
    outcome = verdicts.organization(org, MANAGEMENT, "p")
    assert outcome.status == status and text in outcome.finding + outcome.advice


@pytest.mark.parametrize(
    "need, quota, applied, status, text",
    [
        (AccountNeed(8, (), 0), 10.0, True, PASS, "9 accounts (8 planned + the management account) fit the quota of 10"),
        (AccountNeed(9, (), 0), 10.0, True, PASS, "10 accounts"),
        (AccountNeed(9, ("Old 1",), 0), 10.0, True, FAIL, "--desired-value 11"),
        (AccountNeed(8, (), 2), 10.0, True, FAIL, "8 planned + the management account + 2 open invitations"),
        (AccountNeed(8, (), 0), 4.0, True, FAIL, "exceed the quota of 4"),
        (AccountNeed(3, (), 0), 10.0, False, PASS, "AWS's default quota (10)"),
    ],
)
def test_account_quota(need, quota, applied, status, text):
    outcome = verdicts.account_quota(need, quota, applied, "L-29A0C5DF", "o-abc", "p")
    assert outcome.status == status and text in outcome.finding + outcome.advice
    assert (applied and status == PASS) == (outcome.advice == "")


INSTANCE = {"InstanceArn": "arn:aws:sso:::instance/ssoins-1", "IdentityStoreId": "d-1", "Status": "ACTIVE"}


@pytest.mark.parametrize(
    "instances, has_org, status, text",
    [
        ({}, False, SKIP, "no organisation yet"),
        ({HOME: [INSTANCE]}, True, PASS, "is active in ap-northeast-1"),
        ({HOME: [{**INSTANCE, "Status": "CREATE_IN_PROGRESS"}]}, True, FAIL, "is CREATE_IN_PROGRESS"),
        ({HOME: [], "us-east-1": [INSTANCE]}, True, FAIL, "set organization.home_region to us-east-1"),
        ({HOME: [], "us-east-1": []}, True, FAIL, "IAM Identity Center is not enabled in ap-northeast-1"),
    ],
)
def test_identity_center(instances, has_org, status, text):
    outcome = verdicts.identity_center(instances, HOME, has_org)
    assert outcome.status == status and text in outcome.finding + outcome.advice


def test_mfa_is_always_a_skip_with_the_console_path():
    outcome = verdicts.identity_center_mfa()
    assert outcome.status == SKIP and "Settings → Authentication → Multi-factor authentication" in outcome.advice


@pytest.mark.parametrize(
    "home, governed, enabled, status, text",
    [
        (HOME, ("ap-northeast-1", "us-east-1"), True, PASS, "every governed region"),
        (HOME, ("ap-northeast-1", "xx-east-9"), True, FAIL, "not available in xx-east-9"),
        ("xx-east-9", ("xx-east-9",), True, FAIL, "not available in xx-east-9"),
        (HOME, ("ap-northeast-1",), False, SKIP, "Control Tower is off"),
    ],
)
def test_control_tower_regions(home, governed, enabled, status, text):
    outcome = verdicts.control_tower_regions(home, governed, enabled)
    assert outcome.status == status and text in outcome.finding


def test_control_tower_regions_are_known_regions():
    assert CONTROL_TOWER_REGIONS <= AWS_REGIONS


def _zone(**change) -> dict:
    return {"arn": LZ, "version": "4.0", "status": "ACTIVE", "driftStatus": {"status": "IN_SYNC"}, "latestAvailableVersion": "4.0", **change}


@pytest.mark.parametrize(
    "detail, wanted, status, text",
    [
        (None, "4.0", PASS, "`pulumi up` creates version 4.0"),
        (_zone(), "4.0", PASS, "version 4.0, ACTIVE, IN_SYNC"),
        (_zone(version="3.3", latestAvailableVersion="4.0"), "4.0", PASS, "updates it from 3.3 to 4.0"),
        (_zone(version="4.0"), "3.3", FAIL, "cannot be downgraded: set guardrails.control_tower.landing_zone_version to 4.0"),
        (_zone(version="3.3", latestAvailableVersion="4.0"), "3.3", PASS, "4.0 is available"),
        (_zone(status="PROCESSING"), "4.0", FAIL, "list-landing-zone-operations"),
        (_zone(status="FAILED"), "4.0", FAIL, "retry it in the console"),
        (_zone(driftStatus={"status": "DRIFTED"}), "4.0", FAIL, "reset-landing-zone"),
        (_zone(arn=LZ.replace(HOME, "eu-west-1")), "4.0", FAIL, "set organization.home_region to eu-west-1"),
        (None, None, SKIP, "Control Tower is off"),
        (_zone(), None, SKIP, "exists"),
    ],
)
def test_landing_zone(detail, wanted, status, text):
    outcome = verdicts.landing_zone(detail, wanted, HOME, True)
    assert outcome.status == status and text in outcome.finding + outcome.advice


@pytest.mark.parametrize(
    "workspaces, status, text",
    [
        ([{"SlackTeamId": "T0ACME1234", "SlackTeamName": "acme"}], PASS, "(acme) is authorised"),
        ([{"SlackTeamId": "T0ACME1234", "SlackTeamName": "acme", "State": "ENABLED"}], PASS, "is authorised"),
        ([{"SlackTeamId": "T0ACME1234", "SlackTeamName": "acme", "State": "DISABLED", "StateReason": "policy"}], FAIL, "DISABLED: policy"),
        ([], FAIL, "is not authorised for AWS Chatbot in acct"),
        ([{"SlackTeamId": "T0OTHER", "SlackTeamName": "o"}], FAIL, "(authorised there: T0OTHER)"),
    ],
)
def test_chatbot(workspaces, status, text):
    outcome = verdicts.chatbot(workspaces, "T0ACME1234", "acct")
    assert outcome.status == status and text in outcome.finding


ROLE = NamedResource("control-tower-admin-role", "aws:iam/role:Role", "AWSControlTowerAdmin", "/service-role/", (("managed-by", "landing-zone"),))
BUCKET = NamedResource("logs", "aws:s3/bucketV2:BucketV2", "acme-logs")


@pytest.mark.parametrize(
    "planned, found, status, text",
    [
        ((), (), PASS, "the plan creates no IAM role with a name known offline"),
        ((ROLE,), (), PASS, "no IAM role the plan creates exists yet (AWSControlTowerAdmin)"),
        ((ROLE,), (Found(ROLE, "AWSControlTowerAdmin", True),), PASS, "tagged by this program: AWSControlTowerAdmin"),
        (
            (ROLE,),
            (Found(ROLE, "AWSControlTowerAdmin", False),),
            FAIL,
            "`pulumi import aws:iam/role:Role control-tower-admin-role AWSControlTowerAdmin --parent",
        ),
        ((BUCKET,), (Found(BUCKET, "acme-logs", False, owner="another account"),), FAIL, "acme-logs: the name belongs to another account"),
    ],
)
def test_existing(planned, found, status, text):
    outcome = verdicts.existing("IAM role", planned, found, "delete it")
    assert outcome.status == status and text in outcome.finding + outcome.advice


CLEAN = ConfigResources("shop-prod (210987654321)", {HOME: []}, {HOME: []})
DIRTY = ConfigResources("shop-prod (210987654321)", {HOME: ["default"]}, {"us-east-1": ["channel"]})
BY_HAND = ("audit (111122223333)", "python -m lzctl migrate preflight --profile <profile of audit>")


@pytest.mark.parametrize(
    "enabled, read, unreachable, status, text",
    [
        (False, (), (), SKIP, "Control Tower is off"),
        (True, (), (), PASS, "no invited or adopted account"),
        (True, (CLEAN,), (), PASS, "no AWS Config recorder or delivery channel in the governed regions of shop-prod (210987654321)"),
        (True, (DIRTY,), (), FAIL, "shop-prod (210987654321): ap-northeast-1: default; us-east-1: channel"),
        (True, (DIRTY,), (BY_HAND,), FAIL, "Not checked: audit (111122223333)"),
        (True, (CLEAN,), (BY_HAND,), SKIP, "audit (111122223333): `python -m lzctl migrate preflight --profile <profile of audit>`"),
    ],
)
def test_config_resources(enabled, read, unreachable, status, text):
    outcome = verdicts.config_resources(enabled, read, unreachable)
    assert outcome.status == status and text in outcome.finding + outcome.advice


@pytest.mark.parametrize(
    "member, parent, suspended_ou, status, text",
    [
        (None, None, None, FAIL, "is not an account of the organisation"),
        ({"Id": "1", "State": "SUSPENDED"}, "ou-s", "ou-s", FAIL, "is already SUSPENDED"),
        ({"Id": "1", "State": "ACTIVE"}, "r-1", None, FAIL, "the suspended OU Suspended does not exist"),
        ({"Id": "1", "State": "ACTIVE"}, "ou-dev", "ou-s", FAIL, "sits in ou-dev, not in the suspended OU Suspended (ou-s)"),
        ({"Id": "1", "State": "ACTIVE"}, "ou-s", "ou-s", PASS, "is ACTIVE in the suspended OU"),
    ],
)
def test_closing_placement(member, parent, suspended_ou, status, text):
    outcome = verdicts.closing_placement("shop-dev", member, parent, suspended_ou, "Suspended")
    assert outcome.status == status and text in outcome.finding


@pytest.mark.parametrize(
    "amounts, status, text",
    [
        ([], PASS, "cost nothing"),
        (["0.004", "0.0009"], PASS, "cost nothing"),
        (["0.006"], FAIL, "cost 0.01 USD"),
        (["3", "-1"], FAIL, "cost 2.00 USD"),
        (["-5"], PASS, "cost nothing"),
    ],
)
def test_closing_spend(amounts, status, text):
    results = [{"Total": {"UnblendedCost": {"Amount": a, "Unit": "USD"}}} for a in amounts]
    outcome = verdicts.closing_spend("shop-dev", "1", results, "2026-11-01", "2026-12-01")
    assert outcome.status == status and text in outcome.finding


@pytest.mark.parametrize(
    "service, operation, action",
    [
        ("sso-admin", "ListInstances", "sso:ListInstances"),
        ("service-quotas", "ListServiceQuotas", "servicequotas:ListServiceQuotas"),
        ("s3", "HeadBucket", "s3:ListBucket"),
        ("s3", "ListObjectsV2", "s3:ListBucket"),
        ("ce", "GetCostAndUsage", "ce:GetCostAndUsage"),
        ("controltower", "GetLandingZone", "controltower:GetLandingZone"),
    ],
)
def test_iam_action_names(service, operation, action):
    assert iam_action(service, operation) == action


@pytest.mark.parametrize(
    "operation, read",
    [
        ("GetRole", True),
        ("ListAccounts", True),
        ("DescribeOrganization", True),
        ("HeadBucket", True),
        ("CreateRole", False),
        ("Getaway", False),
        ("TagResource", False),
        ("AssumeRole", False),
    ],
)
def test_reads_are_get_list_describe_head(operation, read):
    assert bool(READS.match(operation)) is read


@pytest.mark.integration
def test_intent_of_the_example_plan(management_plan, example):
    intent = intent_of(management_plan, example)
    assert (intent.planned_accounts, intent.landing_zone_version, intent.governed_regions) == (8, "4.0", ("ap-northeast-1", "us-east-1"))
    assert [(r.name, r.path) for r in intent.roles] == [
        ("AWSControlTowerAdmin", "/service-role/"),
        ("AWSControlTowerCloudTrailRole", "/service-role/"),
        ("AWSControlTowerConfigAggregatorRoleForOrganizations", "/service-role/"),
        ("AWSControlTowerStackSetRole", "/service-role/"),
        ("budgets-chatbot", "/"),
        ("pulumi-deploy-management", "/github/"),
    ]
    assert all(("managed-by", "landing-zone") in r.tags for r in intent.roles)
    assert [r.name for r in intent.oidc_providers] == ["https://api.pulumi.com/oidc"] and intent.buckets == ()
    assert (intent.management_team_ids, intent.audit_team_id, intent.suspended_ou_path) == (("T0ACME1234",), "T0ACME1234", ("Suspended",))
    assert intent.log_location("903739463943", "o-abc") == ("aws-controltower-logs-903739463943-ap-northeast-1", "o-abc/AWSLogs/o-abc/")


@pytest.mark.integration
def test_intent_without_control_tower_or_slack(config_dir):
    def change(data):
        data.setdefault("guardrails", {})["control_tower"] = {"enabled": False}
        data.pop("slack")
        data.pop("deployments")

    directory = config_dir(change)
    plan, errors = shared_run(directory)
    intent = intent_of(plan, config.load(directory, refuse_example_domains=False))
    assert errors == [] and intent.landing_zone_version is None and not intent.control_tower
    assert (intent.management_team_ids, intent.audit_team_id) == ((), None)
    assert [r.name for r in intent.roles if r.name.startswith("AWSControlTower")] == []
    assert intent.log_location("903739463943", "o-abc") == ("landing-zone-org-trail-903739463943-ap-northeast-1", "AWSLogs/o-abc/")
    assert intent.governed_regions == ("ap-northeast-1", "us-east-1")
