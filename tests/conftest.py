"""The test session: the guards of the quick and unit runs, the collector, the run's folder of shared
plans, and the guards and shared fixtures (PLUGINS), which only a process that runs tests loads: the
xdist controller hands the tests out, and importing the program and the SDKs there cost about 1.5 s
of wall time before the workers even started."""

from __future__ import annotations

import gc
import os
import shutil
import tempfile

import pytest

from disk_cache import CACHE_DIR_ENV
from tests.session import SHARED_PLANS_ENV

PLUGINS = ("tests.session", "tests.fixtures", "tests.migrate_fixtures", "tests.doctor_fixtures", "pytester")
"""The guards, and the fixtures the test modules share without importing them by name: the example
and its plans, the migrate tests' (fake credentials, AWS managed policies in moto), the doctor
tests', and pytest's own `pytester` (for the guards' own test)."""

_SHARED_PLANS = pytest.StashKey[str]()


def _runs_tests(config) -> bool:
    """Anything but the xdist controller, which hands the tests out (pytest-xdist's own test of its
    distribution mode), unless it collects the tests itself: to list them or their fixtures."""
    controller = not hasattr(config, "workerinput") and config.getoption("dist", "no") != "no" and bool(config.getoption("tx", None))
    lists = config.getoption("collectonly") or config.getoption("showfixtures") or config.getoption("show_fixtures_per_test")
    return not controller or bool(lists)


def pytest_configure(config):
    # cfn-lint's and parliament's verdicts (disk_cache.py) in pytest's own cache folder rather than the
    # user's: shared by the xdist workers and the CLI subprocesses, emptied by --cache-clear.
    cache = getattr(config, "cache", None)
    if cache is not None:
        os.environ.setdefault(CACHE_DIR_ENV, str(cache.mkdir("lzctl")))
    if _runs_tests(config):
        for plugin in PLUGINS:
            config.pluginmanager.import_plugin(plugin)
    # One folder of shared plans per run, made before the xdist workers start (they inherit it) and
    # never reused: a plan kept from an earlier run could be of other code.
    if not hasattr(config, "workerinput"):
        config.stash[_SHARED_PLANS] = os.environ[SHARED_PLANS_ENV] = tempfile.mkdtemp(prefix="lz-shared-plans-")


def pytest_unconfigure(config):
    folder = config.stash.get(_SHARED_PLANS, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(SHARED_PLANS_ENV, None)


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
    if not session.config.pluginmanager.has_plugin("tests.session"):
        raise pytest.UsageError("this process runs tests without the guards of tests/session.py: see `_runs_tests` in tests/conftest.py")
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
