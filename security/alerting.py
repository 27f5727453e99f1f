"""Alerts to Slack through SNS and AWS Chatbot: key and topic policies, event patterns.

Topics are encrypted with a customer managed key because the AWS managed SNS key cannot be used
by EventBridge or Budgets: the key policy must let the publishing service (and Chatbot) use it.
"""

from __future__ import annotations

from typing import Sequence

import names
from iam import account_administers, policy

CHATBOT = "chatbot.amazonaws.com"
CHATBOT_REGION = "us-east-2"
"""AWS Chatbot is a global service whose API lives in us-east-2."""
CHATBOT_STACKS = (names.MANAGEMENT_STACK, names.AUDIT_STACK)
"""Stacks whose account holds Slack channel configurations (management: budget alerts; audit: security
alerts). Chatbot refuses a configuration until the Slack workspace is authorised in that account, in
the console, once per account (AWS Chatbot administrator guide, "Get started with Slack":
https://docs.aws.amazon.com/chatbot/latest/adminguide/slack-setup.html); the deployment
steps (docs/deploying.md) do it before each stack's first `pulumi up`."""
EVENTS = "events.amazonaws.com"
BUDGETS = "budgets.amazonaws.com"
CHATBOT_GUARDRAIL = names.READ_ONLY_ACCESS
"""Caps what anyone in the channel can do through Chatbot, whatever its role allows."""
CHATBOT_ROLE_POLICY = names.CLOUDWATCH_READ_ONLY_ACCESS


def topic_key_policy(account_id: str, publishers: Sequence[str]) -> dict:
    return policy(
        account_administers("AccountAdministers", account_id),
        {
            "Sid": "PublishersEncrypt",
            "Effect": "Allow",
            "Principal": {"Service": sorted({*publishers, CHATBOT})},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        },
    )


def topic_policy(topic_arn: str, account_id: str, publishers: Sequence[str]) -> dict:
    return policy(
        {
            "Sid": "ServicesPublish",
            "Effect": "Allow",
            "Principal": {"Service": sorted(publishers)},
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        },
        {
            "Sid": "TlsOnly",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    )


SECURITY_HUB_IMPORTED = "Security Hub Findings - Imported"
"""The event Security Hub sends for each finding it imports or updates, one finding per event
(Security Hub user guide, "EventBridge event formats":
https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-event-formats.html)."""
GUARDDUTY_LEVELS = (("LOW", 1.0), ("MEDIUM", 4.0), ("HIGH", 7.0), ("CRITICAL", 9.0))
"""GuardDuty's severity levels and where each starts (up to 10.0), which Security Hub carries as
the finding's label (GuardDuty user guide, "Severity levels of GuardDuty findings":
https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings-severity.html; checked 2026-12)."""


def guardduty_labels(min_severity: float) -> tuple[str, ...]:
    """The labels of the GuardDuty levels that hold findings of `min_severity` or more (7 -> HIGH, CRITICAL)."""
    ends = [start for _, start in GUARDDUTY_LEVELS[1:]] + [float("inf")]
    return tuple(label for (label, _), end in zip(GUARDDUTY_LEVELS, ends, strict=True) if end > min_severity)


def _imported(findings: dict) -> dict:
    """New, active findings Security Hub imported: it aggregates every linked region in the home region."""
    return {
        "source": ["aws.securityhub"],
        "detail-type": [SECURITY_HUB_IMPORTED],
        "detail": {"findings": {**findings, "Workflow": {"Status": ["NEW"]}, "RecordState": ["ACTIVE"]}},
    }


GUARDDUTY, ACCESS_ANALYZER = "GuardDuty", "IAM Access Analyzer"
"""The ASFF `ProductName` of their findings, which Security Hub sets on every finding it imports:
Security Hub's console filter "Product name: GuardDuty" (GuardDuty user guide,
https://docs.aws.amazon.com/guardduty/latest/ug/securityhub-integration.html) and
"IAM Access Analyzer" (IAM user guide's example finding,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-securityhub-integration.html).
Matching the name, not the regional ProductArn, keeps the patterns within EventBridge's event
pattern quota of 2,048 characters, adjustable up to 4,096 (EventBridge quotas,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html, and pulumi_aws
cloudwatch/event_rule.py's `event_pattern`; checked 2026-12), however many regions are governed."""


def alert_patterns(security_hub_severities: Sequence[str], guardduty_min_severity: float, access_analyzer: bool) -> dict[str, dict]:
    """Rule key -> event pattern, one rule per finding: every pattern reads Security Hub's events.

    GuardDuty and IAM Access Analyzer also send events of their own, but only in the region of the
    finding, while Security Hub's finding aggregator brings every governed region to the home
    region, where the rules live. So their findings are matched in Security Hub by product, each
    with its own threshold, and the catch-all rule leaves those products out: since each event
    carries one finding, no finding matches two rules.
    """
    routed = {"guardduty": _imported({"ProductName": [GUARDDUTY], "Severity": {"Label": list(guardduty_labels(guardduty_min_severity))}})}
    products = [GUARDDUTY]
    if access_analyzer:
        routed["access-analyzer"] = _imported({"ProductName": [ACCESS_ANALYZER]})
        products.append(ACCESS_ANALYZER)
    catch_all = _imported({"ProductName": [{"anything-but": products}], "Severity": {"Label": list(security_hub_severities)}})
    return {"securityhub": catch_all, **routed}
