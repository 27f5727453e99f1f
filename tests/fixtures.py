"""The fixtures the test modules share: the example config, mutated copies of it, and the example's
plan of each stack (a pytest plugin: tests/conftest.py `PLUGINS`)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Callable

import pytest

import config
from lzctl import cli, commands
from lzctl.commands import default_stacks
from lzctl.render import to_json
from lzctl.runtime import Plan
from tests.helpers import EXAMPLE_DIR, example_data, shared_plan, write_config


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
