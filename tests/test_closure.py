"""Closing accounts: nothing closes without `closed`, only a suspended account closes, in two
`pulumi up`s, and never more than AWS's CloseAccount quota (config/closure_checks.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

import config
import rules
from config.closure_checks import check_closures, close_quota, recent_closures
from config.model import AccountSpec
from lzctl import review
from lzctl.plan import resolved_config
from lzctl.plan import views as plan_views
from names import CLOSING_OUTPUT, OTHER_ACCOUNTS_OUTPUT
from rules.core import STACK_TYPE
from tests.helpers import setter, shared_plan, shared_run

ACCOUNT = "aws:organizations/account:Account"
PROVIDER = "pulumi:providers:aws"
TODAY = date.today()
SHOP_DEV_EMAIL = "aws+shop-dev@example.com"
PROTECTED = rules.RULES[[rule.id for rule in rules.RULES].index("LZ-ACCOUNT-PROTECTED")]


def shop_dev(**account):
    return setter("applications.shop.accounts", {"dev": account})


def planned(config_dir, mutate):
    plan, errors = shared_run(config_dir(mutate))
    assert errors == []
    return plan


def accounts_by_name(plan) -> dict:
    return {r.name: r for r in plan.of_type(ACCOUNT)}


@pytest.mark.parametrize(
    "members, quota",
    [(0, 250), (13, 250), (1250, 250), (1254, 250), (1255, 251), (4999, 999), (5000, 1000), (20000, 1000)],
)
def test_close_quota_is_the_higher_of_250_and_a_fifth_of_the_members_at_most_1000(members, quota):
    assert close_quota(members) == quota


@pytest.mark.parametrize(
    "days_ago, counted",
    [(0, True), (29, True), (30, False), (90, False), (-1, False)],
)
def test_a_closure_counts_for_30_days_from_its_date(days_ago, counted):
    day = TODAY - timedelta(days=days_ago)
    assert recent_closures([day], TODAY) == ([day] if counted else [])


@pytest.mark.integration
def test_a_suspended_account_is_never_closed(config_dir):
    account = accounts_by_name(planned(config_dir, shop_dev(suspended=True)))["shop-dev-account"]
    assert (account.protect, account.inputs["closeOnDeletion"]) == (True, False)


@pytest.mark.integration
def test_the_example_closes_nothing(management_plan):
    assert {(r.protect, r.inputs["closeOnDeletion"]) for r in management_plan.of_type(ACCOUNT)} == {(True, False)}


@pytest.mark.integration
def test_pending_arms_only_that_account_and_says_what_the_two_steps_do(config_dir):
    plan = planned(config_dir, shop_dev(suspended=True, closed="pending"))
    armed = {name: (r.protect, r.inputs["closeOnDeletion"]) for name, r in accounts_by_name(plan).items()}
    assert armed.pop("shop-dev-account") == (False, True)
    assert set(armed.values()) == {(True, False)}
    # Unprotected, it could be replaced: nothing that forces a replacement is diffed any more.
    ignored = {name: r.ignore_changes for name, r in accounts_by_name(plan).items()}
    assert ignored.pop("shop-dev-account") == ("roleName", "email", "name", "iamUserAccessToBilling")
    assert set(ignored.values()) == {("roleName",)}
    assert (
        "shop-dev is armed for closure (closed: pending): this `pulumi up` records it unprotected with close_on_deletion and "
        "closes nothing; the next, with `closed: <that day's date>`, closes it through Organizations CloseAccount. Run "
        "`python -m lzctl doctor --stack management --profile P --closing shop-dev` first: closure is permanent after 90 days "
        "(only AWS Support can reopen an account within them)"
    ) in plan.warnings


@pytest.mark.integration
def test_a_dated_closure_leaves_the_account_out_of_the_plan(config_dir):
    closed_on = TODAY - timedelta(days=3)
    directory = config_dir(shop_dev(suspended=True, closed=closed_on))
    landing_zone = config.load(directory, refuse_example_domains=False)
    assert [a.key for a in landing_zone.closed_accounts] == ["shop-dev"]
    assert "shop-dev" not in {a.key for a in landing_zone.accounts}
    plan, errors = shared_run(directory)
    assert errors == []
    assert "shop-dev-account" not in accounts_by_name(plan)
    assert "shop-stg-account" in accounts_by_name(plan)
    assert not [r for r in plan.of_type(PROVIDER) if r.name == "shop-dev-provider"]
    permanent = closed_on + timedelta(days=90)
    assert any(
        w.startswith(f"shop-dev is closed (closed: {closed_on}) and left out of the plan") and f"permanently closed on {permanent}" in w for w in plan.warnings
    )


def test_an_old_closure_stays_on_record_without_a_warning(config_dir):
    landing_zone = config.load(config_dir(shop_dev(suspended=True, closed=TODAY - timedelta(days=91))), refuse_example_domains=False)
    assert [a.closed_on for a in landing_zone.closed_accounts] == [TODAY - timedelta(days=91)]
    assert not [w for w in landing_zone.warnings if w.startswith("shop-dev")]


@pytest.mark.integration
def test_the_rule_exempts_the_armed_account_the_stack_exports(config_dir):
    plan, _ = shared_run(config_dir(shop_dev(suspended=True, closed="pending")))
    assert plan.outputs[CLOSING_OUTPUT] == [SHOP_DEV_EMAIL]
    assert PROTECTED.run(plan_views(plan)) == []
    # A pack that sees no stack outputs blocks, unless its policy config names the account.
    unexported = [view for view in plan_views(plan) if view.type != STACK_TYPE]
    urn = accounts_by_name(plan)["shop-dev-account"].urn
    assert [(v.urn, v.message) for v in PROTECTED.run(unexported)] == [
        (urn, "must be protect=True: deleting it from the program would detach or close an account"),
        (urn, "closeOnDeletion must be off: accounts are retired to the suspended OU and closed only with `closed` in the config"),
    ]
    assert PROTECTED.run(unexported, {"closing": [SHOP_DEV_EMAIL]}) == []


@pytest.mark.integration
def test_a_config_that_closes_nothing_exports_no_exception(management_plan):
    assert CLOSING_OUTPUT not in management_plan.outputs


def test_the_exception_never_lets_an_armed_account_be_detached():
    unarmed = rules.ResourceView(ACCOUNT, "urn:a", {"email": "Aws+Shop-Dev@example.com", "closeOnDeletion": False}, protect=False)
    assert [v.message for v in PROTECTED.run([unarmed], {"closing": [SHOP_DEV_EMAIL]})] == [
        "is armed for closure but closeOnDeletion is off: deleting it would remove the account from the organisation, not close it"
    ]
    organization = rules.ResourceView("aws:organizations/organization:Organization", "urn:o", {"email": SHOP_DEV_EMAIL}, protect=False)
    assert [v.urn for v in PROTECTED.run([organization], {"closing": [SHOP_DEV_EMAIL]})] == ["urn:o"]


def workload(n: int, closing: bool = False, closed_on=None) -> tuple[str, AccountSpec]:
    suspended = closing or closed_on is not None
    spec = AccountSpec(
        key=f"app{n}-dev",
        name=f"app{n}-dev",
        email=f"aws+app{n}@corp.test",
        ou="suspended",
        application=f"app{n}",
        environment="dev",
        suspended=suspended,
        closing=closing,
        closed_on=closed_on,
    )
    return f"applications.app{n}.accounts.dev", spec


def closures(accounts) -> tuple[list, list]:
    issues, warnings = [], []
    check_closures(accounts, TODAY, lambda *issue, **more: issues.append(issue), warnings.append)
    return issues, warnings


def test_as_many_closures_as_the_quota_are_accepted():
    accounts = [workload(n, closing=n < 250) for n in range(300)]
    assert closures(accounts)[0] == []


def test_more_closures_than_the_quota_are_refused_with_the_numbers():
    long_ago = TODAY - timedelta(days=40)
    recently = TODAY - timedelta(days=10)
    accounts = [
        *(workload(n, closed_on=long_ago) for n in range(5)),
        *(workload(n, closed_on=recently) for n in range(5, 105)),
        *(workload(n, closing=True) for n in range(105, 256)),
        *(workload(n) for n in range(256, 300)),
    ]
    issues, _ = closures(accounts)
    assert issues == [
        (
            "applications.app255.accounts.dev.closed",
            f"251 account closures within a rolling 30 days (100 closed since {TODAY - timedelta(days=29)}, 151 pending), "
            "over the 250 AWS allows an organisation of 195 member accounts",
            None,
            "CloseAccount allows the higher of 250 and 20 % of the member accounts, at most 1,000, per rolling 30 days "
            "(https://docs.aws.amazon.com/organizations/latest/APIReference/API_CloseAccount.html); the plan counts only this "
            "config's closures (accounts closed by hand or by another tool count too): set the others back to `suspended` alone; "
            f"the window frees a place on {recently + timedelta(days=30)}",
        )
    ]


def test_a_config_closing_more_than_the_quota_is_refused(config_dir):
    def close_many(data):
        for n in range(251):
            data["applications"][f"old{n}"] = {"environments": ["dev"], "accounts": {"dev": {"suspended": True, "closed": "pending"}}}

    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(close_many), refuse_example_domains=False)
    assert [(issue.path, issue.message) for issue in caught.value.issues] == [
        (
            "applications.old250.accounts.dev.closed",
            "251 account closures within a rolling 30 days (251 pending), over the 250 AWS allows an organisation of 259 member accounts",
        )
    ]


@pytest.mark.integration
def test_the_review_marks_the_armed_and_the_closed_accounts(config_dir):
    closed_on = TODAY - timedelta(days=2)
    folder = config_dir(
        setter("applications.shop.accounts", {"dev": {"suspended": True, "closed": "pending"}, "stg": {"suspended": True, "closed": closed_on}})
    )
    plan = shared_plan("management", folder)
    lines = review.review(plan, resolved_config("management", folder), plan.warnings, []).splitlines()
    suspended = lines.index("  └─ Suspended (suspended)")
    # Over 100 columns, an account's notes wrap under its key.
    under = " " * len("     · shop-dev  ")
    assert lines[suspended + 1 : suspended + 5] == [
        "     · shop-dev  'shop-dev'  aws+shop-dev@example.com  [suspended]",
        f"{under}[armed for closure: unprotected, close_on_deletion]",
        "     · shop-stg  'shop-stg'  aws+shop-stg@example.com  [suspended]",
        f"{under}[closed on {closed_on}: left out, so pulumi up closes it]",
    ]


@pytest.mark.integration
def test_the_account_quota_counts_recently_closed_accounts_and_those_outside_the_config(config_dir):
    def mutate(data):
        shop_dev(suspended=True, closed=TODAY - timedelta(days=3))(data)
        setter("applications.shop.accounts.stg", {"suspended": True, "closed": TODAY - timedelta(days=91)})(data)  # no longer counted
        data["organization"]["unmanaged_accounts"] = 3

    plan = planned(config_dir, mutate)
    # 6 member accounts planned, shop-dev closed 3 days ago, 3 the config does not hold, management: 11 of 10.
    assert plan.outputs[OTHER_ACCOUNTS_OUTPUT] == 4
    [violation] = rules.RULES[[rule.id for rule in rules.RULES].index("AWS-ORG-ACCOUNT-QUOTA")].run(plan_views(plan))
    assert violation.message.startswith(
        "6 member accounts, 4 accounts outside the plan (closed within 90 days or not in the config) and the management account make 11, "
        "over the organisation's quota of 10"
    )


@pytest.mark.integration
def test_a_config_closing_nothing_exports_no_count_of_accounts_outside_the_plan(management_plan):
    assert OTHER_ACCOUNTS_OUTPUT not in management_plan.outputs
