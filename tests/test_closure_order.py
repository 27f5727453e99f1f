"""`lzctl diff` warns when an account is armed to close in the same change that suspends it (lzctl/closures.py)."""

from __future__ import annotations

import pytest

from lzctl import diff
from lzctl.render import to_json
from tests.helpers import example_data, plan_document, plan_step, shared_plan, write_config

STACK = "urn:pulumi:test::landing-zone::pulumi:pulumi:Stack::lz"
ACCOUNT = "aws:organizations/account:Account"
WORKLOADS, SUSPENDED = "ou-a1b2-11111111", "ou-a1b2-22222222"


def account(parent: str, close: bool, type_: str = ACCOUNT):
    return plan_step(type_, "shop-dev-account", STACK, {"name": "shop-dev", "parentId": parent, "closeOnDeletion": close})


@pytest.mark.parametrize(
    "old, new, warned",
    [
        (account(WORKLOADS, False), account(SUSPENDED, True), True),  # suspended and armed in one change
        (account(SUSPENDED, False), account(SUSPENDED, True), False),  # armed after it sat there
        (account(WORKLOADS, False), account(SUSPENDED, False), False),  # suspended alone
        (account(SUSPENDED, True), account(WORKLOADS, True), False),  # armed already: not armed by this change
        (account(WORKLOADS, False, "aws:iam/role:Role"), account(SUSPENDED, True, "aws:iam/role:Role"), False),  # not an account
    ],
)
def test_only_arming_while_moving_warns(old, new, warned):
    found = [w for w in diff.compare(plan_document(old), plan_document(new)).warnings if w.kind == "closure-order"]
    assert bool(found) is warned
    if warned:
        assert found[0].message.startswith(
            "shop-dev-account is armed to close (`closed: pending`) in the same change that moves it to another OU (`suspended: true`)"
        )


@pytest.mark.integration
def test_the_example_suspended_and_armed_in_one_edit_warns_and_in_two_does_not(tmp_path, example_documents):
    def planned(name, **dev):
        data = example_data()
        data["applications"]["shop"].setdefault("accounts", {})["dev"] = dev
        return to_json(shared_plan("management", write_config(tmp_path / name, data)))

    suspended, armed = planned("suspended", suspended=True), planned("armed", suspended=True, closed="pending")
    at_once = [w.message for w in diff.compare(example_documents["management"], armed).warnings if w.kind == "closure-order"]
    assert len(at_once) == 1 and at_once[0].startswith("shop-dev-account is armed to close")
    assert not [w for w in diff.compare(suspended, armed).warnings if w.kind == "closure-order"]
