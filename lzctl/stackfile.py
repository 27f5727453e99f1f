"""Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` into the config the Pulumi CLI would hand the program."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from config import ConfigError, ConfigIssue
from config.yamlfile import read_yaml


def _project_root() -> Path:
    """The Pulumi project lzctl works on: the current folder when it holds Pulumi.yaml (as the
    pulumi CLI does, so an installed `lzctl` works in a checkout), else the one this code is in."""
    here = Path.cwd()
    return here if (here / "Pulumi.yaml").is_file() else Path(__file__).resolve().parent.parent


PROJECT_ROOT = _project_root()
OFFLINE_PLACEHOLDER = "offline-plan-placeholder"
"""What a secret reads as in the offline plan: a `secure:` value (offline there is no key to decrypt
it) or one the stack file lacks. Masked like any secret; tests check it never prints."""


@dataclass(frozen=True)
class StackSettings:
    project: str
    stack: str
    config: dict[str, str]
    """Fully qualified key -> value, non-strings JSON-encoded as the CLI passes them."""
    secret_keys: list[str]
    """Keys whose values are secrets (masked in the plan)."""


def _qualify(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _encode(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _config_section(path: Path, data: dict) -> dict:
    section = data.get("config") or {}
    if not isinstance(section, dict):
        raise ConfigError([ConfigIssue(str(path), "config", "must be a mapping of config keys to values", type(section).__name__)])
    return section


def stacks_in(project_dir: Path = PROJECT_ROOT) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))


def read_stack(stack: str, project_dir: Path = PROJECT_ROOT) -> StackSettings:
    """Project defaults first, then the stack file's values, as `pulumi config` resolves them."""
    project_file = read_yaml(project_dir / "Pulumi.yaml")
    project = project_file["name"]
    stack_path = project_dir / f"Pulumi.{stack}.yaml"
    if not stack_path.is_file():
        known = ", ".join(stacks_in(project_dir)) or "none"
        raise ConfigError([ConfigIssue(str(stack_path), "", f"unknown stack {stack!r}", None, f"stacks in this project: {known}")])
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, spec in _config_section(project_dir / "Pulumi.yaml", project_file).items():
        if isinstance(spec, dict) and ("default" in spec or "value" in spec):
            values[_qualify(project, key)] = _encode(spec.get("value", spec.get("default")))
    for key, value in _config_section(stack_path, read_yaml(stack_path, allow_empty=True)).items():
        key = _qualify(project, key)
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[key] = OFFLINE_PLACEHOLDER  # encrypted: offline there is no key to decrypt it
            secret_keys.append(key)
        else:
            values[key] = _encode(value)
    return StackSettings(project, stack, values, secret_keys)
