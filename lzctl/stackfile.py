"""Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` into the config the Pulumi CLI would hand the program,
refusing what the Pulumi CLI or the program would refuse, or misread, with every problem at once.

Pulumi's file formats: https://www.pulumi.com/docs/iac/concepts/projects/project-file/ (name: letters,
digits, hyphens, underscores and periods; runtime; typed config declarations) and
https://www.pulumi.com/docs/iac/concepts/config/ (`secure:` values), checked 2026-12. The program's
own keys are `stacks.settings`.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import names
from config import ConfigError, ConfigIssue
from config.app_secrets import is_secure, leaves
from config.yamlfile import parse_yaml
from names import STACKS
from stacks.settings import ROLE, SETTINGS, problem


def _project_root() -> Path:
    """The Pulumi project lzctl works on: the current folder when it holds Pulumi.yaml (as the
    pulumi CLI does, so an installed `lzctl` works in a checkout), else the one this code is in."""
    here = Path.cwd()
    # exists(), not is_file(): a Pulumi.yaml here that is not a file is refused, not passed over.
    return here if (here / PROJECT_FILE).exists() else Path(__file__).resolve().parent.parent


PROJECT_FILE = "Pulumi.yaml"
PROJECT_ROOT = _project_root()
OFFLINE_PLACEHOLDER = "offline-plan-placeholder"
"""What a secret reads as in the offline plan: a `secure:` value (offline there is no key to decrypt
it) or one the stack file lacks. Masked like any secret; tests check it never prints."""
PROJECT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
"""Stack names as `pulumi stack init` takes them (the file is Pulumi.<stack>.yaml)."""
CONFIG_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list}
SUBJECT = "Pulumi project or stack file"
PROVIDER_NAMESPACES = ("pulumi", "aws", "github", "slack", "pulumiservice")
"""Config namespaces of the engine and this program's providers; a key of the program's in any other
(`other:role`) is one the program never reads, e.g. after the project was renamed."""


@dataclass(frozen=True)
class StackSettings:
    project: str
    stack: str
    config: dict[str, str]
    """Fully qualified key -> value, non-strings JSON-encoded as the CLI passes them."""
    secret_keys: list[str]
    """Keys whose values are secrets (masked in the plan)."""


def _encode(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def stack_file(stack: str, project_dir: Path = PROJECT_ROOT) -> Path:
    return project_dir / f"Pulumi.{stack}.yaml"


def stacks_in(project_dir: Path = PROJECT_ROOT) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))


def _parse(path: Path, allow_empty: bool = False) -> dict:
    try:
        data, issues = parse_yaml(path, allow_empty)
    except ConfigError as err:
        raise ConfigError(list(err.issues), SUBJECT) from None
    if issues:
        raise ConfigError(issues, SUBJECT)
    return data


def _read_project(path: Path) -> tuple[str, dict[str, Any], list[ConfigIssue]]:
    """(project name, config declarations, issues) of Pulumi.yaml."""
    data = _parse(path)
    file, issues = str(path), []
    name = data.get("name")
    if not isinstance(name, str) or not PROJECT_NAME.match(name):
        issues.append(
            ConfigIssue(file, "name", "the project needs a name of 1-100 letters, digits, hyphens, underscores and periods", name, "e.g. name: landing-zone")
        )
        name = None
    runtime = data.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        issues.append(
            ConfigIssue(file, "runtime", "this program runs on the python runtime", runtime_name, "runtime: {name: python, options: {virtualenv: .venv}}")
        )
    declared = data.get("config") or {}
    if not isinstance(declared, dict):
        issues.append(ConfigIssue(file, "config", "must be a mapping of config keys to declarations", type(declared).__name__))
        declared = {}
    for key, spec in declared.items():
        if not isinstance(spec, dict):
            continue  # a plain value: the key's default
        kind = CONFIG_TYPES.get(spec.get("type", "string"))
        if kind is None:
            issues.append(ConfigIssue(file, f"config.{key}.type", "unknown config type", spec.get("type"), f"one of: {', '.join(CONFIG_TYPES)}"))
        elif "default" in spec and not (isinstance(spec["default"], kind) and not (kind is int and isinstance(spec["default"], bool))):
            issues.append(ConfigIssue(file, f"config.{key}.default", f"the default is not of the declared type {spec.get('type', 'string')}", spec["default"]))
    return name, declared, issues


def _known_key(project: str, key: str) -> str | None:
    """The program's key `key` names (`landing-zone:role` or `role`), None for another namespace."""
    namespace, _, short = key.rpartition(":")
    return short if namespace in ("", project) else None


def _app_secrets(file: str, key: str, value: Any, role: Any) -> tuple[list[ConfigIssue], str]:
    """(issues, the value as the offline plan reads it) of `appSecrets`: every leaf `secure:`, each
    read as the placeholder (offline there is no key to decrypt it)."""
    found, issues = leaves(value, file, key, is_secure)
    setting = SETTINGS[names.APP_SECRETS]
    if role in names.STACKS and role not in setting.stacks:
        issues.append(ConfigIssue(file, key, f"has no effect on the {role} stack (only {', '.join(setting.stacks)} reads it)", None, "remove it"))
    offline: dict = {}
    for app, env, name in found:
        offline.setdefault(app, {}).setdefault(env, {})[name] = OFFLINE_PLACEHOLDER
    return issues, json.dumps(offline)


def _check_value(file: str, key: str, short: str, value: Any, declared: dict, role: Any) -> tuple[list[ConfigIssue], bool]:
    """(issues, is a secret) of one stack-file value of the program's namespace."""
    is_secure = isinstance(value, dict) and "secure" in value
    if is_secure and (set(value) != {"secure"} or not isinstance(value["secure"], str) or not value["secure"]):
        return [
            ConfigIssue(
                file, key, "a secure value is `secure: <ciphertext>` and nothing else", None, f"set it again: `pulumi config set --secret {short} <value>`"
            )
        ], True
    if short not in SETTINGS:
        if short in declared:
            return [], is_secure
        close = difflib.get_close_matches(short, list(SETTINGS) + list(declared), n=1)
        return [
            ConfigIssue(file, key, "this program reads no such key", None, f"did you mean {close[0]}?" if close else f"known: {', '.join(SETTINGS)}")
        ], is_secure
    wrong = problem(short, value, secret=is_secure, role=role if isinstance(role, str) else None)
    if wrong is None:
        return [], is_secure
    shown = None if is_secure or SETTINGS[short].secret else value
    return [ConfigIssue(file, key, wrong[0], shown, wrong[1])], is_secure


def read_stack(stack: str, project_dir: Path = PROJECT_ROOT) -> StackSettings:
    """Project defaults first, then the stack file's values, as `pulumi config` resolves them."""
    path = stack_file(stack, project_dir)
    if not STACK_NAME.match(stack):
        raise ConfigError(
            [ConfigIssue(str(path), "", f"not a stack name: {stack!r}", None, "stack names are letters, digits, hyphens, underscores and periods")], SUBJECT
        )
    project, declared, issues = _read_project(project_dir / PROJECT_FILE)
    if not path.exists():
        known = ", ".join(stacks_in(project_dir)) or "none"
        raise ConfigError([*issues, ConfigIssue(str(path), "", f"unknown stack {stack!r}", None, f"stacks in this project: {known}")], SUBJECT)
    data = _parse(path, allow_empty=True)
    section = data.get("config") or {}
    if not isinstance(section, dict):
        issues.append(ConfigIssue(str(path), "config", "must be a mapping of config keys to values", type(section).__name__))
        section = {}
    if project is None:
        raise ConfigError(issues, SUBJECT)
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, spec in declared.items():
        if isinstance(spec, dict) and ("default" in spec or "value" in spec):
            values[f"{project}:{key}"] = _encode(spec.get("value", spec.get("default")))
        elif not isinstance(spec, dict):
            values[f"{project}:{key}"] = _encode(spec)
    for key, secret in SETTINGS.items():
        if secret.secret and f"{project}:{key}" in values:
            issues.append(
                ConfigIssue(
                    str(project_dir / PROJECT_FILE),
                    f"config.{key}",
                    "a plaintext secret in the project file",
                    None,
                    f"remove it and run `pulumi config set --secret {key} <value>`",
                )
            )
    role = next((v for k, v in section.items() if _known_key(project, k) == ROLE), None)
    for key, value in section.items():
        short = _known_key(project, key)
        qualified = key if ":" in key else f"{project}:{key}"
        if short is None:
            namespace, _, name = key.rpartition(":")
            if name in SETTINGS and namespace not in PROVIDER_NAMESPACES:
                issues.append(
                    ConfigIssue(
                        str(path),
                        key,
                        f"the namespace {namespace} is not this project's",
                        None,
                        f"Pulumi.yaml names the project {project}: use {project}:{name}",
                    )
                )
            values[qualified] = _encode(value)
            continue
        if short == names.APP_SECRETS:
            found, values[qualified] = _app_secrets(str(path), qualified, value, role)
            issues += found
            secret_keys.append(qualified)
            continue
        found, is_secure = _check_value(str(path), qualified, short, value, declared, role)
        issues += found
        if is_secure:
            values[qualified] = OFFLINE_PLACEHOLDER  # encrypted: offline there is no key to decrypt it
            secret_keys.append(qualified)
        else:
            values[qualified] = _encode(value)
    if stack in STACKS and f"{project}:{ROLE}" not in values:
        # The program refuses a stack without a role too (stacks/__init__.py), but only once it runs;
        # other stacks may be other programs' (lzctl plans any project).
        issues.append(
            ConfigIssue(
                str(path),
                f"{project}:{ROLE}",
                f"missing: it says what this stack builds ({', '.join(STACKS)})",
                None,
                f"run `pulumi config set {ROLE} {stack} --stack {stack}`",
            )
        )
    if issues:
        raise ConfigError(issues, SUBJECT)
    return StackSettings(project, stack, values, secret_keys)
