"""The landing zone never denies itself: every planned type has its IAM actions; the conflicts are caught."""

from __future__ import annotations

import dataclasses
import json

import pytest

from guardrails import iam_actions
from guardrails.deploy_actions import ACTIONS, APP_DEPLOYS, SERVICES
from guardrails.self_denial import never_denies_itself, stack_of
from tests.helpers import example_data, shared_plan, write_config

STACKS = ("management", "audit", "log")
LOG = "903739463943"
SHOP_PROD = "581543029058"
IAM_ROLE = "aws:iam/role:Role"
CONTROL = "aws:controltower/controlTowerControl:ControlTowerControl"
IAM_ROLES_MANDATORY = 'SCP Control Tower mandatory control "Disallow Changes to AWS IAM Roles Set Up by AWS Control Tower and AWS CloudFormation"'


@pytest.fixture(scope="module")
def plans(management_plan, audit_plan, log_plan):
    return {"management": management_plan, "audit": audit_plan, "log": log_plan}


@pytest.fixture(scope="module")
def plans_without_control_tower(without_control_tower_plans):
    return {stack: without_control_tower_plans[stack] for stack in STACKS}


def _findings(plans, stack) -> dict[str, list[str]]:
    """Resource name -> messages of the rule on one stack (the management plan gives the organisation)."""
    organization = None if stack == "management" else plans["management"].resources
    found: dict[str, list[str]] = {}
    for urn, message in never_denies_itself(plans[stack].resources, organization):
        found.setdefault(urn.rsplit("::", 1)[-1], []).append(message)
    return found


@pytest.fixture(scope="module")
def management_findings(plans):
    return _findings(plans, "management")


@pytest.mark.integration
def test_every_planned_aws_type_has_its_actions(plans, plans_without_control_tower):
    planned = {r.type for p in [*plans.values(), *plans_without_control_tower.values()] for r in p.resources if r.custom and r.type.startswith("aws:")}
    assert planned - set(ACTIONS) == set()


def test_every_action_is_in_the_service_authorization_reference():
    named = {a for entry in ACTIONS.values() for phase in ("create", "update", "delete") for a in getattr(entry, phase)} | {a for a, _ in APP_DEPLOYS}
    assert sorted(a for a in named if not iam_actions.known_action(a)) == []
    assert {a.split(":")[0] for entry in ACTIONS.values() for a in entry.create + entry.update + entry.delete} <= set(SERVICES)


OPT_IN = {"prod": ["AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA"], "security": ["AWS-GR_AUDIT_BUCKET_RETENTION_POLICY"]}


@pytest.fixture(scope="module")
def opted_in(tmp_path_factory):
    """The example with the two opt-in controls, which deny every principal below their OU but those they exempt."""
    data = example_data()
    data.setdefault("guardrails", {})["controls"] = OPT_IN
    config_dir = write_config(tmp_path_factory.mktemp("opt-in"), data)
    management = shared_plan("management", config_dir)
    return {"management": management, **{stack: shared_plan(stack, config_dir, management=management) for stack in ("audit", "log")}}


def _without_exemptions(plans) -> dict:
    """The same plans as if the controls were enabled with no ExemptedPrincipalArns."""
    stripped = [
        dataclasses.replace(r, inputs={k: v for k, v in r.inputs.items() if k != "parameters"}) if r.type == CONTROL else r
        for r in plans["management"].resources
    ]
    return {**plans, "management": dataclasses.replace(plans["management"], resources=stripped)}


@pytest.mark.integration
def test_the_example_is_never_denied(plans):
    assert {stack: _findings(plans, stack) for stack in STACKS} == {stack: {} for stack in STACKS}


@pytest.mark.integration
def test_the_opt_in_controls_exempt_the_roles_they_would_deny(opted_in):
    assert {stack: _findings(opted_in, stack) for stack in STACKS} == {stack: {} for stack in STACKS}


@pytest.mark.integration
def test_without_its_exemptions_the_retention_control_denies_the_log_stacks_lifecycle_configuration(opted_in):
    assert _findings(_without_exemptions(opted_in), "log") == {
        "log-analysis-results-lifecycle": [
            f"deploying it as arn:aws:iam::{LOG}:role/github/pulumi-deploy-log in log (ap-northeast-1): s3:PutLifecycleConfiguration (create, update, delete)"
            " is denied by SCP AWS-GR_AUDIT_BUCKET_RETENTION_POLICY on OU security, statement GRAUDITBUCKETRETENTIONPOLICY"
        ]
    }


@pytest.mark.integration
def test_a_lifecycle_on_a_bucket_named_like_control_towers_is_denied_twice(opted_in):
    plans = _without_exemptions(opted_in)
    lifecycle = next(r for r in plans["log"].resources if r.name == "log-analysis-results-lifecycle")
    on_control_towers = dataclasses.replace(
        lifecycle, urn=lifecycle.urn + "-ct", inputs={**lifecycle.inputs, "bucket": f"aws-controltower-logs-{LOG}-ap-northeast-1"}
    )
    providers = [r for r in plans["log"].resources if r.type == "pulumi:providers:aws"]
    [(urn, message)] = list(never_denies_itself([*providers, on_control_towers], plans["management"].resources))
    assert urn == on_control_towers.urn
    assert message == (
        f"deploying it as arn:aws:iam::{LOG}:role/github/pulumi-deploy-log in log (ap-northeast-1): s3:PutLifecycleConfiguration (create, update, delete) is denied by"
        " SCP AWS-GR_AUDIT_BUCKET_RETENTION_POLICY on OU security, statement GRAUDITBUCKETRETENTIONPOLICY;"
        ' SCP Control Tower mandatory control "Disallow modifications to Amazon S3 buckets managed by AWS Control Tower" on OU security, statement CTS3PV8'
    )


@pytest.mark.integration
def test_without_its_exemptions_mfa_delete_on_prod_denies_the_deploy_roles_deletes(opted_in):
    found = _findings(_without_exemptions(opted_in), "management")
    assert found["shop-prod-deploy-role"] == [
        f"the application's deploys as arn:aws:iam::{SHOP_PROD}:role/github/github-deploy-prod in shop-prod (ap-northeast-1): "
        "s3:DeleteObject (deploy), s3:DeleteBucket (deploy) are denied by SCP AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA on OU prod, statement GRRESTRICTS3DELETEWITHOUTMFA"
    ]
    assert set(found) == {"shop-prod-deploy-role", "booking-prod-deploy-role"}


@pytest.mark.integration
def test_control_towers_iam_role_protection_denies_a_program_managing_the_execution_role(plans):
    """Why Organizations creates AWSControlTowerExecution and nothing here manages it: reached through
    any other role, a governed account refuses every change to it."""
    management = plans["management"]
    provider = management.named("shop-prod-provider")
    access_role = f"arn:aws:iam::{SHOP_PROD}:role/OrganizationAccountAccessRole"
    through_access_role = dataclasses.replace(provider, inputs={**provider.inputs, "assumeRoles": json.dumps([{"roleArn": access_role}])})
    role = next(r for r in management.of_type(IAM_ROLE) if r.provider.startswith(provider.urn + "::"))
    execution = dataclasses.replace(role, urn=role.urn + "-execution", inputs={"name": "AWSControlTowerExecution", "path": "/", "assumeRolePolicy": "{}"})
    resources = [r for r in management.resources if r.urn != provider.urn] + [through_access_role]
    found = [message for urn, message in never_denies_itself([*resources, execution]) if urn == execution.urn]
    assert found == [
        f"deploying it as {access_role} in shop-prod (ap-northeast-1): iam:CreateRole (create), iam:UpdateRole (update), iam:UpdateRoleDescription (update), "
        "iam:UpdateAssumeRolePolicy (update), iam:PutRolePermissionsBoundary (update), iam:DeleteRole (delete) are denied by "
        f"{IAM_ROLES_MANDATORY} on OU member, statement GRIAMROLEPOLICY; {IAM_ROLES_MANDATORY} on OU prod, statement GRIAMROLEPOLICY"
    ]


@pytest.mark.integration
def test_without_control_tower_nothing_is_denied(plans_without_control_tower):
    assert {stack: _findings(plans_without_control_tower, stack) for stack in STACKS} == {stack: {} for stack in STACKS}


@pytest.mark.integration
def test_a_type_without_actions_is_reported(plans):
    bucket = next(r for r in plans["log"].resources if r.type == "aws:s3/bucket:Bucket")
    unknown = dataclasses.replace(bucket, type="aws:s3/bucketAcl:BucketAcl", urn=bucket.urn + "-acl")
    assert list(never_denies_itself([unknown], plans["management"].resources)) == [
        (unknown.urn, "no IAM actions are known for aws:s3/bucketAcl:BucketAcl: add them to guardrails/deploy_actions.py so this rule can check it")
    ]


@pytest.mark.integration
def test_without_an_organisation_there_is_nothing_to_check(plans):
    assert list(never_denies_itself(plans["log"].resources)) == []


def test_the_stack_is_read_from_the_urn():
    assert stack_of("urn:pulumi:log::landing-zone::pulumi:pulumi:Stack$aws:s3/bucket:Bucket::b") == "log"


@pytest.mark.integration
def test_a_resource_whose_account_is_not_known_yet_is_skipped(plans):
    lifecycle = next(r for r in plans["log"].resources if r.name == "log-analysis-results-lifecycle")
    provider = next(r for r in plans["log"].resources if r.type == "pulumi:providers:aws")
    unknown = dataclasses.replace(provider, inputs={**provider.inputs, "allowedAccountIds": '["[unknown]"]'})
    assert list(never_denies_itself([unknown, lifecycle], plans["management"].resources)) == []
