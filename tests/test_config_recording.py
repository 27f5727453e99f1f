"""AWS Config recording with Control Tower off: every active member account and governed region,
delivered to the log archive, which the pack and the planned guardrails agree with."""

from __future__ import annotations

import json

import pytest

import config
import rules
from config.security_checks import config_bucket_policy_size
from guardrails.plan_policies import planned_organization
from guardrails.simulator import Request, evaluate
from logs.config_logs import config_bucket_statements, config_key_statements
from lzctl.plan import views
from tests.helpers import example_data, shared_plan, write_config

HOME, OTHER = "ap-northeast-1", "us-east-1"
RECORDER = "aws:cfg/recorder:Recorder"
SSO_ADMIN = "arn:aws:iam::{}:role/aws-reserved/sso.amazonaws.com/ap-northeast-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef"


def without_control_tower(tmp_path_factory, **accounts):
    data = example_data()
    data.setdefault("guardrails", {})["control_tower"] = {"enabled": False}
    for app, overrides in accounts.items():
        data["applications"][app]["accounts"] = overrides
    directory = write_config(tmp_path_factory.mktemp("ct-off"), data)
    return directory, shared_plan("management", directory)


@pytest.fixture(scope="module")
def ct_off(tmp_path_factory):
    return without_control_tower(tmp_path_factory)


def account_of(plan, resource) -> str:
    """The account a resource is deployed into: its provider's only allowed account."""
    provider = next(p for p in plan.of_type("pulumi:providers:aws") if resource.provider.startswith(p.urn + "::"))
    (account,) = json.loads(provider.inputs["allowedAccountIds"])
    return account


def members(plan) -> dict[str, str]:
    return {key: account_id for key, account_id in plan.outputs["accountIds"].items() if key != "management"}


@pytest.mark.integration
def test_every_active_member_account_records_everything_in_every_governed_region(ct_off):
    _, plan = ct_off
    recorders = {(account_of(plan, r), r.inputs["region"]): r for r in plan.of_type(RECORDER)}
    assert set(recorders) == {(account, region) for account in members(plan).values() for region in (HOME, OTHER)}
    for (account, region), recorder in recorders.items():
        assert recorder.inputs["name"] == "landing-zone"
        # Global (IAM) types once, in the home region; every other supported type everywhere.
        assert recorder.inputs["recordingGroup"] == {"allSupported": True, "includeGlobalResourceTypes": region == HOME}
        assert recorder.inputs["roleArn"] == f"arn:aws:iam::{account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
    roles = plan.of_type("aws:iam/serviceLinkedRole:ServiceLinkedRole")
    assert sorted(account_of(plan, r) for r in roles) == sorted(members(plan).values())
    assert {r.inputs["awsServiceName"] for r in roles} == {"config.amazonaws.com"}


@pytest.mark.integration
def test_each_recorder_delivers_to_the_log_archive_and_starts_after_its_channel(ct_off):
    _, plan = ct_off
    log = members(plan)["log"]
    bucket_policy = plan.named("config-recording-logs-policy")
    for key in members(plan):
        for region in (HOME, OTHER):
            recorder = plan.named(f"config-recording-{key}-{region}-recorder")
            channel = plan.named(f"config-recording-{key}-{region}-delivery-channel")
            status = plan.named(f"config-recording-{key}-{region}-recorder-status")
            assert channel.inputs["s3BucketName"] == f"landing-zone-config-logs-{log}-{HOME}"
            assert channel.inputs["s3KmsKeyArn"].startswith(f"arn:aws:kms:{HOME}:{log}:key/")
            # The channel needs the recorder and a bucket Config may write to; starting needs the channel.
            assert {recorder.urn, bucket_policy.urn} <= set(channel.dependencies)
            assert channel.urn in status.dependencies and (status.inputs["isEnabled"], status.inputs["name"]) == (True, "landing-zone")
            assert account_of(plan, channel) == account_of(plan, status) == account_of(plan, recorder)
    bucket = plan.named("config-recording-logs-bucket")
    assert account_of(plan, bucket) == log and bucket.protect and plan.named("config-recording-logs-key").protect


@pytest.mark.integration
def test_the_bucket_and_its_key_let_config_deliver_for_exactly_the_recording_accounts(ct_off):
    directory, plan = ct_off
    ids = sorted(members(plan).values())
    bucket = f"landing-zone-config-logs-{members(plan)['log']}-{HOME}"
    policy = plan.named("config-recording-logs-policy").inputs["policy"]
    assert json.loads(policy)["Statement"][1:] == config_bucket_statements(bucket, ids)
    key = json.loads(plan.named("config-recording-logs-key").inputs["policy"])
    assert key["Statement"][1:] == config_key_statements(ids)
    # The size check before any resource measures the policy as planned.
    assert config_bucket_policy_size(config.load(directory, refuse_example_domains=False).config, len(ids)) == len(policy)


@pytest.mark.parametrize(
    "bucket, account_ids, statements",
    [
        (
            "b",
            ["222222222222", "111111111111"],
            [
                {
                    "Sid": "AWSConfigBucketPermissionsCheck",
                    "Effect": "Allow",
                    "Principal": {"Service": "config.amazonaws.com"},
                    "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
                    "Resource": "arn:aws:s3:::b",
                    "Condition": {"StringEquals": {"AWS:SourceAccount": ["111111111111", "222222222222"]}},
                },
                {
                    "Sid": "AWSConfigBucketDelivery",
                    "Effect": "Allow",
                    "Principal": {"Service": "config.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": "arn:aws:s3:::b/AWSLogs/*/Config/*",
                    "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "AWS:SourceAccount": ["111111111111", "222222222222"]}},
                },
            ],
        ),
    ],
)
def test_config_bucket_statements_follow_the_config_developer_guide(bucket, account_ids, statements):
    assert config_bucket_statements(bucket, account_ids) == statements


@pytest.mark.integration
def test_a_suspended_account_records_nothing_and_is_not_let_in(tmp_path_factory):
    _, plan = without_control_tower(tmp_path_factory, shop={"dev": {"suspended": True}})
    suspended = plan.outputs["accountIds"]["shop-dev"]
    assert suspended not in {account_of(plan, r) for r in plan.of_type(RECORDER)}
    assert not [n for n in (r.name for r in plan.of_type(RECORDER)) if "shop-dev" in n]
    assert suspended not in plan.named("config-recording-logs-policy").inputs["policy"]


@pytest.mark.integration
def test_with_control_tower_its_recorders_are_the_ones(management_plan):
    assert management_plan.of_type(RECORDER) == [] and management_plan.of_type("aws:cfg/deliveryChannel:DeliveryChannel") == []


@pytest.mark.integration
def test_the_guardrails_let_only_the_program_change_a_recorder_or_its_bucket(ct_off):
    _, plan = ct_off
    organization = planned_organization(plan.resources, plan.outputs["accountIds"]).organization
    shop_dev, log = members(plan)["shop-dev"], members(plan)["log"]
    recorder = plan.named(f"config-recording-shop-dev-{OTHER}-recorder")
    provider = next(p for p in plan.of_type("pulumi:providers:aws") if recorder.provider.startswith(p.urn + "::"))
    program = json.loads(provider.inputs["assumeRoles"])[0]["roleArn"]
    assert program == f"arn:aws:iam::{shop_dev}:role/OrganizationAccountAccessRole"
    bucket = f"arn:aws:s3:::landing-zone-config-logs-{log}-{HOME}"
    calls = [("config:PutConfigurationRecorder", shop_dev, ""), ("config:PutDeliveryChannel", shop_dev, ""), ("config:StopConfigurationRecorder", shop_dev, "")]
    calls.append(("s3:PutBucketPolicy", log, bucket))
    for action, account, resource in calls:
        request = dict(action=action, resource_account=account, resource=resource, region=OTHER)
        assert evaluate(Request(principal=program.replace(shop_dev, account), **request), organization).allowed, action
        # Anyone else, an account administrator through Identity Center included, is denied.
        assert not evaluate(Request(principal=SSO_ADMIN.format(account), **request), organization).allowed, action


@pytest.mark.integration
def test_the_conformance_pack_rule_sees_every_targeted_account_record(ct_off):
    directory, management = ct_off
    audit = views(shared_plan("audit", directory, management=management))
    assert [v for v in rules.evaluate(audit, organization=views(management)) if v.rule == "AWS-CONFIG-PACK-RECORDERS"] == []
    without_shop_dev = [r for r in views(management) if not (r.type == RECORDER and "config-recording-shop-dev-" in r.urn)]
    violations = [v for v in rules.evaluate(audit, organization=without_shop_dev) if v.rule == "AWS-CONFIG-PACK-RECORDERS"]
    assert [v.message.split("; add")[0] for v in violations] == [
        f"targets shop-dev ({management.outputs['accountIds']['shop-dev']}), which records nothing with AWS Config: the pack fails there"
    ]
    assert rules.is_blocking(violations)
