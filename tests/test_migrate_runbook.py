"""`migrate runbook`, offline and `--live` against moto, and the verbs' shared handling of bad input."""

from __future__ import annotations

import re

import pytest
from moto import mock_aws

from lzctl import migrate
from tests.helpers import EXISTING, MANAGEMENT, FakeSession, Sessions, adopting_config, denied, moto_session, run, stubbed


def _marks(out: str) -> dict[int, str]:
    return {int(m.group(2)): m.group(1) for m in re.finditer(r"^(\[.\]) (\d)\. ", out, re.MULTILINE)}


def test_the_offline_runbook_lists_seven_steps_with_exact_commands(aws, capsys):
    config_dir = adopting_config(aws)
    code, out, err = run(capsys, config_dir, "runbook")
    assert (code, err) == (0, "")
    assert out.startswith(f"Migration runbook: account {EXISTING} becomes shop-prod in the organisation of {MANAGEMENT}\n")
    assert _marks(out) == {n: "[ ]" for n in range(1, 8)}
    # Step 1 builds only the organisation and its OUs: the account joins before it is imported.
    assert "    $ pulumi up --stack management --config landing-zone:phase=organization" in out.splitlines()
    assert "    $ pulumi config rm landing-zone:phase --stack management" in out.splitlines()
    suffix = f"--config {config_dir}"
    for command in (
        f"python -m lzctl migrate invite --account-id {EXISTING} --management-profile <management profile> {suffix}",
        f"python -m lzctl migrate accept --profile <profile of the existing account> {suffix}",
        f"python -m lzctl migrate place-account --account-id {EXISTING} --management-profile <management profile> {suffix}",
        f"python -m lzctl migrate prepare-account --profile <profile of the existing account> {suffix}",
        "pulumi preview --stack management",
        "pulumi up --stack management --parallel 5",
        "AWS_PROFILE=audit-bootstrap pulumi up --stack audit",
        "AWS_PROFILE=log-bootstrap pulumi up --stack log",
    ):
        assert f"    $ {command}\n" in out
    # Every Pulumi command names its stack: run from a project with three, none is implied.
    pulumi = [line for line in out.splitlines() if line.startswith("    $ ") and " pulumi " in f" {line[6:]}"]
    assert len(pulumi) == 10 and all(re.search(r"pulumi .*--stack (management|audit|log)\b", line) for line in pulumi)
    assert "    - the preview must show shop-prod as an import, not a create" in out
    # Before the first full `pulumi up`, the adopted account's own calls are replayed through the plan's guardrails.
    step3 = out.split("3. Security OU")[1].split("[ ] 4.")[0]
    assert step3.index(f"    $ python -m lzctl what-if --stack management --requests shop-prod-calls.jsonl {suffix}\n") < step3.index(
        "    $ pulumi preview --stack management\n"
    )
    assert "first replay shop-prod's last 30 days of CloudTrail through the plan (docs/migration.md, 'Before the first full pulumi up')" in step3
    assert "identity_center.migration_access" in out
    assert out.rstrip().endswith("add --live --profile P --management-profile M to have each step checked.")


@pytest.mark.integration
def test_the_live_runbook_marks_what_aws_shows_done(aws, capsys):
    config_dir = adopting_config(aws)
    with mock_aws():
        management = moto_session(MANAGEMENT)
        organizations = management.client("organizations")
        organizations.create_organization(FeatureSet="ALL")
        for name in ("audit", "log"):
            organizations.create_account(Email=f"aws+{name}@example.com", AccountName=name)
        existing = moto_session(EXISTING)
        existing.client("iam").create_user(UserName="ci-deploy")
        existing.client("iam").create_access_key(UserName="ci-deploy")
        sessions = Sessions(mgmt=management, legacy=existing)
        code, out, err = run(capsys, config_dir, "runbook", "--live", "--profile", "legacy", "--management-profile", "mgmt", sessions=sessions)
        assert (code, err) == (0, "")
        assert _marks(out) == {1: "[x]", 2: "[ ]", 3: "[x]", 4: "[ ]", 5: "[ ]", 6: "[-]", 7: "[ ]"}
        assert "    live: not checked from these two accounts: run its check\n" in out
        assert "    live: member: no; in its OU: no; AWSControlTowerExecution: missing\n" in out
        assert "    live: missing from the organisation: shop-dev, shop-stg; AWSControlTowerExecution in shop-prod: missing\n" in out
        assert "    live: 0 permission sets provisioned to shop-prod\n" in out
        assert "    live: 1 long-lived access keys remain; dev/stg leftovers: see `inventory`\n" in out
        assert out.rstrip().endswith("next: step 2.")

        existing.client("iam").delete_access_key(
            UserName="ci-deploy", AccessKeyId=existing.client("iam").list_access_keys(UserName="ci-deploy")["AccessKeyMetadata"][0]["AccessKeyId"]
        )
        sso, stubber = stubbed("sso-admin")
        denied(stubber, "list_instances")
        sessions = Sessions(mgmt=FakeSession(management, sso_admin=sso), legacy=existing)
        code, out, _ = run(capsys, config_dir, "runbook", "--live", "--profile", "legacy", "--management-profile", "mgmt", sessions=sessions)
    assert code == 0
    assert _marks(out)[5] == "[?]" and "    live: could not check: AccessDenied on ListInstances\n" in out
    assert _marks(out)[7] == "[x]"


def test_live_needs_both_profiles(aws, capsys):
    code, out, err = run(capsys, adopting_config(aws), "runbook", "--live", "--profile", "legacy")
    assert (code, out) == (2, "")
    assert (
        err
        == "migrate runbook: --live checks AWS with two profiles. Fix: pass --profile (the existing account) and --management-profile (the management account).\n"
    )


def test_a_config_without_existing_account_id_exits_2(aws, capsys):
    config_dir = adopting_config(aws, mutate=lambda d: d["applications"]["shop"].pop("accounts"))
    code, out, err = run(capsys, config_dir, "runbook")
    assert (code, out) == (2, "")
    assert err.startswith(
        "migrate runbook: no account in the config has `existing_account_id`, so there is no existing account to migrate. "
        'Fix: set `applications.<app>.accounts.prod.existing_account_id: "<12-digit id>"`'
    )


def test_an_unknown_profile_exits_2_with_how_to_create_it(aws, capsys):
    code, out, err = run(capsys, adopting_config(aws), "preflight", "--profile", "nope")
    assert (code, out) == (2, "")
    assert err == (
        "migrate preflight: AWS profile 'nope' is not configured (not in ~/.aws/config or ~/.aws/credentials). "
        "Create it with `aws configure sso --profile nope` (or `aws configure --profile nope`), or pass the name of a profile you have.\n"
    )


def test_an_invalid_config_exits_2_listing_its_problems(aws, capsys):
    config_dir = adopting_config(aws, mutate=lambda d: d["applications"]["shop"]["accounts"]["prod"].update(existing_account_id=MANAGEMENT))
    code, out, err = run(capsys, config_dir, "runbook")
    assert (code, out) == (2, "")
    assert err.startswith("invalid landing-zone config: 1 problem") and "the management account cannot be adopted as a member account" in err


def test_every_verb_is_registered_with_its_options(capsys):
    with pytest.raises(SystemExit) as exit_:
        migrate.main(["migrate", "--help"])
    assert exit_.value.code == 0
    listed = capsys.readouterr().out
    assert all(verb in listed for verb in migrate.VERBS) and list(migrate.VERBS) == [
        "runbook",
        "inventory",
        "preflight",
        "invite",
        "accept",
        "place-account",
        "prepare-account",
        "remove-root-credentials",
    ]
    with pytest.raises(SystemExit) as exit_:
        migrate.main(["migrate", "invite", "--account-id", EXISTING])
    assert exit_.value.code == 2 and "--management-profile" in capsys.readouterr().err
