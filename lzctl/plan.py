"""`lzctl plan`: the real `__main__.py`, run offline under mocks, with the stack's own config.

The program is told it runs offline, never left to guess: `offline_config` adds
`landing-zone:offlinePlan: true` (root e-mails at example domains become a warning) and a masked
placeholder for every secret the stack file does not set.
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Optional

import rules
from config import ConfigError, ConfigIssue, LandingZone
from config import load as load_config
from lzctl.mocks import LandingZoneMocks
from lzctl.runtime import STACK_TYPE, Plan, run_program
from lzctl.stackfile import OFFLINE_PLACEHOLDER, PROJECT_ROOT, SUBJECT, StackSettings, read_stack, stack_file
from names import AUDIT_STACK, HANDOFF_PATH, LOG_STACK, MANAGEMENT_STACK, STACKS
from stacks.secrets import SECRETS
from stacks.settings import CONFIG_DIR, OFFLINE_PLAN, ROLE

SSM_PARAMETER = "aws:ssm/parameter:Parameter"


def offline_config(project: str, config: dict[str, str], secret_keys: list[str]) -> tuple[dict[str, str], list[str]]:
    """`config` and its secret keys as the offline plan runs them (see the module docstring)."""
    config = {**config, f"{project}:{OFFLINE_PLAN}": "true"}
    secret_keys = list(secret_keys)
    for key in (f"{project}:{secret}" for secret in SECRETS):
        if key not in config:
            config[key] = OFFLINE_PLACEHOLDER
            secret_keys.append(key)
    return config, secret_keys


def _shown(path: Path) -> Path:
    """`path` relative to the current folder when inside it, so messages read `config/landing-zone.yaml`."""
    absolute = path.resolve()
    return absolute.relative_to(Path.cwd()) if absolute.is_relative_to(Path.cwd()) else absolute


def resolve_config_dir(settings: StackSettings, config_dir: Optional[Path] = None, project_dir: Path = PROJECT_ROOT) -> Path:
    """The folder of landing-zone.yaml: `config_dir` if given, else the stack's configDir under the project."""
    if config_dir is not None:
        if not Path(config_dir).is_dir():
            what = "a file, not a folder" if Path(config_dir).exists() else "no such folder"
            raise ConfigError([ConfigIssue("--config", "", f"{what}: {config_dir}", None, "give the folder that holds landing-zone.yaml")], "arguments")
        return _shown(Path(config_dir))
    key = f"{settings.project}:{CONFIG_DIR}"
    folder = project_dir / settings.config.get(key, "config")
    if key in settings.config and settings.config.get(f"{settings.project}:{ROLE}") in STACKS and not folder.is_dir():
        raise ConfigError(
            [
                ConfigIssue(
                    str(stack_file(settings.stack, project_dir)),
                    key,
                    "no such folder under the project",
                    settings.config[key],
                    "configDir is relative to Pulumi.yaml's folder",
                )
            ],
            SUBJECT,
        )
    return _shown(folder)


def _management_plan(config_dir: Optional[Path], project_dir: Path) -> Plan:
    """The management stack's plan, whose handoff parameters the audit and log stacks read."""
    path = stack_file(MANAGEMENT_STACK, project_dir)
    if not path.exists():
        raise ConfigError(
            [
                ConfigIssue(
                    str(path),
                    "",
                    "not found: the audit and log stacks read what the management stack writes, so lzctl plans it first",
                    None,
                    f"create it with {SETTINGS_KEY_HINT}",
                )
            ],
            SUBJECT,
        )
    settings = read_stack(MANAGEMENT_STACK, project_dir)
    role = settings.config.get(f"{settings.project}:{ROLE}")
    if role != MANAGEMENT_STACK:
        raise ConfigError([ConfigIssue(str(path), ROLE, "the management stack file must build the management stack", role, SETTINGS_KEY_HINT)], SUBJECT)
    return plan_stack(MANAGEMENT_STACK, config_dir, project_dir)


SETTINGS_KEY_HINT = f"config: {{landing-zone:{ROLE}: {MANAGEMENT_STACK}}}"


def handoff_parameters(management: Plan) -> dict[str, str]:
    """The SSM parameters the management plan writes for the audit and log stacks: name -> value.

    Every account that gets them gets the same values, so one name has one value.
    """
    return {r.inputs["name"]: r.inputs["insecureValue"] for r in management.of_type(SSM_PARAMETER) if r.inputs["name"].startswith(HANDOFF_PATH + "/")}


def plan_stack(stack: str, config_dir: Optional[Path] = None, project_dir: Path = PROJECT_ROOT, management: Optional[Plan] = None) -> Plan:
    """Plan `stack` as `pulumi preview` would, with `config_dir` in place of the stack's configDir.

    The audit and log stacks read what the management stack writes into their accounts (SSM
    parameters, delivery/handoff.py); offline the read is answered with the parameters of
    `management`, the plan of the management stack of the same config (planned first when not given).
    """
    settings = read_stack(stack, project_dir)
    folder = resolve_config_dir(settings, config_dir, project_dir)
    parameters = {}
    if settings.config.get(f"{settings.project}:{ROLE}") in (AUDIT_STACK, LOG_STACK):
        parameters = handoff_parameters(management or _management_plan(config_dir, project_dir))
    config = {**settings.config, f"{settings.project}:{CONFIG_DIR}": str(folder)}
    config, secret_keys = offline_config(settings.project, config, settings.secret_keys)
    main = project_dir / "__main__.py"
    return run_program(
        lambda: runpy.run_path(str(main), run_name="__main__"),
        project=settings.project,
        stack=stack,
        config=config,
        secret_keys=secret_keys,
        mocks=LandingZoneMocks(parameters),
        root=str(project_dir),
    )


def resolved_config(stack: str, config_dir: Optional[Path] = None, project_dir: Path = PROJECT_ROOT) -> LandingZone:
    """The resolved config the program builds `stack` from, as it loads it offline (for the review,
    which needs the config's keys; the plan holds only what the providers get)."""
    return load_config(resolve_config_dir(read_stack(stack, project_dir), config_dir, project_dir), refuse_example_domains=False)


def views(plan: Plan) -> list[rules.ResourceView]:
    """The plan as the policy and service rules see it: the stack itself with its outputs, as the
    policy pack sees it (they carry its guardrailLimits)."""
    return [
        rules.ResourceView(
            r.type, r.urn, plan.outputs if r.type == STACK_TYPE else r.inputs, r.protect, r.id, r.provider, r.dependencies, r.delete_before_replace
        )
        for r in plan.resources
    ]
