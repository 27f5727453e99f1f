"""What the management stack hands to the audit and log stacks, as SSM parameters in their accounts.

Why not a StackReference: reading another stack needs Stack Read on it, and Stack Read includes
decrypting its secrets (Pulumi Cloud, stack permissions), so the audit and log previews' token
could read the management stack's GitHub, Slack and Pulumi tokens. The management stack instead
writes the non-secret values those stacks need (ids of the organisation, its root and accounts;
the security-alerts channel) into the audit and log accounts, where their own providers read them
(`ssm:GetParametersByPath`, within `ReadOnlyAccess`, so the preview roles can too).

Each concern is its own parameter, and the account ids are split so that every value stays within
the standard tier's 4 KB ("Managing parameter tiers", Systems Manager user guide: standard 4 KB,
advanced 8 KB, checked 2026-12): from about 49 accounts a parameter (65-character keys, the
longest `<app>-<env>`) to about 140 (short keys), so 300 accounts take three to seven (`account_parts`).
Pure: no Pulumi.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Mapping, Sequence

import names

PARAMETER_MAX_BYTES = 4096
"""A standard-tier parameter's value limit (free, unlike the advanced tier's 8 KB)."""
ACCOUNT_ID_LENGTH = 12
ORGANIZATION, ACCOUNTS, SLACK_CHANNELS = "organization", "accounts", "slack-channels"
"""The concerns: organisation and root ids; account key -> id, in parts; channel key -> id."""


class HandoffError(Exception):
    """What the management stack should have written is not there (or not readable)."""


@dataclass(frozen=True)
class ManagementValues:
    """What the audit and log stacks read from the management stack."""

    organization_id: str
    """`o-...`."""
    root_id: str
    """`r-...`."""
    account_ids: dict[str, str]
    """Account key (`management`, `audit`, `log`, `<app>-<env>`) -> 12-digit id."""
    slack_channel_ids: dict[str, str]
    """Channel key -> Slack channel id, for the channels these stacks post to (empty without Slack)."""


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def account_parts(keys: Sequence[str]) -> list[list[str]]:
    """The account keys, in order, split so that each part's JSON of 12-digit ids fits a standard parameter.

    The split depends on the keys only (every id has 12 digits), so the program knows how many
    parameters it writes before any account id is known.
    """
    parts: list[list[str]] = [[]]
    for key in keys:
        candidate = parts[-1] + [key]
        if len(_compact({k: "0" * ACCOUNT_ID_LENGTH for k in candidate}).encode()) > PARAMETER_MAX_BYTES and parts[-1]:
            parts.append([key])
        else:
            parts[-1] = candidate
    return [part for part in parts if part]


def parameter_name(concern: str, part: int | None = None) -> str:
    """`/landing-zone/management/accounts/2`: where one concern (or one part of it) is written."""
    return f"{names.HANDOFF_PATH}/{concern}" + (f"/{part}" if part is not None else "")


def organization_value(organization_id: str, root_id: str) -> str:
    return _compact({"organizationId": organization_id, "rootId": root_id})


def accounts_value(account_ids: Mapping[str, str]) -> str:
    value = _compact(dict(account_ids))
    if len(value.encode()) > PARAMETER_MAX_BYTES:
        raise ValueError(f"{len(value.encode())} bytes of account ids, over a standard parameter's {PARAMETER_MAX_BYTES}: split them with account_parts")
    return value


def channels_value(channel_ids: Mapping[str, str]) -> str:
    return _compact(dict(channel_ids))


def read(parameters: Mapping[str, str]) -> ManagementValues:
    """The values from the parameters found under names.HANDOFF_PATH (name -> value)."""
    hint = (
        f"run `pulumi up --stack {names.MANAGEMENT_STACK}` first (it writes them into the audit and log accounts), "
        "and run this stack with that account's credentials"
    )
    organization = parameters.get(parameter_name(ORGANIZATION))
    parts = sorted((name for name in parameters if name.startswith(parameter_name(ACCOUNTS) + "/")), key=lambda name: int(name.rsplit("/", 1)[1]))
    if organization is None or not parts:
        raise HandoffError(f"no {parameter_name(ORGANIZATION)} or {parameter_name(ACCOUNTS)}/* parameter in this account and region: {hint}")
    try:
        ids = json.loads(organization)
        account_ids = {key: value for name in parts for key, value in json.loads(parameters[name]).items()}
        channels = json.loads(parameters.get(parameter_name(SLACK_CHANNELS), "{}"))
        return ManagementValues(ids["organizationId"], ids["rootId"], account_ids, channels)
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise HandoffError(f"the parameters under {names.HANDOFF_PATH} are not what the management stack writes ({err}): {hint}") from None
