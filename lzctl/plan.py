"""`lzctl plan`: the real `__main__.py`, run offline under mocks, with the stack's own config."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Optional

from lzctl.mocks import LandingZoneMocks
from lzctl.runtime import Plan, run_program
from lzctl.stackfile import PROJECT_ROOT, read_stack
from stacks.shared import MANAGEMENT_STACK


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
    if config_dir is not None:
        config[f"{settings.project}:configDir"] = str(Path(config_dir).resolve())
    else:
        configured = Path(config.get(f"{settings.project}:configDir", "config"))
        config[f"{settings.project}:configDir"] = str(project_dir / configured)
    main = project_dir / "__main__.py"
    return run_program(
        lambda: runpy.run_path(str(main), run_name="__main__"),
        project=settings.project,
        stack=stack,
        config=config,
        secret_keys=settings.secret_keys,
        mocks=LandingZoneMocks(references),
    )
