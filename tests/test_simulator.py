"""The guardrail simulator on a table of requests, written from AWS's evaluation-logic documentation.

Two organisations: a small one built here with a policy per operator and an RCP data perimeter
(Organizations User Guide: SCP and RCP evaluation, "Tasks and entities not restricted by SCPs",
"Resources and entities not restricted by RCPs"), and the example config's own plan, Control Tower
on and off. Each row states the expected decision exactly: which policy, on which target, which Sid.
"""

from __future__ import annotations

import pytest

from guardrails.plan_policies import planned_organization
from guardrails.simulator import (
    FULL_AWS_ACCESS,
    RCP,
    RCP_FULL_AWS_ACCESS,
    SCP,
    Organization,
    PolicyError,
    PrincipalError,
    Request,
    Target,
    evaluate,
    parse_policy,
    parse_principal,
)
from tests.helpers import example_data, shared_plan, write_config

MANAGEMENT = "999999999999"
APP = "111111111111"
NARROW = "222222222222"
OUTSIDER = "333333333333"
ORG_ID = "o-example"


def _scp(name: str, *statements: dict) -> object:
    return parse_policy(name, SCP, {"Version": "2012-10-17", "Statement": list(statements)}, "test")


def _rcp(name: str, *statements: dict) -> object:
    return parse_policy(name, RCP, {"Version": "2012-10-17", "Statement": list(statements)}, "test")


ROOT_SCP = _scp(
    "root-guardrails",
    {"Sid": "DenyRootUser", "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}},
    {
        "Sid": "DenyUngovernedRegions",
        "Effect": "Deny",
        "NotAction": ["iam:*", "sts:*", "organizations:*", "s3:ListAllMyBuckets"],
        "Resource": "*",
        "Condition": {
            "StringNotEquals": {"aws:RequestedRegion": ["ap-northeast-1", "us-east-1"]},
            "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"},
        },
    },
)
WORK_SCP = _scp(
    "workload-guardrails",
    {
        "Sid": "SmallInstancesOnly",
        "Effect": "Deny",
        "Action": "ec2:RunInstances",
        "Resource": "*",
        "Condition": {"ForAnyValue:StringNotLike": {"ec2:InstanceType": ["t3.*", "m5.large"]}},
    },
    {
        "Sid": "SecretsNeedAnOwner",
        "Effect": "Deny",
        "Action": "secretsmanager:CreateSecret",
        "Resource": "*",
        "Condition": {"Null": {"aws:RequestTag/owner": "true"}},
    },
    {"Sid": "NoOldTls", "Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}},
    {
        "Sid": "NoRolesAfter2030",
        "Effect": "Deny",
        "Action": "iam:CreateRole",
        "Resource": "*",
        "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
    },
    {
        "Sid": "TablesFromTheOffice",
        "Effect": "Deny",
        "Action": "dynamodb:DeleteTable",
        "Resource": "*",
        "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    },
    {
        "Sid": "NoContractorsOnSsm",
        "Effect": "Deny",
        "Action": "ssm:*",
        "Resource": "*",
        "Condition": {"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "Contractors"}},
    },
    {
        "Sid": "ProdNeedsAnOperator",
        "Effect": "Deny",
        "Action": "ec2:TerminateInstances",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}, "StringNotEquals": {"aws:PrincipalTag/role": "operator"}},
    },
    {"Sid": "OwnBucketsOnly", "Effect": "Deny", "Action": "s3:DeleteBucket", "NotResource": "arn:aws:s3:::${aws:PrincipalTag/team}-*"},
    {
        "Sid": "KeysOfThisAccount",
        "Effect": "Deny",
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}},
    },
    {"Sid": "NoLambdaInEurope", "Effect": "Deny", "Action": "lambda:*", "Resource": "*", "Condition": {"StringLike": {"aws:RequestedRegion": "eu-*"}}},
    {
        "Sid": "PassOnlyDeployRoles",
        "Effect": "Deny",
        "Action": "iam:PassRole",
        "Resource": "*",
        "Condition": {"ArnNotEquals": {"iam:AssociatedResourceArn": "arn:aws:lambda:*:*:function:deploy-*"}},
    },
)
ALLOW_LIST = _scp(
    "allow-list",
    {"Sid": "StorageAndIdentity", "Effect": "Allow", "Action": ["s3:*", "sts:*"], "Resource": "*"},
    {"Sid": "ComputeInUsEast1", "Effect": "Allow", "Action": "ec2:*", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}},
)
PERIMETER = _rcp(
    "data-perimeter",
    {
        "Sid": "EnforceOrgIdentities",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:AssumeRole"],
        "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}},
    },
    {
        "Sid": "EnforceSecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:*"],
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}},
    },
)

ROOT = Target("root", "root", "r-ex1", (FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS, ROOT_SCP, PERIMETER))
SMALL = Organization(
    ORG_ID,
    MANAGEMENT,
    {
        APP: (
            ROOT,
            Target("ou", "work", "ou-ex1-work", (FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS, WORK_SCP)),
            Target("account", "app", APP, (FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS)),
        ),
        NARROW: (
            ROOT,
            Target("ou", "narrow", "ou-ex1-narrow", (ALLOW_LIST, RCP_FULL_AWS_ACCESS)),
            Target("account", "narrow", NARROW, (FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS)),
        ),
    },
    frozenset({SCP, RCP}),
)

DEV_ROLE = f"arn:aws:iam::{APP}:role/developer"
TLS = {"aws:SecureTransport": "true"}
# (why, request, allowed, denials as "policy@target#sid", implicit denials)
SMALL_TABLE = [
    (
        "an identity action in a governed region passes both policy types",
        dict(principal=DEV_ROLE, action="s3:GetObject", resource="arn:aws:s3:::shop-assets/a", region="ap-northeast-1", context=TLS),
        True,
        [],
        [],
    ),
    (
        "the root user is denied everything by ArnLike aws:PrincipalArn",
        dict(principal=f"arn:aws:iam::{APP}:root", action="s3:ListAllMyBuckets", region="us-east-1"),
        False,
        ["root-guardrails@root#DenyRootUser"],
        [],
    ),
    (
        "NotAction region deny: a regional action outside the governed regions",
        dict(principal=DEV_ROLE, action="ec2:DescribeInstances", region="eu-west-1"),
        False,
        ["root-guardrails@root#DenyUngovernedRegions"],
        [],
    ),
    (
        "NotAction region deny: a global service (IAM) is exempt",
        dict(principal=DEV_ROLE, action="iam:CreateRole", resource=f"arn:aws:iam::{APP}:role/x", region="eu-west-1"),
        True,
        [],
        [],
    ),
    (
        "privileged-role exemption: ArnNotLike aws:PrincipalArn",
        dict(principal=f"arn:aws:iam::{APP}:role/Admin", action="ec2:DescribeInstances", region="eu-west-1"),
        True,
        [],
        [],
    ),
    (
        "a missing aws:RequestedRegion makes StringNotEquals true",
        dict(principal=DEV_ROLE, action="ec2:DescribeInstances"),
        False,
        ["root-guardrails@root#DenyUngovernedRegions"],
        [],
    ),
    (
        "ForAnyValue:StringNotLike: one forbidden instance type",
        dict(
            principal=DEV_ROLE,
            action="ec2:RunInstances",
            resource=f"arn:aws:ec2:us-east-1:{APP}:instance/*",
            region="us-east-1",
            context={"ec2:InstanceType": ["p5.48xlarge"]},
        ),
        False,
        ["workload-guardrails@OU work#SmallInstancesOnly"],
        [],
    ),
    (
        "ForAnyValue:StringNotLike: an allowed instance type",
        dict(
            principal=DEV_ROLE,
            action="ec2:RunInstances",
            resource=f"arn:aws:ec2:us-east-1:{APP}:instance/*",
            region="us-east-1",
            context={"ec2:InstanceType": ["t3.micro"]},
        ),
        True,
        [],
        [],
    ),
    (
        "ForAnyValue on a missing key is false",
        dict(principal=DEV_ROLE, action="ec2:RunInstances", resource=f"arn:aws:ec2:us-east-1:{APP}:instance/*", region="us-east-1"),
        True,
        [],
        [],
    ),
    (
        "Null true: a secret without an owner tag",
        dict(principal=DEV_ROLE, action="secretsmanager:CreateSecret", region="us-east-1", context=TLS),
        False,
        ["workload-guardrails@OU work#SecretsNeedAnOwner"],
        [],
    ),
    (
        "Null true: a secret with an owner tag",
        dict(principal=DEV_ROLE, action="secretsmanager:CreateSecret", region="us-east-1", context={**TLS, "aws:RequestTag/owner": "jiro"}),
        True,
        [],
        [],
    ),
    (
        "NumericLessThan: TLS 1.1 to S3",
        dict(principal=DEV_ROLE, action="s3:PutObject", resource="arn:aws:s3:::b/k", region="us-east-1", context={**TLS, "s3:TlsVersion": "1.1"}),
        False,
        ["workload-guardrails@OU work#NoOldTls"],
        [],
    ),
    (
        "DateGreaterThan: after the cut-off",
        dict(principal=DEV_ROLE, action="iam:CreateRole", region="us-east-1", context={"aws:CurrentTime": "2031-01-01T00:00:00Z"}),
        False,
        ["workload-guardrails@OU work#NoRolesAfter2030"],
        [],
    ),
    (
        "DateGreaterThan: before the cut-off",
        dict(principal=DEV_ROLE, action="iam:CreateRole", region="us-east-1", context={"aws:CurrentTime": "2026-12-01T00:00:00Z"}),
        True,
        [],
        [],
    ),
    (
        "NotIpAddress: outside the office range",
        dict(principal=DEV_ROLE, action="dynamodb:DeleteTable", region="us-east-1", context={"aws:SourceIp": "198.51.100.4"}),
        False,
        ["workload-guardrails@OU work#TablesFromTheOffice"],
        [],
    ),
    (
        "NotIpAddress: inside the office range",
        dict(principal=DEV_ROLE, action="dynamodb:DeleteTable", region="us-east-1", context={"aws:SourceIp": "203.0.113.9"}),
        True,
        [],
        [],
    ),
    (
        "StringEqualsIgnoreCase on a principal tag",
        dict(principal=DEV_ROLE, action="ssm:StartSession", region="us-east-1", context={"aws:PrincipalTag/team": "CONTRACTORS"}),
        False,
        ["workload-guardrails@OU work#NoContractorsOnSsm"],
        [],
    ),
    (
        "two operators are ANDed: prod resource, not an operator",
        dict(principal=DEV_ROLE, action="ec2:TerminateInstances", region="us-east-1", context={"aws:ResourceTag/env": "prod"}),
        False,
        ["workload-guardrails@OU work#ProdNeedsAnOperator"],
        [],
    ),
    (
        "two operators are ANDed: the operator may",
        dict(
            principal=DEV_ROLE,
            action="ec2:TerminateInstances",
            region="us-east-1",
            context={"aws:ResourceTag/env": "prod", "aws:PrincipalTag/role": "operator"},
        ),
        True,
        [],
        [],
    ),
    (
        "policy variable in NotResource: another team's bucket",
        dict(
            principal=DEV_ROLE,
            action="s3:DeleteBucket",
            resource="arn:aws:s3:::booking-data",
            region="us-east-1",
            context={**TLS, "aws:PrincipalTag/team": "shop"},
        ),
        False,
        ["workload-guardrails@OU work#OwnBucketsOnly"],
        [],
    ),
    (
        "policy variable in NotResource: the team's own bucket",
        dict(
            principal=DEV_ROLE,
            action="s3:DeleteBucket",
            resource="arn:aws:s3:::shop-data",
            region="us-east-1",
            context={**TLS, "aws:PrincipalTag/team": "shop"},
        ),
        True,
        [],
        [],
    ),
    (
        "StringNotEqualsIfExists with a variable: a key of another account",
        dict(
            principal=DEV_ROLE, action="kms:Decrypt", resource=f"arn:aws:kms:us-east-1:{NARROW}:key/k", resource_account=NARROW, region="us-east-1", context=TLS
        ),
        False,
        ["workload-guardrails@OU work#KeysOfThisAccount"],
        [],
    ),
    (
        "StringLike on the region",
        dict(principal=DEV_ROLE, action="lambda:CreateFunction", region="eu-central-1", context={}),
        False,
        ["root-guardrails@root#DenyUngovernedRegions", "workload-guardrails@OU work#NoLambdaInEurope"],
        [],
    ),
    (
        "ArnNotEquals on iam:AssociatedResourceArn",
        dict(principal=DEV_ROLE, action="iam:PassRole", region="us-east-1", context={"iam:AssociatedResourceArn": "arn:aws:lambda:us-east-1:1:function:other"}),
        False,
        ["workload-guardrails@OU work#PassOnlyDeployRoles"],
        [],
    ),
    (
        "an allow-list SCP: an action it allows",
        dict(
            principal=f"arn:aws:iam::{NARROW}:role/x",
            action="s3:GetObject",
            resource="arn:aws:s3:::b/k",
            resource_account=NARROW,
            region="us-east-1",
            context=TLS,
        ),
        True,
        [],
        [],
    ),
    (
        "an allow-list SCP: no Allow at the OU is an implicit deny",
        dict(principal=f"arn:aws:iam::{NARROW}:role/x", action="dynamodb:GetItem", resource_account=NARROW, region="us-east-1"),
        False,
        [],
        ["SCP at OU narrow"],
    ),
    (
        "an allow-list SCP whose Allow has a condition: it holds",
        dict(principal=f"arn:aws:iam::{NARROW}:role/x", action="ec2:DescribeInstances", resource_account=NARROW, region="us-east-1"),
        True,
        [],
        [],
    ),
    (
        "an allow-list SCP whose Allow has a condition: it does not",
        dict(principal=f"arn:aws:iam::{NARROW}:role/x", action="ec2:DescribeInstances", resource_account=NARROW, region="ap-northeast-1"),
        False,
        [],
        ["SCP at OU narrow"],
    ),
    (
        "the management account is never restricted by SCPs",
        dict(principal=f"arn:aws:iam::{MANAGEMENT}:root", action="ec2:RunInstances", resource_account=MANAGEMENT, region="eu-west-1"),
        True,
        [],
        [],
    ),
    (
        "service-linked roles are never restricted by SCPs",
        dict(
            principal=f"arn:aws:iam::{APP}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
            action="ec2:DescribeInstances",
            region="eu-west-1",
        ),
        True,
        [],
        [],
    ),
    (
        "RCP: a principal outside the organisation is denied by the perimeter",
        dict(principal=f"arn:aws:iam::{OUTSIDER}:role/partner", action="s3:GetObject", resource="arn:aws:s3:::shop-assets/a", region="us-east-1", context=TLS),
        False,
        ["data-perimeter@root#EnforceOrgIdentities"],
        [],
    ),
    (
        "RCP: an AWS service principal is exempt by aws:PrincipalIsAWSService",
        dict(principal="cloudtrail.amazonaws.com", action="s3:PutObject", resource="arn:aws:s3:::trail/AWSLogs/x", region="us-east-1", context=TLS),
        True,
        [],
        [],
    ),
    (
        "RCP: BoolIfExists aws:SecureTransport false",
        dict(principal=DEV_ROLE, action="s3:GetObject", resource="arn:aws:s3:::shop-assets/a", region="us-east-1", context={"aws:SecureTransport": "false"}),
        False,
        ["data-perimeter@root#EnforceSecureTransport"],
        [],
    ),
    (
        "RCP: a service RCPs do not support (EC2) is never restricted",
        dict(principal=f"arn:aws:iam::{OUTSIDER}:role/partner", action="ec2:DescribeInstances", region="us-east-1"),
        True,
        [],
        [],
    ),
    (
        "RCP: kms:RetireGrant is never restricted",
        dict(
            principal=f"arn:aws:iam::{OUTSIDER}:role/partner",
            action="kms:RetireGrant",
            resource=f"arn:aws:kms:us-east-1:{APP}:key/k",
            region="us-east-1",
            context=TLS,
        ),
        True,
        [],
        [],
    ),
    (
        "RCP: an action that authorizes no resource is never restricted",
        dict(principal=f"arn:aws:iam::{OUTSIDER}:role/partner", action="sts:GetCallerIdentity", region="us-east-1", context={"aws:SecureTransport": "false"}),
        True,
        [],
        [],
    ),
    (
        "RCP: resources of the management account are never restricted",
        dict(
            principal=f"arn:aws:iam::{OUTSIDER}:role/partner",
            action="s3:GetObject",
            resource="arn:aws:s3:::mgmt-bucket/a",
            resource_account=MANAGEMENT,
            region="us-east-1",
        ),
        True,
        [],
        [],
    ),
    (
        "RCP: service-linked roles are never restricted",
        dict(
            principal=f"arn:aws:iam::{APP}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
            action="s3:PutObject",
            resource="arn:aws:s3:::b/k",
            region="us-east-1",
            context={"aws:SecureTransport": "false"},
        ),
        True,
        [],
        [],
    ),
    (
        "SCP and RCP both deny: every deny is reported",
        dict(
            principal=f"arn:aws:iam::{APP}:root",
            action="s3:GetObject",
            resource="arn:aws:s3:::b/k",
            region="us-east-1",
            context={"aws:SecureTransport": "false"},
        ),
        False,
        ["root-guardrails@root#DenyRootUser", "data-perimeter@root#EnforceSecureTransport"],
        [],
    ),
]


def _request(fields: dict) -> Request:
    return Request(**{"resource_account": APP, **fields})


def _denials(decision) -> list[str]:
    return [f"{m.policy}@{m.target}#{m.sid}" for m in decision.denials]


@pytest.mark.parametrize("why, fields, allowed, denials, implicit", SMALL_TABLE, ids=[row[0] for row in SMALL_TABLE])
def test_small_organisation(why, fields, allowed, denials, implicit):
    decision = evaluate(_request(fields), SMALL)
    assert (decision.allowed, _denials(decision), list(decision.implicit)) == (allowed, denials, implicit)


def test_allowed_requests_say_why():
    decision = evaluate(
        _request(
            dict(
                principal=f"arn:aws:iam::{MANAGEMENT}:role/admin",
                action="s3:GetObject",
                resource="arn:aws:s3:::b/k",
                resource_account=APP,
                region="us-east-1",
                context=TLS,
            )
        ),
        SMALL,
    )
    assert decision.reasons == (
        "SCPs do not apply: the principal belongs to the management account",
        "RCPs allow it at every level of account app's path",
    )


def test_a_request_without_a_resource_says_what_it_assumed():
    decision = evaluate(
        _request(dict(principal=DEV_ROLE, action="s3:DeleteBucket", region="us-east-1", context={**TLS, "aws:PrincipalTag/team": "shop"})), SMALL
    )
    assert _denials(decision) == ["workload-guardrails@OU work#OwnBucketsOnly"]
    assert decision.assumptions == ("the resource is not given: taken to be outside arn:aws:s3:::${aws:PrincipalTag/team}-*",)


def test_a_session_arn_loses_the_role_path_and_says_so():
    principal = parse_principal(f"arn:aws:sts::{APP}:assumed-role/pulumi-deploy-log/pulumi-deployments-log-1")
    assert (principal.arn, principal.kind) == (f"arn:aws:iam::{APP}:role/pulumi-deploy-log", "role")
    assert principal.notes == (f"aws:PrincipalArn taken as arn:aws:iam::{APP}:role/pulumi-deploy-log: a session ARN does not say the role's path",)


@pytest.mark.parametrize("text", ["arn:aws:s3:::bucket", "role/x", "arn:aws:iam::12:role/x", "arn:aws:iam::111111111111:group/admins"])
def test_bad_principals_are_refused(text):
    with pytest.raises(PrincipalError, match="not an IAM principal ARN"):
        parse_principal(text)


@pytest.mark.parametrize(
    "statement, message",
    [
        ({"Effect": "Permit", "Action": "*", "Resource": "*"}, "policy p statement 1: Effect must be Allow or Deny (got 'Permit')"),
        ({"Effect": "Deny", "Action": "*", "NotAction": "s3:*", "Resource": "*"}, "policy p statement 1: exactly one of Action and NotAction"),
        (
            {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "*", "Resource": "*"},
            'policy p statement 1: SCPs take no Principal and RCPs only "Principal": "*"',
        ),
        ({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringEqualz": {"a": "b"}}}, "unknown condition operator 'StringEqualz'"),
    ],
)
def test_policies_the_simulator_cannot_read_are_refused(statement, message):
    with pytest.raises(PolicyError) as raised:
        parse_policy("p", SCP, {"Statement": [statement]})
    assert str(raised.value) == message


# The example's own plan -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_org(management_plan):
    return planned_organization(management_plan.resources, management_plan.outputs["accountIds"])


@pytest.fixture(scope="module")
def example_org_without_control_tower(without_control_tower_plans):
    plan = without_control_tower_plans["management"]
    return planned_organization(plan.resources, plan.outputs["accountIds"])


def _role(org, account: str, name: str) -> str:
    return f"arn:aws:iam::{org.account_ids[account]}:role/{name}"


HOME = "ap-northeast-1"
# (why, account, principal (account key, role name) or a literal, action, resource, region, context, denials)
PLAN_TABLE = [
    (
        "control SCP and landing-zone SCP: the root user of a dev account",
        "shop-dev",
        ("shop-dev", None),
        "ec2:RunInstances",
        "",
        HOME,
        {},
        ["landing-zone-root-deny-leaving-organization@root#DenyRootUser", "AWS-GR_RESTRICT_ROOT_USER@OU dev#GRRESTRICTROOTUSER"],
    ),
    (
        "mandatory SCP: Control Tower's log bucket is closed to everyone but Control Tower",
        "log",
        ("log", "github/pulumi-deploy-log"),
        "s3:PutBucketPolicy",
        "arn:aws:s3:::aws-controltower-logs-903739463943-ap-northeast-1",
        HOME,
        {},
        ['Control Tower mandatory control "Disallow modifications to Amazon S3 buckets managed by AWS Control Tower"@OU security#CTS3PV8'],
    ),
    (
        "landing-zone SCP: the log buckets' objects, except for the landing zone's roles",
        "log",
        ("log", "Developer"),
        "s3:DeleteObject",
        "arn:aws:s3:::aws-controltower-logs-903739463943-ap-northeast-1/o",
        HOME,
        {},
        ["landing-zone-security-protect-log-buckets@OU security#ProtectLogBuckets"],
    ),
    (
        "landing-zone SCP: the stacks' deploy roles are exempt",
        "log",
        ("log", "github/pulumi-deploy-log"),
        "s3:DeleteObject",
        "arn:aws:s3:::aws-controltower-logs-903739463943-ap-northeast-1/o",
        HOME,
        {},
        [],
    ),
    (
        "mandatory SCP: no other role can change AWSControlTowerExecution",
        "shop-prod",
        ("shop-prod", "github/github-deploy-prod"),
        "iam:UpdateAssumeRolePolicy",
        "arn:aws:iam::{shop-prod}:role/AWSControlTowerExecution",
        HOME,
        {},
        [
            'Control Tower mandatory control "Disallow Changes to AWS IAM Roles Set Up by AWS Control Tower and AWS CloudFormation"@OU member#GRIAMROLEPOLICY',
            'Control Tower mandatory control "Disallow Changes to AWS IAM Roles Set Up by AWS Control Tower and AWS CloudFormation"@OU prod#GRIAMROLEPOLICY',
        ],
    ),
    (
        "mandatory SCP: AWSControlTowerExecution itself may",
        "shop-prod",
        ("shop-prod", "AWSControlTowerExecution"),
        "iam:UpdateAssumeRolePolicy",
        "arn:aws:iam::{shop-prod}:role/AWSControlTowerExecution",
        HOME,
        {},
        [],
    ),
    (
        "landing-zone SCP: no member leaves the organisation",
        "booking-stg",
        ("booking-stg", "github/pulumi-deploy-management"),
        "organizations:LeaveOrganization",
        "",
        HOME,
        {},
        ["landing-zone-root-deny-leaving-organization@root#DenyLeavingOrganization"],
    ),
    (
        "landing-zone SCP: an ungoverned region",
        "booking-dev",
        ("booking-dev", "github/github-deploy-dev"),
        "lambda:CreateFunction",
        "arn:aws:lambda:eu-west-1:{booking-dev}:function:api",
        "eu-west-1",
        {},
        ["landing-zone-root-deny-leaving-organization@root#DenyUngovernedRegions"],
    ),
    (
        "landing-zone SCP: IAM is global, outside the region deny",
        "booking-dev",
        ("booking-dev", "github/github-deploy-dev"),
        "iam:CreateRole",
        "arn:aws:iam::{booking-dev}:role/api",
        "eu-west-1",
        {},
        [],
    ),
    (
        "landing-zone SCP: the access role (AWSControlTowerExecution with Control Tower on) is exempt from the region deny",
        "booking-dev",
        ("booking-dev", "AWSControlTowerExecution"),
        "lambda:CreateFunction",
        "arn:aws:lambda:eu-west-1:{booking-dev}:function:api",
        "eu-west-1",
        {},
        [],
    ),
    (
        "landing-zone SCP: with Control Tower on, a role named like Organizations' default access role is not exempt",
        "booking-dev",
        ("booking-dev", "OrganizationAccountAccessRole"),
        "lambda:CreateFunction",
        "arn:aws:lambda:eu-west-1:{booking-dev}:function:api",
        "eu-west-1",
        {},
        ["landing-zone-root-deny-leaving-organization@root#DenyUngovernedRegions"],
    ),
    (
        "landing-zone SCP: security services are protected from a workload role",
        "audit",
        ("audit", "Developer"),
        "guardduty:DeleteDetector",
        "",
        HOME,
        {},
        ["landing-zone-root-deny-leaving-organization@root#ProtectSecurityServices"],
    ),
    (
        "landing-zone SCP: the audit stack's deploy role may change them",
        "audit",
        ("audit", "github/pulumi-deploy-audit"),
        "guardduty:DeleteDetector",
        "",
        HOME,
        {},
        [],
    ),
    (
        "a session ARN loses the path, so the github/pulumi-deploy-* exemption no longer matches",
        "audit",
        "arn:aws:sts::{audit}:assumed-role/pulumi-deploy-audit/s",
        "guardduty:DeleteDetector",
        "",
        HOME,
        {},
        ["landing-zone-root-deny-leaving-organization@root#ProtectSecurityServices"],
    ),
    (
        "without a resource, Control Tower's statements about its own functions are taken to apply",
        "booking-dev",
        ("booking-dev", "github/github-deploy-dev"),
        "lambda:CreateFunction",
        "",
        HOME,
        {},
        [
            'Control Tower mandatory control "Disallow Changes to AWS Lambda Functions Set Up by AWS Control Tower"@OU member#GRLAMBDAFUNCTIONPOLICY',
            'Control Tower mandatory control "Disallow Changes to AWS Lambda Functions Set Up by AWS Control Tower"@OU dev#GRLAMBDAFUNCTIONPOLICY',
        ],
    ),
    ("the management account is never restricted", "management", "arn:aws:iam::{management}:root", "organizations:LeaveOrganization", "", "eu-west-1", {}, []),
    (
        "a service-linked role in a member account is never restricted",
        "audit",
        ("audit", "aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty"),
        "guardduty:DeleteDetector",
        "",
        "eu-west-1",
        {},
        [],
    ),
]


def _principal(org, spec) -> str:
    if isinstance(spec, tuple):
        account, role = spec
        return f"arn:aws:iam::{org.account_ids[account]}:root" if role is None else _role(org, account, role)
    return spec.format(**org.account_ids)


@pytest.mark.integration
@pytest.mark.parametrize("why, account, principal, action, resource, region, context, denials", PLAN_TABLE, ids=[row[0] for row in PLAN_TABLE])
def test_example_plan(example_org, why, account, principal, action, resource, region, context, denials):
    request = Request(_principal(example_org, principal), action, example_org.account_ids[account], resource.format(**example_org.account_ids), region, context)
    decision = evaluate(request, example_org.organization)
    assert (_denials(decision), decision.allowed) == (denials, not denials)


@pytest.fixture(scope="module")
def opted_in_org(tmp_path_factory):
    """The example with the two opt-in controls, each exempting the landing zone's roles below its OU."""
    data = example_data()
    data.setdefault("guardrails", {})["controls"] = {"prod": ["AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA"], "security": ["AWS-GR_AUDIT_BUCKET_RETENTION_POLICY"]}
    plan = shared_plan("management", write_config(tmp_path_factory.mktemp("opt-in"), data))
    return planned_organization(plan.resources, plan.outputs["accountIds"])


OPT_IN_TABLE = [
    (
        "control SCP: MFA-delete on prod denies any other role's s3:DeleteObject",
        "shop-prod",
        ("shop-prod", "app-runtime"),
        "s3:DeleteObject",
        "arn:aws:s3:::shop-assets/a",
        {},
        ["AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA@OU prod#GRRESTRICTS3DELETEWITHOUTMFA"],
    ),
    (
        "control SCP: with MFA the same delete passes",
        "shop-prod",
        ("shop-prod", "app-runtime"),
        "s3:DeleteObject",
        "arn:aws:s3:::shop-assets/a",
        {"aws:MultiFactorAuthPresent": "true"},
        [],
    ),
    (
        "control SCP: the prod deploy role is exempted",
        "shop-prod",
        ("shop-prod", "github/github-deploy-prod"),
        "s3:DeleteObject",
        "arn:aws:s3:::shop-assets/a",
        {},
        [],
    ),
    ("control SCP: dev has no MFA-delete control", "shop-dev", ("shop-dev", "app-runtime"), "s3:DeleteObject", "arn:aws:s3:::shop-assets/a", {}, []),
    (
        "control SCP: retention on the Security OU denies other roles on every bucket (Resource *)",
        "log",
        ("log", "Developer"),
        "s3:PutLifecycleConfiguration",
        "arn:aws:s3:::landing-zone-athena-results-903739463943-ap-northeast-1",
        {},
        ["AWS-GR_AUDIT_BUCKET_RETENTION_POLICY@OU security#GRAUDITBUCKETRETENTIONPOLICY"],
    ),
    (
        "control SCP: the log stack's own role is exempted",
        "log",
        ("log", "github/pulumi-deploy-log"),
        "s3:PutLifecycleConfiguration",
        "arn:aws:s3:::landing-zone-athena-results-903739463943-ap-northeast-1",
        {},
        [],
    ),
]


@pytest.mark.integration
@pytest.mark.parametrize("why, account, principal, action, resource, context, denials", OPT_IN_TABLE, ids=[row[0] for row in OPT_IN_TABLE])
def test_opt_in_controls(opted_in_org, why, account, principal, action, resource, context, denials):
    org = opted_in_org
    request = Request(_principal(org, principal), action, org.account_ids[account], resource, HOME, context)
    decision = evaluate(request, org.organization)
    assert (_denials(decision), decision.allowed) == (denials, not denials)


@pytest.mark.integration
def test_without_control_tower_only_the_landing_zone_scps_apply(example_org_without_control_tower):
    org = example_org_without_control_tower
    delete = Request(_role(org, "shop-prod", "github/github-deploy-prod"), "s3:DeleteObject", org.account_ids["shop-prod"], "arn:aws:s3:::shop-assets/a", HOME)
    execution_role = Request(
        _role(org, "shop-prod", "OrganizationAccountAccessRole"),
        "iam:UpdateAssumeRolePolicy",
        org.account_ids["shop-prod"],
        f"arn:aws:iam::{org.account_ids['shop-prod']}:role/AWSControlTowerExecution",
        HOME,
    )
    assert evaluate(delete, org.organization).allowed and evaluate(execution_role, org.organization).allowed
    assert [t.label for t in org.organization.paths[org.account_ids["shop-prod"]]] == ["root", "OU member", "OU prod", "account shop-prod"]
    assert [[p.name for p in t.policies] for t in org.organization.paths[org.account_ids["shop-prod"]]] == [
        ["FullAWSAccess", "RCPFullAWSAccess", "landing-zone-rcp-root-enforce-org-identities", "landing-zone-root-deny-leaving-organization"],
        ["FullAWSAccess", "RCPFullAWSAccess"],
        ["FullAWSAccess", "RCPFullAWSAccess", "landing-zone-prod-protect-backups"],
        ["FullAWSAccess", "RCPFullAWSAccess"],
    ]


@pytest.mark.integration
def test_the_example_enables_scps_and_rcps(example_org):
    decision = evaluate(
        Request(_role(example_org, "shop-dev", "x"), "s3:GetObject", example_org.account_ids["shop-dev"], "arn:aws:s3:::b/k", HOME), example_org.organization
    )
    assert decision.reasons == ("SCPs allow it at every level of account shop-dev's path", "RCPs allow it at every level of account shop-dev's path")
