"""lzctl/aws_session.py: every AWS SDK session shares the process's botocore Loader, and boto3 still
resolves profiles, regions and credentials as it would alone."""

from __future__ import annotations

import botocore.loaders
import botocore.session
import pytest
from botocore.exceptions import ProfileNotFound
from moto import mock_aws

from lzctl import migrate
from lzctl.aws_session import BOTO3_DATA, sdk_session, shared_loader
from lzctl.doctor.aws import credentials_session
from lzctl.migrate.aws import MigrationError
from tests.helpers import HOME, MANAGEMENT, moto_session

MEMBER = "111111111111"


def _loader_of(core: botocore.session.Session) -> botocore.loaders.Loader:
    return core.get_component("data_loader")


def test_sessions_share_one_loader_and_boto3_data_is_searched_once(aws):
    first, second = botocore.session.Session(), botocore.session.Session()
    sdk_session(first)
    paths = list(_loader_of(first).search_paths)
    for _ in range(3):
        sdk_session(second)
    assert _loader_of(first) is _loader_of(second) is shared_loader(None)
    assert _loader_of(second).search_paths == paths
    assert paths.count(BOTO3_DATA) == 1 and paths[-1] == BOTO3_DATA


def test_a_second_session_parses_no_model_file_again(aws, monkeypatch):
    sdk_session(region=HOME).client("iam")
    read = []
    load_file = botocore.loaders.JSONFileLoader.load_file
    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", lambda self, path: read.append(path) or load_file(self, path))
    credentials_session({"AccessKeyId": "AKIA2", "SecretAccessKey": "s", "SessionToken": "t"}).client("iam", region_name=HOME)
    assert read == []


def test_a_data_path_gets_a_loader_of_its_own_searched_first(aws, tmp_path):
    (tmp_path / "aws-config").write_text(f"[profile models]\ndata_path = {tmp_path / 'models'}\n")
    core = botocore.session.Session(profile="models")
    sdk_session(core)
    assert _loader_of(core) is shared_loader(str(tmp_path / "models")) is not shared_loader(None)
    assert _loader_of(core).search_paths[0] == str(tmp_path / "models")


def test_the_profile_names_the_region_and_credentials(aws, tmp_path, monkeypatch):
    (tmp_path / "aws-config").write_text("[profile legacy]\nregion = eu-west-1\n")
    (tmp_path / "aws-credentials").write_text("[legacy]\naws_access_key_id = AKIALEGACY\naws_secret_access_key = secret\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name)
    session = migrate.open_session("legacy")
    assert (session.profile_name, session.region_name) == ("legacy", "eu-west-1")
    assert session.get_credentials().get_frozen_credentials().access_key == "AKIALEGACY"
    assert sdk_session(region="us-east-2").region_name == "us-east-2"


def test_an_unknown_profile_or_a_malformed_role_arn_is_refused_when_opened(aws, tmp_path):
    (tmp_path / "aws-config").write_text("[profile bad]\nrole_arn = not-an-arn\nsource_profile = bad\n")
    with pytest.raises(ProfileNotFound):
        migrate.open_session("nope")
    with pytest.raises(MigrationError, match="AWS profile 'bad' has role_arn = 'not-an-arn'"):
        migrate.open_session("bad")


def test_the_credentials_given_sign_the_requests(aws):
    with mock_aws():
        answer = moto_session(MANAGEMENT).client("sts").assume_role(RoleArn=f"arn:aws:iam::{MEMBER}:role/Reader", RoleSessionName="lzctl-test")
        identity = credentials_session(answer["Credentials"]).client("sts", region_name=HOME).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{MEMBER}:assumed-role/Reader/lzctl-test"
