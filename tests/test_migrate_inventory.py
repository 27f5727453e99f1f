"""`migrate inventory` against a moto account that looks like a real single-account set-up."""

from __future__ import annotations

import json
import sys

import pytest
from moto import mock_aws

from tests.helpers import EXISTING, FakeSession, Sessions, adopting_config, denied, moto_session, run, stubbed

pytestmark = pytest.mark.integration

GITHUB_SUB = "repo:corp/shop:environment:prod"


def _github_trust(provider_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {"token.actions.githubusercontent.com:sub": GITHUB_SUB, "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
                    },
                }
            ],
        }
    )


def build_legacy_account(session) -> None:
    """One account running prod and its dev/stg leftovers, as users run it today."""
    iam = session.client("iam")
    iam.create_user(UserName="ci-deploy")
    iam.create_access_key(UserName="ci-deploy")
    iam.create_user(UserName="staging-bot")
    iam.create_access_key(UserName="staging-bot")
    iam.create_user(UserName="hanako")
    provider = iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"])[
        "OpenIDConnectProviderArn"
    ]
    iam.create_role(RoleName="github-deploy-prod", AssumeRolePolicyDocument=_github_trust(provider))
    s3 = session.client("s3")
    s3.create_bucket(Bucket="legacy-trail", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    s3.put_bucket_tagging(Bucket="legacy-trail", Tagging={"TagSet": [{"Key": "owner", "Value": "ops"}]})
    session.client("cloudtrail").create_trail(Name="main", S3BucketName="legacy-trail", IsMultiRegionTrail=True)
    config = session.client("config")
    config.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": f"arn:aws:iam::{EXISTING}:role/config"})
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "legacy-trail"})
    session.client("guardduty").create_detector(Enable=True)
    session.client("securityhub").enable_security_hub()
    ec2 = session.client("ec2")
    for name, env in (("shop-prod-vpc", "prod"), ("shop-dev-vpc", "dev"), ("shop-vpc-2", "staging")):
        ec2.create_vpc(
            CidrBlock="10.0.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}, {"Key": "env", "Value": env}]}]
        )
    sns = session.client("sns")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@corp.example")
    session.client("cloudwatch").put_metric_alarm(
        AlarmName="api-5xx",
        MetricName="5XXError",
        Namespace="AWS/ApiGateway",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[topic],
    )
    # A workload in a region the landing zone does not govern.
    session.client("ec2", region_name="us-west-2").create_vpc(
        CidrBlock="10.1.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "batch"}]}]
    )


@pytest.fixture
def bare(aws):
    with mock_aws():
        yield moto_session(EXISTING)


@pytest.fixture
def legacy(bare):
    build_legacy_account(bare)
    return bare


def test_inventory_reports_what_the_move_touches(legacy, aws, capsys):
    config_dir = adopting_config(aws)
    out_dir = aws / "out"
    code, out, err = run(
        capsys,
        config_dir,
        "inventory",
        "--profile",
        "legacy",
        "--regions",
        "ap-northeast-1",
        "us-west-2",
        "--out-dir",
        str(out_dir),
        sessions=Sessions(legacy=legacy),
    )
    assert (code, err) == (0, "")
    assert out.splitlines()[1:9] == [
        "  regions in use: ap-northeast-1 (10), us-west-2 (1) of 2 scanned; not governed: us-west-2",
        "  IAM users: 3; access keys: 2 long-lived, to delete once pipelines use OIDC",
        "  CloudTrail trails: 1; AWS Config: 1 recorders, 1 delivery channels",
        "  GuardDuty detectors: 1; Security Hub enabled in: ap-northeast-1",
        "  GitHub OIDC: 1 providers, 1 roles trusting them",
        "  monitoring to re-create: 1 alarms, 1 SNS subscriptions",
        "  looks like dev/stg: 3",
        "  config: name: AWS did not let this profile read it; the config gives 'Shop Production', which must match exactly.",
    ]
    assert "could not read root e-mail: AWS shows it only to the root user" in out
    assert out.rstrip().endswith(f"then python -m lzctl migrate preflight --profile legacy --config {config_dir}")

    document = json.loads((out_dir / "inventory.json").read_text())
    assert document["account"]["id"] == EXISTING
    assert document["by_region"]["ap-northeast-1"]["resources"] == {"ec2": 3, "s3": 1}
    assert [k["user"] for k in document["long_lived_keys"]] == ["ci-deploy", "staging-bot"]
    assert document["iam"]["github"]["roles"][0]["subjects"] == [GITHUB_SUB]
    assert sorted((f["kind"], f["matched"]) for f in document["dev_stg"]) == [("ec2", "dev"), ("ec2", "staging"), ("iam user", "staging")]
    assert document["expected"]["key"] == "shop-prod"

    report = (out_dir / "inventory.md").read_text()
    assert "- us-west-2 is not a governed region: the region-deny SCP blocks it once the account joins" in report
    assert "### Long-lived access keys: to delete once pipelines use OIDC" in report
    assert f"- role github-deploy-prod trusts GitHub for: {GITHUB_SUB}" in report
    assert "| ap-northeast-1 | Config recorder (preflight fails until removed) | default |" in report
    assert "| ap-northeast-1 | api-5xx | arn:aws:sns:ap-northeast-1:210987654321:alerts |" in report
    assert "| ap-northeast-1 | arn:aws:sns:ap-northeast-1:210987654321:alerts | email | ops@corp.example |" in report


def test_on_a_terminal_progress_per_region_goes_to_stderr_and_is_cleared(legacy, aws, capsys, monkeypatch):
    """Off a terminal stderr stays empty (the test above); on one, a line per region, rewritten in place."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    argv = ("inventory", "--profile", "legacy", "--regions", "ap-northeast-1", "us-west-2", "--out-dir", str(aws / "out"))
    code, out, err = run(capsys, adopting_config(aws), *argv, sessions=Sessions(legacy=legacy))
    assert code == 0 and out.startswith("inventory of account")
    assert err == "\r\033[Kscanning ap-northeast-1 (1/2)\r\033[Kscanning us-west-2 (2/2)\r\033[K"


def test_a_second_run_writes_the_same_inventory(legacy, aws, capsys):
    config_dir = adopting_config(aws)
    argv = ("inventory", "--profile", "legacy", "--regions", "ap-northeast-1", "--out-dir", str(aws / "out"))
    first = run(capsys, config_dir, *argv, sessions=Sessions(legacy=legacy))
    written = (aws / "out" / "inventory.json").read_text()
    assert run(capsys, config_dir, *argv, sessions=Sessions(legacy=legacy)) == first
    assert (aws / "out" / "inventory.json").read_text() == written


def test_an_account_the_config_does_not_adopt_is_inventoried_with_advice(bare, aws, capsys):
    config_dir = adopting_config(aws, account_id="111122223333")
    code, out, _ = run(
        capsys, config_dir, "inventory", "--profile", "legacy", "--regions", "ap-northeast-1", "--out-dir", str(aws), sessions=Sessions(legacy=bare)
    )
    assert code == 0
    assert (
        f'  config: no account in the config adopts {EXISTING}: set `existing_account_id: "{EXISTING}"` on the prod account of the application it runs.'
        in out.splitlines()
    )


def test_access_denied_exits_2_and_writes_nothing(bare, aws, capsys):
    iam, stubber = stubbed("iam")
    denied(stubber, "list_account_aliases")
    sessions = Sessions(legacy=FakeSession(bare, iam=iam))
    code, out, err = run(
        capsys, adopting_config(aws), "inventory", "--profile", "legacy", "--regions", "ap-northeast-1", "--out-dir", str(aws / "out"), sessions=sessions
    )
    assert (code, out) == (2, "")
    assert err.startswith(
        "migrate inventory: AWS denied ListAccountAliases (AccessDenied): User: arn:aws:sts::210987654321:assumed-role/ReadOnly/me is not authorized"
    )
    assert "This command needs read-only access to the existing account (the AWS managed ReadOnlyAccess policy covers every call)" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (aws / "out").exists()


def test_unknown_regions_and_unwritable_out_dir_exit_2(bare, aws, capsys):
    config_dir = adopting_config(aws)
    code, _, err = run(capsys, config_dir, "inventory", "--profile", "legacy", "--regions", "ap-northeast-9", sessions=Sessions(legacy=bare))
    assert code == 2 and err.startswith("migrate inventory: not AWS regions: ap-northeast-9.")
    (aws / "file").write_text("")
    code, _, err = run(
        capsys,
        config_dir,
        "inventory",
        "--profile",
        "legacy",
        "--regions",
        "ap-northeast-1",
        "--out-dir",
        str(aws / "file" / "x"),
        sessions=Sessions(legacy=bare),
    )
    assert code == 2 and f"cannot write the inventory to {aws / 'file' / 'x'}" in err
