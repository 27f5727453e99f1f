"""`lzctl plan`: the real `__main__.py`, run offline under mocks, with the stack's own config."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Optional

import rules
from config import CONFIG_FILE
from config.loader import read_yaml
from config.schema import LandingZoneConfig
from lzctl.mocks import LandingZoneMocks
from lzctl.runtime import Plan, run_program
from lzctl.stackfile import PROJECT_ROOT, StackSettings, read_stack
from names import MANAGEMENT_STACK


def resolveresolve_config_dir(settings: StackSettings, config_dir: Optional[Path] = None, project_dir: Path = PROJECT_ROOT) -> Path:
    """The folder of landing-zone.yaml: `config_dir` if given, else the stack's configDir under the project."""
    if config_dir is not None:
        return Path(config_dir).resolve()
    return project_dir / settings.config.get(f"{settings.project}:configDir", "config")


def plan_stack(stack: str, config_dir: Optional[Path] = None, project_dir: Path = PROJECT_ROOT) -> Plan:
    """Plan `stack` as `pulumi preview` would, with `config_dir` in place of the stack's configDir.

    The audit and log stacks read the management stack's outputs through a StackReference; offline
    those outputs come from planning the management stack of the same config first.
    """
    settings = read_stack(stack, project_dir)
    references = {}
    if stack != MANAGEMENT_STACK and (project_dir / f"Pulumi.{MANAGEMENT_STACK}.yaml").is_file():
        references[MANAGEMENT_STACK] = plan_stack(MANAGEMENT_STACK, config_dir, project_dir).outputs
    config = dict(settings.config)
    config[f"{settings.project}:configDir"] = str(resolveresolve_config_dir(settings, config_dir, project_dir))
    main = project_dir / "__main__.py"
    return run_program(
        lambda: runpy.run_path(str(main), run_name="__main__"),
        project=settings.project,
        stack=stack,
        config=config,
        secret_keys=settings.secret_keys,
        mocks=LandingZoneMocks(references),
    )


def rule_settings(stack: str, config_dir: Optional[Path] = None, project_dir: Path = PROJECT_ROOT) -> dict:
    """The policy rules' settings from the landing-zone config `stack` plans (its SCP size limit)."""
    directory = resolve_config_dir(read_stack(stack, project_dir), config_dir, project_dir)
    limits = LandingZoneConfig.model_validate(read_yaml(directory / CONFIG_FILE)).guardrails.limits
    return rules.settings_from(limits)
