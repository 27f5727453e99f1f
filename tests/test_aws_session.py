"""lzctl/aws_session.py: every AWS SDK session shares the process's botocore Loader, and boto3 still
resolves profiles, regions and credentials as it would alone."""

from __future__ import annotations

import sys

import boto3
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


@pytest.mark.parametrize("data_path", [None, "models"])
def test_an_unknown_profile_or_a_malformed_role_arn_is_refused_when_opened(aws, tmp_path, monkeypatch, data_path):
    # AWS_DATA_PATH set: boto3 reads no profile before the first client, which would raise it there.
    if data_path:
        monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path / data_path))
    (tmp_path / "aws-config").write_text("[profile bad]\nrole_arn = not-an-arn\nsource_profile = bad\n")
    with pytest.raises(ProfileNotFound, match=r"The config profile \(nope\) could not be found"):
        migrate.open_session("nope")
    with pytest.raises(MigrationError, match="AWS profile 'bad' has role_arn = 'not-an-arn'"):
        migrate.open_session("bad")


@pytest.mark.integration
def test_the_credentials_given_sign_the_requests(aws):
    with mock_aws():
        answer = moto_session(MANAGEMENT).client("sts").assume_role(RoleArn=f"arn:aws:iam::{MEMBER}:role/Reader", RoleSessionName="lzctl-test")
        identity = credentials_session(answer["Credentials"]).client("sts", region_name=HOME).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{MEMBER}:assumed-role/Reader/lzctl-test"


def _resolved(session) -> tuple:
    """What boto3 resolved: profile, region, the credential provider, the keys where they are static
    (an assumed role or SSO would call AWS for them), and the first folder searched for models."""
    credentials = session.get_credentials()
    static = credentials is not None and credentials.method in ("shared-credentials-file", "custom-process", "explicit")
    loader = session._session.get_component("data_loader")
    return (
        session.profile_name,
        session.region_name,
        credentials and credentials.method,
        credentials.get_frozen_credentials().access_key if static else None,
        loader.search_paths[0],
    )


def _profiles(tmp_path, monkeypatch) -> None:
    process = tmp_path / "process.py"
    process.write_text('print(\'{"Version": 1, "AccessKeyId": "AKIAPROCESS", "SecretAccessKey": "s"}\')\n')
    (tmp_path / "aws-config").write_text(
        "[default]\nregion = eu-central-1\n"
        "[profile keys]\nregion = us-west-2\n"
        f"[profile process]\ncredential_process = {sys.executable} {process}\nregion = ap-south-1\n"
        "[profile chain]\nrole_arn = arn:aws:iam::123456789012:role/Reader\nsource_profile = keys\n"
        "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\nregion = eu-west-3\n"
        "[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://example.awsapps.com/start\n"
        f"[profile models]\ndata_path = {tmp_path / 'models'}\n"
    )
    (tmp_path / "aws-credentials").write_text("[keys]\naws_access_key_id = AKIAKEYS\naws_secret_access_key = s\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_DATA_PATH"):
        monkeypatch.delenv(name, raising=False)


CUSTOMER_MODELS = botocore.loaders.Loader.CUSTOMER_DATA_PATH
PROFILES = [
    # (environment, profile, what boto3 resolves: profile, region, provider, static key, first model folder)
    ({}, "keys", ("keys", "us-west-2", "shared-credentials-file", "AKIAKEYS", CUSTOMER_MODELS)),
    # credential_process runs the command: a process of its own.
    pytest.param({}, "process", ("process", "ap-south-1", "custom-process", "AKIAPROCESS", CUSTOMER_MODELS), marks=pytest.mark.slow),
    ({}, "chain", ("chain", None, "assume-role", None, CUSTOMER_MODELS)),
    ({}, "sso", ("sso", "eu-west-3", "sso", None, CUSTOMER_MODELS)),
    ({}, "models", ("models", None, None, None, "{tmp}/models")),
    ({"AWS_PROFILE": "process"}, "keys", ("keys", "us-west-2", "shared-credentials-file", "AKIAKEYS", CUSTOMER_MODELS)),
    ({"AWS_DEFAULT_REGION": "sa-east-1"}, "sso", ("sso", "sa-east-1", "sso", None, CUSTOMER_MODELS)),
    ({"AWS_DATA_PATH": "{tmp}/env-models"}, "models", ("models", None, None, None, "{tmp}/env-models")),
    ({"AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "s"}, "keys", ("keys", "us-west-2", "shared-credentials-file", "AKIAKEYS", CUSTOMER_MODELS)),
]


@pytest.mark.parametrize("environment, profile, expected", PROFILES)
def test_a_profile_resolves_as_boto3_alone_resolves_it(aws, tmp_path, monkeypatch, environment, profile, expected):
    _profiles(tmp_path, monkeypatch)
    for name, value in environment.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    expected = tuple(value.format(tmp=tmp_path) if isinstance(value, str) else value for value in expected)
    assert _resolved(migrate.open_session(profile)) == expected
    assert _resolved(boto3.Session(profile_name=profile)) == expected


CREDENTIALS = [
    # (environment, what boto3 resolves around AssumeRole's keys: the default profile, or AWS_PROFILE's)
    ({}, ("default", "eu-central-1", "explicit", "AKIAMEMBER", CUSTOMER_MODELS)),
    ({"AWS_PROFILE": "keys"}, ("keys", "us-west-2", "explicit", "AKIAMEMBER", CUSTOMER_MODELS)),
    ({"AWS_PROFILE": "models", "AWS_DEFAULT_REGION": "sa-east-1"}, ("models", "sa-east-1", "explicit", "AKIAMEMBER", "{tmp}/models")),
    ({"AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "s"}, ("default", "eu-central-1", "explicit", "AKIAMEMBER", CUSTOMER_MODELS)),
]


@pytest.mark.parametrize("environment, expected", CREDENTIALS)
def test_credentials_given_resolve_as_boto3_alone_resolves_them(aws, tmp_path, monkeypatch, environment, expected):
    _profiles(tmp_path, monkeypatch)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    expected = tuple(value.format(tmp=tmp_path) if isinstance(value, str) else value for value in expected)
    keys = {"AccessKeyId": "AKIAMEMBER", "SecretAccessKey": "s", "SessionToken": "t"}
    assert _resolved(credentials_session(keys)) == expected
    alone = boto3.Session(aws_access_key_id="AKIAMEMBER", aws_secret_access_key="s", aws_session_token="t")
    assert _resolved(alone) == expected
