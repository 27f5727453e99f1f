"""`lzctl init DIR`: a starting config from a few answers, which plans at once."""

from __future__ import annotations

import pytest

import config
from lzctl.cli import main
from tests.helpers import shared_plan

ANSWERS = ["--management-account-id", "111122223333", "--email-domain", "acme.co.jp", "--applications", "shop", "api"]


@pytest.mark.integration
def test_the_written_config_plans_at_once_with_only_its_yaml(tmp_path, capsys):
    folder = tmp_path / "mine"
    assert main(["init", str(folder), *ANSWERS]) == 0
    assert capsys.readouterr().out == f"wrote {folder / 'landing-zone.yaml'}; next: python -m lzctl plan --stack management --config {folder}\n"
    assert [p.name for p in folder.iterdir()] == ["landing-zone.yaml"]
    landing_zone = config.load(folder)  # a real domain: accepted as for a real `pulumi up`
    assert [a.key for a in landing_zone.accounts] == ["audit", "log", "shop-dev", "shop-stg", "shop-prod", "api-dev", "api-stg", "api-prod"]
    assert landing_zone.account("api-prod").email == "aws+api-prod@acme.co.jp" and landing_zone.account("api-prod").ou == "prod"
    plan = shared_plan("management", folder)
    assert plan.named("shop-prod-account").inputs["email"] == "aws+shop-prod@acme.co.jp"


@pytest.mark.parametrize(
    "change, expected",
    [
        (["--management-account-id", "1111"], "--management-account-id: an AWS account id is 12 digits (got '1111')"),
        (["--email-domain", "ops@acme.co.jp"], "--email-domain: a mail domain such as example.co.jp, lowercase, without '@' (got 'ops@acme.co.jp')"),
        (["--home-region", "mars-1"], "--home-region: not an AWS region (got 'mars-1'); e.g. ap-northeast-1"),
        (["--applications", "Shop"], "--applications: 'Shop' is not a key: 2-32 of a-z, 0-9 and '-', starting with a letter, not ending with '-'"),
        (["--applications", "shop", "shop"], "--applications: each name once"),
    ],
)
def test_bad_answers_exit_2_and_write_nothing(tmp_path, capsys, change, expected):
    answers = dict(zip(ANSWERS[0:6:2], ANSWERS[1:6:2], strict=True))
    argv = [item for key, value in answers.items() if key != change[0] for item in (key, value)]
    folder = tmp_path / "mine"
    assert main(["init", str(folder), *argv, *(["--applications", "shop"] if change[0] != "--applications" else []), *change]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == f"lzctl init: 1 problem, nothing written\n  - {expected}\n"
    assert not folder.exists()


def test_an_existing_config_is_never_overwritten(tmp_path, capsys):
    (tmp_path / "landing-zone.yaml").write_text("mine")
    assert main(["init", str(tmp_path), *ANSWERS]) == 2
    assert f"{tmp_path / 'landing-zone.yaml'}: already exists; init never overwrites a config" in capsys.readouterr().err
    assert (tmp_path / "landing-zone.yaml").read_text() == "mine"


def test_answers_that_are_valid_alone_but_not_together_exit_2_and_write_nothing(tmp_path, capsys):
    """A 32-character key and a long domain each pass, but make a root e-mail over AWS's 64."""
    folder = tmp_path / "mine"
    app = "a" * 32
    argv = ["init", str(folder), "--management-account-id", "111122223333", "--email-domain", "longer-company-name.example.co.jp", "--applications", app]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("lzctl init: 3 problems, nothing written\n")
    assert (
        f"  - applications.{app}.accounts.prod.email: root e-mail is 75 characters, over the 64 Organizations accepts (CreateAccount Email) (use a shorter address or organization.account_email_template)"
        in err
    )
    assert not folder.exists()
