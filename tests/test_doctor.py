"""`lzctl doctor` against moto accounts and Stubbers: every check's passing and failing paths, exit codes, JSON.

The plan is the example's (`management_plan`): these tests vary what AWS holds and the config's
accounts, which is all the doctor reads from the config.
"""

from __future__ import annotations

import json

import pytest

from lzctl import doctor
from lzctl.doctor.aws import Calls, MutatingCallRefused, ReadOnlySession, assume_read_only, session_policy
from tests.doctor_fixtures import INSTANCE, ORGANIZATIONS_QUOTA, TEAM, doctor_run, statuses
from tests.helpers import HOME, MANAGEMENT, OTHER, FakeSession, Sessions, moto_session, stubbed

LANDING_ZONE = f"arn:aws:controltower:{HOME}:{MANAGEMENT}:landingzone/1A2B3C4D5E6F7G8H"
ROLE_TRUST = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "controltower.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
)
INVITED = "444455556666"
ALL_CHECKS = [
    "credentials",
    "organization",
    "account-quota",
    "identity-center",
    "identity-center-mfa",
    "control-tower-regions",
    "landing-zone",
    "chatbot-management",
    "chatbot-audit",
    "existing-roles",
    "existing-oidc-providers",
    "existing-buckets",
    "config-resources",
    "config-service-role",
    "adopted-environments",
    "adopted-branches",
    "oidc-subjects",
]
NOT_ADOPTING = ("adopted-environments", "adopted-branches", "oidc-subjects")
"""Skipped with the example config, which adopts no repository, run without a GitHub token."""


def _first_run_answers(world) -> None:
    world.stub("service_quotas").add_client_error(
        "list_service_quotas", "NoSuchResourceException", "no organisation", 400, expected_params={"ServiceCode": "organizations"}
    )
    world.stub("service_quotas").add_response("list_aws_default_service_quotas", {"Quotas": [ORGANIZATIONS_QUOTA]}, {"ServiceCode": "organizations"})
    world.stub("chatbot").add_response("describe_slack_workspaces", {"SlackWorkspaces": [{"SlackTeamId": TEAM, "SlackTeamName": "acme-inc"}]}, {})


@pytest.mark.integration
def test_first_run_passes_with_notes_and_exits_0(world, management_plan, capsys):
    _first_run_answers(world)
    code, out, err = doctor_run(capsys, world, management_plan, None)
    assert (code, err) == (0, "".join(f"warning: {warning}\n" for warning in management_plan.warnings))
    lines = out.splitlines()
    assert lines[0] == f"doctor (preflight) of the management account {MANAGEMENT}, stack management, profile 'mgmt':"
    assert statuses(out) == {
        check: "SKIP" if check in ("identity-center", "identity-center-mfa", "chatbot-audit", *NOT_ADOPTING) else "PASS" for check in ALL_CHECKS
    }
    assert f"PASS organization: account {MANAGEMENT} belongs to no organisation yet (first run). Note: the bootstrap phase creates it" in out
    assert "PASS account-quota: 9 accounts (8 planned + the management account) fit the quota of 10. Note: AWS's default quota (10)" in out
    assert "PASS existing-roles: no IAM role the plan creates exists yet (AWSControlTowerAdmin, AWSControlTowerCloudTrailRole, " in out
    assert (
        "SKIP chatbot-audit: the audit account does not exist yet." in out
        and "aws chatbot describe-slack-workspaces --region us-east-2 --profile <profile of audit>" in out
    )
    assert lines[-1] == "no check failed: 11 passed, 6 skipped (read each note)."


@pytest.mark.integration
def test_json_has_one_entry_per_check_and_the_actions_used(world, management_plan, capsys):
    _first_run_answers(world)
    code, out, _ = doctor_run(capsys, world, management_plan, None, "--json")
    document = json.loads(out)
    assert code == 0 and document["exitCode"] == 0
    assert {k: document[k] for k in ("stack", "profile", "managementAccountId", "closing")} == {
        "stack": "management",
        "profile": "mgmt",
        "managementAccountId": MANAGEMENT,
        "closing": None,
    }
    assert [c["id"] for c in document["checks"]] == ALL_CHECKS
    assert set(document["checks"][0]) == {"id", "status", "finding", "why", "fix", "note"}
    assert document["summary"] == {"pass": 11, "fail": 0, "skip": 6}
    assert document["actions"] == [
        "chatbot:DescribeSlackWorkspaces",
        "iam:GetOpenIDConnectProvider",
        "iam:GetRole",
        "organizations:DescribeOrganization",
        "servicequotas:ListAWSDefaultServiceQuotas",
        "servicequotas:ListServiceQuotas",
        "sts:GetCallerIdentity",
    ]


def _brownfield(world, config_dir):
    """An organisation with more accounts than the quota, a drifted landing zone, leftovers of a console set-up."""
    org = world.management.client("organizations")
    org.create_organization(FeatureSet="ALL")
    created = {}
    for name, email in (("Legacy Sandbox", "sandbox@acme-corp.co.jp"), ("Audit", "aws+audit@example.com"), ("Shop Production", "aws-root@acme-corp.co.jp")):
        created[name] = org.create_account(AccountName=name, Email=email)["CreateAccountStatus"]["AccountId"]
    adopted, audit = created["Shop Production"], created["Audit"]
    moto_session(adopted).client("config").put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": f"arn:aws:iam::{adopted}:role/config"}
    )
    iam = world.management.client("iam")
    iam.create_role(RoleName="AWSControlTowerAdmin", Path="/service-role/", AssumeRolePolicyDocument=ROLE_TRUST)
    iam.create_role(
        RoleName="pulumi-deploy-management", Path="/github/", AssumeRolePolicyDocument=ROLE_TRUST, Tags=[{"Key": "managed-by", "Value": "landing-zone"}]
    )
    iam.create_open_id_connect_provider(Url="https://api.pulumi.com/oidc", ClientIDList=[MANAGEMENT], ThumbprintList=["a" * 40])

    invite = {"Id": "h-1234567890", "Arn": f"arn:aws:organizations::{MANAGEMENT}:handshake/o-x/invite/h-1234567890", "State": "OPEN", "Action": "INVITE"}
    world.stub("organizations").add_response(
        "list_handshakes_for_organization",
        {
            "Handshakes": [
                {**invite, "Parties": [{"Id": INVITED, "Type": "ACCOUNT"}]},
                {**invite, "Id": "h-0000000001", "Parties": [{"Id": adopted, "Type": "ACCOUNT"}]},
                {**invite, "Id": "h-0000000002", "State": "EXPIRED", "Parties": [{"Id": "555566667777", "Type": "ACCOUNT"}]},
            ]
        },
        {"Filter": {"ActionType": "INVITE"}},
    )
    world.stub("service_quotas").add_response("list_service_quotas", {"Quotas": [ORGANIZATIONS_QUOTA]}, {"ServiceCode": "organizations"})
    world.stub("sso_admin").add_response("list_instances", {"Instances": []}, {})
    world.stub("sso_admin").add_response("list_instances", {"Instances": [INSTANCE]}, {})
    world.stub("controltower").add_response("list_landing_zones", {"landingZones": [{"arn": LANDING_ZONE}]}, {})
    world.stub("controltower").add_response(
        "get_landing_zone",
        {
            "landingZone": {
                "arn": LANDING_ZONE,
                "version": "4.0",
                "status": "ACTIVE",
                "driftStatus": {"status": "DRIFTED"},
                "manifest": {},
                "latestAvailableVersion": "4.0",
            }
        },
        {"landingZoneIdentifier": LANDING_ZONE},
    )
    world.stub("chatbot").add_response("describe_slack_workspaces", {"SlackWorkspaces": [{"SlackTeamId": "T0OTHER123", "SlackTeamName": "other"}]}, {})
    audit_chatbot, audit_stub = stubbed("chatbot")
    audit_stub.add_response("describe_slack_workspaces", {"SlackWorkspaces": [{"SlackTeamId": TEAM, "SlackTeamName": "acme-inc"}]}, {})
    world.members[audit] = {"chatbot": audit_chatbot}
    data_dir = config_dir(lambda d: d["applications"]["shop"].update(accounts={"prod": {"existing_account_id": adopted, "name": "Shop Production"}}))
    return data_dir, created, audit_stub


@pytest.mark.integration
def test_brownfield_failures_each_say_why_and_how_to_fix(world, management_plan, config_dir, capsys):
    data_dir, created, audit_stub = _brownfield(world, config_dir)
    code, out, _ = doctor_run(capsys, world, management_plan, data_dir)
    audit_stub.assert_no_pending_responses()
    assert code == 4
    failing = {"account-quota", "identity-center", "landing-zone", "chatbot-management", "existing-roles", "existing-oidc-providers", "config-resources"}
    assert statuses(out) == {
        check: "FAIL" if check in failing else "SKIP" if check in ("identity-center-mfa", *NOT_ADOPTING) else "PASS" for check in ALL_CHECKS
    }
    sandbox, adopted = created["Legacy Sandbox"], created["Shop Production"]
    assert (
        f"FAIL account-quota: 11 accounts (8 planned + the management account + 1 more in the organisation (Legacy Sandbox {sandbox}) "
        "+ 1 open invitation) exceed the quota of 10. Why: CreateAccount fails once the organisation holds as many accounts as its quota. "
        "Fix: ask for at least 11 from the management account (once the organisation exists): `aws service-quotas request-service-quota-increase "
        "--service-code organizations --quota-code L-29A0C5DF --desired-value 11 --region us-east-1 --profile mgmt`"
    ) in out
    assert "please raise Default maximum number of accounts to 11." in out
    assert "FAIL identity-center: Identity Center is enabled in us-east-1, not in the home region ap-northeast-1." in out
    assert f"FAIL landing-zone: landing zone {LANDING_ZONE}: version 4.0, ACTIVE, DRIFTED." in out
    assert f"aws controltower reset-landing-zone --landing-zone-identifier {LANDING_ZONE} --region ap-northeast-1" in out
    assert (
        f"FAIL chatbot-management: Slack workspace {TEAM} is not authorised for AWS Chatbot in the management account {MANAGEMENT} (authorised there: T0OTHER123)."
        in out
    )
    assert f"PASS chatbot-audit: Slack workspace {TEAM} (acme-inc) is authorised for AWS Chatbot in the audit account {created['Audit']}." in out
    assert (
        "FAIL existing-roles: IAM roles the plan creates already exist, not made by this program: AWSControlTowerAdmin "
        "(pulumi-deploy-management too, tagged by this program: an earlier `pulumi up` made them; nothing to do if this stack's state holds them)."
    ) in out
    assert "`pulumi import aws:iam/role:Role control-tower-admin-role AWSControlTowerAdmin --parent <its component's URN>`" in out
    assert "pulumi import aws:iam/role:Role management-deploy-role" not in out  # tagged by the program: an earlier up made it
    assert (
        f"`pulumi import aws:iam/openIdConnectProvider:OpenIdConnectProvider management-pulumi-oidc arn:aws:iam::{MANAGEMENT}:oidc-provider/api.pulumi.com/oidc"
        in out
    )
    assert (
        f"FAIL config-resources: AWS Config recorders or delivery channels exist where Control Tower will enrol: shop-prod ({adopted}): ap-northeast-1: default."
        in out
    )
    # Control Tower on: the program creates no AWSServiceRoleForConfig, so the adopted account's is only listed.
    assert f"PASS config-service-role: AWSServiceRoleForConfig exists in none; missing in shop-prod ({adopted}). Note: with Control Tower on" in out
    assert out.splitlines()[-1] == "7 of 17 checks failed (exit 4); fix them and run the doctor again."


@pytest.mark.integration
def test_a_healthy_organisation_passes(world, management_plan, capsys):
    world.management.client("organizations").create_organization(FeatureSet="ALL")
    world.stub("organizations").add_response("list_handshakes_for_organization", {"Handshakes": []}, {"Filter": {"ActionType": "INVITE"}})
    world.stub("service_quotas").add_response("list_service_quotas", {"Quotas": [{**ORGANIZATIONS_QUOTA, "Value": 20.0}]}, {"ServiceCode": "organizations"})
    world.stub("sso_admin").add_response("list_instances", {"Instances": [INSTANCE]}, {})
    world.stub("controltower").add_response("list_landing_zones", {"landingZones": []}, {})
    world.stub("chatbot").add_response("describe_slack_workspaces", {"SlackWorkspaces": [{"SlackTeamId": TEAM, "SlackTeamName": "acme-inc"}]}, {})
    code, out, _ = doctor_run(capsys, world, management_plan, None)
    assert code == 0
    assert "PASS organization: organisation o-" in out and f"with all features, run from {MANAGEMENT}." in out
    assert "PASS account-quota: 9 accounts (8 planned + the management account) fit the quota of 20." in out
    assert f"PASS identity-center: Identity Center instance {INSTANCE['InstanceArn']} (identity store d-1234567890) is active in ap-northeast-1." in out
    assert "PASS landing-zone: no landing zone yet. Note: `pulumi up` creates version 4.0" in out


@pytest.mark.integration
def test_a_profile_of_another_account_fails_and_no_other_aws_check_runs(world, management_plan, capsys):
    code, out, _ = doctor_run(capsys, world, management_plan, None, sessions=world.sessions(account_session=moto_session(OTHER)))
    assert code == 4
    assert f"FAIL credentials: profile 'mgmt' reaches account {OTHER} (arn:aws:sts::{OTHER}:user/moto), not the management account {MANAGEMENT}." in out
    assert "Fix: pass the management account's profile as --profile, or correct organization.management_account_id in" in out
    assert set(statuses(out).values()) == {"FAIL", "SKIP"} and list(statuses(out).values()).count("FAIL") == 1
    assert "SKIP organization: not run: the profile does not reach the management account. Note: fix the credentials check first." in out


@pytest.mark.integration
def test_the_root_user_fails(world, management_plan, capsys):
    sts, stubber = stubbed("sts")
    stubber.add_response("get_caller_identity", {"Account": MANAGEMENT, "Arn": f"arn:aws:iam::{MANAGEMENT}:root", "UserId": MANAGEMENT}, {})
    _first_run_answers(world)
    sessions = Sessions(mgmt=FakeSession(world.sessions().by_profile["mgmt"], sts=sts))
    code, out, _ = doctor_run(capsys, world, management_plan, None, sessions=sessions)
    assert code == 4 and statuses(out)["credentials"] == "FAIL" and list(statuses(out).values()).count("FAIL") == 1
    assert f"FAIL credentials: profile 'mgmt' signs in as the root user of {MANAGEMENT}." in out and "delete the root user's access keys" in out


@pytest.mark.integration
def test_a_denied_read_fails_its_check_with_the_action_to_grant(world, management_plan, capsys):
    world.stub("service_quotas").add_client_error(
        "list_service_quotas", "AccessDeniedException", "not authorized", 400, expected_params={"ServiceCode": "organizations"}
    )
    world.stub("chatbot").add_response("describe_slack_workspaces", {"SlackWorkspaces": [{"SlackTeamId": TEAM, "SlackTeamName": "acme-inc"}]}, {})
    code, out, _ = doctor_run(capsys, world, management_plan, None)
    assert code == 4 and [k for k, v in statuses(out).items() if v == "FAIL"] == ["account-quota"]
    assert "FAIL account-quota: AWS denied ListServiceQuotas (AccessDeniedException), so this could not be checked." in out
    assert "Fix: let the profile's role call servicequotas:ListServiceQuotas (every call the doctor makes is a read; `--json` lists them)" in out


@pytest.mark.integration
def test_member_accounts_the_doctor_cannot_enter_are_skipped_with_the_command_to_run(world, management_plan, config_dir, capsys):
    data_dir, created, _ = _brownfield(world, config_dir)
    sts, stubber = stubbed("sts")
    stubber.add_response("get_caller_identity", {"Account": MANAGEMENT, "Arn": f"arn:aws:sts::{MANAGEMENT}:assumed-role/Admin/me", "UserId": "AROA"}, {})
    for _ in (created["Audit"], created["Shop Production"]):
        stubber.add_client_error("assume_role", "AccessDenied", "not authorized to perform sts:AssumeRole", 403)
    world.members.clear()
    sessions = Sessions(mgmt=FakeSession(world.sessions().by_profile["mgmt"], sts=sts))
    _, out, _ = doctor_run(capsys, world, management_plan, data_dir, sessions=sessions)
    stubber.assert_no_pending_responses()
    assert statuses(out)["chatbot-audit"] == "SKIP" and statuses(out)["config-resources"] == "SKIP"
    assert f"SKIP chatbot-audit: could not assume OrganizationAccountAccessRole in the audit account {created['Audit']}." in out
    assert f"shop-prod ({created['Shop Production']}): `python -m lzctl migrate preflight --profile <profile of shop-prod> --config {data_dir}`" in out


@pytest.mark.integration
@pytest.mark.parametrize(
    "argv, message",
    [
        (["--stack", "nope"], "unknown stack 'nope'"),
        (
            ["--stack", "audit"],
            "doctor: stack 'audit' builds the audit role (Pulumi.audit.yaml, landing-zone:role); the doctor checks the management account. Fix: pass --stack management.",
        ),
        (["--stack", "management", "--profile", "absent"], "doctor: AWS profile 'absent' is not configured"),
        (["--stack", "management", "--closing", "shop-qa"], "doctor: --closing shop-qa: no such account in"),
    ],
)
def test_bad_input_exits_2_with_one_paragraph_and_nothing_on_stdout(world, management_plan, argv, message, capsys):
    argv = argv if "--profile" in argv else [*argv, "--profile", "mgmt"]
    code = doctor.main(["doctor", *argv], sessions=world.sessions(), opened=world.opened, planner=lambda stack, directory: management_plan, github=lambda: None)
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert message in err and "Traceback" not in err


@pytest.mark.integration
def test_an_unreadable_config_exits_2(world, management_plan, config_dir, capsys):
    broken = config_dir()
    (broken / "landing-zone.yaml").write_text("organization: [\n")
    code, out, err = doctor_run(capsys, world, management_plan, broken)
    assert (code, out) == (2, "")
    assert err.startswith("invalid landing-zone config") and "not valid YAML" in err


@pytest.mark.integration
def test_credentials_aws_rejects_exit_2(world, management_plan, capsys):
    sts, stubber = stubbed("sts")
    stubber.add_client_error("get_caller_identity", "ExpiredToken", "The security token included in the request is expired", 400)
    sessions = Sessions(mgmt=FakeSession(world.sessions().by_profile["mgmt"], sts=sts))
    code, out, err = doctor_run(capsys, world, management_plan, None, sessions=sessions)
    assert (code, out) == (2, "")
    assert err.startswith("doctor: AWS rejected the credentials of profile 'mgmt' (ExpiredToken")


@pytest.mark.integration
def test_clients_refuse_any_call_that_is_not_a_read_before_sending_it(world):
    iam, stubber = stubbed("iam")
    calls = Calls()
    guarded = ReadOnlySession(FakeSession(world.management, iam=iam), calls).client("iam")
    with pytest.raises(MutatingCallRefused, match="lzctl doctor only reads, but tried iam CreateRole"):
        guarded.create_role(RoleName="x", AssumeRolePolicyDocument="{}")
    stubber.add_response(
        "get_role",
        {
            "Role": {
                "Path": "/",
                "RoleName": "x",
                "RoleId": "AROAEXAMPLE12345678",
                "Arn": f"arn:aws:iam::{MANAGEMENT}:role/x",
                "CreateDate": "2026-01-01T00:00:00Z",
            }
        },
        {"RoleName": "x"},
    )
    guarded.get_role(RoleName="x")
    assert calls.actions == {"iam:GetRole"} and calls.last == "iam:GetRole"


def test_member_sessions_carry_a_session_policy_of_reads_only():
    policy = json.loads(session_policy())
    assert policy["Statement"] == [
        {
            "Effect": "Allow",
            "Action": [
                "chatbot:DescribeSlackWorkspaces",
                "config:DescribeConfigurationRecorders",
                "config:DescribeDeliveryChannels",
                "iam:GetRole",
                "s3:ListBucket",
            ],
            "Resource": "*",
        }
    ]
    assert len(session_policy()) <= 2048


@pytest.mark.integration
def test_assume_role_sends_the_session_policy(world):
    sts, stubber = stubbed("sts")
    expected = {
        "RoleArn": f"arn:aws:iam::{OTHER}:role/OrganizationAccountAccessRole",
        "RoleSessionName": "lzctl-doctor",
        "DurationSeconds": 900,
        "Policy": session_policy(),
    }
    stubber.add_client_error("assume_role", "AccessDenied", "no", 403, expected_params=expected)
    assert (
        assume_read_only(ReadOnlySession(FakeSession(world.management, sts=sts), Calls()), OTHER, "OrganizationAccountAccessRole", HOME, world.opened) is None
    )
    stubber.assert_no_pending_responses()


@pytest.mark.integration
def test_a_management_account_inside_another_organisation_fails_and_skips_what_reads_it(world, management_plan, capsys):
    org, stubber = stubbed("organizations")
    stubber.add_response("describe_organization", {"Organization": {"Id": "o-other12345", "MasterAccountId": OTHER, "FeatureSet": "ALL"}}, {})
    world.stub("chatbot").add_response("describe_slack_workspaces", {"SlackWorkspaces": [{"SlackTeamId": TEAM, "SlackTeamName": "acme-inc"}]}, {})
    sessions = Sessions(mgmt=FakeSession(world.sessions().by_profile["mgmt"], organizations=org))
    code, out, _ = doctor_run(capsys, world, management_plan, None, sessions=sessions)
    stubber.assert_no_pending_responses()
    assert code == 4
    assert f"FAIL organization: account {MANAGEMENT} is a member of organisation o-other12345, whose management account is {OTHER}." in out
    skipped = {"account-quota", "identity-center", "landing-zone", "chatbot-audit", "config-resources", "config-service-role"}
    assert {k for k, v in statuses(out).items() if v == "SKIP"} == skipped | {"identity-center-mfa", *NOT_ADOPTING}
    assert "SKIP landing-zone: not run: the account belongs to another organisation. Note: fix the organization check first." in out
