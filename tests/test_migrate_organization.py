"""`migrate invite`, `accept` (Stubber: moto has no invitation handshake) and `place-account` (moto)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from moto import mock_aws

from tests.helpers import (
    EXISTING,
    MANAGEMENT,
    OTHER,
    SHOP_PROD_EMAIL,
    SHOP_PROD_NAME,
    FakeSession,
    Sessions,
    adopting_config,
    denied,
    moto_session,
    run,
    stubbed,
)

pytestmark = pytest.mark.integration

ORG = "o-abcdef1234"
EXPIRES = datetime(2026, 12, 13, tzinfo=timezone.utc)
ORGANIZATION = {"Id": ORG, "Arn": f"arn:aws:organizations::{MANAGEMENT}:organization/{ORG}", "MasterAccountId": MANAGEMENT}


def handshake(sender: str = MANAGEMENT, handshake_id: str = "h-1234567890", state: str = "OPEN") -> dict:
    return {
        "Id": handshake_id,
        "Arn": f"arn:aws:organizations::{sender}:handshake/{ORG}/invite/{handshake_id}",
        "Parties": [{"Id": ORG, "Type": "ORGANIZATION"}, {"Id": EXISTING, "Type": "ACCOUNT"}],
        "State": state,
        "Action": "INVITE",
        "ExpirationTimestamp": EXPIRES,
    }


@pytest.fixture
def moto(aws):
    with mock_aws():
        yield


@pytest.fixture
def management(moto):
    """The management account: moto answers who it is, a Stubber plays Organizations."""
    api, stubber = stubbed("organizations")
    yield Sessions(mgmt=FakeSession(moto_session(MANAGEMENT), organizations=api)), stubber
    stubber.assert_no_pending_responses()


@pytest.fixture
def existing(moto):
    api, stubber = stubbed("organizations")
    yield Sessions(legacy=FakeSession(moto_session(EXISTING), organizations=api)), stubber
    stubber.assert_no_pending_responses()


def _not_a_member(stubber) -> None:
    stubber.add_response("describe_organization", {"Organization": ORGANIZATION})
    stubber.add_client_error("describe_account", "AccountNotFoundException", "not found", 400, expected_params={"AccountId": EXISTING})


def test_invite_sends_one_invitation_then_says_already_done(management, aws, capsys):
    sessions, stubber = management
    config_dir = adopting_config(aws)
    _not_a_member(stubber)
    stubber.add_response("list_handshakes_for_organization", {"Handshakes": []}, {"Filter": {"ActionType": "INVITE"}})
    stubber.add_response(
        "invite_account_to_organization",
        {"Handshake": handshake()},
        {"Target": {"Type": "ACCOUNT", "Id": EXISTING}, "Notes": f"Landing zone: {EXISTING} becomes shop-prod."},
    )
    code, out, err = run(capsys, config_dir, "invite", "--account-id", EXISTING, "--management-profile", "mgmt", sessions=sessions)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"invited account {EXISTING} (shop-prod) to {ORG}: invitation h-1234567890, open until 2026-12-13.",
        f"next: accept it from the existing account: python -m lzctl migrate accept --profile <profile of the existing account> --config {config_dir}",
    ]

    _not_a_member(stubber)
    stubber.add_response("list_handshakes_for_organization", {"Handshakes": [handshake(state="ACCEPTED", handshake_id="h-0000000000"), handshake()]})
    code, out, _ = run(capsys, config_dir, "invite", "--account-id", EXISTING, "--management-profile", "mgmt", sessions=sessions)
    assert code == 0 and out.startswith(f"already done: invitation h-1234567890 to account {EXISTING} is open until 2026-12-13.")


def test_invite_of_a_member_says_already_done(management, aws, capsys):
    sessions, stubber = management
    stubber.add_response("describe_organization", {"Organization": ORGANIZATION})
    stubber.add_response("describe_account", {"Account": {"Id": EXISTING, "Name": SHOP_PROD_NAME, "Email": SHOP_PROD_EMAIL}})
    code, out, _ = run(capsys, adopting_config(aws), "invite", "--account-id", EXISTING, "--management-profile", "mgmt", sessions=sessions)
    assert code == 0 and out.startswith(
        f"already done: account {EXISTING} (Shop Production) is a member of {ORG}.\nnext: python -m lzctl migrate place-account"
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ("--account-id", OTHER, "--management-profile", "mgmt"),
            f"migrate invite: account {OTHER} is not adopted by the config (adopted: shop-prod: {EXISTING}).",
        ),
        (
            ("--account-id", EXISTING, "--management-profile", "legacy"),
            f"migrate invite: profile 'legacy' reaches account {EXISTING}, not the management account {MANAGEMENT}",
        ),
        (("--account-id", EXISTING, "--management-profile", "nope"), "migrate invite: AWS profile 'nope' is not configured"),
    ],
)
def test_invite_refuses_bad_input(moto, aws, capsys, argv, message):
    sessions = Sessions(mgmt=moto_session(MANAGEMENT), legacy=moto_session(EXISTING))
    code, out, err = run(capsys, adopting_config(aws), "invite", *argv, sessions=sessions)
    assert (code, out) == (2, "") and err.startswith(message) and "Traceback" not in err


def test_invite_without_an_organisation_points_to_step_1(management, aws, capsys):
    sessions, stubber = management
    stubber.add_client_error("describe_organization", "AWSOrganizationsNotInUseException", "not in use", 400)
    code, _, err = run(capsys, adopting_config(aws), "invite", "--account-id", EXISTING, "--management-profile", "mgmt", sessions=sessions)
    assert code == 2 and "has no organisation yet" in err and "do step 1 first" in err


def test_invite_denied_exits_2(management, aws, capsys):
    sessions, stubber = management
    _not_a_member(stubber)
    stubber.add_response("list_handshakes_for_organization", {"Handshakes": []})
    denied(stubber, "invite_account_to_organization")
    code, out, err = run(capsys, adopting_config(aws), "invite", "--account-id", EXISTING, "--management-profile", "mgmt", sessions=sessions)
    assert (code, out) == (2, "")
    assert err.startswith("migrate invite: AWS denied InviteAccountToOrganization (AccessDenied)")
    assert "organizations:InviteAccountToOrganization, DescribeAccount and ListHandshakesForOrganization on the management account" in err


def test_accept_takes_the_invitation_of_the_configured_management_account_once(existing, aws, capsys):
    sessions, stubber = existing
    config_dir = adopting_config(aws)
    stubber.add_client_error("describe_organization", "AWSOrganizationsNotInUseException", "not in use", 400)
    stubber.add_response("list_handshakes_for_account", {"Handshakes": [handshake(OTHER, "h-9999999999"), handshake()]}, {"Filter": {"ActionType": "INVITE"}})
    stubber.add_response("accept_handshake", {"Handshake": handshake(state="ACCEPTED")}, {"HandshakeId": "h-1234567890"})
    code, out, err = run(capsys, config_dir, "accept", "--profile", "legacy", sessions=sessions)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"accepted invitation h-1234567890: account {EXISTING} joined the organisation of {MANAGEMENT}.",
        f"next: python -m lzctl migrate place-account --account-id {EXISTING} --management-profile <management profile> --config {config_dir}, "
        f"then python -m lzctl migrate prepare-account --profile legacy --config {config_dir}",
    ]

    stubber.add_response("describe_organization", {"Organization": ORGANIZATION})
    code, out, _ = run(capsys, config_dir, "accept", "--profile", "legacy", sessions=sessions)
    assert code == 0 and out.startswith(f"already done: account {EXISTING} is a member of {ORG} (management account {MANAGEMENT}).")


def test_accept_refuses_an_invitation_from_another_organisation(existing, aws, capsys):
    sessions, stubber = existing
    stubber.add_client_error("describe_organization", "AWSOrganizationsNotInUseException", "not in use", 400)
    stubber.add_response("list_handshakes_for_account", {"Handshakes": [handshake(OTHER, "h-9999999999")]})
    code, out, err = run(capsys, adopting_config(aws), "accept", "--profile", "legacy", sessions=sessions)
    assert (code, out) == (2, "")
    assert err.startswith(
        f"migrate accept: account {EXISTING} has no open invitation from the management account {MANAGEMENT}. "
        f"The open invitations come from other organisations (h-9999999999 from management account {OTHER}); they are not accepted."
    )
    assert "python -m lzctl migrate invite --account-id 210987654321" in err


def test_accept_in_another_organisation_exits_2(existing, aws, capsys):
    sessions, stubber = existing
    stubber.add_response("describe_organization", {"Organization": {**ORGANIZATION, "Id": "o-other12345", "MasterAccountId": OTHER}})
    code, _, err = run(capsys, adopting_config(aws), "accept", "--profile", "legacy", sessions=sessions)
    assert code == 2
    assert f"account {EXISTING} already belongs to organisation o-other12345 (management account {OTHER}), not to the configured one ({MANAGEMENT})" in err


@pytest.fixture
def joined(moto, aws):
    """A moto organisation with step 1 done and the existing account joined (at the root); its config."""
    api = moto_session(MANAGEMENT).client("organizations")
    api.create_organization(FeatureSet="ALL")
    root = api.list_roots()["Roots"][0]["Id"]
    member = api.create_organizational_unit(ParentId=root, Name="Member")["OrganizationalUnit"]["Id"]
    prod = api.create_organizational_unit(ParentId=member, Name="Prod")["OrganizationalUnit"]["Id"]
    account_id = api.create_account(Email=SHOP_PROD_EMAIL, AccountName=SHOP_PROD_NAME)["CreateAccountStatus"]["AccountId"]
    api.tag_resource(ResourceId=account_id, Tags=[{"Key": "cost-center", "Value": "42"}])
    return api, account_id, prod, adopting_config(aws, account_id=account_id)


def test_place_account_moves_and_tags_the_account_once(joined, capsys):
    api, account_id, prod, config_dir = joined
    sessions = Sessions(mgmt=moto_session(MANAGEMENT))
    code, out, err = run(capsys, config_dir, "place-account", "--account-id", account_id, "--management-profile", "mgmt", sessions=sessions)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(f"moved account {account_id} from r-") and lines[0].endswith(f" to OU Member / Prod ({prod}).")
    assert lines[1] == f"tagged account {account_id}: app=shop, env=prod, managed-by=landing-zone."
    assert lines[2].startswith("note: the account also has tags the program does not set (cost-center)")
    assert api.list_parents(ChildId=account_id)["Parents"][0]["Id"] == prod

    code, out, _ = run(capsys, config_dir, "place-account", "--account-id", account_id, "--management-profile", "mgmt", sessions=sessions)
    assert code == 0
    assert out.splitlines()[:2] == [
        f"already done: account {account_id} is in OU Member / Prod ({prod}).",
        f"already done: account {account_id} has the tags the program gives it.",
    ]


def test_place_account_refuses_a_name_the_config_does_not_match(joined, aws, capsys):
    api, account_id, _, _ = joined
    config_dir = adopting_config(aws, account_id=account_id, mutate=lambda d: d["applications"]["shop"]["accounts"]["prod"].update(name="shop-prod"))
    code, out, err = run(
        capsys, config_dir, "place-account", "--account-id", account_id, "--management-profile", "mgmt", sessions=Sessions(mgmt=moto_session(MANAGEMENT))
    )
    assert (code, out) == (2, "")
    assert "set name: 'Shop Production' (the config gives 'shop-prod')" in err
    assert api.list_parents(ChildId=account_id)["Parents"][0]["Type"] == "ROOT"
