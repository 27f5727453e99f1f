"""Fixtures of the `lzctl migrate` tests, registered as a pytest plugin by conftest.py (`PLUGINS`).

Their helpers (moto sessions, Stubber clients, the adopting config) live in tests/helpers.py.
"""

from __future__ import annotations

import pytest

from tests.helpers import HOME


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
    # moto's default AMIs bring snapshots that its DescribeSnapshots returns whatever OwnerIds and
    # RestorableByUserIds say; preflight's EC2 reads are tested against a Stubber instead.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_DATA_PATH", "MOTO_ACCOUNT_ID", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def managed_policies(monkeypatch):
    """AWS managed policies (AdministratorAccess) in moto's accounts, as in every real one; costs ~0.5 s a test."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
