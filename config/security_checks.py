"""Validation phase 2 for the security services: what AWS would refuse or quietly get wrong.

Warnings name the precondition a real run needs and the README step that meets it; errors are
appended through `fail` like every other check, so every problem is reported at once.
"""

from __future__ import annotations

from typing import Callable

import names
from config.model import chatbot_team_id
from config.schema import LandingZoneConfig
from security.alerting import CHATBOT_STACKS, GUARDDUTY_LEVELS, guardduty_labels
from security.services import RUNTIME_MONITORING

Warn = Callable[[str], None]

_CHATBOT_ACCOUNTS = {names.MANAGEMENT_STACK: "the management account {management} (budget alerts)", names.AUDIT_STACK: "the audit account (security alerts)"}


def chatbot_accounts(cfg: LandingZoneConfig) -> list[str]:
    """The accounts that get Slack channel configurations, as a person reads them; empty without Chatbot."""
    if chatbot_team_id(cfg) is None:
        return []
    return [_CHATBOT_ACCOUNTS[stack].format(management=cfg.organization.management_account_id) for stack in CHATBOT_STACKS]


def check_security_services(cfg: LandingZoneConfig, warn: Warn) -> None:
    accounts = chatbot_accounts(cfg)
    if accounts:
        warn(
            f"slack.team_id {chatbot_team_id(cfg)}: AWS Chatbot refuses a Slack channel configuration until the workspace is "
            f"authorised in that account (Chatbot console, once per account): {' and '.join(accounts)}, each before "
            "its stack's first `pulumi up` (README, deployment steps 6 and 10; `lzctl doctor` checks both)"
        )
    minimum = cfg.security_services.alerts.guardduty_min_severity
    starts = dict(GUARDDUTY_LEVELS)
    if minimum not in starts.values():
        label = guardduty_labels(minimum)[0]
        warn(
            f"security_services.alerts.guardduty_min_severity {minimum:g} lies inside GuardDuty's {label} level: "
            "GuardDuty findings alert through Security Hub, which labels them by level, so every "
            f"{label} finding alerts, from {starts[label]:g}; use a level's start "
            f"({', '.join(f'{start:g} {name}' for name, start in GUARDDUTY_LEVELS)}) to say so"
        )
    guardduty = cfg.security_services.guardduty
    if RUNTIME_MONITORING in guardduty.protection_plans and not guardduty.runtime_agents:
        warn(
            "security_services.guardduty.runtime_agents is empty: Runtime Monitoring only analyses what GuardDuty's security "
            "agent sends, so it collects nothing until you deploy the agent yourself on EKS and EC2 (Fargate has no manual option)"
        )
