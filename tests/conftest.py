"""Shared fixtures: the example config, mutated copies of it, and the example's plan of each stack."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Callable

import pytest

import config
from config.conformance_pack import CACHE_DIR_ENV
from lzctl.commands import default_stacks, plan_stacks
from lzctl.plan import plan_stack
from lzctl.render import to_json
from lzctl.runtime import Plan
from tests.helpers import EXAMPLE_DIR, example_data, write_config

# The migrate and doctor tests' fixtures (moto-backed AWS, Stubbers, managed policies), shared without importing them by name.
pytest_plugins = ["tests.migrate_fixtures", "tests.doctor_fixtures"]


def pytest_configure(config):
    # cfn-lint's verdicts (config/conformance_pack.py) in pytest's own cache folder rather than the
    # user's: shared by the xdist workers and the CLI subprocesses, emptied by --cache-clear.
    cache = getattr(config, "cache", None)
    if cache is not None:
        os.environ.setdefault(CACHE_DIR_ENV, str(cache.mkdir("lzctl")))


@pytest.fixture
def config_dir(tmp_path) -> Callable[[Callable[[dict], None]], Path]:
    """`config_dir(mutate)`: a config folder holding the example changed by `mutate(data)`."""

    def make(mutate: Callable[[dict], None] = lambda data: None) -> Path:
        data = copy.deepcopy(example_data())
        mutate(data)
        return write_config(tmp_path / "config", data)

    return make


@pytest.fixture(scope="session")
def example() -> config.LandingZone:
    return config.load(EXAMPLE_DIR, refuse_example_domains=False)


# Each plan of the example is made once per session (per xdist worker) and shared; the audit and
# log stacks get the management plan they read instead of planning it again (plan_stack would).
# A test must not change a shared plan.


@pytest.fixture(scope="session")
def management_plan() -> Plan:
    return plan_stack("management")


@pytest.fixture(scope="session")
def audit_plan(management_plan) -> Plan:
    return plan_stack("audit", management=management_plan)


@pytest.fixture(scope="session")
def log_plan(management_plan) -> Plan:
    return plan_stack("log", management=management_plan)


@pytest.fixture(scope="session")
def example_documents(management_plan, audit_plan, log_plan) -> dict[str, dict]:
    """Stack -> `plan --json` document of every stack of the example, the management stack first."""
    plans = {"management": management_plan, "audit": audit_plan, "log": log_plan}
    return {stack: to_json(plans.get(stack) or plan_stack(stack, management=management_plan)) for stack in default_stacks()}


@pytest.fixture(scope="session")
def without_control_tower_plans(tmp_path_factory) -> dict[str, Plan]:
    """Stack -> the plan of the example with Control Tower off, every stack, the management stack first."""
    data = example_data()
    data.setdefault("guardrails", {})["control_tower"] = {"enabled": False}
    stacks = default_stacks()
    return dict(zip(stacks, plan_stacks(stacks, write_config(tmp_path_factory.mktemp("ct-off"), data)), strict=True))
