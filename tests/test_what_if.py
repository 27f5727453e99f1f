"""`python -m lzctl what-if`: answers, streams, exit codes, requests files and CloudTrail records."""

from __future__ import annotations

import json

import pytest

from lzctl import cli, what_if
from lzctl.cloudtrail_requests import RecordError, Skip, action_of, request_of
from tests.helpers import lzctl

PROD = "581543029058"
LOG = "903739463943"
AUDIT = "399700504691"
DEPLOY_PROD = f"arn:aws:iam::{PROD}:role/github/github-deploy-prod"


@pytest.fixture
def run(management_plan, monkeypatch, capsys):
    """`run(*argv)` -> (exit code, stdout, stderr), the management plan planned once for the session."""
    monkeypatch.setattr(what_if, "plan_stack", lambda stack, config=None: management_plan)

    def call(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["what-if", "--stack", "management", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return call


@pytest.mark.integration
def test_a_denied_request_names_policy_target_and_statement(run):
    code, out, err = run(
        "--account",
        "shop-prod",
        "--principal",
        DEPLOY_PROD,
        "--action",
        "lambda:createfunction",
        "--resource",
        f"arn:aws:lambda:eu-west-1:{PROD}:function:api",
        "--region",
        "eu-west-1",
    )
    assert (code, err) == (0, "")
    assert out == (
        f"denied: lambda:CreateFunction by {DEPLOY_PROD} on arn:aws:lambda:eu-west-1:{PROD}:function:api in shop-prod, eu-west-1\n"
        "  denied by SCP landing-zone-root-deny-leaving-organization on root, statement DenyUngovernedRegions\n"
    )


@pytest.mark.integration
def test_an_allowed_request_says_why_and_what_was_assumed(run):
    code, out, _ = run("--account", "shop-prod", "--principal", DEPLOY_PROD, "--action", "s3:DeleteObject", "--context", "aws:MultiFactorAuthPresent=true")
    assert code == 0
    assert out == (
        f"allowed: s3:DeleteObject by {DEPLOY_PROD} on (no resource given) in shop-prod, ap-northeast-1\n"
        "  SCPs allow it at every level of account shop-prod's path\n"
        "  RCPs allow it at every level of account shop-prod's path\n"
        "  note: region not given: the home region ap-northeast-1 is assumed\n"
    )


@pytest.mark.integration
def test_json_output_keeps_non_ascii_and_lists_every_deny(run):
    code, out, _ = run(
        "--account",
        "shop-prod",
        "--principal",
        f"arn:aws:iam::{PROD}:root",
        "--action",
        "iam:CreateAccessKey",
        "--resource",
        f"arn:aws:iam::{PROD}:user/x",
        "--region",
        "ap-northeast-1",
        "--context",
        "aws:PrincipalTag/site=東京",
        "--json",
    )
    document = json.loads(out)
    assert code == 0 and "東京" in out
    [result] = document["results"]
    assert result["decision"] == "denied" and document["summary"] == {"allowed": 0, "denied": 1, "skipped": 0}
    assert [(d["policy"], d["target"], d["sid"]) for d in result["denied_by"]] == [
        ("landing-zone-root-deny-leaving-organization", "root", "DenyRootUser"),
        ("landing-zone-root-deny-leaving-organization", "root", "DenyIamUsersAndAccessKeys"),
        ("AWS-GR_RESTRICT_ROOT_USER", "OU prod", "GRRESTRICTROOTUSER"),
        ("AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS", "OU prod", "GRRESTRICTROOTUSERACCESSKEYS"),
    ]
    assert (
        result["denied_by"][2]["source"]
        == "Control Tower control, https://docs.aws.amazon.com/controltower/latest/controlreference/strongly-recommended-preventive-controls.html"
    )


@pytest.mark.integration
def test_bad_options_are_all_reported_with_nothing_on_stdout(run):
    code, out, err = run("--account", "shop-qa", "--principal", "shop-deployer", "--action", "s3:Delete*", "--region", "eu-mars-1", "--context", "mfa")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "what-if: 5 problems",
        "  - --context: expected KEY=VALUE with a key such as aws:MultiFactorAuthPresent (got 'mfa')",
        "  - --account: no account 'shop-qa' in the plan. Hint: known: audit, booking-dev, booking-prod, booking-stg, log, management, shop-dev, shop-prod, shop-stg",
        "  - --principal: not an IAM principal ARN (got 'shop-deployer'). Hint: arn:aws:iam::123456789012:role/NAME, "
        "arn:aws:sts::123456789012:assumed-role/NAME/SESSION, arn:aws:iam::123456789012:root, or a service such as cloudtrail.amazonaws.com",
        "  - --action: an IAM action is service:Name, no wildcard (got 's3:Delete*'). Hint: s3:DeleteObject",
        "  - --region: not an AWS region (got 'eu-mars-1'). Hint: e.g. ap-northeast-1",
    ]


@pytest.mark.integration
@pytest.mark.parametrize(
    "argv, problem",
    [
        (["--account", "shop-prod"], "what-if needs --principal, --action (or --requests FILE)"),
        (["--requests", "r.jsonl", "--action", "s3:GetObject"], "--requests takes the requests from the file; drop --action"),
        (["--requests", "/nonexistent/calls.jsonl"], "cannot read --requests /nonexistent/calls.jsonl: No such file or directory"),
    ],
)
def test_the_request_must_come_from_options_or_a_file(run, argv, problem):
    code, out, err = run(*argv)
    assert (code, out, err) == (2, "", f"what-if: 1 problem\n  - {problem}\n")


@pytest.mark.integration
def test_an_unknown_action_is_answered_with_a_note(run):
    code, out, _ = run(
        "--account", "shop-dev", "--principal", "arn:aws:iam::461097493578:role/x", "--action", "s3:DeleteObjekt", "--resource", "arn:aws:s3:::b/k"
    )
    assert code == 0
    assert out.splitlines()[-4:] == [
        "  note: s3:DeleteObjekt is not in the IAM action data (parliament's copy); evaluated as written",
        "  note: s3:DeleteObjekt is not in the IAM action data: RCPs evaluated as if it authorizes a resource",
        "  note: did you mean s3:DeleteObject, s3:DeleteBucket, s3:DeleteObjectVersion?",
        "  note: region not given: the home region ap-northeast-1 is assumed",
    ]


def _record(event_source: str, event_name: str, account: str, identity: dict, **extra) -> dict:
    """A row of the log stack's CloudTrail table as Athena's UNLOAD ... WITH (format = 'JSON') writes it."""
    return {
        "eventsource": event_source,
        "eventname": event_name,
        "awsregion": "ap-northeast-1",
        "recipientaccountid": account,
        "useridentity": identity,
        "sourceipaddress": "203.0.113.10",
        **extra,
    }


def _role_session(account: str, path_and_name: str, mfa: str = "false") -> dict:
    name = path_and_name.rsplit("/", 1)[-1]
    return {
        "type": "AssumedRole",
        "arn": f"arn:aws:sts::{account}:assumed-role/{name}/s",
        "accountid": account,
        "sessioncontext": {"attributes": {"mfaauthenticated": mfa}, "sessionissuer": {"type": "Role", "arn": f"arn:aws:iam::{account}:role/{path_and_name}"}},
    }


@pytest.mark.integration
def test_a_requests_file_mixes_requests_and_cloudtrail_records(run, tmp_path):
    lines = [
        {
            "account": "shop-dev",
            "principal": "arn:aws:iam::461097493578:role/x",
            "action": "ec2:RunInstances",
            "region": "eu-west-1",
            "resource": "arn:aws:ec2:eu-west-1:461097493578:instance/*",
        },
        _record(
            "s3.amazonaws.com",
            "DeleteObjects",
            PROD,
            _role_session(PROD, "github/github-deploy-prod"),
            resources=[{"arn": "arn:aws:s3:::shop-assets/a", "accountid": PROD, "type": "AWS::S3::Object"}],
        ),
        _record(
            "s3.amazonaws.com",
            "PutBucketLifecycle",
            LOG,
            _role_session(LOG, "github/pulumi-deploy-log"),
            requestparameters=json.dumps({"bucketName": "landing-zone-athena-results", "lifecycle": ""}),
            errorcode="AccessDenied",
        ),
        _record(
            "s3.amazonaws.com",
            "PutObject",
            LOG,
            {"type": "AWSService", "invokedby": "cloudtrail.amazonaws.com"},
            resources=[{"arn": "arn:aws:s3:::aws-controltower-logs-1/AWSLogs/x", "type": "AWS::S3::Object"}],
        ),
        _record("sts.amazonaws.com", "AssumeRole", AUDIT, {"type": "AWSAccount", "accountid": "777777777777"}),
        _record("ec2.amazonaws.com", "RunInstances", "777777777777", _role_session("777777777777", "x")),
    ]
    path = tmp_path / "calls.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    code, out, err = run("--requests", str(path))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "line 1: denied: ec2:RunInstances by arn:aws:iam::461097493578:role/x on arn:aws:ec2:eu-west-1:461097493578:instance/* in shop-dev, eu-west-1",
        "  denied by SCP landing-zone-root-deny-leaving-organization on root, statement DenyUngovernedRegions",
        # The prod deletes and the log stack's lifecycle were denied while the example enabled the two
        # opt-in controls; the replay shows they pass now.
        f"line 2: allowed: s3:DeleteObject by {DEPLOY_PROD} on arn:aws:s3:::shop-assets/a in shop-prod, ap-northeast-1",
        "  SCPs allow it at every level of account shop-prod's path",
        "  RCPs allow it at every level of account shop-prod's path",
        f"line 3: allowed: s3:PutLifecycleConfiguration by arn:aws:iam::{LOG}:role/github/pulumi-deploy-log on arn:aws:s3:::landing-zone-athena-results"
        " in log, ap-northeast-1 (then: AccessDenied)",
        "  SCPs allow it at every level of account log's path",
        "  RCPs allow it at every level of account log's path",
        "line 4: allowed: s3:PutObject by cloudtrail.amazonaws.com on arn:aws:s3:::aws-controltower-logs-1/AWSLogs/x in log, ap-northeast-1",
        "  SCPs do not apply: an AWS service principal is not a principal of a member account",
        "  RCPs allow it at every level of account log's path",
        "line 5: skipped: userIdentity.type 'AWSAccount': no principal ARN to evaluate",
        "line 6: skipped: account 777777777777 is not in the planned organisation",
        "6 requests: 3 allowed, 1 denied, 2 skipped",
    ]


@pytest.mark.integration
def test_every_bad_line_is_reported_with_its_number(run, tmp_path):
    path = tmp_path / "calls.jsonl"
    path.write_text(
        "\n".join(
            [
                '{"account": "shop-dev", "principal": "arn:aws:iam::461097493578:role/x", "action": "s3:GetObject"}',
                '{"account": "shop-dev", ',
                '{"acount": "shop-dev"}',
                '["s3:GetObject"]',
                '{"eventsource": "s3.amazonaws.com"}',
                '{"account": "shop-dev", "principal": "arn:aws:iam::461097493578:role/x", "action": "s3:GetObject", "context": ["mfa"]}',
            ]
        )
    )
    code, out, err = run("--requests", str(path))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "what-if: 5 problems",
        f"  - {path} line 2: not JSON (Expecting property name enclosed in double quotes at column 25)",
        f"  - {path} line 3: unknown field 'acount'. Hint: a request has account, principal, action, resource, region, context; a CloudTrail record has eventsource",
        f"  - {path} line 4: expected a JSON object (a request or a CloudTrail record)",
        f"  - {path} line 5: CloudTrail record without eventname, recipientaccountid",
        f"  - {path} line 6: context: an object of key -> string or list of strings (got ['mfa'])",
    ]


@pytest.mark.parametrize(
    "source, name, action",
    [
        ("s3.amazonaws.com", "PutBucketLifecycle", "s3:PutLifecycleConfiguration"),
        ("s3.amazonaws.com", "DeleteObjects", "s3:DeleteObject"),
        ("s3.amazonaws.com", "ListObjectsV2", "s3:ListBucket"),
        ("s3.amazonaws.com", "PutBucketEncryption", "s3:PutEncryptionConfiguration"),
        ("s3.amazonaws.com", "GetObject", "s3:GetObject"),
        ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", "lambda:UpdateFunctionCode"),
        ("monitoring.amazonaws.com", "PutMetricAlarm", "cloudwatch:PutMetricAlarm"),
        ("iam.amazonaws.com", "CreateRole", "iam:CreateRole"),
    ],
)
def test_cloudtrail_events_map_to_the_permission_they_need(source, name, action):
    assert action_of(source, name) == action


def test_raw_cloudtrail_records_read_like_athena_rows():
    raw = {
        "eventSource": "kms.amazonaws.com",
        "eventName": "Decrypt",
        "awsRegion": "us-east-1",
        "recipientAccountId": AUDIT,
        "userIdentity": {"type": "Root", "arn": f"arn:aws:iam::{AUDIT}:root"},
        "sourceIPAddress": "cloudformation.amazonaws.com",
        "tlsDetails": {"tlsVersion": "TLSv1.3"},
        "resources": [{"ARN": f"arn:aws:kms:us-east-1:{AUDIT}:key/k"}],
    }
    request = request_of(raw)
    assert (request.principal, request.action, request.resource, request.region, request.context) == (
        f"arn:aws:iam::{AUDIT}:root",
        "kms:Decrypt",
        f"arn:aws:kms:us-east-1:{AUDIT}:key/k",
        "us-east-1",
        {"aws:ViaAWSService": "true", "aws:SecureTransport": "true"},
    )
    flattened = {
        "eventsource": "iam.amazonaws.com",
        "eventname": "CreateRole",
        "recipientaccountid": AUDIT,
        "useridentity.type": "IAMUser",
        "useridentity.arn": f"arn:aws:iam::{AUDIT}:user/ci",
    }
    assert request_of(flattened).principal == f"arn:aws:iam::{AUDIT}:user/ci"
    with pytest.raises(RecordError, match="CloudTrail record without recipientaccountid"):
        request_of({"eventsource": "s3.amazonaws.com", "eventname": "GetObject"})
    with pytest.raises(Skip):
        request_of({**flattened, "useridentity.type": "IdentityCenterUser"})


@pytest.mark.slow  # the process a user runs, its verb's modules imported as it imports them
def test_the_command_line_answers():
    answered = lzctl(
        "what-if",
        "--stack",
        "management",
        "--account",
        "log",
        "--principal",
        f"arn:aws:iam::{LOG}:role/github/pulumi-deploy-log",
        "--action",
        "s3:PutBucketPolicy",
        "--resource",
        f"arn:aws:s3:::aws-controltower-logs-{LOG}-ap-northeast-1",
        "--json",
    )
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout)["results"][0]["denied_by"][0]["policy"] == (
        'Control Tower mandatory control "Disallow modifications to Amazon S3 buckets managed by AWS Control Tower"'
    )


@pytest.mark.integration
def test_the_command_line_refuses_without_a_traceback(run):
    code, out, err = run("--account", "log")
    assert (code, out) == (2, "") and "Traceback" not in err
