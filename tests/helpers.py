"""Helpers the tests share: the example config, writing configs, running programs under mocks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Optional

import yaml

import config
import stacks
from config import ConfigError
from lzctl.mocks import LandingZoneMocks
from lzctl.runtime import Plan, run_program

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_DIR = REPO / "config"


def example_data() -> dict:
    return yaml.safe_load((EXAMPLE_DIR / config.CONFIG_FILE).read_text())


def write_config(directory: Path, data: object) -> Path:
    """Write `data` as landing-zone.yaml beside a copy of the example's policy and pack files."""
    directory.mkdir(parents=True, exist_ok=True)
    for folder in (p for p in EXAMPLE_DIR.iterdir() if p.is_dir() and not p.name.startswith("__")):
        shutil.copytree(folder, directory / folder.name, dirs_exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    (directory / config.CONFIG_FILE).write_text(text)
    return directory


def run_mocked(program: Callable[[], None]) -> Plan:
    """Run `program` as a stack of its own under the landing-zone mocks."""
    return run_program(program, project="landing-zone", stack="test", mocks=LandingZoneMocks())


def run_management(config_dir: Path, role: str = "management"):
    errors = []

    def program():
        try:
            stacks.run()
        except ConfigError as err:
            errors.append(err)

    plan = run_program(
        program,
        project="landing-zone",
        stack="management",
        config={"landing-zone:role": role, "landing-zone:configDir": str(config_dir)},
        mocks=LandingZoneMocks(),
    )
    return plan, errors


def lzctl(*args: str, code: str | None = None) -> subprocess.CompletedProcess:
    """`python -m lzctl ARGS` (or `python -c CODE`) from the repository, as a user runs it."""
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "lzctl", *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)


def plan_step(type_: str, name: str, parent: str = "", inputs: Optional[dict] = None, **state) -> dict:
    """One step of a `plan --json` document, for synthetic plans: URN from type, name and parent type."""
    parent_types = parent.split("::")[2] + "$" if parent.count("::") >= 3 else ""
    urn = f"urn:pulumi:test::landing-zone::{parent_types}{type_}::{name}"
    new_state = {
        "type": type_, "urn": urn, "custom": True, "parent": parent, "provider": "", "protect": False,
        "inputs": inputs or {}, "dependencies": [], **state,
    }
    return {"op": "create", "urn": urn, "newState": new_state}


def plan_document(*steps: dict) -> dict:
    return {"steps": list(steps), "changeSummary": {"create": len(steps)}, "outputs": {}}
