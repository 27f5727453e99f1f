"""run_program (lzctl/runtime.py) and the cyclic collector: a run leaves it as the caller had it."""

from __future__ import annotations

import gc

import pulumi
import pytest

from tests.helpers import run_mocked

pytestmark = pytest.mark.integration


# The suite runs with the collector off (tests/conftest.py), so without this no test would take
# run_program's branch for a caller that has it on (a library caller, `python -m tests.golden`).
@pytest.mark.parametrize("collecting", [True, False])
def test_a_run_collects_at_its_end_only_when_the_collector_is_on_and_leaves_it_as_it_found_it(collecting):
    was, collections = gc.isenabled(), []

    def count(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    (gc.enable if collecting else gc.disable)()
    gc.callbacks.append(count)
    try:
        run_mocked(lambda: pulumi.Output.from_input({"a": [1]}).apply(lambda value: value))
        enabled = gc.isenabled()
    finally:
        gc.callbacks.remove(count)
        (gc.enable if was else gc.disable)()
    # On, the collector may also run by itself around the run, off it runs not at all.
    assert (enabled, 2 in collections, bool(collections)) == (collecting, collecting, collecting)
