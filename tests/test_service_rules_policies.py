"""Service rules for the Organizations policies (rules/service_policies.py): each passes the example's
plan and fails on the shape AWS would refuse, with its message."""

from __future__ import annotations

import dataclasses
import json

import pytest

from lzctl.plan import views
from names import LIMITS_OUTPUT
from rules import RULES
from rules.core import STACK_TYPE, ResourceView

pytestmark = pytest.mark.integration

RULE = {rule.id: rule for rule in RULES}
POLICY_RULES = ("AWS-ORG-POLICY-TYPE-ENABLED", "AWS-ORG-POLICY-SIZE", "AWS-ORG-POLICY-SLOTS", "AWS-IAM-ROOT-ACCESS-TRUSTED")
POLICY_RULES += ("AWS-ORG-POLICY-OWNS-SETTING", "AWS-BACKUP-VAULT-AND-ROLE")


@pytest.fixture(scope="module")
def example(management_plan) -> list[ResourceView]:
    return views(management_plan)


def named(resources: list[ResourceView], name: str) -> ResourceView:
    return next(r for r in resources if r.urn.endswith(f"::{name}"))


def changed(resources: list[ResourceView], name: str, **props) -> list[ResourceView]:
    return [dataclasses.replace(r, props={**r.props, **props}) if r.urn.endswith(f"::{name}") else r for r in resources]


def without(resources: list[ResourceView], *names: str) -> list[ResourceView]:
    return [r for r in resources if not any(r.urn.endswith(f"::{name}") for name in names)]


def with_limits(resources: list[ResourceView], **limits: int) -> list[ResourceView]:
    """The stack exporting other `guardrails.limits`, as numbers arrive through the engine (floats)."""
    raised = {name: float(value) for name, value in limits.items()}
    return [dataclasses.replace(r, props={LIMITS_OUTPUT: {**r.props[LIMITS_OUTPUT], **raised}}) if r.type == STACK_TYPE else r for r in resources]


def messages(rule: str, resources: list[ResourceView], settings=None) -> list[tuple[str, str]]:
    return [(v.urn.rsplit("::", 1)[-1], v.message) for v in RULE[rule].run(resources, settings)]


@pytest.mark.parametrize("rule", POLICY_RULES)
def test_the_example_passes(example, rule):
    assert messages(rule, example) == []


def test_a_policy_of_a_type_the_root_does_not_enable_is_refused(example):
    enabled = [t for t in named(example, "organization-organization").props["enabledPolicyTypes"] if t != "RESOURCE_CONTROL_POLICY"]
    found = messages("AWS-ORG-POLICY-TYPE-ENABLED", changed(example, "organization-organization", enabledPolicyTypes=enabled))
    assert found == [
        (
            "guardrails-rcp-root-enforce-org-identities-policy",
            f"is a RESOURCE_CONTROL_POLICY, which the root does not enable (enabledPolicyTypes: {', '.join(sorted(enabled))}): "
            "AttachPolicy fails with PolicyTypeNotEnabledException",
        )
    ]


@pytest.mark.parametrize(
    "policy, policy_type, field, limit",
    [
        ("guardrails-rcp-root-enforce-org-identities-policy", "RESOURCE_CONTROL_POLICY", "rcp_max_chars", 1000),
        ("guardrails-ai-root-opt-out-all-policy", "AISERVICES_OPT_OUT_POLICY", "ai_opt_out_max_chars", 100),
        ("guardrails-backup-prod-daily-policy", "BACKUP_POLICY", "backup_policy_max_chars", 200),
    ],
)
def test_a_policy_over_its_types_size_is_refused(example, policy, policy_type, field, limit):
    size = len(named(example, policy).props["content"])
    assert size > limit
    found = messages("AWS-ORG-POLICY-SIZE", with_limits(example, **{field: limit}))
    assert found == [(policy, f"{policy_type} content is {size} characters, over the {limit} Organizations accepts")]


def test_slots_count_the_managed_default_and_control_towers_scp(example):
    found = messages("AWS-ORG-POLICY-SLOTS", with_limits(example, scps_per_target=2))
    over = "1 SERVICE_CONTROL_POLICY plus FullAWSAccess and Control Tower's guardrail SCP: 3, over the 2 per target Organizations allows"
    assert found == [
        (
            f"guardrails-{ou}-{template}-policy",
            f"target {named(example, f'organization-{ou}-ou').id} would hold {over} (AttachPolicy: ConstraintViolationException)",
        )
        for ou, template in (("prod", "protect-backups"), ("security", "protect-log-buckets"))
    ]
    # (The suspended OU is not governed: its one SCP and FullAWSAccess fit two slots.)
    [(_, rcp)] = messages("AWS-ORG-POLICY-SLOTS", with_limits(example, rcps_per_target=1))
    assert "1 RESOURCE_CONTROL_POLICY plus RCPFullAWSAccess: 2, over the 1" in rcp


def test_root_access_needs_trusted_access_for_iam_first(example):
    trusted = [p for p in named(example, "organization-organization").props["awsServiceAccessPrincipals"] if p != "iam.amazonaws.com"]
    assert messages("AWS-IAM-ROOT-ACCESS-TRUSTED", changed(example, "organization-organization", awsServiceAccessPrincipals=trusted)) == [
        ("organization-root-access", "centralised root access needs trusted access for iam.amazonaws.com, which the organisation does not grant")
    ]
    features = named(example, "organization-root-access")
    unordered = [dataclasses.replace(r, dependencies=()) if r is features else r for r in example]
    assert messages("AWS-IAM-ROOT-ACCESS-TRUSTED", unordered) == [
        ("organization-root-access", "does not wait for the organisation, which grants iam.amazonaws.com its trusted access first")
    ]


def _setting(example, resource_type: str, name: str, provider: str) -> ResourceView:
    return ResourceView(resource_type, f"urn:pulumi:management::landing-zone::t::{name}", {}, provider=named(example, provider).urn + "::id")


def test_a_setting_a_policy_owns_cannot_be_planned_in_an_account_below_it(example):
    planned = [
        *example,
        _setting(example, "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "shop-prod-bpa", "shop-prod-provider"),
        _setting(example, "aws:ec2/serialConsoleAccess:SerialConsoleAccess", "management-serial-console", "management"),
        # The VPC Block Public Access template is opt-in: nothing owns the setting in the example.
        _setting(example, "aws:ec2/vpcBlockPublicAccessOptions:VpcBlockPublicAccessOptions", "shop-dev-vpc-bpa", "shop-dev-provider"),
    ]
    found = messages("AWS-ORG-POLICY-OWNS-SETTING", planned)
    assert [name for name, _ in found] == ["shop-prod-bpa", "management-serial-console"]
    assert found[0][1].startswith(
        "sets in shop-prod what landing-zone-s3-root-block-public-access (S3_POLICY) sets for it (s3_attributes.public_access_block_configuration): "
        "the account can no longer change it"
    )
    assert "sets in management what landing-zone-ec2-root-instance-metadata-v2 (DECLARATIVE_POLICY_EC2)" in found[1][1]


def test_every_account_below_a_backup_policy_needs_its_vault_and_role(example, management_plan):
    ids = management_plan.outputs["accountIds"]
    found = messages("AWS-BACKUP-VAULT-AND-ROLE", without(example, "backup-shop-prod-ap-northeast-1-vault", "backup-booking-prod-role"))
    assert sorted(found) == [
        (
            "guardrails-backup-prod-daily-policy",
            f"names role arn:aws:iam::{ids['booking-prod']}:role/service-role/landing-zone-backup, which is not planned in booking-prod: "
            "every backup job there would fail",
        ),
        (
            "guardrails-backup-prod-daily-policy",
            "names vault landing-zone-backup, which is not planned in shop-prod (ap-northeast-1): every backup job there would fail",
        ),
    ]


def test_a_plan_region_without_a_vault_is_refused(example):
    policy = named(example, "guardrails-backup-prod-daily-policy")
    document = json.loads(policy.props["content"])
    document["plans"]["landing-zone"]["regions"]["@@assign"].append("us-east-1")
    found = messages("AWS-BACKUP-VAULT-AND-ROLE", changed(example, "guardrails-backup-prod-daily-policy", content=json.dumps(document)))
    assert sorted(m for _, m in found) == [
        f"names vault landing-zone-backup, which is not planned in {account} (us-east-1): every backup job there would fail"
        for account in ("booking-prod", "shop-prod")
    ]
