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
https://docs.aws.amazon.com/chatbot/latest/adminguide/slack-setup.html); README deployment steps 6
and 10 do it before each stack's first `pulumi up`."""
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


def security_hub_findings(severities: Sequence[str]) -> dict:
    """New, active Security Hub findings at these severity labels (GuardDuty's included, all regions aggregated)."""
    return {
        "source": ["aws.securityhub"],
        "detail-type": ["Security Hub Findings - Imported"],
        "detail": {
            "findings": {
                "Severity": {"Label": list(severities)},
                "Workflow": {"Status": ["NEW"]},
                "RecordState": ["ACTIVE"],
            }
        },
    }


def guardduty_findings(min_severity: float) -> dict:
    return {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"], "detail": {"severity": [{"numeric": [">=", min_severity]}]}}


def access_analyzer_findings() -> dict:
    return {"source": ["aws.access-analyzer"], "detail-type": ["Access Analyzer Finding"], "detail": {"status": ["ACTIVE"]}}
