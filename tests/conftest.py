"""Shared fixtures: the example config, mutated copies of it, and the example's plan of each stack."""

from __future__ import annotations

import copy
import gc
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import pytest

import config
from disk_cache import CACHE_DIR_ENV
from lzctl import cli, commands
from lzctl.commands import default_stacks
from lzctl.render import to_json
from lzctl.runtime import Plan
from tests.helpers import EMULATION, EXAMPLE_DIR, SHARED_PLANS_ENV, ProcessGuard, example_data, shared_plan, write_config

# The migrate and doctor tests' fixtures (moto-backed AWS, Stubbers, managed policies), shared without importing them by name.
pytest_plugins = ["tests.migrate_fixtures", "tests.doctor_fixtures"]


_SHARED_PLANS = pytest.StashKey[str]()


def pytest_configure(config):
    # cfn-lint's and parliament's verdicts (disk_cache.py) in pytest's own cache folder rather than the
    # user's: shared by the xdist workers and the CLI subprocesses, emptied by --cache-clear.
    cache = getattr(config, "cache", None)
    if cache is not None:
        os.environ.setdefault(CACHE_DIR_ENV, str(cache.mkdir("lzctl")))
    # One folder of shared plans per run, made before the xdist workers start (they inherit it) and
    # never reused: a plan kept from an earlier run could be of other code.
    config.pluginmanager.register(_EmulatingFixtures(), "lz-emulating-fixtures")
    if not hasattr(config, "workerinput"):
        config.stash[_SHARED_PLANS] = os.environ[SHARED_PLANS_ENV] = tempfile.mkdtemp(prefix="lz-shared-plans-")


def pytest_unconfigure(config):
    folder = config.stash.get(_SHARED_PLANS, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(SHARED_PLANS_ENV, None)


_GUARD = ProcessGuard()
_GUARD.install()
EMULATION.install()


# The suite takes charge of the cyclic collector, as the CLI does (lzctl/cli.py `run`; run_program
# then leaves it alone): off, with one collection after each test of what that test left, whose
# survivors are then frozen out of every later collection. With the collector's own schedule, its
# full sweeps went over everything alive (the SDKs, pydantic's validators, botocore's models, the
# shared plans) some 60 times a run: 23 s of the quick subset's 130 s of CPU, plus 13 s in the
# collections run_program made after each plan. Measured on tests/test_audit_stack.py,
# test_delivery.py, test_closure.py, test_organization_policies.py, test_adopt.py and
# test_migrate_preflight.py (-n0, two interleaved runs): 65-72 s of CPU before, 46-57 s after; the
# quick subset (two workers): 129 s of CPU, a worker's peak RSS 536 MB (520 MB before). What is
# frozen and later becomes cyclic garbage (a module-scoped fixture's objects after its module) stays.
@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    gc.collect()
    gc.freeze()
    gc.disable()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    try:
        return (yield)
    finally:
        gc.collect()
        gc.freeze()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    _GUARD.reset()
    EMULATION.reset()
    result = yield
    _guarded(item)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    _GUARD.reset()
    EMULATION.reset()
    result = yield
    _guarded(item)
    return result


class _EmulatingFixtures:
    """EMULATION's view of every fixture's setup. A plugin of its own: pytest calls a session-scoped
    fixture's setup hook through the session's hooks, which do not include this folder's conftest."""

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        before = EMULATION.fixture_starting()
        try:
            return (yield)
        finally:
            EMULATION.fixture_done(fixturedef, before)


@pytest.fixture
def process_guard() -> ProcessGuard:
    """The session's ProcessGuard (for its own tests)."""
    return _GUARD


def _guarded(item) -> None:
    # The fixture definitions the test has used so far, those it asked for by name at run time
    # (request.getfixturevalue) among them: pytest's own record of its request.
    fixtures = list(item._request._fixture_defs.values())
    problem = _GUARD.problem(item.get_closest_marker("slow") is not None) or EMULATION.problem(item.get_closest_marker("integration") is not None, fixtures)
    if problem:
        pytest.fail(f"{item.nodeid} {problem}", pytrace=False)


@pytest.fixture
def config_dir(tmp_path) -> Callable[[Callable[[dict], None]], Path]:
    """`config_dir(mutate)`: a config folder holding the example changed by `mutate(data)`."""

    def make(mutate: Callable[[dict], None] = lambda data: None) -> Path:
        data = copy.deepcopy(example_data())
        mutate(data)
        return write_config(tmp_path / "config", data)

    return make


@pytest.fixture
def cli_shared_plans(monkeypatch) -> None:
    """`lzctl.cli.main` in-process plans through `shared_plan` (tests/helpers.py): the CLI's
    handling of a plan without paying for the plan of a config another test planned already
    (the verbs of lzctl/cli.py and lzctl/commands.py)."""
    monkeypatch.setattr(cli, "plan_stack", shared_plan)
    monkeypatch.setattr(commands, "plan_stack", shared_plan)


@pytest.fixture(scope="session")
def example() -> config.LandingZone:
    return config.load(EXAMPLE_DIR, refuse_example_domains=False)


# Each plan of the example is made once per session (per xdist worker) and shared; the audit and
# log stacks get the management plan they read instead of planning it again (plan_stack would).
# A test must not change a shared plan.


@pytest.fixture(scope="session")
def management_plan() -> Plan:
    return shared_plan("management")


@pytest.fixture(scope="session")
def audit_plan(management_plan) -> Plan:
    return shared_plan("audit", management=management_plan)


@pytest.fixture(scope="session")
def log_plan(management_plan) -> Plan:
    return shared_plan("log", management=management_plan)


@pytest.fixture(scope="session")
def example_documents(management_plan, audit_plan, log_plan) -> dict[str, dict]:
    """Stack -> `plan --json` document of every stack of the example, the management stack first."""
    plans = {"management": management_plan, "audit": audit_plan, "log": log_plan}
    return {stack: to_json(plans.get(stack) or shared_plan(stack, management=management_plan)) for stack in default_stacks()}


@pytest.fixture(scope="session")
def without_control_tower_plans(tmp_path_factory) -> dict[str, Plan]:
    """Stack -> the plan of the example with Control Tower off, every stack, the management stack first."""
    data = example_data()
    data.setdefault("guardrails", {})["control_tower"] = {"enabled": False}
    folder = write_config(tmp_path_factory.mktemp("ct-off"), data)
    return {stack: shared_plan(stack, folder) for stack in default_stacks()}
