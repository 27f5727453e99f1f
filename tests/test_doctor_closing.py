"""`lzctl doctor --closing KEY` against a moto organisation, its log archive bucket and a Cost Explorer Stubber."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.doctor_fixtures import doctor_run, statuses
from tests.helpers import HOME, MANAGEMENT, moto_session

pytestmark = pytest.mark.integration

CLOSING = ["credentials", "closing-marked", "closing-placement", "closing-spend", "closing-logs"]


def _organisation(world, config_dir, *, suspended: bool, parked: bool, logged: bool):
    org = world.management.client("organizations")
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root = org.list_roots()["Roots"][0]["Id"]
    suspended_ou = org.create_organizational_unit(ParentId=root, Name="Suspended")["OrganizationalUnit"]["Id"]
    shop_dev = org.create_account(AccountName="shop-dev", Email="aws+shop-dev@example.com")["CreateAccountStatus"]["AccountId"]
    log = org.create_account(AccountName="Log Archive", Email="aws+log@example.com")["CreateAccountStatus"]["AccountId"]
    if parked:
        org.move_account(AccountId=shop_dev, SourceParentId=root, DestinationParentId=suspended_ou)
    bucket = f"aws-controltower-logs-{log}-{HOME}"
    s3 = moto_session(log).client("s3")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": HOME})
    today = datetime.now(timezone.utc).date()
    if logged:
        s3.put_object(Bucket=bucket, Key=f"{org_id}/AWSLogs/{org_id}/{shop_dev}/CloudTrail/{HOME}/{today:%Y/%m/%d}/{shop_dev}_CloudTrail.json.gz", Body=b"{}")
    # An old log only: the first key after the 7-day cut-off lies outside the account's prefix.
    s3.put_object(Bucket=bucket, Key=f"{org_id}/AWSLogs/{org_id}/{shop_dev}/CloudTrail/{HOME}/2020/01/01/old.json.gz", Body=b"{}")
    data_dir = config_dir(lambda d: d["applications"]["shop"].update(accounts={"dev": {"suspended": suspended}}))
    period = {"Start": (today - timedelta(days=30)).isoformat(), "End": today.isoformat()}
    expected = {
        "TimePeriod": period,
        "Granularity": "MONTHLY",
        "Metrics": ["UnblendedCost"],
        "Filter": {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [shop_dev]}},
    }
    return data_dir, shop_dev, log, org_id, suspended_ou, root, expected, period


def _costs(period: dict, amount: str) -> dict:
    return {"ResultsByTime": [{"TimePeriod": period, "Total": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}}, "Estimated": True}]}


def test_a_parked_quiet_logged_account_can_be_closed(world, management_plan, config_dir, capsys):
    data_dir, shop_dev, log, org_id, suspended_ou, _, expected, period = _organisation(world, config_dir, suspended=True, parked=True, logged=True)
    world.stub("ce").add_response("get_cost_and_usage", _costs(period, "0.0000001"), expected)
    code, out, _ = doctor_run(capsys, world, management_plan, data_dir, "--closing", "shop-dev")
    assert code == 0
    assert out.splitlines()[0] == f"doctor (closing shop-dev) of the management account {MANAGEMENT}, stack management, profile 'mgmt':"
    assert statuses(out) == dict.fromkeys(CLOSING, "PASS")
    assert f"PASS closing-placement: shop-dev ({shop_dev}) is ACTIVE in the suspended OU Suspended ({suspended_ou})." in out
    assert f"PASS closing-spend: shop-dev ({shop_dev}) cost nothing from {period['Start']} to {period['End']}." in out
    assert f"PASS closing-logs: the log archive holds CloudTrail logs of shop-dev ({shop_dev}) since" in out
    assert f"under s3://aws-controltower-logs-{log}-{HOME}/{org_id}/AWSLogs/{org_id}/{shop_dev}/." in out


def test_an_account_not_parked_still_spending_and_not_logged_fails_each_check(world, management_plan, config_dir, capsys):
    data_dir, shop_dev, _, _, suspended_ou, root, expected, period = _organisation(world, config_dir, suspended=False, parked=False, logged=False)
    world.stub("ce").add_response("get_cost_and_usage", _costs(period, "12.3456"), expected)
    code, out, _ = doctor_run(capsys, world, management_plan, data_dir, "--closing", "shop-dev")
    assert code == 4
    assert statuses(out) == {"credentials": "PASS", **dict.fromkeys(CLOSING[1:], "FAIL")}
    assert f"FAIL closing-marked: shop-dev is not marked suspended in {data_dir / 'landing-zone.yaml'}." in out
    assert f"FAIL closing-placement: shop-dev ({shop_dev}) sits in {root}, not in the suspended OU Suspended ({suspended_ou})." in out
    assert f"FAIL closing-spend: shop-dev ({shop_dev}) cost 12.35 USD from {period['Start']} to {period['End']}." in out
    assert f"FAIL closing-logs: no CloudTrail log of shop-dev ({shop_dev}) since" in out and "(ap-northeast-1, us-east-1)" in out
    assert out.splitlines()[-1] == "4 of 5 checks failed (exit 4); fix them and run the doctor again."


def test_closing_json_names_the_account_and_the_actions(world, management_plan, config_dir, capsys):
    data_dir, _, _, _, _, _, expected, period = _organisation(world, config_dir, suspended=True, parked=True, logged=True)
    world.stub("ce").add_response("get_cost_and_usage", _costs(period, "0"), expected)
    code, out, _ = doctor_run(capsys, world, management_plan, data_dir, "--closing", "shop-dev", "--json")
    document = json.loads(out)
    assert (code, document["closing"], [c["id"] for c in document["checks"]]) == (0, "shop-dev", CLOSING)
    assert document["actions"] == [
        "ce:GetCostAndUsage",
        "organizations:DescribeOrganization",
        "organizations:ListAccounts",
        "organizations:ListOrganizationalUnitsForParent",
        "organizations:ListParents",
        "organizations:ListRoots",
        "s3:ListBucket",
        "sts:AssumeRole",
        "sts:GetCallerIdentity",
    ]


def test_an_account_the_config_has_closed_is_refused_with_where_it_stands(world, management_plan, config_dir, capsys):
    closed_on = datetime.now(timezone.utc).date()
    data_dir = config_dir(lambda d: d["applications"]["shop"].update(accounts={"dev": {"suspended": True, "closed": closed_on}}))
    code, out, err = doctor_run(capsys, world, management_plan, data_dir, "--closing", "shop-dev")
    assert (code, out) == (2, "")
    assert err.startswith(f"doctor: --closing shop-dev: {data_dir / 'landing-zone.yaml'} marks it closed on {closed_on}, so the program has let it go")
