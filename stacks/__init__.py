"""What each stack builds, chosen by the stack's `landing-zone:role` config."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pulumi

import config
import names
from config import ConfigError, ConfigIssue
from config.closure_checks import accounts_outside_the_plan
from stacks import audit, log, management
from stacks.secrets import read_app_secrets, read_secrets
from stacks.settings import CONFIG_DIR, OFFLINE_PLAN, PHASE, ROLE, problem

ROLES = {names.MANAGEMENT_STACK: management.build, names.AUDIT_STACK: audit.build, names.LOG_STACK: log.build}
HOLDS_TOKENS = {names.MANAGEMENT_STACK}
"""Only the management stack talks to GitHub, Slack and Pulumi Cloud."""


def run() -> None:
    """Entry point of `__main__.py`: validate everything, then register the role's resources."""
    settings = pulumi.Config()
    stack_file = f"Pulumi.{pulumi.get_stack()}.yaml"
    role = settings.get(ROLE)
    if role not in ROLES:
        raise ConfigError([ConfigIssue(stack_file, f"{pulumi.get_project()}:{ROLE}", "unknown or missing stack role", role, f"set one of: {', '.join(ROLES)}")])
    # A mistyped phase would build everything in a bootstrap run: refused here too, not only by lzctl.
    phase = settings.get(PHASE)
    wrong = problem(PHASE, phase, secret=False, role=None) if phase is not None else None
    if wrong:
        raise ConfigError([ConfigIssue(stack_file, f"{pulumi.get_project()}:{PHASE}", wrong[0], phase, wrong[1])])
    offline_plan = settings.get_bool(OFFLINE_PLAN) or False
    given, app_secrets, wrong_secrets = read_app_secrets() if role in HOLDS_TOKENS else (None, {}, [])
    try:
        landing_zone = config.load(Path(settings.get(CONFIG_DIR) or "config"), refuse_example_domains=not offline_plan, secrets=given)
    except ConfigError as err:
        raise ConfigError([*err.issues, *wrong_secrets]) from None
    if wrong_secrets:
        raise ConfigError(wrong_secrets)
    secrets = {**read_secrets(landing_zone), **app_secrets} if role in HOLDS_TOKENS else {}
    for warning in landing_zone.warnings:
        pulumi.log.warn(warning)
    for name, value in ROLES[role](landing_zone, secrets).items():
        pulumi.export(name, value)
    pulumi.export(names.LIMITS_OUTPUT, landing_zone.config.guardrails.limits.model_dump())
    outside = accounts_outside_the_plan(landing_zone.closed_accounts, landing_zone.organization.unmanaged_accounts, date.today())
    if outside:  # read by AWS-ORG-ACCOUNT-QUOTA
        pulumi.export(names.OTHER_ACCOUNTS_OUTPUT, outside)
    closing = [account.email for account in landing_zone.accounts if account.closing]
    if closing:  # a config that closes nothing exports nothing more
        pulumi.export(names.CLOSING_OUTPUT, closing)
