"""`lzctl doctor`'s config-service-role check: AWSServiceRoleForConfig in the accounts the plan records, against moto
member accounts reached through the access role; and its verdicts as a table."""

from __future__ import annotations

from datetime import date
from unittest import mock

import moto.organizations.utils
import pytest

import config
from lzctl.doctor import checks, verdicts
from lzctl.doctor.aws import Calls, ReadOnlySession
from lzctl.doctor.intent import intent_of
from lzctl.doctor.verdicts import FAIL, PASS, SKIP, ServiceRole
from tests.helpers import example_data, moto_session, shared_plan, write_config

ROLE_PATH = "/aws-service-role/config.amazonaws.com/"
TRUST = '{"Version":"2012-10-17","Statement":[]}'
SHOP_PROD_ID = "246813579024"
"""The id moto gives the adopted account: no other test's (moto keeps which organisation an account id belongs to
across mock_aws contexts, organizations_backends.master_accounts)."""


def _live(world, tmp_path, control_tower: bool, **prod):
    org = world.management.client("organizations")
    org.create_organization(FeatureSet="ALL")
    # moto draws a created account's id at random: one id here, so the tests of one config share its plan.
    with mock.patch.object(moto.organizations.utils, "make_random_account_id", return_value=SHOP_PROD_ID):
        account_id = org.create_account(AccountName="Shop Production", Email="aws-root@acme-corp.co.jp")["CreateAccountStatus"]["AccountId"]
    assert account_id == SHOP_PROD_ID, "moto no longer draws account ids through utils.make_random_account_id: the tests plan apart"
    data = example_data()
    data.setdefault("guardrails", {})["control_tower"] = {"enabled": control_tower}
    data["applications"]["shop"]["accounts"] = {"prod": {"existing_account_id": account_id, "name": "Shop Production", **prod}}
    directory = write_config(tmp_path / "config", data)
    intent = intent_of(shared_plan("management", directory), config.load(directory, refuse_example_domains=False))
    return checks.Live(intent, ReadOnlySession(world.management, Calls()), "mgmt", world.opened, date(2026, 12, 2)), account_id


def _role(account_id: str, tags: dict[str, str] | None = None, description: str = "") -> None:
    moto_session(account_id).client("iam").create_role(
        RoleName="AWSServiceRoleForConfig",
        Path=ROLE_PATH,
        AssumeRolePolicyDocument=TRUST,
        Description=description,
        Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    )


# The tags the account's provider sets by default (components/account.py: the account's tags), which an
# import of the role compares as tagsAll.
PROD_TAGS = {"managed-by": "landing-zone", "app": "shop", "env": "prod"}


@pytest.mark.integration
def test_an_existing_role_the_plan_would_create_fails_with_the_config_fix(world, tmp_path):
    live, account_id = _live(world, tmp_path, control_tower=False)
    _role(account_id)
    outcome = checks.config_service_role(live)
    assert outcome.status == FAIL
    assert outcome.finding == f"AWSServiceRoleForConfig exists in shop-prod ({account_id}); missing in none"
    assert outcome.advice.startswith(
        f"shop-prod ({account_id}): the plan creates the role, which IAM refuses where it exists; set `existing_config_service_role: true` on shop-prod"
    )
    assert "iam:GetRole" in live.session.calls.actions and "sts:AssumeRole" in live.session.calls.actions


@pytest.mark.integration
def test_an_existing_role_the_plan_imports_passes_when_it_has_the_providers_tags(world, tmp_path):
    live, account_id = _live(world, tmp_path, control_tower=False, existing_config_service_role=True)
    _role(account_id, PROD_TAGS)
    assert live.intent.config_roles[account_id] == f"arn:aws:iam::{account_id}:role{ROLE_PATH}AWSServiceRoleForConfig"
    assert dict(live.intent.config_role_inputs[account_id].tags) == PROD_TAGS
    outcome = checks.config_service_role(live)
    assert (outcome.status, outcome.advice) == (PASS, "the plan imports the role where it exists and creates it where it is missing")


WHERE = "--role-name AWSServiceRoleForConfig --profile <a profile in {account}>"
FIRST = "(to make AWS match first instead: aws iam {verb} " + WHERE


@pytest.mark.integration
@pytest.mark.parametrize(
    "tags, description, changes",
    [
        (
            None,
            None,
            "tags: the program sets app=shop, env=prod, managed-by=landing-zone "
            + FIRST.replace("{verb}", "tag-role")
            + " --tags Key=app,Value=shop Key=env,Value=prod Key=managed-by,Value=landing-zone)",
        ),
        (
            {**PROD_TAGS, "owner": "ops"},
            "made by hand",
            "tags: it has owner, which the program does not set "
            + FIRST.replace("{verb}", "untag-role")
            + " --tag-keys owner (the config has no field for them)); description: it has 'made by hand', which the program does not set "
            + FIRST.replace("{verb}", "update-role")
            + " --description '')",
        ),
    ],
)
def test_an_imported_role_that_differs_passes_saying_what_the_first_up_changes_after_the_import(world, tmp_path, tags, description, changes):
    live, account_id = _live(world, tmp_path, control_tower=False, existing_config_service_role=True)
    _role(account_id, *([tags, description] if tags else []))
    outcome = checks.config_service_role(live)
    assert (outcome.status, outcome.advice) == (
        PASS,
        "the plan imports the role where it exists and creates it where it is missing; "
        f"shop-prod ({account_id}): the first `pulumi up` imports the role and then updates it to the program's inputs: "
        + changes.replace("{account}", account_id),
    )


@pytest.mark.integration
def test_a_missing_role_the_plan_imports_fails(world, tmp_path):
    live, account_id = _live(world, tmp_path, control_tower=False, existing_config_service_role=True)
    outcome = checks.config_service_role(live)
    assert outcome.status == FAIL and outcome.finding == f"AWSServiceRoleForConfig exists in none; missing in shop-prod ({account_id})"
    assert "the plan imports a role that does not exist, so the import fails; remove `existing_config_service_role` from shop-prod" in outcome.advice


@pytest.mark.integration
def test_with_control_tower_on_an_existing_role_is_listed_only(world, tmp_path):
    live, account_id = _live(world, tmp_path, control_tower=True)
    _role(account_id)
    assert live.intent.config_roles == {}
    outcome = checks.config_service_role(live)
    assert (outcome.status, outcome.finding) == (PASS, f"AWSServiceRoleForConfig exists in shop-prod ({account_id}); missing in none")
    assert outcome.advice.startswith("with Control Tower on the program creates no AWSServiceRoleForConfig")


def test_the_flag_needs_an_adopted_account(tmp_path):
    data = example_data()
    data["applications"]["shop"]["accounts"] = {"prod": {"existing_config_service_role": True}}
    with pytest.raises(config.ConfigError, match="only an adopted account \\(existing_account_id\\) has a service-linked role to import"):
        config.load(write_config(tmp_path / "c", data), refuse_example_domains=False)


CREATES = ServiceRole("shop-prod (210987654321)", "shop-prod", True, "")
IMPORTS = ServiceRole("shop-prod (210987654321)", "shop-prod", True, "arn:aws:iam::210987654321:role/x")
NEW = ServiceRole("shop-dev (111122223333)", "shop-dev", False, "")
GONE = ServiceRole("shop-dev (111122223333)", "shop-dev", False, "arn:aws:iam::111122223333:role/x")
DIFFERS = ServiceRole("shop-prod (210987654321)", "shop-prod", True, "arn:aws:iam::210987654321:role/x", (("description: it has 'x'", "aws iam update-role"),))
BY_HAND = ("audit (444455556666)", "aws iam get-role --role-name AWSServiceRoleForConfig --profile <profile of audit>")


@pytest.mark.parametrize(
    "control_tower, read, unreachable, status, text",
    [
        (False, (), (), PASS, "no existing account for the program or Control Tower to record"),
        (False, (IMPORTS, NEW), (), PASS, "exists in shop-prod (210987654321); missing in shop-dev (111122223333)"),
        (False, (CREATES,), (), FAIL, "set `existing_config_service_role: true` on shop-prod"),
        (False, (GONE,), (), FAIL, "remove `existing_config_service_role` from shop-dev"),
        (False, (DIFFERS, NEW), (), PASS, "shop-prod (210987654321): the first `pulumi up` imports the role and then updates it"),
        (False, (DIFFERS, GONE), (), FAIL, "shop-prod (210987654321): the first `pulumi up` imports the role and then updates it"),
        (False, (CREATES,), (BY_HAND,), FAIL, "Not checked: audit (444455556666): `aws iam get-role"),
        (False, (IMPORTS,), (BY_HAND,), SKIP, "could not assume a role in the others"),
        (True, (CREATES,), (), PASS, "the program creates no AWSServiceRoleForConfig"),
    ],
)
def test_config_service_role_verdicts(control_tower, read, unreachable, status, text):
    outcome = verdicts.config_service_role(control_tower, read, unreachable)
    assert outcome.status == status and text in outcome.finding + outcome.advice
