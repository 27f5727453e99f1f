"""Shared fixtures: the example config, mutated copies of it, and the example's plan of each stack."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Callable

import pytest

import config
from lzctl.commands import default_stacks, plan_stacks
from lzctl.plan import plan_stack
from lzctl.render import to_json
from lzctl.runtime import Plan
from tests.helpers import EXAMPLE_DIR, example_data, write_config

# The migrate and doctor tests' fixtures (moto-backed AWS, Stubbers, managed policies), shared without importing them by name.
pytest_plugins = ["tests.migrate_fixtures", "tests.doctor_fixtures"]


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


@pytest.fixture(scope="session")
def management_plan() -> Plan:
    return plan_stack("management")


@pytest.fixture(scope="session")
def example_documents() -> dict[str, dict]:
    """Stack -> `plan --json` document of every stack of the example, the management stack first."""
    stacks = default_stacks()
    return {stack: to_json(plan) for stack, plan in zip(stacks, plan_stacks(stacks), strict=True)}


@pytest.fixture(scope="session")
def audit_plan() -> Plan:
    return plan_stack("audit")


@pytest.fixture(scope="session")
def log_plan() -> Plan:
    return plan_stack("log")
