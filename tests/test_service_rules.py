"""Service rules (rules/service.py): each fails on what AWS would refuse and passes the compliant
shape; the example and a Control-Tower-off config plan with no blocking violation."""

from __future__ import annotations

import dataclasses
import json

import pytest

from delivery.policies import ecr_lifecycle_policy
from lzctl.plan import views
from names import LIMITS_OUTPUT
from rules import RULES, evaluate, is_blocking
from rules.core import MANDATORY, STACK_TYPE, ResourceView
from rules.service import RULES as SERVICE_RULES

RULE = {rule.id: rule for rule in RULES}
LZ = "aws:controltower/landingZone:LandingZone"
BASELINE = "aws:controltower/baseline:Baseline"
CONTROL = "aws:controltower/controlTowerControl:ControlTowerControl"
ACCOUNT = "aws:organizations/account:Account"
ORG = "aws:organizations/organization:Organization"
PROVIDER = "pulumi:providers:aws"
S3_ACCOUNT_BPA = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
MANAGEMENT, AUDIT, LOG, APP = "111111111111", "222222222222", "333333333333", "444444444444"
MANIFEST = json.dumps(
    {
        "governedRegions": ["ap-northeast-1"],
        "securityRoles": {"accountId": AUDIT},
        "centralizedLogging": {"accountId": LOG},
        "config": {"accountId": AUDIT, "enabled": True},
    }
)


def _provider(name: str, account: str, region: str = "ap-northeast-1") -> ResourceView:
    return ResourceView(PROVIDER, f"urn:pulumi:management::landing-zone::t::{name}", {"allowedAccountIds": json.dumps([account]), "region": region})


def _organization(*extra: ResourceView) -> list[ResourceView]:
    """A small organisation: management, the Security OU with audit and log, a Dev OU with one account."""
    return [
        _provider("management", MANAGEMENT),
        ResourceView(
            ORG,
            "urn:pulumi:management::landing-zone::t::org",
            {"enabledPolicyTypes": ["SERVICE_CONTROL_POLICY"]},
            id="o-1",
            provider="urn:pulumi:management::landing-zone::t::management::id",
        ),
        ResourceView(
            "aws:organizations/organizationalUnit:OrganizationalUnit",
            "urn:pulumi:management::landing-zone::t::ou-security",
            {"parentId": "r-1", "tags": {"ou": "security"}},
            id="ou-sec",
        ),
        ResourceView(
            "aws:organizations/organizationalUnit:OrganizationalUnit",
            "urn:pulumi:management::landing-zone::t::ou-dev",
            {"parentId": "r-1", "tags": {"ou": "dev"}},
            id="ou-dev",
        ),
        ResourceView(ACCOUNT, "urn:pulumi:management::landing-zone::t::security-audit-account", {"parentId": "ou-sec", "email": "a@corp.jp"}, id=AUDIT),
        ResourceView(ACCOUNT, "urn:pulumi:management::landing-zone::t::security-log-account", {"parentId": "ou-sec", "email": "l@corp.jp"}, id=LOG),
        ResourceView(
            ACCOUNT,
            "urn:pulumi:management::landing-zone::t::shop-dev-account",
            {"parentId": "ou-dev", "email": "s@corp.jp", "tags": {"app": "shop", "env": "dev"}},
            id=APP,
        ),
        *extra,
    ]


LANDING_ZONE = ResourceView(
    LZ,
    "urn:pulumi:management::landing-zone::t::lz",
    {"version": "4.0", "manifestJson": MANIFEST},
    provider="urn:pulumi:management::landing-zone::t::management::id",
)


def _baseline(name: str, ou: str, after: str, version: str = "5.0") -> ResourceView:
    return ResourceView(
        BASELINE,
        f"urn:pulumi:management::landing-zone::t::{name}",
        {"targetIdentifier": f"arn:aws:organizations::1:ou/o-1/{ou}", "baselineVersion": version},
        dependencies=(after,),
    )


def _control(name: str, ou: str, after: tuple[str, ...]) -> ResourceView:
    return ResourceView(
        CONTROL, f"urn:pulumi:management::landing-zone::t::{name}", {"targetIdentifier": f"arn:aws:organizations::1:ou/o-1/{ou}"}, dependencies=after
    )


PACK = ResourceView(
    "aws:cfg/organizationConformancePack:OrganizationConformancePack",
    "urn:pulumi:management::landing-zone::t::pack",
    {"name": "lz", "excludedAccounts": [MANAGEMENT]},
    provider="urn:pulumi:management::landing-zone::t::audit::id",
)
CHANNEL = ResourceView(
    "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
    "urn:pulumi:management::landing-zone::t::channel",
    {},
    provider="urn:pulumi:management::landing-zone::t::audit::id",
)

POLICY = "aws:organizations/policy:Policy"


def _policy(name: str, policy_type: str, document: dict, target: str) -> list[ResourceView]:
    """An Organizations policy and its attachment to `target` (r-1, ou-sec, ou-dev or an account id)."""
    return [
        ResourceView(
            POLICY, f"urn:pulumi:management::landing-zone::t::{name}", {"type": policy_type, "content": json.dumps(document), "name": name}, id=f"p-{name}"
        ),
        ResourceView(
            "aws:organizations/policyAttachment:PolicyAttachment",
            f"urn:pulumi:management::landing-zone::t::{name}-a",
            {"policyId": f"p-{name}", "targetId": target},
        ),
    ]


def _enabling(*types: str, extra: tuple[ResourceView, ...] = ()) -> list[ResourceView]:
    return [dataclasses.replace(r, props={**r.props, "enabledPolicyTypes": list(types)}) if r.type == ORG else r for r in _organization(*extra)]


def _in_dev(resource_type: str, key: str, **props) -> ResourceView:
    return ResourceView(resource_type, f"urn:pulumi:management::landing-zone::t::{key}", props, provider="urn:pulumi:management::landing-zone::t::shop-dev::id")


S3_BPA = {"s3_attributes": {"public_access_block_configuration": {"@@assign": "all"}}}
BACKUP = {
    "plans": {
        "p": {
            "regions": {"@@assign": ["ap-northeast-1"]},
            "rules": {"daily": {"target_backup_vault_name": {"@@assign": "v"}}},
            "selections": {"tags": {"s": {"iam_role_arn": {"@@assign": "arn:aws:iam::$account:role/service-role/b"}}}},
        }
    }
}
ROOT_ACCESS = ResourceView(
    "aws:iam/organizationsFeatures:OrganizationsFeatures",
    "urn:pulumi:management::landing-zone::t::root-access",
    {},
    dependencies=("urn:pulumi:management::landing-zone::t::org",),
)
BACKUP_RESOURCES = (
    _provider("shop-dev", APP),
    _in_dev("aws:backup/vault:Vault", "vault", name="v"),
    _in_dev("aws:iam/role:Role", "role", name="b", path="/service-role/"),
)


def _controls(count: int, chained_every: int = 0) -> list[ResourceView]:
    """`count` controls after the landing zone; with `chained_every`, each waits for the one that many before it."""
    lz = "urn:pulumi:management::landing-zone::t::lz"
    return [
        _control(f"c{i}", "ou-dev", (lz, *([f"urn:pulumi:management::landing-zone::t::c{i - chained_every}"] if chained_every and i >= chained_every else [])))
        for i in range(count)
    ]


def registry_policy(*actions: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": list(actions), "Resource": "*"}],
        }
    )


FAILING = [
    (
        "AWS-ORG-POLICY-TYPE-ENABLED",
        _organization(*_policy("rcp", "RESOURCE_CONTROL_POLICY", {}, "r-1")),
        None,
        "is a RESOURCE_CONTROL_POLICY, which the root does not enable (enabledPolicyTypes: SERVICE_CONTROL_POLICY)",
    ),
    ("AWS-ORG-POLICY-SIZE", _policy("tags", "TAG_POLICY", {"tags": "x" * 10000}, "r-1"), None, "TAG_POLICY content is 10012 characters, over the 10000"),
    (
        "AWS-ORG-POLICY-SLOTS",
        _organization(*(r for i in range(5) for r in _policy(f"rcp{i}", "RESOURCE_CONTROL_POLICY", {}, "r-1"))),
        None,
        "would hold 5 RESOURCE_CONTROL_POLICY plus RCPFullAWSAccess: 6, over the 5 per target",
    ),
    ("AWS-IAM-ROOT-ACCESS-TRUSTED", _organization(ROOT_ACCESS), None, "needs trusted access for iam.amazonaws.com"),
    (
        "AWS-ORG-POLICY-OWNS-SETTING",
        _enabling("S3_POLICY", extra=(*_policy("s3", "S3_POLICY", S3_BPA, "ou-dev"), _provider("shop-dev", APP), _in_dev(S3_ACCOUNT_BPA, "bpa"))),
        None,
        "sets in shop-dev what s3 (S3_POLICY) sets for it (s3_attributes.public_access_block_configuration)",
    ),
    (
        "AWS-BACKUP-VAULT-AND-ROLE",
        _enabling("BACKUP_POLICY", extra=(*_policy("backup", "BACKUP_POLICY", BACKUP, "ou-dev"), *BACKUP_RESOURCES[:2])),
        None,
        f"names role arn:aws:iam::{APP}:role/service-role/b, which is not planned in shop-dev",
    ),
    (
        "AWS-CT-SECURITY-OU-BASELINE",
        [*_organization(LANDING_ZONE), _baseline("security-baseline", "ou-sec", "urn:pulumi:management::landing-zone::t::lz")],
        None,
        "refuses AWSControlTowerBaseline",
    ),
    (
        "AWS-CT-ONE-OPERATION",
        [*_organization(LANDING_ZONE), _baseline("dev-baseline", "ou-dev", "urn:pulumi:management::landing-zone::t::org")],
        None,
        "does not wait for the landing zone",
    ),
    (
        "AWS-CT-ONE-OPERATION",
        [
            *_organization(LANDING_ZONE),
            _baseline("a-baseline", "ou-dev", "urn:pulumi:management::landing-zone::t::lz"),
            _baseline("b-baseline", "ou-x", "urn:pulumi:management::landing-zone::t::lz"),
        ],
        None,
        "may run at the same time as b-baseline: Control Tower runs one OU operation at a time",
    ),
    (
        "AWS-CT-ONE-OPERATION",
        [
            *_organization(LANDING_ZONE),
            _baseline("dev-baseline", "ou-dev", "urn:pulumi:management::landing-zone::t::lz"),
            _control("dev-control", "ou-dev", ("urn:pulumi:management::landing-zone::t::lz",)),
        ],
        None,
        "does not wait for its OU's registration (dev-baseline)",
    ),
    (
        "AWS-CT-CONTROL-OPERATIONS",
        _controls(101),
        None,
        "101 control operations can be in progress at once, over Control Tower's 100: chain the controls in batches of 100",
    ),
    (
        "AWS-CT-ENABLE-ONCE",
        [_control("dev-control", "ou-dev", ("urn:pulumi:management::landing-zone::t::lz",))],
        None,
        "a replacement would enable the control again on its OU before disabling the one enabled there",
    ),
    (
        "AWS-CT-ENABLE-ONCE",
        [_baseline("dev-baseline", "ou-dev", "urn:pulumi:management::landing-zone::t::lz")],
        None,
        "enable the baseline again",
    ),
    (
        "AWS-CT-LANDING-ZONE-VERSION",
        [dataclasses.replace(LANDING_ZONE, props={"version": "3.3", "manifestJson": MANIFEST})],
        None,
        "accepts only the latest, 4.0",
    ),
    (
        "AWS-CT-LANDING-ZONE-VERSION",
        [*_organization(LANDING_ZONE), _baseline("dev-baseline", "ou-dev", "urn:pulumi:management::landing-zone::t::lz", version="4.0")],
        None,
        "landing zone 4.0 registers OUs with 5.0",
    ),
    (
        "AWS-CT-REGIONS",
        [
            _provider("management", MANAGEMENT, "ap-northeast-1"),
            dataclasses.replace(LANDING_ZONE, props={"version": "4.0", "manifestJson": '{"governedRegions": ["eu-mars-1"]}'}),
        ],
        None,
        "region eu-mars-1 is not one where Control Tower runs",
    ),
    (
        "AWS-ORG-ACCOUNT-QUOTA",
        _organization(*(ResourceView(ACCOUNT, f"urn:pulumi:management::landing-zone::t::a{i}", {"email": "x@corp.jp"}) for i in range(7))),
        None,
        "11, over the organisation's quota of 10",
    ),
    (
        "AWS-ORG-ACCOUNT-EMAIL",
        [ResourceView(ACCOUNT, "urn:pulumi:management::landing-zone::t::a", {"email": "a" * 56 + "@corp.jp1"})],
        None,
        "root e-mail is 65 characters; CreateAccount accepts at most 64",
    ),
    (
        "AWS-CONFIG-PACK-RECORDERS",
        [_provider("audit", AUDIT), dataclasses.replace(PACK, props={"name": "lz"})],
        _organization(LANDING_ZONE, _baseline("dev-baseline", "ou-dev", "urn:pulumi:management::landing-zone::t::lz")),
        f"targets management ({MANAGEMENT}), which records nothing with AWS Config",
    ),
    (
        "AWS-CONFIG-PACK-RECORDERS",
        [_provider("audit", AUDIT), PACK],
        _organization(LANDING_ZONE),
        f"targets shop-dev ({APP}), which records nothing",
    ),
    (
        "AWS-CHATBOT-WORKSPACE",
        [_provider("shop-dev", APP), dataclasses.replace(CHANNEL, provider="urn:pulumi:management::landing-zone::t::shop-dev::id")],
        _organization(),
        "a Slack channel configuration in shop-dev: Chatbot refuses it until the Slack workspace is authorised",
    ),
    (
        "AWS-ECR-REGISTRY-POLICY-ACTIONS",
        [
            ResourceView(
                "aws:ecr/registryPolicy:RegistryPolicy",
                "urn:pulumi:management::landing-zone::t::r",
                {"policy": registry_policy("ecr:ReplicateImage", "ecr:DescribeImages")},
            )
        ],
        None,
        "registry policy names ecr:DescribeImages; ECR accepts only ecr:ReplicateImage, ecr:BatchImportUpstreamImage, ecr:CreateRepository (or ecr:*) there",
    ),
    (
        "AWS-ECR-LIFECYCLE-POLICY",
        [
            ResourceView(
                LIFECYCLE,
                "urn:pulumi:management::landing-zone::t::l",
                {"policy": json.dumps({"rules": [{**rule, "rulePriority": 5 - rule["rulePriority"]} for rule in ecr_lifecycle_policy()["rules"]]})},
            )
        ],
        None,
        "rule 1: the rule with tagStatus any must have the highest rulePriority (it is evaluated last)",
    ),
]
PASSING = [
    ("AWS-ECR-LIFECYCLE-POLICY", [ResourceView(LIFECYCLE, "urn:pulumi:management::landing-zone::t::l", {"policy": json.dumps(ecr_lifecycle_policy())})], None),
    (
        "AWS-ECR-REGISTRY-POLICY-ACTIONS",
        [
            ResourceView(
                "aws:ecr/registryPolicy:RegistryPolicy",
                "urn:pulumi:management::landing-zone::t::r",
                {"policy": registry_policy("ecr:ReplicateImage", "ecr:CreateRepository")},
            )
        ],
        None,
    ),
    ("AWS-ORG-POLICY-TYPE-ENABLED", _enabling("RESOURCE_CONTROL_POLICY", extra=tuple(_policy("rcp", "RESOURCE_CONTROL_POLICY", {}, "r-1"))), None),
    ("AWS-ORG-POLICY-SIZE", _policy("tags", "TAG_POLICY", {"tags": "x" * 9988}, "r-1"), None),
    ("AWS-ORG-POLICY-SLOTS", _organization(*(r for i in range(4) for r in _policy(f"rcp{i}", "RESOURCE_CONTROL_POLICY", {}, "r-1"))), None),
    (
        "AWS-IAM-ROOT-ACCESS-TRUSTED",
        [
            dataclasses.replace(r, props={**r.props, "awsServiceAccessPrincipals": ["iam.amazonaws.com"]}) if r.type == ORG else r
            for r in _organization(ROOT_ACCESS)
        ],
        None,
    ),
    # The policy is on the Dev OU; the same setting in the Security OU's log account is its own.
    (
        "AWS-ORG-POLICY-OWNS-SETTING",
        _enabling(
            "S3_POLICY",
            extra=(
                *_policy("s3", "S3_POLICY", S3_BPA, "ou-dev"),
                _provider("log", LOG),
                dataclasses.replace(_in_dev(S3_ACCOUNT_BPA, "bpa"), provider="urn:pulumi:management::landing-zone::t::log::id"),
            ),
        ),
        None,
    ),
    ("AWS-BACKUP-VAULT-AND-ROLE", _enabling("BACKUP_POLICY", extra=(*_policy("backup", "BACKUP_POLICY", BACKUP, "ou-dev"), *BACKUP_RESOURCES)), None),
    ("AWS-CT-SECURITY-OU-BASELINE", [*_organization(LANDING_ZONE), _baseline("dev-baseline", "ou-dev", "urn:pulumi:management::landing-zone::t::lz")], None),
    (
        "AWS-CT-ONE-OPERATION",
        [
            *_organization(LANDING_ZONE),
            _baseline("a-baseline", "ou-dev", "urn:pulumi:management::landing-zone::t::lz"),
            _baseline("b-baseline", "ou-x", "urn:pulumi:management::landing-zone::t::a-baseline"),
            _control("dev-control", "ou-dev", ("urn:pulumi:management::landing-zone::t::a-baseline",)),
            _control("security-control", "ou-sec", ("urn:pulumi:management::landing-zone::t::lz",)),
        ],
        None,
    ),
    ("AWS-CT-CONTROL-OPERATIONS", _controls(100), None),
    ("AWS-CT-CONTROL-OPERATIONS", _controls(250, chained_every=100), None),
    (
        "AWS-CT-ENABLE-ONCE",
        [
            dataclasses.replace(_baseline("dev-baseline", "ou-dev", "urn:pulumi:management::landing-zone::t::lz"), delete_before_replace=True),
            dataclasses.replace(_control("dev-control", "ou-dev", ("urn:pulumi:management::landing-zone::t::lz",)), delete_before_replace=True),
        ],
        None,
    ),
    ("AWS-CT-LANDING-ZONE-VERSION", [*_organization(LANDING_ZONE), _baseline("dev-baseline", "ou-dev", "urn:pulumi:management::landing-zone::t::lz")], None),
    ("AWS-CT-REGIONS", [_provider("management", MANAGEMENT, "ap-northeast-1"), LANDING_ZONE], None),
    (
        "AWS-ORG-ACCOUNT-QUOTA",
        _organization(*(ResourceView(ACCOUNT, f"urn:pulumi:management::landing-zone::t::a{i}", {"email": "x@corp.jp"}) for i in range(6))),
        None,
    ),
    ("AWS-ORG-ACCOUNT-EMAIL", [ResourceView(ACCOUNT, "urn:pulumi:management::landing-zone::t::a", {"email": "a" * 56 + "@corp.jp"})], None),
    (
        "AWS-CONFIG-PACK-RECORDERS",
        [_provider("audit", AUDIT), PACK],
        _organization(LANDING_ZONE, _baseline("dev-baseline", "ou-dev", "urn:pulumi:management::landing-zone::t::lz")),
    ),
    (
        "AWS-CONFIG-PACK-RECORDERS",
        # Without Control Tower, recorders the plans build count, by their provider's account.
        [
            _provider("audit", AUDIT),
            PACK,
            ResourceView(
                "aws:cfg/recorder:Recorder", "urn:pulumi:management::landing-zone::t::r", {}, provider="urn:pulumi:management::landing-zone::t::audit::id"
            ),
        ],
        _organization(
            _provider("log", LOG),
            _provider("shop-dev", APP),
            ResourceView(
                "aws:cfg/recorder:Recorder", "urn:pulumi:management::landing-zone::t::r-log", {}, provider="urn:pulumi:management::landing-zone::t::log::id"
            ),
            ResourceView(
                "aws:cfg/recorder:Recorder",
                "urn:pulumi:management::landing-zone::t::r-app",
                {},
                provider="urn:pulumi:management::landing-zone::t::shop-dev::id",
            ),
        ),
    ),
    ("AWS-CHATBOT-WORKSPACE", [_provider("audit", AUDIT), CHANNEL], _organization()),
]


@pytest.mark.parametrize("rule_id, resources, organization, words", FAILING, ids=[f"{c[0]}: {c[3][:40]}" for c in FAILING])
def test_each_service_rule_catches_its_violation(rule_id, resources, organization, words):
    violations = RULE[rule_id].run(resources, organization=organization)
    assert violations and all(v.rule == rule_id for v in violations)
    assert any(words in v.message for v in violations), [v.message for v in violations]


@pytest.mark.parametrize("rule_id, resources, organization", PASSING, ids=[c[0] for c in PASSING])
def test_each_service_rule_passes_the_compliant_shape(rule_id, resources, organization):
    assert RULE[rule_id].run(resources, organization=organization) == []


def test_every_service_rule_has_a_case_each_way_a_source_and_a_severity():
    ids = {rule.id for rule in SERVICE_RULES}
    assert {case[0] for case in FAILING} == ids == {case[0] for case in PASSING}
    assert all(rule.source.startswith("https://docs.aws.amazon.com/") and rule.id.startswith("AWS-") for rule in SERVICE_RULES)
    assert {rule.enforcement for rule in SERVICE_RULES} == {MANDATORY, "advisory"}


@pytest.fixture(scope="module")
def plans_without_control_tower(without_control_tower_plans):
    return without_control_tower_plans["management"], {stack: without_control_tower_plans[stack] for stack in ("audit", "log")}


def _blocking(plan, management=None):
    violations = evaluate(views(plan), organization=views(management) if management else None)
    return [v for v in violations if is_blocking([v])]


@pytest.mark.integration
def test_the_example_has_no_blocking_violation(management_plan, audit_plan, log_plan):
    assert _blocking(management_plan) == []
    assert _blocking(audit_plan, management_plan) == [] and _blocking(log_plan, management_plan) == []


@pytest.mark.integration
def test_a_config_without_control_tower_has_no_blocking_violation(plans_without_control_tower):
    management, others = plans_without_control_tower
    assert _blocking(management) == []
    assert {stack: _blocking(plan, management) for stack, plan in others.items()} == {"audit": [], "log": []}


@pytest.mark.integration
def test_the_examples_plan_registers_its_ous_in_one_chain_and_the_quota_holds(management_plan):
    found = {v.rule for v in evaluate(views(management_plan))}
    assert not found & {"AWS-CT-ONE-OPERATION", "AWS-CT-SECURITY-OU-BASELINE", "AWS-ORG-ACCOUNT-QUOTA"}
    # 8 member accounts and management: 9 of the default 10; a lower configured quota (the stack's
    # guardrailLimits output) warns.
    lowered = [dataclasses.replace(v, props={LIMITS_OUTPUT: {"accounts": 8.0}}) if v.type == STACK_TYPE else v for v in views(management_plan)]
    [warning] = RULE["AWS-ORG-ACCOUNT-QUOTA"].run(lowered)
    assert warning.urn.endswith("::organization-organization") and "8 member accounts and the management account make 9" in warning.message


@pytest.mark.integration
def test_the_audit_stacks_pack_targets_only_accounts_that_record(audit_plan, management_plan):
    assert evaluate(views(audit_plan), organization=views(management_plan)) == []
    # Without its excluded accounts the pack would reach the management account, which records nothing: a block.
    unexcluded = [
        dataclasses.replace(r, props={**r.props, "excludedAccounts": []}) if r.type == "aws:cfg/organizationConformancePack:OrganizationConformancePack" else r
        for r in views(audit_plan)
    ]
    violations = evaluate(unexcluded, organization=views(management_plan))
    assert [(v.rule, v.message) for v in violations] == [
        (
            "AWS-CONFIG-PACK-RECORDERS",
            "targets management (123456789012), which records nothing with AWS Config: the pack fails there; add it to excludedAccounts or record there",
        )
    ]
    assert is_blocking(violations)


def test_the_policy_pack_runs_the_service_rules_with_providers_and_dependencies():
    from pulumi_policy import PolicyProviderResource, PolicyResource, PolicyResourceOptions, StackValidationArgs

    from rules.adapter import policy_for, view

    options = PolicyResourceOptions(protect=True, ignore_changes=[], delete_before_replace=None, aliases=[], custom_timeouts=None, additional_secret_outputs=[])
    provider = PolicyProviderResource(
        PROVIDER, {"region": "eu-mars-1", "allowedAccountIds": json.dumps([MANAGEMENT])}, "urn:pulumi:m::p::pulumi:providers:aws::m", "m"
    )
    landing_zone = PolicyResource(LZ, {"version": "4.0", "manifestJson": "{}"}, "urn:pulumi:m::p::t::lz", "lz", options, provider, None, [], {})
    assert view(landing_zone).provider == "urn:pulumi:m::p::pulumi:providers:aws::m::"
    reported = []
    policy_for(RULE["AWS-CT-REGIONS"]).validate(StackValidationArgs([landing_zone], None), lambda message, urn=None: reported.append((urn, message)))
    assert reported == [("urn:pulumi:m::p::t::lz", "region eu-mars-1 is not one where Control Tower runs (config/regions.py CONTROL_TOWER_REGIONS)")]


@pytest.mark.parametrize("option, reported", [(True, 0), (None, 1)])
def test_the_policy_pack_reads_delete_before_replace_from_the_resource_options(option, reported):
    from pulumi_policy import PolicyResource, PolicyResourceOptions, StackValidationArgs

    from rules.adapter import policy_for, view

    options = PolicyResourceOptions(
        protect=False, ignore_changes=[], delete_before_replace=option, aliases=[], custom_timeouts=None, additional_secret_outputs=[]
    )
    control = PolicyResource(
        CONTROL, {"controlIdentifier": "arn:aws:controlcatalog:::control/x", "targetIdentifier": "ou"}, "urn:c", "c", options, None, None, [], {}
    )
    assert view(control).delete_before_replace is bool(option)
    found = []
    policy_for(RULE["AWS-CT-ENABLE-ONCE"]).validate(StackValidationArgs([control], None), lambda message, urn=None: found.append(urn))
    assert found == ["urn:c"] * reported


LZ_URN = "urn:pulumi:management::landing-zone::t::lz"


def _after(name: str, *before: str) -> ResourceView:
    return _control(name, "ou-dev", (LZ_URN, *(f"urn:pulumi:management::landing-zone::t::{b}" for b in before)))


@pytest.mark.parametrize(
    "controls, at_once",
    [
        ([_after("a"), _after("b"), _after("c")], 3),
        ([_after("a"), _after("b", "a"), _after("c", "b")], 1),
        # a -> b and c -> d: two chains, so two at once (a matching of two).
        ([_after("a"), _after("b", "a"), _after("c"), _after("d", "c")], 2),
        # a before b and c, both before d: b and c run together.
        ([_after("a"), _after("b", "a"), _after("c", "a"), _after("d", "b", "c")], 2),
        # Waiting through another resource (a baseline) orders them too.
        ([_after("a"), _baseline("x", "ou-stg", "urn:pulumi:management::landing-zone::t::a"), _after("b", "x"), _after("c")], 2),
        # Greedy matching a-b first must be undone to match a-c and d-b: width 2, not 3.
        ([_after("a"), _after("d"), _after("b", "a", "d"), _after("c", "a")], 2),
    ],
)
def test_control_operations_counts_the_most_controls_that_can_run_together(controls, at_once):
    from rules.service import control_operations_within_the_limit

    assert list(control_operations_within_the_limit(controls, limit=at_once)) == []
    assert [message.split(" control")[0] for _, message in control_operations_within_the_limit(controls, limit=at_once - 1)] == [str(at_once)]
