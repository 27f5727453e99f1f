"""Saved Athena queries over the organisation's CloudTrail table: pure SQL, one per security question.

Every query reads only the last `lookback_days` of the `day` partition, so partition projection
prunes it to those days and the workgroup's bytes-scanned cutoff is rarely reached.
"""

from __future__ import annotations

from dataclasses import dataclass

ACCOUNT_PARTITION = "account"
REGION_PARTITION = "region"
DAY_PARTITION = "day"
"""Partition keys of the CloudTrail table, in the order of the S3 path they are projected from."""
DAY_FORMAT = "yyyy/MM/dd"
LOOKBACK_DAYS = 30

ORGANIZATIONS_POLICY_CHANGES = ("AttachPolicy", "CreatePolicy", "DeletePolicy", "DetachPolicy", "UpdatePolicy", "EnablePolicyType", "DisablePolicyType")
"""Organizations events that change which SCPs (or other organisation policies) apply."""


@dataclass(frozen=True)
class SavedQuery:
    key: str
    """Names the Pulumi resource: `<component>-<key>-query`."""
    name: str
    """Name shown in the Athena console."""
    description: str
    sql: str


def _since(days: int) -> str:
    # The day partition is a yyyy/MM/dd string, so a string comparison selects the recent days.
    return f"{DAY_PARTITION} >= date_format(current_date - interval '{days}' day, '%Y/%m/%d')"


def _query(database: str, table: str, columns: str, where: str, days: int) -> str:
    return f'SELECT {columns}\nFROM "{database}"."{table}"\nWHERE {_since(days)}\n  AND {where}\nORDER BY eventtime DESC'


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def saved_queries(database: str, table: str, lookback_days: int = LOOKBACK_DAYS) -> tuple[SavedQuery, ...]:
    who = "eventtime, recipientaccountid AS account, useridentity.arn AS principal, sourceipaddress, useragent"
    return (
        SavedQuery(
            "root-sign-ins",
            "Root user sign-ins",
            f"Console sign-ins of any account's root user in the last {lookback_days} days; the SCPs deny root, so each one needs an explanation.",
            _query(
                database,
                table,
                f"{who}, json_extract_scalar(responseelements, '$.ConsoleLogin') AS result, json_extract_scalar(additionaleventdata, '$.MFAUsed') AS mfa_used",
                "eventname = 'ConsoleLogin'\n  AND useridentity.type = 'Root'",
                lookback_days,
            ),
        ),
        SavedQuery(
            "console-sign-ins-without-mfa",
            "Console sign-ins without MFA",
            f"Root and IAM user console sign-ins without MFA in the last {lookback_days} days. "
            "Identity Center sign-ins (AssumedRole) are left out: Identity Center enforces their MFA before the federation.",
            _query(
                database,
                table,
                f"{who}, useridentity.type AS identity_type, json_extract_scalar(responseelements, '$.ConsoleLogin') AS result",
                "eventname = 'ConsoleLogin'\n  AND json_extract_scalar(additionaleventdata, '$.MFAUsed') = 'No'\n"
                "  AND useridentity.type IN ('Root', 'IAMUser')",
                lookback_days,
            ),
        ),
        SavedQuery(
            "iam-and-scp-changes",
            "IAM and SCP changes",
            f"Every IAM write and every Organizations policy change in the last {lookback_days} days, failed attempts included.",
            _query(
                database,
                table,
                f"{who}, eventsource, eventname, errorcode, requestparameters",
                "((eventsource = 'iam.amazonaws.com' AND readonly = 'false')\n"
                f"    OR (eventsource = 'organizations.amazonaws.com' AND eventname IN ({_in(ORGANIZATIONS_POLICY_CHANGES)})))",
                lookback_days,
            ),
        ),
        SavedQuery(
            "failed-role-assumptions",
            "Failed role assumptions",
            f"AssumeRole, AssumeRoleWithSAML and AssumeRoleWithWebIdentity calls refused in the last {lookback_days} days (probing, or a broken OIDC trust).",
            _query(
                database,
                table,
                f"{who}, eventname, errorcode, errormessage, json_extract_scalar(requestparameters, '$.roleArn') AS role_arn",
                "eventsource = 'sts.amazonaws.com'\n  AND eventname LIKE 'AssumeRole%'\n  AND errorcode IS NOT NULL",
                lookback_days,
            ),
        ),
    )
