"""Fixtures for the `lzctl doctor` tests: moto accounts, Stubbers for what moto lacks, and the run itself.

moto plays STS, Organizations, IAM, S3 and AWS Config in every account (AssumeRole's credentials
make moto answer as the role's account). botocore's Stubber plays Service Quotas (moto knows only
VPC's), SSO Admin (moto always has an instance), Control Tower, Chatbot and Cost Explorer (moto
has none of them, or returns nothing without set-up) and Organizations' invitations, and checks
every request against the AWS API model.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Optional

import pytest
from moto import mock_aws

from lzctl import doctor
from tests.helpers import MANAGEMENT, FakeSession, Sessions, moto_session, session_from_credentials, stubbed

TEAM = "T0ACME1234"
INSTANCE = {
    "InstanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef",
    "IdentityStoreId": "d-1234567890",
    "OwnerAccountId": MANAGEMENT,
    "Status": "ACTIVE",
}
ORGANIZATIONS_QUOTA = {"ServiceCode": "organizations", "QuotaCode": "L-29A0C5DF", "QuotaName": "Default maximum number of accounts", "Value": 10.0}
STUBBED = ("service_quotas", "sso_admin", "controltower", "chatbot", "ce")


class _BothEvents:
    def __init__(self, *emitters):
        self.emitters = emitters

    def register_first(self, *args, **kwargs):
        for emitter in self.emitters:
            emitter.register_first(*args, **kwargs)


class Routed:
    """A client answering `operations` from a Stubber-backed client and everything else from moto."""

    def __init__(self, fallback, stub, operations: tuple[str, ...]):
        self._fallback, self._stub, self._operations = fallback, stub, operations
        self.meta = SimpleNamespace(events=_BothEvents(fallback.meta.events, stub.meta.events), service_model=fallback.meta.service_model)

    def _for(self, operation: str):
        return self._stub if operation in self._operations else self._fallback

    def get_paginator(self, operation: str):
        return self._for(operation).get_paginator(operation)

    def __getattr__(self, name: str):
        return getattr(self._for(name), name)


class World:
    """The management account (moto, with Stubbers for what moto lacks) and what member sessions see."""

    def __init__(self):
        self.management = moto_session(MANAGEMENT)
        self.stubs = {service: stubbed(service.replace("_", "-")) for service in (*STUBBED, "organizations")}
        self.members: dict[str, dict] = {}
        """Account id -> client overrides (Stubber-backed) of the sessions assumed in it."""

    def stub(self, service: str):
        return self.stubs[service][1]

    def sessions(self, profile: str = "mgmt", account_session=None) -> Sessions:
        fallback = account_session or self.management
        organizations = Routed(fallback.client("organizations"), self.stubs["organizations"][0], ("list_handshakes_for_organization",))
        return Sessions(**{profile: FakeSession(fallback, organizations=organizations, **{s: self.stubs[s][0] for s in STUBBED})})

    def opened(self, credentials: dict):
        session = session_from_credentials(credentials)
        account = session.client("sts").get_caller_identity()["Account"]
        return FakeSession(session, **self.members.get(account, {}))

    def verify(self) -> None:
        for _, stubber in self.stubs.values():
            stubber.assert_no_pending_responses()


@pytest.fixture
def world(aws):
    with mock_aws():
        built = World()
        yield built
        built.verify()


def doctor_run(capsys, world: World, plan, config_dir: Optional[Path], *argv: str, sessions=None, github=None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `python -m lzctl doctor --stack management --profile mgmt [--config DIR] <argv>`;
    `github`: the GitHub client (lzctl/doctor/github.py) it reads with, none by default (as without GITHUB_TOKEN)."""
    config = ["--config", str(config_dir)] if config_dir else []
    code = doctor.main(
        ["doctor", "--stack", "management", "--profile", "mgmt", *config, *argv],
        sessions=sessions or world.sessions(),
        opened=world.opened,
        planner=lambda stack, directory: plan,
        github=lambda: github,
    )
    out, err = capsys.readouterr()
    return code, out, err


def statuses(out: str) -> dict[str, str]:
    return {line.split()[1].rstrip(":"): line.split()[0] for line in out.splitlines() if line.startswith(("PASS ", "FAIL ", "SKIP "))}
