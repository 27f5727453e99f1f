"""Validation phase 2 for the security services: what AWS would refuse or quietly get wrong.

Warnings name the precondition a real run needs and the deployment step that meets it (docs/deploying.md); errors are
appended through `fail` like every other check, so every problem is reported at once.
"""

from __future__ import annotations

from typing import Callable, Sequence

import names
from config.model import AccountSpec, chatbot_team_id
from config.schema import LandingZoneConfig
from iam import minify
from logs.buckets import bucket_policy
from logs.config_logs import BUCKET_POLICY_MAX_BYTES, config_bucket_statements
from security.alerting import CHATBOT_STACKS, GUARDDUTY_LEVELS, guardduty_labels
from security.services import RUNTIME_MONITORING

Warn = Callable[[str], None]
Fail = Callable[..., None]
MEASURING_ACCOUNT_ID = "0" * 12

_CHATBOT_ACCOUNTS = {names.MANAGEMENT_STACK: "the management account {management} (budget alerts)", names.AUDIT_STACK: "the audit account (security alerts)"}


def chatbot_accounts(cfg: LandingZoneConfig) -> list[str]:
    """The accounts that get Slack channel configurations, as a person reads them; empty without Chatbot."""
    if chatbot_team_id(cfg) is None:
        return []
    return [_CHATBOT_ACCOUNTS[stack].format(management=cfg.organization.management_account_id) for stack in CHATBOT_STACKS]


def config_bucket_policy_size(cfg: LandingZoneConfig, recording_accounts: int) -> int:
    """Bytes of the Config log bucket's policy when `recording_accounts` accounts deliver to it (ids are 12 digits)."""
    bucket = names.regional_bucket(names.CONFIG_LOGS, MEASURING_ACCOUNT_ID, cfg.organization.home_region)
    return len(minify(bucket_policy(bucket, config_bucket_statements(bucket, [MEASURING_ACCOUNT_ID] * recording_accounts))))


def check_security_services(cfg: LandingZoneConfig, accounts: Sequence[AccountSpec], fail: Fail, warn: Warn) -> None:
    if not cfg.guardrails.control_tower.enabled:
        recording = sum(1 for account in accounts if not account.suspended)
        size = config_bucket_policy_size(cfg, recording)
        if size > BUCKET_POLICY_MAX_BYTES:
            fail(
                "guardrails.control_tower.enabled",
                f"without Control Tower, the {recording} accounts that record with AWS Config make its log bucket's policy "
                f"{size} bytes, over the {BUCKET_POLICY_MAX_BYTES} Amazon S3 accepts",
                False,
                "the policy names every delivering account (Config's service principal takes no organisation condition); "
                "turn Control Tower on: it sets up Config's delivery itself",
            )
    accounts = chatbot_accounts(cfg)
    if accounts:
        warn(
            f"slack.team_id {chatbot_team_id(cfg)}: AWS Chatbot refuses a Slack channel configuration until the workspace is "
            f"authorised in that account (Chatbot console, once per account): {' and '.join(accounts)}, each before "
            "its stack's first `pulumi up` (docs/deploying.md, 'Deploy for real': with 'Enable IAM Identity Center', and in 'Audit and log stacks'; "
            "`lzctl doctor` checks both)"
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
