"""`migrate remove-root-credentials` (Stubber: moto has neither sts:AssumeRoot nor IAM's organisation features)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from botocore.stub import Stubber

from lzctl.aws_session import sdk_session
from lzctl.migrate.aws import regional_sts
from tests.helpers import EXISTING, MANAGEMENT, FakeSession, Sessions, adopting_config, run, stubbed

ROOT_KEY = "ASIAROOTSESSION00001"
FEATURES = {"OrganizationId": "o-abcdef1234", "EnabledFeatures": ["RootCredentialsManagement", "RootSessions"]}
ASSUME_ROOT = {
    "TargetPrincipal": EXISTING,
    "TaskPolicyArn": {"arn": "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"},
    "DurationSeconds": 900,
}
CREDENTIALS = {"Credentials": {"AccessKeyId": ROOT_KEY, "SecretAccessKey": "s", "SessionToken": "t", "Expiration": datetime(2026, 12, 1, tzinfo=timezone.utc)}}
MEMBER = {"Account": {"Id": EXISTING, "Name": "Shop Production", "Email": "aws+shop-prod@example.com", "Status": "ACTIVE"}}
LOGIN_PROFILE = {"LoginProfile": {"UserName": "root", "CreateDate": datetime(2020, 1, 1, tzinfo=timezone.utc)}}
CREATED = datetime(2020, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def aws_apis(aws):
    """The management account: Stubbers for STS, Organizations and IAM (the root session's IAM included)."""
    apis = {name: stubbed(name) for name in ("sts", "organizations", "iam")}
    # No fallback: a client of any other service would be a bug of the verb.
    session = FakeSession(None, **{name: api for name, (api, _) in apis.items()})
    apis["sts"][1].add_response("get_caller_identity", {"Account": MANAGEMENT, "Arn": f"arn:aws:iam::{MANAGEMENT}:role/admin", "UserId": "x"})
    yield session, {name: stubber for name, (_, stubber) in apis.items()}
    for _, stubber in apis.values():
        stubber.assert_no_pending_responses()


def ready(stubbers) -> None:
    """A member account, root access on, and a root session opened."""
    stubbers["organizations"].add_response("describe_account", MEMBER, {"AccountId": EXISTING})
    stubbers["iam"].add_response("list_organizations_features", FEATURES, {})
    stubbers["sts"].add_response("assume_root", CREDENTIALS, ASSUME_ROOT)


def credentials_left(stubbers, password: bool, keys=(), certificates=(), devices=(), deletable: bool = True) -> None:
    iam = stubbers["iam"]
    if password:
        iam.add_response("get_login_profile", LOGIN_PROFILE, {})
        iam.add_response("delete_login_profile", {}, {})
    else:
        iam.add_client_error("get_login_profile", "NoSuchEntity", "Login Profile for User root cannot be found.", 404)
    iam.add_response("list_access_keys", {"AccessKeyMetadata": [{"AccessKeyId": k, "Status": "Active"} for k in keys]}, {})
    for key in keys:
        iam.add_response("delete_access_key", {}, {"AccessKeyId": key})
    iam.add_response("list_signing_certificates", {"Certificates": [_certificate(c) for c in certificates]}, {})
    for certificate in certificates:
        iam.add_response("delete_signing_certificate", {}, {"CertificateId": certificate})
    iam.add_response("list_mfa_devices", {"MFADevices": [{"UserName": "root", "SerialNumber": d, "EnableDate": CREATED} for d in devices]}, {})
    for device in devices:
        iam.add_response("deactivate_mfa_device", {}, {"SerialNumber": device})
        if device.startswith("arn:") and deletable:
            iam.add_response("delete_virtual_mfa_device", {}, {"SerialNumber": device})
        elif device.startswith("arn:"):
            iam.add_client_error("delete_virtual_mfa_device", "AccessDenied", "not authorized to perform: iam:DeleteVirtualMFADevice", 403)


def _certificate(certificate_id: str) -> dict:
    return {"UserName": "root", "CertificateId": certificate_id, "CertificateBody": "-----BEGIN CERTIFICATE-----", "Status": "Active", "UploadDate": CREATED}


def remove(capsys, tmp_path, session, account: str = "shop-prod"):
    return run(
        capsys, adopting_config(tmp_path), "remove-root-credentials", "--account", account, "--management-profile", "mgmt", sessions=Sessions(mgmt=session)
    )


def test_every_root_credential_is_removed_in_a_root_session(capsys, tmp_path, aws_apis):
    session, stubbers = aws_apis
    ready(stubbers)
    mfa = f"arn:aws:iam::{EXISTING}:mfa/root-account-mfa-device"
    credentials_left(stubbers, True, keys=["AKIAOLDROOTKEY000001"], certificates=["CERT1EXAMPLE000000000001"], devices=[mfa])
    code, out, err = remove(capsys, tmp_path, session)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"deleted the console password of the root user of shop-prod ({EXISTING}).",
        f"deleted access key AKIAOLDROOTKEY000001 of the root user of shop-prod ({EXISTING}).",
        f"deleted signing certificate CERT1EXAMPLE000000000001 of the root user of shop-prod ({EXISTING}).",
        f"deactivated and deleted virtual MFA device {mfa} of the root user of shop-prod ({EXISTING}).",
        "the root user can no longer sign in; to use it again, allow password recovery for the account in the IAM console "
        "(Root access management) from the management account.",
    ]
    # The deletes were signed with the root session's credentials, the feature check with the caller's.
    assert session.signed_with.count(("iam", ROOT_KEY)) == 1 and ("iam", None) in session.signed_with
    # AssumeRoot goes to the home region's STS endpoint; the caller check may use the SDK's own.
    assert [e for e in session.endpoints if e[0] == "sts"] == [("sts", None), ("sts", "https://sts.ap-northeast-1.amazonaws.com")]


@pytest.mark.parametrize("region", ["us-east-1", "ap-northeast-1"])
def test_assume_root_reaches_the_regional_endpoint_even_with_legacy_sts_endpoints(monkeypatch, aws, region):
    monkeypatch.setenv("AWS_STS_REGIONAL_ENDPOINTS", "legacy")
    session = sdk_session(region=region)
    assert session.client("sts").meta.endpoint_url == "https://sts.amazonaws.com"  # what `legacy` alone would do
    sts = regional_sts(session, region)
    assert sts.meta.endpoint_url == f"https://sts.{region}.amazonaws.com"
    with Stubber(sts) as stubber:
        stubber.add_response("assume_root", CREDENTIALS, ASSUME_ROOT)
        assert sts.assume_root(**ASSUME_ROOT)["Credentials"] == CREDENTIALS["Credentials"]


@pytest.mark.parametrize(
    "device, deletable, line",
    [
        ("GAHT12345678", True, "deactivated MFA device GAHT12345678"),
        (
            f"arn:aws:iam::{EXISTING}:mfa/root",
            False,
            f"deactivated MFA device arn:aws:iam::{EXISTING}:mfa/root (the virtual device remains: AccessDenied on DeleteVirtualMFADevice; "
            "delete it from the IAM console)",
        ),
    ],
)
def test_a_hardware_device_is_only_deactivated_and_a_refused_delete_is_reported(capsys, tmp_path, aws_apis, device, deletable, line):
    session, stubbers = aws_apis
    ready(stubbers)
    credentials_left(stubbers, False, devices=[device], deletable=deletable)
    code, out, err = remove(capsys, tmp_path, session)
    assert (code, err) == (0, "")
    assert f"{line} of the root user of shop-prod ({EXISTING})." in out.splitlines()


def test_a_second_run_reports_what_is_already_gone(capsys, tmp_path, aws_apis):
    session, stubbers = aws_apis
    ready(stubbers)
    credentials_left(stubbers, False)
    code, out, _ = remove(capsys, tmp_path, session)
    assert code == 0
    assert out.splitlines()[0] == (
        f"already done: no console password, no access keys, no signing certificates, no MFA devices for the root user of shop-prod ({EXISTING})."
    )


def test_a_partly_cleaned_root_user_gets_the_rest_removed(capsys, tmp_path, aws_apis):
    session, stubbers = aws_apis
    ready(stubbers)
    credentials_left(stubbers, False, keys=["AKIAOLDROOTKEY000001"])
    code, out, _ = remove(capsys, tmp_path, session)
    assert code == 0
    assert out.splitlines()[:2] == [
        f"deleted access key AKIAOLDROOTKEY000001 of the root user of shop-prod ({EXISTING}).",
        f"already gone: no console password, no signing certificates, no MFA devices for the root user of shop-prod ({EXISTING}).",
    ]


def test_without_centralised_root_access_nothing_is_opened(capsys, tmp_path, aws_apis):
    session, stubbers = aws_apis
    stubbers["organizations"].add_response("describe_account", MEMBER, {"AccountId": EXISTING})
    stubbers["iam"].add_response("list_organizations_features", {"OrganizationId": "o-abcdef1234", "EnabledFeatures": ["RootSessions"]}, {})
    code, out, err = remove(capsys, tmp_path, session)
    assert (code, out) == (2, "")
    assert err == (
        "migrate remove-root-credentials: centralised root access is not enabled in the organisation (RootCredentialsManagement missing). "
        "Fix: keep guardrails.root_access.enabled (the default) and deploy the management stack (`pulumi up --stack management`), which "
        "enables trusted access for iam.amazonaws.com and both features, then run this again.\n"
    )


def test_an_account_not_yet_in_the_organisation_is_refused(capsys, tmp_path, aws_apis):
    session, stubbers = aws_apis
    stubbers["organizations"].add_client_error("describe_account", "AccountNotFoundException", "not found", 400)
    code, _, err = remove(capsys, tmp_path, session)
    assert code == 2
    assert err.startswith(
        f"migrate remove-root-credentials: account {EXISTING} (shop-prod) is not a member of the organisation yet, so no root session can be opened in it. "
        f"Fix: `python -m lzctl migrate invite --account-id {EXISTING} --management-profile mgmt"
    )


def test_a_refused_root_session_names_what_it_needs(capsys, tmp_path, aws_apis):
    session, stubbers = aws_apis
    stubbers["organizations"].add_response("describe_account", MEMBER, {"AccountId": EXISTING})
    stubbers["iam"].add_response("list_organizations_features", FEATURES, {})
    stubbers["sts"].add_client_error("assume_root", "AccessDenied", "not authorized to perform: sts:AssumeRoot", 403)
    code, _, err = remove(capsys, tmp_path, session)
    assert code == 2
    assert "AWS denied AssumeRoot (AccessDenied): not authorized to perform: sts:AssumeRoot. This command needs organizations:DescribeAccount" in err
    assert "the deny-root-user SCP and AWS-GR_RESTRICT_ROOT_USER exempt aws:AssumedRoot" in err and "Nothing was changed by the refused call" in err


@pytest.mark.parametrize(
    "account, words",
    [
        ("shop-dev", "shop-dev is an account the program creates, and Organizations creates accounts without root credentials; only adopted accounts"),
        ("nope", "there is no account nope in the config; only adopted accounts (existing_account_id) have root credentials to remove (adopted: shop-prod)"),
    ],
)
def test_only_an_adopted_account_has_root_credentials_to_remove(capsys, tmp_path, account, words):
    code, out, err = run(
        capsys, adopting_config(tmp_path), "remove-root-credentials", "--account", account, "--management-profile", "mgmt", sessions=Sessions()
    )
    assert (code, out) == (2, "")
    assert words in err and err.startswith("migrate remove-root-credentials: ")
