"""The stack config keys this program reads (`landing-zone:<key>`): what each is, its type, the values
it takes, whether it must be a secret. One home: `lzctl plan` checks stack files against it before
running anything, and the program itself refuses an unknown phase or role in a real run.
"""

from __future__ import annotations

from dataclasses import dataclass

import names
from stacks.secrets import SECRETS

ROLE, CONFIG_DIR, PHASE, OFFLINE_PLAN = "role", "configDir", "phase", "offlinePlan"
PHASE_ALL, BOOTSTRAP_PHASE = "all", "organization"
"""`phase=organization` builds only the organisation, so Identity Center can then be enabled in it."""


@dataclass(frozen=True)
class Setting:
    purpose: str
    """What the key does, for messages."""
    kind: type = str
    """str, bool or dict, as the stack file's YAML gives it."""
    choices: tuple[str, ...] = ()
    """The values it takes; empty means any."""
    secret: bool = False
    """Must be set with `pulumi config set --secret`, and nothing else may be."""
    stacks: tuple[str, ...] = names.STACKS
    """The stack roles that read it."""


SETTINGS: dict[str, Setting] = {
    ROLE: Setting("what this stack builds", choices=names.STACKS),
    CONFIG_DIR: Setting("folder of landing-zone.yaml, relative to the project"),
    PHASE: Setting("how much of the management stack to build", choices=(PHASE_ALL, BOOTSTRAP_PHASE), stacks=(names.MANAGEMENT_STACK,)),
    # Set by `lzctl plan`: root e-mails at example domains become a warning. The program cannot tell an
    # offline run from a real one, so it is told; a stack that sets it in earnest gets that warning.
    OFFLINE_PLAN: Setting("set by lzctl plan only", kind=bool),
    **{key: Setting(purpose, secret=True, stacks=(names.MANAGEMENT_STACK,)) for key, purpose in SECRETS.items()},
    # A mapping of secure leaves (--path), not one secure value: lzctl/stackfile.py checks it leaf by leaf.
    names.APP_SECRETS: Setting("the applications' environment secrets", kind=dict, secret=True, stacks=(names.MANAGEMENT_STACK,)),
}


def problem(key: str, value: object, *, secret: bool, role: str | None) -> tuple[str, str | None] | None:
    """(message, hint) when `key` set to `value` (a secret or not) is wrong, and for a stack of `role`
    when given (a stack file's own value; project defaults apply to every stack). The message never
    repeats a secret's value."""
    setting = SETTINGS[key]
    if setting.secret and not secret:
        return "a plaintext secret: it would sit unencrypted in the stack file", f"remove it and run `pulumi config set --secret {key} <value>`"
    if secret and not setting.secret:
        return f"is a secret, but it is plain configuration ({setting.purpose})", f"set it without --secret: `pulumi config set {key} <value>`"
    if secret:
        return None
    if setting.kind is bool and value in ("true", "false"):
        return None  # `pulumi config set offlinePlan true` stores the string
    if not isinstance(value, setting.kind) or (setting.kind is str and not value):
        return f"must be {'true or false' if setting.kind is bool else 'a non-empty string'} ({setting.purpose})", None
    if setting.choices and value not in setting.choices:
        return f"unknown value for {setting.purpose}", f"one of: {', '.join(setting.choices)}"
    if role in names.STACKS and role not in setting.stacks:
        return f"has no effect on the {role} stack (only {', '.join(setting.stacks)} reads it)", "remove it"
    return None
