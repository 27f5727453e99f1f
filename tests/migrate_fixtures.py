"""Fixtures for the `lzctl migrate` tests: a config adopting an account, and AWS without AWS.

moto plays every account at once (each session pins its account with moto's account header);
botocore's Stubber plays what moto lacks (the invitation handshake), checking each request against
the AWS API model. No test can reach AWS: credentials are fake and the AWS config files are empty.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Callable, Optional

import boto3
import botocore.loaders
import botocore.session
import pytest
from botocore.exceptions import ProfileNotFound
from botocore.stub import Stubber

from lzctl import migrate
from tests.helpers import example_data, write_config

EXISTING = "210987654321"
MANAGEMENT = "123456789012"
OTHER = "999988887777"
HOME = "ap-northeast-1"
SHOP_PROD_NAME = "Shop Production"
SHOP_PROD_EMAIL = "aws+shop-prod@example.com"


def adopting_config(directory: Path, account_id: str = EXISTING, mutate: Callable[[dict], None] = lambda data: None) -> Path:
    """The example config with shop's prod account adopting `account_id`."""
    data = copy.deepcopy(example_data())
    data["applications"]["shop"]["accounts"] = {"prod": {"existing_account_id": account_id, "name": SHOP_PROD_NAME}}
    mutate(data)
    return write_config(directory / "config", data)


# Parsing AWS's service models is most of a test's time; every session of the tests shares them.
_MODELS = botocore.loaders.create_loader()


def _session(region: str, credentials: Optional[dict] = None) -> boto3.Session:
    core = botocore.session.get_session()
    core.register_component("data_loader", _MODELS)
    keys = credentials or {"AccessKeyId": "testing", "SecretAccessKey": "testing"}
    return boto3.Session(
        botocore_session=core,
        region_name=region,
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys.get("SessionToken"),
    )


def session_from_credentials(credentials: dict, region: str = HOME) -> boto3.Session:
    """A session signing with temporary credentials (STS AssumeRole's); moto answers as the role's account."""
    return _session(region, credentials)


def moto_session(account_id: str, region: str = HOME) -> boto3.Session:
    """A session that moto answers as `account_id`."""
    session = _session(region)

    def pin_account(request, **_):
        request.headers["x-moto-account-id"] = account_id

    # before-sign runs ahead of moto's before-send hook, so every request carries the account.
    session.events.register("before-sign", pin_account)
    return session


def stubbed(service: str) -> tuple[object, Stubber]:
    api = _session(HOME).client(service)
    stubber = Stubber(api)
    stubber.activate()
    return api, stubber


class FakeSession:
    """Clients from `overrides` (Stubber-backed) where given, else from a moto session."""

    def __init__(self, fallback: boto3.Session, **overrides):
        self.fallback = fallback
        self.overrides = overrides

    def client(self, service: str, region_name: Optional[str] = None):
        if service.replace("-", "_") in self.overrides:
            return self.overrides[service.replace("-", "_")]
        return self.fallback.client(service, region_name=region_name)


class Sessions:
    """A session factory by profile name; an unknown name fails as boto3 does."""

    def __init__(self, **by_profile):
        self.by_profile = by_profile

    def __call__(self, profile: str):
        if profile not in self.by_profile:
            raise ProfileNotFound(profile=profile)
        return self.by_profile[profile]


def run(capsys, config_dir: Path, *argv: str, sessions=migrate.open_session) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `python -m lzctl migrate <argv> --config <config_dir>`."""
    code = migrate.main(["migrate", *argv, "--config", str(config_dir)], sessions=sessions)
    out, err = capsys.readouterr()
    return code, out, err


def denied(stubber: Stubber, operation: str) -> None:
    stubber.add_client_error(operation, "AccessDenied", f"User: arn:aws:sts::{EXISTING}:assumed-role/ReadOnly/me is not authorized to perform this action", 403)


@pytest.fixture
def aws(monkeypatch, tmp_path):
    """Fake credentials and empty AWS config files, so nothing can reach or read a real AWS set-up."""
    empty = tmp_path / "aws-config"
    empty.write_text("")
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": HOME,
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "MOTO_ACCOUNT_ID", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def managed_policies(monkeypatch):
    """AWS managed policies (AdministratorAccess) in moto's accounts, as in every real one; costs ~0.5 s a test."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
