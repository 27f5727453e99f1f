"""The organisation read from planned resources alone: RCPs, other policy types, control parameters."""

from __future__ import annotations

import json

from guardrails.plan_policies import planned_organization
from guardrails.simulator import RCP, Request, evaluate
from lzctl.runtime import PlannedResource

MANAGEMENT = "123456789012"
MEMBER = "210987654321"
PROVIDER = "urn:pulumi:management::landing-zone::pulumi:providers:aws::management"


def _resource(type_: str, resource_name: str, id_: str, **inputs) -> PlannedResource:
    return PlannedResource(
        urn=f"urn:pulumi:management::landing-zone::{type_}::{resource_name}",
        type=type_,
        name=resource_name,
        custom=True,
        parent="",
        provider=f"{PROVIDER}::management-1",
        protect=False,
        inputs=inputs,
        dependencies=(),
        id=id_,
    )


def _policy(name: str, id_: str, type_: str, statements: list[dict]) -> PlannedResource:
    return _resource(
        "aws:organizations/policy:Policy", name, id_, name=name, type=type_, content=json.dumps({"Version": "2012-10-17", "Statement": statements})
    )


RESOURCES = [
    PlannedResource(
        urn=PROVIDER,
        type="pulumi:providers:aws",
        name="management",
        custom=True,
        parent="",
        provider="",
        protect=False,
        inputs={"allowedAccountIds": json.dumps([MANAGEMENT]), "region": "ap-northeast-1"},
        dependencies=(),
        id="management-1",
    ),
    _resource(
        "aws:organizations/organization:Organization",
        "organization",
        "o-abc123",
        enabledPolicyTypes=["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY", "BACKUP_POLICY"],
    ),
    _resource(
        "aws:organizations/organizationalUnit:OrganizationalUnit", "organization-data-ou", "ou-ab12-1", name="Data", parentId="r-ab12", tags={"ou": "data"}
    ),
    _resource("aws:organizations/account:Account", "data-prod-account", MEMBER, name="data-prod", parentId="ou-ab12-1", tags={"app": "data", "env": "prod"}),
    _policy(
        "perimeter",
        "p-1",
        RCP,
        [
            {
                "Sid": "OrgOnly",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}},
            }
        ],
    ),
    _policy("backups", "p-2", "BACKUP_POLICY", [{"Effect": "Deny", "Action": "*", "Resource": "*"}]),
    _resource("aws:organizations/policyAttachment:PolicyAttachment", "perimeter-attachment", "a-1", policyId="p-1", targetId="r-ab12"),
    _resource("aws:organizations/policyAttachment:PolicyAttachment", "backups-attachment", "a-2", policyId="p-2", targetId="ou-ab12-1"),
    _resource(
        "aws:controltower/controlTowerControl:ControlTowerControl",
        "data-mfa-delete",
        "arn:ctl",
        controlIdentifier="arn:aws:controltower:ap-northeast-1::control/AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA",
        targetIdentifier=f"arn:aws:organizations::{MANAGEMENT}:ou/o-abc123/ou-ab12-1",
        parameters=[{"key": "ExemptedPrincipalArns", "value": json.dumps(["arn:aws:iam::*:role/github/pulumi-deploy-*"])}],
    ),
]


def test_the_tree_policies_and_defaults_come_from_the_plan():
    planned = planned_organization(RESOURCES)
    assert (planned.organization.id, planned.organization.management_account_id) == ("o-abc123", MANAGEMENT)
    assert planned.account_ids == {"management": MANAGEMENT, "data-prod": MEMBER}
    path = planned.organization.paths[MEMBER]
    assert [(t.label, [p.name for p in t.policies]) for t in path] == [
        ("root", ["FullAWSAccess", "RCPFullAWSAccess", "perimeter"]),
        ("OU data", ["FullAWSAccess", "RCPFullAWSAccess", "AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA"]),
        ("account data-prod", ["FullAWSAccess", "RCPFullAWSAccess"]),
    ]


def test_an_rcp_of_the_plan_denies_outsiders_and_the_controls_exemption_holds():
    organization = planned_organization(RESOURCES).organization
    outsider = evaluate(Request("arn:aws:iam::999999999999:role/partner", "s3:GetObject", MEMBER, "arn:aws:s3:::data/k", "ap-northeast-1"), organization)
    assert [m.describe() for m in outsider.denials] == ["RCP perimeter on root, statement OrgOnly"]
    deploy = evaluate(
        Request(f"arn:aws:iam::{MEMBER}:role/github/pulumi-deploy-data", "s3:DeleteObject", MEMBER, "arn:aws:s3:::data/k", "ap-northeast-1"), organization
    )
    developer = evaluate(Request(f"arn:aws:iam::{MEMBER}:role/developer", "s3:DeleteObject", MEMBER, "arn:aws:s3:::data/k", "ap-northeast-1"), organization)
    assert deploy.allowed and [m.policy for m in developer.denials] == ["AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA"]


def test_a_plan_without_an_organisation_has_none():
    assert planned_organization([r for r in RESOURCES if r.type != "aws:organizations/organization:Organization"]) is None
