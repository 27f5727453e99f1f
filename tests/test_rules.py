"""Policy rules, both ways: the example plan passes them; crafted resources fail each one."""

from __future__ import annotations

import copy
import json

import pytest
from pulumi_policy import PolicyResource, PolicyResourceOptions, StackValidationArgs

from lzctl.plan import views as plan_views
from lzctl.runtime import Plan
from names import LIMITS_OUTPUT
from rules import RULES, ResourceView, evaluate, is_blocking
from rules.adapter import policy_for, view
from rules.core import STACK_TYPE
from tests.helpers import shared_plan

RULE = {rule.id: rule for rule in RULES}
OIDC = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"


def views(plan: Plan) -> list[ResourceView]:
    return plan_views(plan)


def oidc_role(condition: dict) -> ResourceView:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Federated": OIDC}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}],
    }
    return ResourceView("aws:iam/role:Role", "urn:role", {"assumeRolePolicy": json.dumps(trust)})


def exact(subject: str) -> dict:
    return {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": subject}}


EXACT = exact("repo:acme/shop:environment:prod")
IMMUTABLE = exact("repo:acme@12345678/shop@123456789:environment:prod")


@pytest.mark.integration
def test_the_example_plan_passes_every_rule(management_plan):
    assert evaluate(views(management_plan)) == []


FAILING = [
    ("LZ-ACCOUNT-PROTECTED", ResourceView("aws:organizations/account:Account", "urn:a", {"closeOnDeletion": False}, protect=False), "protect=True"),
    (
        "LZ-ACCOUNT-PROTECTED",
        ResourceView("aws:organizations/account:Account", "urn:a", {"closeOnDeletion": True}, protect=True),
        "closeOnDeletion must be off",
    ),
    (
        "LZ-SCP-SIZE",
        ResourceView(
            "aws:organizations/policy:Policy",
            "urn:p",
            {"type": "SERVICE_CONTROL_POLICY", "content": json.dumps({"Version": "2012-10-17", "Statement": []}, indent=2)},
        ),
        "not minified",
    ),
    ("LZ-SCP-SIZE", ResourceView("aws:organizations/policy:Policy", "urn:p", {"type": "SERVICE_CONTROL_POLICY", "content": "x" * 10241}), "10241 characters"),
    (
        "LZ-SCP-SIZE",
        ResourceView("aws:organizations/policy:Policy", "urn:p", {"type": "SERVICE_CONTROL_POLICY", "content": "x" * 10241}, protect=True),
        "10241 characters",
    ),
    ("LZ-NO-IAM-USERS", ResourceView("aws:iam/accessKey:AccessKey", "urn:k", {"user": "deployer"}), "replaced by Identity Center"),
    ("LZ-S3-HARDENED", ResourceView("aws:s3/bucket:Bucket", "urn:b", {"bucket": "logs"}, id="logs"), "public access block"),
    ("LZ-SSO-SESSION", ResourceView("aws:ssoadmin/permissionSet:PermissionSet", "urn:ps", {"sessionDuration": "PT13H"}), "exceeds PT12H"),
    ("LZ-OIDC-EXACT-SUBJECT", oidc_role({"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}), "uses StringLike"),
    (
        "LZ-OIDC-EXACT-SUBJECT",
        oidc_role(
            {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:acme/shop:*"}}
        ),
        "one of GitHub's two forms",
    ),
    # Half of each form, an id that is not numeric, a wildcard in an id: none is a subject GitHub sends.
    ("LZ-OIDC-EXACT-SUBJECT", oidc_role(exact("repo:acme@12345678/shop:environment:prod")), "one of GitHub's two forms"),
    ("LZ-OIDC-EXACT-SUBJECT", oidc_role(exact("repo:acme/shop@123456789:environment:prod")), "one of GitHub's two forms"),
    ("LZ-OIDC-EXACT-SUBJECT", oidc_role(exact("repo:acme@acme/shop@shop:environment:prod")), "one of GitHub's two forms"),
    ("LZ-OIDC-EXACT-SUBJECT", oidc_role(exact("repo:acme@1*/shop@1:environment:prod")), "one of GitHub's two forms"),
    ("LZ-OIDC-EXACT-SUBJECT", oidc_role({"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:acme/shop:environment:prod"}}), "does not pin aud"),
    (
        "LZ-OIDC-EXACT-SUBJECT",
        oidc_role({"ForAllValues:StringEquals": {"token.actions.githubusercontent.com:sub": ["repo:acme/shop:environment:prod"]}}),
        "uses ForAllValues:StringEquals",
    ),
]


@pytest.mark.parametrize("rule_id, resource, words", FAILING, ids=[f"{case[0]}-{i}" for i, case in enumerate(FAILING)])
def test_each_rule_catches_its_violation(rule_id, resource, words):
    [violation] = [v for v in RULE[rule_id].run([resource]) if words in v.message]
    assert violation.urn == resource.urn
    assert is_blocking([violation])


PASSING = [
    (
        "LZ-S3-HARDENED",
        [
            ResourceView("aws:s3/bucket:Bucket", "urn:b", {"bucket": "logs"}, id="logs"),
            ResourceView(
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                "urn:pab",
                {"bucket": "logs", "blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": True},
            ),
            ResourceView("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "urn:sse", {"bucket": "logs"}),
        ],
    ),
    ("LZ-OIDC-EXACT-SUBJECT", [oidc_role(EXACT)]),
    ("LZ-OIDC-EXACT-SUBJECT", [oidc_role(IMMUTABLE)]),
    ("LZ-SSO-SESSION", [ResourceView("aws:ssoadmin/permissionSet:PermissionSet", "urn:ps", {"sessionDuration": "PT11H30M"})]),
    # An adopted SCP (protected) keeps the white space Organizations holds it with.
    (
        "LZ-SCP-SIZE",
        [
            ResourceView(
                "aws:organizations/policy:Policy",
                "urn:p",
                {"type": "SERVICE_CONTROL_POLICY", "content": json.dumps({"Version": "2012-10-17", "Statement": []}, indent=2)},
                protect=True,
            )
        ],
    ),
]


@pytest.mark.parametrize("rule_id, resources", PASSING, ids=[f"{case[0]}-{i}" for i, case in enumerate(PASSING)])
def test_each_rule_passes_the_compliant_shape(rule_id, resources):
    assert RULE[rule_id].run(resources) == []


def test_the_policy_pack_reports_the_same_violations_through_pulumi_policy():
    def resource(type_, props, urn, protect):
        options = PolicyResourceOptions(
            protect=protect, ignore_changes=[], delete_before_replace=None, aliases=[], custom_timeouts=None, additional_secret_outputs=[]
        )
        return PolicyResource(type_, props, urn, urn, options, None, None, [], {})

    resources = [
        resource("aws:organizations/account:Account", {"closeOnDeletion": False}, "urn:acct", False),
        resource("aws:iam/user:User", {"name": "deployer"}, "urn:user", True),
    ]
    assert view(resources[1]).protect is True
    reported = []
    for rule in RULES:
        policy_for(rule).validate(StackValidationArgs(resources, None), lambda message, urn=None: reported.append((urn, message)))
    assert [urn for urn, _ in reported] == ["urn:acct", "urn:user"]


@pytest.mark.integration
def test_validate_exits_0_on_the_example_and_3_on_a_mandatory_violation(management_plan, monkeypatch, capsys):
    from lzctl import cli

    monkeypatch.setattr(cli, "plan_stack", lambda *args, **kwargs: management_plan)
    assert cli.main(["validate", "--stack", "management"]) == 0
    out = capsys.readouterr().out
    assert f"{len(RULES)} rules, 0 violations" in out
    # It names each rule it ran, with its severity.
    assert "pass AWS-CT-ONE-OPERATION (mandatory): Control Tower runs one landing-zone or OU operation at a time" in out
    assert "pass AWS-ORG-ACCOUNT-QUOTA (advisory)" in out
    # A 13-hour session can only come from outside config validation, so alter a copy of the plan.
    altered = copy.deepcopy(management_plan)
    permission_set = next(r for r in altered.resources if r.type.endswith("PermissionSet"))
    permission_set.inputs["sessionDuration"] = "PT13H"
    monkeypatch.setattr(cli, "plan_stack", lambda *args, **kwargs: altered)
    assert cli.main(["validate", "--stack", "management"]) == 3
    captured = capsys.readouterr()
    assert "policy mandatory LZ-SSO-SESSION" in captured.err and "1 violations, blocking" in captured.out


def test_unknown_preview_values_neither_crash_the_pack_nor_fake_a_violation():
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

    options = PolicyResourceOptions(protect=True, ignore_changes=[], delete_before_replace=None, aliases=[], custom_timeouts=None, additional_secret_outputs=[])
    scp = PolicyResource(
        "aws:organizations/policy:Policy",
        unknown_checking_proxy({"type": "SERVICE_CONTROL_POLICY", "content": UNKNOWN_STRING_VALUE}),
        "urn:scp",
        "scp",
        options,
        None,
        None,
        [],
        {},
    )
    bucket = PolicyResource(
        "aws:s3/bucket:Bucket",
        unknown_checking_proxy({"bucket": UNKNOWN_STRING_VALUE, "tags": {"app": UNKNOWN_STRING_VALUE}}),
        "urn:b",
        "b",
        options,
        None,
        None,
        [],
        {},
    )
    assert view(scp).props == {"type": "SERVICE_CONTROL_POLICY", "content": None}
    assert view(bucket).props["tags"] == {"app": None}
    reported = []
    for rule in RULES:
        policy_for(rule).validate(StackValidationArgs([scp, bucket], None), lambda message, urn=None: reported.append(message))
    assert reported == []


def test_a_first_preview_does_not_fail_buckets_whose_settings_are_unknown():
    bucket = ResourceView("aws:s3/bucket:Bucket", "urn:b", {"bucket": "results"}, id="")
    flags = dict.fromkeys(("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True)
    blocking = ResourceView("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "urn:pab", {"bucket": None, **flags})
    assert RULE["LZ-S3-HARDENED"].run([bucket, blocking]) == []


@pytest.mark.integration
def test_the_scp_size_limit_is_the_configured_one_in_lzctl_and_the_pack(config_dir):
    def scp(chars: int) -> ResourceView:
        return ResourceView(
            "aws:organizations/policy:Policy",
            "urn:p",
            {"type": "SERVICE_CONTROL_POLICY", "content": json.dumps({"Sid": "x" * (chars - 10)}, separators=(",", ":"))},
        )

    assert evaluate([scp(10240)]) == []
    assert [v.message for v in evaluate([scp(10241)])] == ["SCP is 10241 characters, over the 10240 Organizations accepts"]
    # The stack exports guardrails.limits; numbers arrive as floats, as through the engine.
    lowered = shared_plan("management", config_dir(lambda data: data.setdefault("guardrails", {}).update(limits={"scp_max_chars": 4096})))
    assert lowered.outputs[LIMITS_OUTPUT]["scp_max_chars"] == 4096.0
    stack = ResourceView(STACK_TYPE, "urn:stack", lowered.outputs)
    assert [v.message for v in evaluate([stack, scp(4097)])] == ["SCP is 4097 characters, over the 4096 Organizations accepts"]
    # An output past AWS's maximum (which the config refuses) counts as the maximum: it switches nothing off.
    forged = ResourceView(STACK_TYPE, "urn:stack", {LIMITS_OUTPUT: {"scp_max_chars": 1000000.0}})
    assert [v.message for v in evaluate([forged, scp(10241)])] == ["SCP is 10241 characters, over the 10240 Organizations accepts"]

    pack = policy_for(RULE["LZ-SCP-SIZE"])
    assert (pack.config_schema.properties["max_chars"]["default"], pack.config_schema.properties["max_chars"]["maximum"]) == (10240, 10240)
    options = PolicyResourceOptions(protect=True, ignore_changes=[], delete_before_replace=None, aliases=[], custom_timeouts=None, additional_secret_outputs=[])
    big = scp(4500)
    resource = PolicyResource(big.type, big.props, "urn:p", "p", options, None, None, [], {})
    root = PolicyResource(STACK_TYPE, {LIMITS_OUTPUT: {"scp_max_chars": 4096.0}}, "urn:stack", "stack", options, None, None, [], {})
    over = PolicyResource(big.type, scp(10241).props, "urn:p", "p", options, None, None, [], {})
    cases = (
        ([resource], None, []),
        ([resource], {"enforcementLevel": "mandatory", "max_chars": 4096}, ["urn:p"]),
        ([root, resource], None, ["urn:p"]),
        ([over], {"enforcementLevel": "mandatory", "max_chars": 1000000}, ["urn:p"]),
    )
    for resources, config, expected in cases:
        reported = []
        pack.validate(StackValidationArgs(resources, config), lambda message, urn=None, reported=reported: reported.append(urn))
        assert reported == expected


def test_per_type_limits_come_from_the_stack_s_exported_limits():
    """AWS-ORG-POLICY-SIZE reads each type's size field; a field not exported keeps its default."""
    rcp = ResourceView("aws:organizations/policy:Policy", "urn:rcp", {"type": "RESOURCE_CONTROL_POLICY", "content": json.dumps({"Sid": "x" * 6000})})
    tags = ResourceView("aws:organizations/policy:Policy", "urn:tags", {"type": "TAG_POLICY", "content": json.dumps({"tags": "x" * 10000})})
    rule = RULE["AWS-ORG-POLICY-SIZE"]
    over = [
        ("urn:rcp", "RESOURCE_CONTROL_POLICY content is 6011 characters, over the 5120 Organizations accepts"),
        ("urn:tags", "TAG_POLICY content is 10012 characters, over the 10000 Organizations accepts"),
    ]
    assert [(v.urn, v.message) for v in rule.run([rcp, tags])] == over
    lowered = ResourceView(STACK_TYPE, "urn:stack", {LIMITS_OUTPUT: {"tag_policy_max_chars": 8000.0}})
    assert [(v.urn, v.message) for v in rule.run([lowered, rcp, tags])] == [
        over[0],
        ("urn:tags", "TAG_POLICY content is 10012 characters, over the 8000 Organizations accepts"),
    ]
    # Past AWS's maximum, an exported number or the pack's own setting counts as the maximum.
    forged = ResourceView(STACK_TYPE, "urn:stack", {LIMITS_OUTPUT: {"rcp_max_chars": 10240.0}})
    assert [(v.urn, v.message) for v in rule.run([forged, rcp, tags])] == over
    assert [(v.urn, v.message) for v in rule.run([rcp, tags], {"max_chars": {"RESOURCE_CONTROL_POLICY": 99999, "TAG_POLICY": 99999}})] == over
