"""The audit stack and the management stack's side of the Security OU (delegation, budgets)."""

from __future__ import annotations

import json
import re

import pytest

import config
from guardrails import self_denial
from tests.helpers import EXAMPLE_DIR, REPO, both, setter, shared_plan, shared_run

REGIONS = ("ap-northeast-1", "us-east-1")


def of(plan, type_):
    return {r.name: r.inputs for r in plan.of_type(type_)}


@pytest.mark.integration
def test_every_governed_region_uses_its_detector_to_auto_enable_members_and_plans(audit_plan):
    # The detector exists once the audit account is delegated administrator; it is read, not created.
    assert audit_plan.of_type("aws:guardduty/detector:Detector") == []
    for region in REGIONS:
        organization = of(audit_plan, "aws:guardduty/organizationConfiguration:OrganizationConfiguration")[f"security-{region}-guardduty-organization"]
        assert organization["autoEnableOrganizationMembers"] == "ALL" and len(organization["detectorId"]) == 32
        features = {
            i["name"]: i["autoEnable"]
            for n, i in of(audit_plan, "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature").items()
            if f"-{region}-" in n
        }
        assert features == {
            plan: "ALL"
            for plan in ("S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS", "RUNTIME_MONITORING")
        }


@pytest.mark.integration
def test_inspector_auto_enables_ec2_ecr_and_lambda_everywhere(audit_plan):
    for region in REGIONS:
        auto = of(audit_plan, "aws:inspector2/organizationConfiguration:OrganizationConfiguration")[f"security-{region}-inspector-organization"]["autoEnable"]
        assert auto == {"ec2": True, "ecr": True, "lambda": True, "lambdaCode": False}
    analyzers = of(audit_plan, "aws:accessanalyzer/analyzer:Analyzer")
    assert {i["type"] for i in analyzers.values()} == {"ORGANIZATION"} and len(analyzers) == len(REGIONS)


@pytest.mark.integration
def test_security_hub_is_centrally_configured_from_the_home_region(audit_plan, management_plan):
    aggregator = audit_plan.named("security-findings-aggregator").inputs
    assert (aggregator["linkingMode"], aggregator["specifiedRegions"]) == ("SPECIFIED_REGIONS", ["us-east-1"])
    central = audit_plan.named("security-securityhub-organization")
    assert central.inputs["organizationConfiguration"] == {"configurationType": "CENTRAL"}
    assert audit_plan.named("security-findings-aggregator").urn in central.dependencies
    policy = audit_plan.named("security-securityhub-policy").inputs["configurationPolicy"]
    assert policy["enabledStandardArns"] == [
        "arn:aws:securityhub:ap-northeast-1::standards/aws-foundational-security-best-practices/v/1.0.0",
        "arn:aws:securityhub:ap-northeast-1::standards/cis-aws-foundations-benchmark/v/3.0.0",
    ]
    assert audit_plan.named("security-securityhub-root").inputs["targetId"] == management_plan.outputs["rootId"]


@pytest.mark.integration
def test_accounts_that_record_nothing_get_a_security_hub_policy_without_config_1(audit_plan, config_dir):
    root = audit_plan.named("security-securityhub-policy").inputs["configurationPolicy"]
    unrecorded = audit_plan.named("security-securityhub-unrecorded-policy")
    assert unrecorded.inputs["name"] == "landing-zone-unrecorded"
    assert unrecorded.inputs["configurationPolicy"] == {**root, "securityControlsConfiguration": {"disabledControlIdentifiers": ["Config.1"]}}
    assert audit_plan.named("security-securityhub-organization").urn in unrecorded.dependencies
    associations = {r.name: r.inputs["targetId"] for r in audit_plan.of_type("aws:securityhub/configurationPolicyAssociation:ConfigurationPolicyAssociation")}
    assert associations == {
        "security-securityhub-root": associations["security-securityhub-root"],
        "security-securityhub-management-unrecorded": "123456789012",
    }
    # A suspended account records nothing either: it gets the same policy.
    directory = config_dir(setter("applications.booking.accounts", {"stg": {"suspended": True}}))
    management = shared_plan("management", directory)
    plan = shared_plan("audit", directory, management=management)
    suspended = plan.named("security-securityhub-booking-stg-unrecorded")
    assert suspended.inputs["targetId"] == management.outputs["accountIds"]["booking-stg"]
    assert plan.named("security-securityhub-unrecorded-policy").urn in suspended.dependencies


@pytest.mark.integration
def test_the_guardduty_member_features_follow_the_organisation_configuration(audit_plan):
    for region in REGIONS:
        organization = audit_plan.named(f"security-{region}-guardduty-organization").urn
        for plan in ("S3_DATA_EVENTS", "RUNTIME_MONITORING"):
            assert audit_plan.named(f"security-{region}-{plan}-members").dependencies == (organization,)


@pytest.mark.integration
def test_the_conformance_pack_is_deployed_and_control_tower_4_aggregates_config(audit_plan):
    pack = audit_plan.named("security-conformance-pack").inputs
    assert pack["templateBody"] == (EXAMPLE_DIR / "conformance-packs" / "landing-zone.yaml").read_text()
    # The management account records nothing (under Control Tower or not): the pack would fail there.
    assert pack["excludedAccounts"] == ["123456789012"]
    assert audit_plan.of_type("aws:cfg/configurationAggregator:ConfigurationAggregator") == []


@pytest.mark.integration
def test_without_control_tower_the_audit_account_aggregates_config_in_all_regions(config_dir):
    plan = shared_plan("audit", config_dir(setter("guardrails.control_tower.enabled", False)))
    aggregator = plan.named("security-config-aggregator").inputs
    assert aggregator["organizationAggregationSource"]["allRegions"] is True


@pytest.mark.integration
def test_high_findings_reach_the_security_alerts_channel_through_chatbot(audit_plan, management_plan):
    patterns = {n: json.loads(i["eventPattern"]) for n, i in of(audit_plan, "aws:cloudwatch/eventRule:EventRule").items()}
    assert patterns["security-alerts-securityhub-rule"]["detail"]["findings"]["Severity"]["Label"] == ["HIGH", "CRITICAL"]
    assert patterns["security-alerts-guardduty-rule"]["detail"]["findings"]["Severity"]["Label"] == ["HIGH", "CRITICAL"]
    # Security Hub aggregates every region: all three read its events (tests/test_alerting.py).
    assert {p["source"][0] for p in patterns.values()} == {"aws.securityhub"} and len(patterns) == 3
    topic = audit_plan.named("security-alerts-findings-topic")
    audit_id = management_plan.outputs["accountIds"]["audit"]
    assert topic.inputs["kmsMasterKeyId"].startswith(f"arn:aws:kms:ap-northeast-1:{audit_id}:key/")
    targets = of(audit_plan, "aws:cloudwatch/eventTarget:EventTarget")
    assert len({t["arn"] for t in targets.values()}) == 1 and len(targets) == 3
    slack = audit_plan.named("security-alerts-findings-slack").inputs
    assert slack["slackChannelId"] == management_plan.outputs["slackChannelIds"]["security-alerts"]
    assert (slack["slackTeamId"], slack["guardrailPolicyArns"]) == ("T0ACME1234", ["arn:aws:iam::aws:policy/ReadOnlyAccess"])
    key_policy = json.loads(audit_plan.named("security-alerts-topics-key").inputs["policy"])
    assert "events.amazonaws.com" in key_policy["Statement"][1]["Principal"]["Service"]


@pytest.mark.integration
def test_audit_resources_are_pinned_to_the_audit_account(audit_plan, management_plan):
    audit_id = management_plan.outputs["accountIds"]["audit"]
    # The handoff reader only reads the account id the others are pinned to (tests/test_handoff.py); nothing is created with it.
    pinned = [p for p in audit_plan.of_type("pulumi:providers:aws") if p.name != "audit-handoff-reader"]
    for provider in pinned:
        assert json.loads(provider.inputs["allowedAccountIds"]) == [audit_id]
    assert {json.loads(p.inputs["allowedAccountIds"]) and p.inputs["region"] for p in pinned} == {*REGIONS, "us-east-2"}
    assert not [r for r in audit_plan.resources if r.provider.rsplit("::", 1)[0].endswith("::audit-handoff-reader")]


ALERTS_AND_AGENTS = both(
    setter("security_services.alerts.security_hub_severities", ["CRITICAL"]),
    setter("security_services.alerts.guardduty_min_severity", 4),
    setter("security_services.guardduty.runtime_agents", ["EKS_ADDON_MANAGEMENT"]),
)
"""Alert thresholds and Runtime Monitoring's agents of their own: two settings that do not meet (the alert rules'
patterns; GuardDuty's member features), in one config the tests of each share."""


@pytest.mark.integration
def test_thresholds_come_from_config(config_dir):
    plan = shared_plan("audit", config_dir(ALERTS_AND_AGENTS))
    patterns = {n: json.loads(i["eventPattern"]) for n, i in of(plan, "aws:cloudwatch/eventRule:EventRule").items()}
    assert patterns["security-alerts-securityhub-rule"]["detail"]["findings"]["Severity"]["Label"] == ["CRITICAL"]
    assert patterns["security-alerts-guardduty-rule"]["detail"]["findings"]["Severity"]["Label"] == ["MEDIUM", "HIGH", "CRITICAL"]


@pytest.mark.integration
def test_management_delegates_each_service_to_the_audit_account(management_plan):
    audit = management_plan.outputs["accountIds"]["audit"]
    for region in REGIONS:
        assert management_plan.named(f"security-admin-{region}-guardduty").inputs["adminAccountId"] == audit
        assert management_plan.named(f"security-admin-{region}-inspector").inputs["accountId"] == audit
    assert management_plan.named("security-admin-securityhub").inputs["adminAccountId"] == audit
    principals = {r.inputs["servicePrincipal"] for r in management_plan.of_type("aws:organizations/delegatedAdministrator:DelegatedAdministrator")}
    # Control Tower 4.0 registers the Config administrator; conformance packs still need multi-account setup.
    assert principals == {"access-analyzer.amazonaws.com", "config-multiaccountsetup.amazonaws.com"}
    assert management_plan.named("organization-organization").urn in management_plan.named("security-admin-securityhub").dependencies
    # Config's delegation waits for CreateLandingZone, which sets up Config's administrator itself; the others need not.
    landing_zone = management_plan.named("control-tower-landing-zone").urn
    assert landing_zone in management_plan.named("security-admin-config-multiaccountsetup").dependencies
    assert landing_zone not in management_plan.named("security-admin-access-analyzer").dependencies


@pytest.mark.integration
def test_without_control_tower_the_log_account_administers_cloudtrail_and_config_is_delegated(config_dir):
    plan, errors = shared_run(config_dir(setter("guardrails.control_tower.enabled", False)))
    assert not errors
    assert plan.named("security-admin-cloudtrail").inputs["accountId"] == plan.outputs["accountIds"]["log"]
    principals = {r.inputs["servicePrincipal"] for r in plan.of_type("aws:organizations/delegatedAdministrator:DelegatedAdministrator")}
    assert principals == {"access-analyzer.amazonaws.com", "config.amazonaws.com", "config-multiaccountsetup.amazonaws.com"}
    assert plan.named("security-admin-config").dependencies == plan.named("security-admin-access-analyzer").dependencies


@pytest.mark.integration
def test_every_account_has_a_monthly_budget_alerting_its_app_channel(management_plan):
    budgets = of(management_plan, "aws:budgets/budget:Budget")
    assert len(budgets) == 8
    prod = budgets["budgets-shop-prod-budget"]
    assert (prod["limitAmount"], prod["timeUnit"], prod["costFilters"]) == (
        "1500.00",
        "MONTHLY",
        [{"name": "LinkedAccount", "values": [management_plan.outputs["accountIds"]["shop-prod"]]}],
    )
    assert [n["threshold"] for n in prod["notifications"]] == [80, 100]
    assert prod["notifications"][0]["subscriberSnsTopicArns"][0].endswith(":budgets-shop")
    assert budgets["budgets-shop-dev-budget"]["limitAmount"] == "300.00"
    assert budgets["budgets-audit-budget"]["notifications"][0]["subscriberSnsTopicArns"][0].endswith(":budgets-security-alerts")
    slack = management_plan.named("budgets-shop-slack").inputs
    assert slack["slackChannelId"] == management_plan.outputs["slackChannelIds"]["shop"]


@pytest.mark.parametrize(
    "mutate, words",
    [
        (setter("security_services.config.conformance_pack", "missing"), "security_services.config.conformance_pack: conformance pack template not found"),
        (setter("budgets.accounts", {"shop-qa": 10}), "budgets.accounts.shop-qa: no such account"),
        (setter("security_services.guardduty.protection_plans", ["S3_LOGS"]), "security_services.guardduty.protection_plans[0]"),
        (setter("security_services.alerts.guardduty_min_severity", 11), "less than or equal to 10"),
        (setter("security_services.guardduty.runtime_agents", ["EKS_RUNTIME"]), "security_services.guardduty.runtime_agents[0]"),
    ],
    ids=["pack file", "budget account", "protection plan", "severity", "runtime agent"],
)
def test_security_settings_mistakes_are_refused(config_dir, mutate, words):
    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(mutate), refuse_example_domains=False)
    assert words in str(caught.value)


@pytest.mark.integration
def test_management_enables_security_hub_before_delegating_it(management_plan):
    hub = management_plan.named("security-admin-management-securityhub")
    assert hub.inputs["enableDefaultStandards"] is False  # the central configuration policy picks the standards
    assert hub.urn in management_plan.named("security-admin-securityhub").dependencies


@pytest.mark.integration
def test_the_audit_account_scans_itself_with_inspector(audit_plan, management_plan):
    enabler = audit_plan.named("security-ap-northeast-1-inspector").inputs
    assert enabler["accountIds"] == [management_plan.outputs["accountIds"]["audit"]]
    assert enabler["resourceTypes"] == ["EC2", "ECR", "LAMBDA"]


@pytest.mark.integration
def test_alert_topics_rotate_their_key_and_refuse_plain_http(audit_plan):
    assert audit_plan.named("security-alerts-topics-key").inputs["enableKeyRotation"] is True
    policy = json.loads(audit_plan.named("security-alerts-findings-topic-policy").inputs["policy"])
    publish, tls = policy["Statement"]
    assert publish["Principal"] == {"Service": ["events.amazonaws.com"]} and publish["Condition"]["StringEquals"]["aws:SourceAccount"]
    assert (tls["Effect"], tls["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})


CHATBOT_WARNING = (
    "slack.team_id T0ACME1234: AWS Chatbot refuses a Slack channel configuration until the workspace is authorised in that "
    "account (Chatbot console, once per account): the management account 123456789012 (budget alerts) and the audit account "
    "(security alerts), each before its stack's first `pulumi up` (docs/deploying.md, 'Deploy for real': with 'Enable IAM Identity Center', "
    "and in 'Audit and log stacks'; `lzctl doctor` checks both)"
)


@pytest.mark.integration
def test_the_plan_warns_that_chatbot_needs_the_workspace_authorised_in_both_accounts(management_plan, audit_plan):
    assert CHATBOT_WARNING in management_plan.warnings and CHATBOT_WARNING in audit_plan.warnings
    # The accounts it names are exactly those whose plan holds a Slack channel configuration.
    slack = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"
    assert management_plan.of_type(slack) and audit_plan.of_type(slack)


@pytest.mark.integration
@pytest.mark.parametrize("mutate", [setter("slack.team_id", None), setter("slack.enabled", False)], ids=["no team id", "slack off"])
def test_without_chatbot_there_is_neither_warning_nor_channel_configuration(config_dir, mutate):
    directory = config_dir(mutate)
    assert not [w for w in config.load(directory, refuse_example_domains=False).warnings if "Chatbot" in w]
    audit = shared_plan("audit", directory)
    assert audit.of_type("aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration") == []


def test_the_deployment_steps_authorise_chatbot_before_each_stack_that_needs_it():
    steps = (REPO / "docs" / "deploying.md").read_text().split("## Deploy for real", 1)[1].split("\n## ", 1)[0]
    starts = [m.start() for m in re.finditer(r"^ ?\d+\. \*\*", steps, re.M)]
    text = [steps[start:end] for start, end in zip(starts, [*starts[1:], len(steps)], strict=True)]
    titles = [re.match(r" ?\d+\. \*\*([^*]+)\*\*", step).group(1) for step in text]
    identity_center, everything, audit = (titles.index(t) for t in ("Enable IAM Identity Center", "Preview, then deploy everything", "Audit and log stacks"))
    # The management account's authorisation is console work with Identity Center's, before the full `pulumi up`.
    assert identity_center < everything and "authorise the\n   Slack workspace in AWS Chatbot" in text[identity_center]
    assert "Chatbot" not in "".join(text[identity_center + 1 : audit])
    assert text[audit].index("AWS Chatbot") < text[audit].index("pulumi up --stack audit")


AGENTS = ["EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT"]


@pytest.mark.integration
def test_runtime_monitoring_manages_its_agent_for_members_and_the_audit_account(audit_plan):
    members = of(audit_plan, "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature")
    own = of(audit_plan, "aws:guardduty/detectorFeature:DetectorFeature")
    for region in REGIONS:
        assert members[f"security-{region}-RUNTIME_MONITORING-members"]["additionalConfigurations"] == [{"name": a, "autoEnable": "ALL"} for a in AGENTS]
        assert own[f"security-{region}-RUNTIME_MONITORING"]["additionalConfigurations"] == [{"name": a, "status": "ENABLED"} for a in AGENTS]
    # Only Runtime Monitoring has an agent to manage.
    assert [n for n, i in {**members, **own}.items() if "additionalConfigurations" in i and "RUNTIME_MONITORING" not in n] == []


@pytest.mark.integration
def test_runtime_agents_come_from_config_and_none_warns(config_dir):
    plan = shared_plan("audit", config_dir(ALERTS_AND_AGENTS))
    feature = plan.named("security-us-east-1-RUNTIME_MONITORING-members").inputs
    assert feature["additionalConfigurations"] == [{"name": "EKS_ADDON_MANAGEMENT", "autoEnable": "ALL"}]
    warnings = config.load(config_dir(setter("security_services.guardduty.runtime_agents", [])), refuse_example_domains=False).warnings
    assert [w for w in warnings if w.startswith("security_services.guardduty.runtime_agents is empty: Runtime Monitoring only analyses")]


@pytest.mark.integration
def test_inspector_enables_every_existing_member_in_every_region(audit_plan, management_plan):
    ids = management_plan.outputs["accountIds"]
    members = sorted(ids[key] for key in ids if key not in ("management", "audit"))
    for region in REGIONS:
        associations = [r for r in audit_plan.of_type("aws:inspector2/memberAssociation:MemberAssociation") if r.name.startswith(f"security-{region}-")]
        assert sorted(r.inputs["accountId"] for r in associations) == members
        enabler = audit_plan.named(f"security-{region}-inspector-members")
        assert sorted(enabler.inputs["accountIds"]) == members and enabler.inputs["resourceTypes"] == ["EC2", "ECR", "LAMBDA"]
        # Members are enabled once associated, and after the administrator itself.
        assert {r.urn for r in associations} | {audit_plan.named(f"security-{region}-inspector").urn} <= set(enabler.dependencies)


@pytest.mark.integration
def test_a_suspended_account_is_not_enabled_in_inspector(config_dir):
    plan = shared_plan("audit", config_dir(setter("applications.shop.accounts", {"dev": {"suspended": True}})))
    names_ = {r.name for r in plan.of_type("aws:inspector2/memberAssociation:MemberAssociation")}
    assert "security-us-east-1-shop-stg-inspector-member" in names_ and not [n for n in names_ if "shop-dev" in n]


@pytest.mark.integration
def test_the_conformance_pack_skips_suspended_accounts(config_dir):
    directory = config_dir(setter("applications.booking.accounts", {"stg": {"suspended": True}}))
    management = shared_plan("management", directory)
    pack = shared_plan("audit", directory, management=management).named("security-conformance-pack").inputs
    assert pack["excludedAccounts"] == sorted(["123456789012", management.outputs["accountIds"]["booking-stg"]])


FIRST_RUN_ROLE = re.compile(r'aws configure set role_arn "(arn:aws:iam::\$id:role/\$ROLE)" --profile "\$stack-bootstrap"')
FIRST_RUN_ROLE_NAME = re.compile(r'ROLE=\$\(pulumi stack output (\w+) --stack management --json \| jq -r "\.\$stack"\)')
SSO_ADMIN = "arn:aws:iam::{}:role/aws-reserved/sso.amazonaws.com/ap-northeast-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef"


def readme_first_run_role(outputs: dict, stack: str):
    """The role "Audit and log stacks" (docs/deploying.md) runs `stack`'s first `pulumi up` with, in an account, reading the
    management stack's `outputs` as its commands do."""
    steps = (REPO / "docs" / "deploying.md").read_text().split("## Deploy for real", 1)[1].split("\n## ", 1)[0]
    (template,) = FIRST_RUN_ROLE.findall(steps)
    (output,) = FIRST_RUN_ROLE_NAME.findall(steps)
    return lambda account: template.replace("$id", account).replace("$ROLE", outputs[output][stack])


def denials_as(monkeypatch, principal_in, plan, management) -> list[tuple[str, str]]:
    """What the planned guardrails deny the stack's deploy when every resource is deployed as `principal_in(account)`."""
    monkeypatch.setattr(self_denial, "_deployer", lambda resource, provider, account: principal_in(account))
    return list(self_denial.never_denies_itself(plan.resources, management.resources))


@pytest.mark.integration
@pytest.mark.parametrize(
    "stack, control_tower, guarded",
    # guarded: the stack changes what the SCPs protect (with Control Tower on the log stack builds only its Athena environment).
    [("audit", True, True), ("audit", False, True), ("log", False, True), ("log", True, False)],
)
def test_the_first_run_the_readme_gives_is_exempt_from_every_deny(monkeypatch, config_dir, stack, control_tower, guarded):
    # Control Tower is on by default (config/schema.py): "on" is the example itself, whose plans the other tests share.
    directory = config_dir() if control_tower else config_dir(setter("guardrails.control_tower.enabled", False))
    management = shared_plan("management", directory)
    assert bool(management.of_type("aws:controltower/landingZone:LandingZone")) is control_tower
    plan = shared_plan(stack, directory, management=management)
    role = readme_first_run_role(management.outputs, stack)
    # The role the audit and log accounts were created with, Control Tower on or off (CreateLandingZone
    # creates AWSControlTowerExecution in them itself).
    assert role("111122223333") == "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole"
    assert denials_as(monkeypatch, role, plan, management) == []
    # The step it replaces, Identity Center's AdministratorAccess, is denied the security services' changes.
    denied = denials_as(monkeypatch, SSO_ADMIN.format, plan, management)
    assert bool(denied) is guarded and all("ProtectSecurityServices" in m or "ProtectLogBuckets" in m for _, m in denied)
