"""The SDK internals the offline plan needs are all there; when Pulumi changes one, this says which."""

from __future__ import annotations

import gc

import pulumi
import pytest
from pulumi.output import Unknown
from pulumi.runtime import resource, rpc

from lzctl import sdk
from tests.helpers import run_mocked


def test_the_installed_pulumi_still_has_what_lzctl_sdk_uses():
    missing = sdk.problems()
    assert missing == [], f"pulumi {sdk.PULUMI_VERSION} changed internals lzctl/sdk.py relies on: " + "; ".join(missing)


def test_problems_names_an_sdk_check_for_unknowns_other_than_the_one_lzctl_sdk_repeats(monkeypatch):
    monkeypatch.setattr(rpc, "contains_unknowns", lambda value: False)
    assert [problem for problem in sdk.problems() if "contains_unknowns" in problem] == [
        "pulumi.runtime.rpc.contains_unknowns is not the one lzctl.sdk.contains_unknowns repeats (its source changed, or cannot be read):"
        " compare the two, then update SDK_CONTAINS_UNKNOWNS_SHA256"
    ]


def _self_containing() -> list:
    value: list = [1]
    value.append(value)
    return value


class _Mapping(dict):
    pass


class _Items(list):
    pass


_UNKNOWN = Unknown()
_SHARED = {"a": [1, 2]}


@pytest.mark.parametrize(
    "value",
    [
        None,
        "text",
        rpc.UNKNOWN,
        _UNKNOWN,
        {"a": 1, "b": [1, {"c": "x"}]},
        {"a": 1, "b": [1, {"c": _UNKNOWN}]},
        [[[_UNKNOWN]]],
        (_UNKNOWN,),
        {"a": (_UNKNOWN,)},
        _self_containing(),
        [_self_containing(), _UNKNOWN],
        [_SHARED, _SHARED, {"b": _UNKNOWN}],
        [],
        {},
        {_UNKNOWN: 1},
        {_UNKNOWN},
        frozenset([_UNKNOWN]),
        _Mapping(a=[_UNKNOWN]),
        _Items([{"a": _UNKNOWN}]),
    ],
)
def test_the_plans_check_for_unknowns_answers_as_the_sdks(value):
    assert sdk.contains_unknowns(value) is rpc.contains_unknowns(value)


def _cycles_left_by(check) -> int:
    collecting = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(100):
            check({"a": [1, {"b": 2}]})
        return gc.collect()
    finally:
        if collecting:
            gc.enable()


def test_the_plans_check_for_unknowns_leaves_no_garbage_cycles_where_the_sdks_leaves_one_per_call():
    assert (_cycles_left_by(sdk.contains_unknowns), _cycles_left_by(rpc.contains_unknowns) >= 100) == (0, True)


@pytest.mark.integration
def test_a_run_checks_for_unknowns_with_the_plans_check_and_puts_the_sdks_back_after():
    sdks, seen = rpc.contains_unknowns, []
    run_mocked(lambda: seen.append(rpc.contains_unknowns))
    assert (seen, rpc.contains_unknowns) == ([sdk.contains_unknowns], sdks)


@pytest.mark.integration
def test_a_run_that_fails_puts_the_sdks_check_for_unknowns_and_stack_traces_back():
    sdks = (rpc.contains_unknowns, resource._get_stack_trace)

    def program():
        raise RuntimeError("the program failed")

    with pytest.raises(RuntimeError, match="^the program failed$"):
        run_mocked(program)
    assert (rpc.contains_unknowns, resource._get_stack_trace) == sdks


@pytest.mark.integration
def test_the_outputs_of_a_run_check_their_values_with_the_plans_check(monkeypatch):
    checked = []

    def recording(value):
        checked.append(value)
        return sdk._unknown_within(value, set())

    monkeypatch.setattr(sdk, "contains_unknowns", recording)
    run_mocked(lambda: pulumi.Output.from_input({"checked": ["value"]}).apply(lambda value: value))
    assert {"checked": ["value"]} in checked
