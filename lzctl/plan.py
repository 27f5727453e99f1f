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
from config import CONFIG_FILE
from config.schema import LandingZoneConfig
from config.yamlfile import read_yaml
from lzctl.mocks import LandingZoneMocks
from lzctl.runtime import Plan, run_program
from lzctl.stackfile import OFFLINE_PLACEHOLDER, PROJECT_ROOT, StackSettings, read_stack
from names import HANDOFF_PATH, MANAGEMENT_STACK
from stacks import OFFLINE_PLAN
from stacks.secrets import SECRETS

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


def resolve_config_dir(settings: StackSettings, config_dir: Optional[Path] = None, project_dir: Path = PROJECT_ROOT) -> Path:
    """The folder of landing-zone.yaml: `config_dir` if given, else the stack's configDir under the project."""
    if config_dir is not None:
        return Path(config_dir).resolve()
    return project_dir / settings.config.get(f"{settings.project}:configDir", "config")


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
    parameters = {}
    if stack != MANAGEMENT_STACK and (project_dir / f"Pulumi.{MANAGEMENT_STACK}.yaml").is_file():
        parameters = handoff_parameters(management or plan_stack(MANAGEMENT_STACK, config_dir, project_dir))
    config = {**settings.config, f"{settings.project}:configDir": str(resolve_config_dir(settings, config_dir, project_dir))}
    config, secret_keys = offline_config(settings.project, config, settings.secret_keys)
    main = project_dir / "__main__.py"
    return run_program(
        lambda: runpy.run_path(str(main), run_name="__main__"),
        project=settings.project,
        stack=stack,
        config=config,
        secret_keys=secret_keys,
        mocks=LandingZoneMocks(parameters),
    )


def views(plan: Plan) -> list[rules.ResourceView]:
    """The plan as the policy and service rules see it."""
    return [rules.ResourceView(r.type, r.urn, r.inputs, r.protect, r.id, r.provider, r.dependencies) for r in plan.resources]


def rule_settings(stack: str, config_dir: Optional[Path] = None, project_dir: Path = PROJECT_ROOT) -> dict:
    """The policy rules' settings from the landing-zone config `stack` plans (its SCP size limit)."""
    directory = resolve_config_dir(read_stack(stack, project_dir), config_dir, project_dir)
    limits = LandingZoneConfig.model_validate(read_yaml(directory / CONFIG_FILE)).guardrails.limits
    return rules.settings_from(limits)
