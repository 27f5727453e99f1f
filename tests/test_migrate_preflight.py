"""`migrate preflight` and `migrate prepare-account` against moto accounts."""

from __future__ import annotations

import json

import pytest
from moto import mock_aws

import config
from lzctl.migrate import exposure
from tests.helpers import EXISTING, MANAGEMENT, OTHER, FakeSession, Sessions, adopting_config, denied, moto_session, run, stubbed

pytestmark = pytest.mark.integration

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
ROLE = "AWSControlTowerExecution"
"""The access role of the adopted account: the example has Control Tower on (config/model.py)."""


@pytest.fixture
def existing(aws):
    with mock_aws():
        yield moto_session(EXISTING)


def _status(out: str) -> dict[str, str]:
    return {line.split()[1].rstrip(":"): line.split()[0] for line in out.splitlines() if line.startswith(("PASS ", "FAIL "))}


def _trust(account_id: str) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}, "Action": "sts:AssumeRole"}]}
    )


def test_preflight_fails_on_config_recorder_and_missing_role_then_passes_once_fixed(managed_policies, existing, aws, capsys):
    config_dir = adopting_config(aws)
    config = existing.client("config")
    config.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": f"arn:aws:iam::{EXISTING}:role/config"})
    sessions = Sessions(legacy=existing)

    code, out, err = run(capsys, config_dir, "preflight", "--profile", "legacy", sessions=sessions)
    assert (code, err) == (4, "")
    assert _status(out) == {
        "organization": "PASS",
        "config-recorder": "FAIL",
        "config-delivery-channel": "PASS",
        "access-role": "FAIL",
        "execution-role": "PASS",
        "governed-regions": "PASS",
        "s3-public-access": "PASS",
        "public-sharing": "PASS",
        "data-perimeter": "PASS",
    }
    assert (
        "FAIL config-recorder: AWS Config recorders: ap-northeast-1: default. Why: Control Tower cannot enrol an account that already has an AWS Config recorder."
        in out
    )
    assert "aws configservice delete-configuration-recorder --configuration-recorder-name default --region ap-northeast-1 --profile legacy" in out
    assert f"FAIL access-role: {ROLE} is missing." in out and f"Fix: `python -m lzctl migrate prepare-account --profile legacy --config {config_dir}`." in out
    assert out.rstrip().endswith("2 of 9 checks failed (exit 4); fix them and run this again.")

    config.delete_configuration_recorder(ConfigurationRecorderName="default")
    assert run(capsys, config_dir, "prepare-account", "--profile", "legacy", sessions=sessions)[0] == 0
    code, out, _ = run(capsys, config_dir, "preflight", "--profile", "legacy", sessions=sessions)
    assert code == 0 and set(_status(out).values()) == {"PASS"}
    assert "all 9 checks pass." in out


def test_preflight_reports_another_organisation_an_incomplete_execution_role_and_a_disabled_region(existing, aws, capsys):
    config_dir = adopting_config(aws, mutate=lambda d: d["organization"]["governed_regions"].append("ap-east-1"))
    existing.client("organizations").create_organization(FeatureSet="ALL")
    existing.client("iam").create_role(RoleName="AWSControlTowerExecution", AssumeRolePolicyDocument=_trust(MANAGEMENT))
    code, out, _ = run(capsys, config_dir, "preflight", "--profile", "legacy", sessions=Sessions(legacy=existing))
    assert code == 4
    assert {k for k, v in _status(out).items() if v == "FAIL"} == {"organization", "access-role", "governed-regions"}
    assert f"(management account {EXISTING})" in out and "aws organizations leave-organization --profile legacy" in out
    assert "aws account enable-region --region-name ap-east-1 --profile legacy" in out
    # An existing execution role is the access role with Control Tower on: it only lacks its policy.
    assert "FAIL access-role: AWSControlTowerExecution is without AdministratorAccess" in out


def test_prepare_account_creates_the_access_role_once(managed_policies, existing, aws, capsys):
    config_dir = adopting_config(aws)
    sessions = Sessions(legacy=existing)
    code, out, err = run(capsys, config_dir, "prepare-account", "--profile", "legacy", sessions=sessions)
    assert (code, err) == (0, "")
    assert out.splitlines()[:3] == [
        f"created role {ROLE} in account {EXISTING}, trusting only arn:aws:iam::{MANAGEMENT}:root.",
        f"attached AdministratorAccess to {ROLE}.",
        "AWSControlTowerExecution is the access role with Control Tower on: Control Tower enrols the account through it (ready).",
    ]
    iam = existing.client("iam")
    role = iam.get_role(RoleName=ROLE)["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"}, "Action": "sts:AssumeRole"}
    ]
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]] == [ADMIN]
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == [ROLE]

    code, out, _ = run(capsys, config_dir, "prepare-account", "--profile", "legacy", sessions=sessions)
    assert code == 0 and out.startswith(f"already done: role {ROLE} exists, trusts only the management account and has AdministratorAccess.")


def test_an_adopted_audit_account_gets_the_organisations_access_role_not_control_towers(managed_policies, existing, aws, capsys):
    """CreateLandingZone creates AWSControlTowerExecution in the audit and log accounts itself."""

    def adopt_audit(data):
        data["applications"]["shop"]["accounts"] = {}
        data["security"]["audit"] = {"existing_account_id": EXISTING, "name": "Audit"}

    config_dir = adopting_config(aws, mutate=adopt_audit)
    sessions = Sessions(legacy=existing)
    code, out, _ = run(capsys, config_dir, "prepare-account", "--profile", "legacy", sessions=sessions)
    assert code == 0
    assert out.splitlines()[:3] == [
        f"created role OrganizationAccountAccessRole in account {EXISTING}, trusting only arn:aws:iam::{MANAGEMENT}:root.",
        "attached AdministratorAccess to OrganizationAccountAccessRole.",
        "AWSControlTowerExecution: Control Tower creates it in the audit and log accounts at set-up (missing).",
    ]
    assert [r["RoleName"] for r in existing.client("iam").list_roles()["Roles"]] == ["OrganizationAccountAccessRole"]
    code, out, _ = run(capsys, config_dir, "preflight", "--profile", "legacy", sessions=sessions)
    assert code == 0
    assert "PASS execution-role: not needed: Control Tower creates AWSControlTowerExecution in the audit and log accounts at set-up (missing)." in out


def test_prepare_account_completes_a_role_left_without_its_policy(managed_policies, existing, aws, capsys):
    existing.client("iam").create_role(RoleName=ROLE, AssumeRolePolicyDocument=_trust(MANAGEMENT))
    code, out, _ = run(capsys, adopting_config(aws), "prepare-account", "--profile", "legacy", sessions=Sessions(legacy=existing))
    assert code == 0 and out.startswith(f"attached AdministratorAccess to {ROLE}.")


def test_prepare_account_never_overwrites_a_foreign_trust(existing, aws, capsys):
    iam = existing.client("iam")
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=_trust(OTHER))
    code, out, err = run(capsys, adopting_config(aws), "prepare-account", "--profile", "legacy", sessions=Sessions(legacy=existing))
    assert (code, out) == (2, "")
    assert err.startswith(
        f"migrate prepare-account: in account {EXISTING}, role {ROLE} exists but trusts AWS arn:aws:iam::{OTHER}:root, not only the management account"
    )
    assert f"aws iam update-assume-role-policy --role-name {ROLE}" in err and "then run this again." in err
    assert iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{OTHER}:root"}
    assert iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"] == []


def test_prepare_account_refuses_an_account_in_another_organisation(existing, aws, capsys):
    existing.client("organizations").create_organization(FeatureSet="ALL")
    code, _, err = run(capsys, adopting_config(aws), "prepare-account", "--profile", "legacy", sessions=Sessions(legacy=existing))
    assert code == 2
    assert (
        f"account {EXISTING} already belongs to organisation o-" in err and f"(management account {EXISTING}), not to the configured one ({MANAGEMENT})" in err
    )
    with pytest.raises(existing.client("iam").exceptions.NoSuchEntityException):
        existing.client("iam").get_role(RoleName=ROLE)


def test_prepare_account_denied_exits_2_and_can_be_rerun(existing, aws, capsys):
    iam, stubber = stubbed("iam")
    stubber.add_client_error("get_role", "NoSuchEntity", "not found", 404)
    denied(stubber, "create_role")
    code, out, err = run(capsys, adopting_config(aws), "prepare-account", "--profile", "legacy", sessions=Sessions(legacy=FakeSession(existing, iam=iam)))
    assert (code, out) == (2, "")
    assert err.startswith("migrate prepare-account: AWS denied CreateRole (AccessDenied)")
    assert "iam:GetRole, iam:CreateRole and iam:AttachRolePolicy in the existing account" in err
    stubber.assert_no_pending_responses()


def test_a_profile_of_an_account_the_config_does_not_adopt_exits_2(aws, capsys):
    with mock_aws():
        code, out, err = run(capsys, adopting_config(aws), "preflight", "--profile", "other", sessions=Sessions(other=moto_session(OTHER)))
    assert (code, out) == (2, "")
    assert err.startswith(
        f"migrate preflight: profile 'other' reaches account {OTHER}, but account {OTHER} is not adopted by the config (adopted: shop-prod: {EXISTING})."
    )


def test_a_config_without_existing_account_id_exits_2(aws, capsys):
    config_dir = adopting_config(aws, mutate=lambda d: d["applications"]["shop"].pop("accounts"))
    with mock_aws():
        code, _, err = run(capsys, config_dir, "prepare-account", "--profile", "legacy", sessions=Sessions(legacy=moto_session(EXISTING)))
    assert code == 2
    assert err.startswith("migrate prepare-account: profile 'legacy' reaches account 210987654321, but no account in the config has `existing_account_id`")


PARTNER = "444455556666"


def _policy(resource: str, principal) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "*", "Resource": resource}]})


def test_exposure_reads_public_buckets_public_snapshots_and_outside_principals(existing, aws):
    config_dir = adopting_config(aws, mutate=lambda d: d["guardrails"].setdefault("rcp", {}).update(trusted_accounts=["582318560864"]))
    landing_zone = config.load(config_dir, refuse_example_domains=False)
    spec = landing_zone.account("shop-prod")
    # moto answers GetBucketPolicyStatus with an empty PolicyStatus, so S3 is a Stubber here.
    s3, s3_stub = stubbed("s3")
    s3control, control_stub = stubbed("s3control")
    control_stub.add_client_error("get_public_access_block", "NoSuchPublicAccessBlockConfiguration", expected_params={"AccountId": EXISTING})
    public_read = [{"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]
    s3_stub.add_response("list_buckets", {"Buckets": [{"Name": b} for b in ("www", "acl-public", "acl-hidden", "elb-logs")]})
    buckets = {
        "www": ({}, _policy("arn:aws:s3:::www/*", "*"), True, []),
        "acl-public": ({}, None, None, public_read),
        "acl-hidden": ({"IgnorePublicAcls": True, "RestrictPublicBuckets": True}, _policy("arn:aws:s3:::acl-hidden/*", "*"), None, public_read),
        "elb-logs": ({}, _policy("arn:aws:s3:::elb-logs/*", {"AWS": "arn:aws:iam::582318560864:root"}), False, []),
    }
    for bucket, (block, policy, public, acl) in buckets.items():
        named = {"Bucket": bucket}
        if block:
            s3_stub.add_response("get_public_access_block", {"PublicAccessBlockConfiguration": block}, named)
        else:
            s3_stub.add_client_error("get_public_access_block", "NoSuchPublicAccessBlockConfiguration", expected_params=named)
        if policy:
            s3_stub.add_response("get_bucket_policy", {"Policy": policy}, named)
        else:
            s3_stub.add_client_error("get_bucket_policy", "NoSuchBucketPolicy", expected_params=named)
        if public is not None:
            s3_stub.add_response("get_bucket_policy_status", {"PolicyStatus": {"IsPublic": public}}, named)
        s3_stub.add_response("get_bucket_acl", {"Grants": acl}, named)
    key = existing.client("kms").create_key(Policy=_policy("*", {"AWS": f"arn:aws:iam::{PARTNER}:root"}))["KeyMetadata"]["Arn"]
    queue = existing.client("sqs").create_queue(QueueName="in")["QueueUrl"]
    existing.client("sqs").set_queue_attributes(QueueUrl=queue, Attributes={"Policy": _policy("*", {"AWS": PARTNER})})
    existing.client("iam").create_role(RoleName="ops", AssumeRolePolicyDocument=_trust(MANAGEMENT))
    ec2, stubber = stubbed("ec2")
    stubber.add_response("describe_snapshots", {"Snapshots": [{"SnapshotId": "snap-1"}]}, {"OwnerIds": ["self"], "RestorableByUserIds": ["all"]})
    stubber.add_response("describe_images", {"Images": [{"ImageId": "ami-1"}]}, {"Owners": ["self"], "ExecutableUsers": ["all"]})

    found = exposure.gather(FakeSession(existing, ec2=ec2, s3=s3, s3control=s3control), landing_zone, spec, EXISTING, ["ap-northeast-1"])

    for stub in (stubber, s3_stub, control_stub):
        stub.assert_no_pending_responses()
    assert found.public_buckets == (("www", "its bucket policy"), ("acl-public", "its ACL"))
    assert (found.public_snapshots, found.public_images) == ((("ap-northeast-1", "snap-1"),), (("ap-northeast-1", "ami-1"),))
    assert exposure.outside(found) == [
        ("arn:aws:s3:::www", "*"),
        (key, f"arn:aws:iam::{PARTNER}:root"),
        (f"arn:aws:sqs:ap-northeast-1:{EXISTING}:in", PARTNER),
    ]
    assert {"s3-public-access", "public-sharing", "data-perimeter"} <= {c[0] for c in exposure.CHECKS}
