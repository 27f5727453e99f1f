"""Per-environment application secrets: the names `applications.<app>.secrets` gives, checked against
the values the stack's secret config holds (issue 10 item 17).

The values live in one structured Pulumi secret, `appSecrets`, set leaf by leaf:

    pulumi config set --secret --path 'appSecrets.<app>.<env>.<NAME>' <value>

so the stack file holds `appSecrets: {<app>: {<env>: {<NAME>: {secure: ...}}}}`, encrypted per leaf.
Only the names reach this module: which (app, env, NAME) are set. Phase 2 of the config check
(config/resolve.py) refuses every missing one with the command that sets it, with the config's
other problems at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

import names
from config.issues import ConfigIssue
from config.model import PipelineSpec

Fail = Callable[..., None]
Warn = Callable[[str], None]
Leaf = tuple[str, str, str]
"""(application, environment, secret name)."""


def command(app: str, env: str, name: str) -> str:
    """The command that sets one value (quoted: the path is one shell word)."""
    return f"pulumi config set --secret --path '{names.app_secret_path(app, env, name)}' <value>"


@dataclass(frozen=True)
class GivenSecrets:
    """What the stack's `appSecrets` holds, by name only: no value enters the config check."""

    file: str
    """The stack file (`Pulumi.<stack>.yaml`), for messages."""
    key: str
    """The qualified config key, `<project>:appSecrets`."""
    leaves: frozenset[Leaf]
    """Every (application, environment, name) with a value."""


def is_secure(value: Any) -> bool:
    """A value as a stack file holds an encrypted one: `{secure: <ciphertext>}`."""
    return isinstance(value, dict) and set(value) == {"secure"} and isinstance(value["secure"], str) and bool(value["secure"])


def leaves(value: Any, file: str, key: str, is_leaf: Callable[[Any], bool]) -> tuple[dict[Leaf, Any], list[ConfigIssue]]:
    """The `appSecrets` value walked to its leaves, and its shape problems: three levels of mappings
    (application, environment, name), each leaf what `is_leaf` accepts (a string in the program,
    `{secure: ...}` in a stack file)."""
    found: dict[Leaf, Any] = {}
    issues: list[ConfigIssue] = []
    levels = ("applications", "environments", "secret names")
    example = command("<app>", "<env>", "<NAME>")

    def walk(node: Any, path: tuple[str, ...]) -> None:
        where = ".".join((key, *path))
        if len(path) == 3:
            if is_leaf(node):
                found[path] = node
            else:
                issues.append(ConfigIssue(file, where, "not a secret value", None, f"set it again: {command(*path)}"))
            return
        if not isinstance(node, dict):
            issues.append(ConfigIssue(file, where, f"must be a mapping of {levels[len(path)]}", None, f"set each value with {example}"))
            return
        for child, item in node.items():
            walk(item, (*path, str(child)))

    if isinstance(value, dict) and set(value) == {"secure"}:
        # `pulumi config set --secret appSecrets '{...}'` (no --path): one ciphertext for the whole key. Refused in
        # lzctl and in the program alike (stacks/secrets.py reads the stack file too): offline there is no key to
        # decrypt it, so lzctl could not tell which values are set, and one value could not be set or rotated alone.
        issues.append(
            ConfigIssue(
                file,
                key,
                "one secure value for the whole key (set without --path): lzctl cannot see which values it holds",
                None,
                f"remove it (pulumi config rm {names.APP_SECRETS}), then set each value on its own path: {example}",
            )
        )
        return found, issues
    walk(value, ())
    return found, issues


def check_app_secrets(pipelines: Iterable[PipelineSpec], given: Optional[GivenSecrets], fail: Fail, warn: Warn) -> None:
    """Every name of every deploy environment has a value; a value no application names is a warning."""
    if given is None:
        return
    wanted = {(p.application, env, name) for p in pipelines for env in p.branches.values() for name in p.secrets}
    for app, env, name in sorted(wanted - given.leaves):
        fail(
            f"{given.key}.{app}.{env}.{name}",
            f"missing secret: applications.{app}.secrets names {name}, the {env} environment's value",
            None,
            command(app, env, name),
            file=given.file,
        )
    for app, env, name in sorted(given.leaves - wanted):
        warn(
            f"{given.file}: {given.key}.{app}.{env}.{name} is set, but no deploy environment of an application names it: "
            f"remove it (pulumi config rm --path '{names.app_secret_path(app, env, name)}') or add it to applications.{app}.secrets"
        )
