"""`lzctl doctor --closing KEY`: whether an account can be closed without losing anything.

Closure is permanent after AWS's 90-day post-closure period, so before Organizations' CloseAccount
the account must be parked (marked suspended, in the suspended OU), cost nothing for 30 days, and
have its CloudTrail logs in the log archive, where they outlive it.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Optional

from config import AccountSpec
from lzctl.doctor import verdicts
from lzctl.doctor.checks import CREDENTIALS, Check, Live
from lzctl.doctor.verdicts import Outcome
from lzctl.migrate.organization import ou_id

COST_EXPLORER_REGION = "us-east-1"
"""Cost Explorer's only endpoint (Billing and Cost Management API reference). Each request costs USD 0.01."""
QUIET_DAYS = 30
LOG_DAYS = 7
GLOBAL_EVENTS_REGION = "us-east-1"
"""Where a multi-region trail files global services' events (IAM, STS, sign-in)."""


def _account_id(live: Live, spec: AccountSpec) -> Optional[str]:
    member = live.member(spec)
    return member["Id"] if member else spec.existing_account_id


def marked(spec: AccountSpec, live: Live) -> Outcome:
    """No API: the config marks the account suspended."""
    return verdicts.closing_marked(spec, live.intent.source)


def placement(spec: AccountSpec, live: Live) -> Outcome:
    """Organizations ListAccounts, ListParents, ListRoots and ListOrganizationalUnitsForParent."""
    path = " / ".join(live.intent.suspended_ou_path)
    if live.organization is None:
        return verdicts.failed(f"account {live.intent.management_id} runs no organisation", "nothing to close: the organisation does not exist yet")
    member = live.member(spec)
    if member is None:
        return verdicts.closing_placement(spec.key, None, None, None, path)
    api = live.client("organizations")
    parent = api.list_parents(ChildId=member["Id"])["Parents"][0]["Id"]
    return verdicts.closing_placement(spec.key, member, parent, ou_id(api, list(live.intent.suspended_ou_path)), path)


def spend(spec: AccountSpec, live: Live) -> Outcome:
    """Cost Explorer GetCostAndUsage (us-east-1): UnblendedCost of the last 30 days, filtered to the LINKED_ACCOUNT."""
    account_id = _account_id(live, spec)
    if account_id is None:
        return verdicts.skipped(f"{spec.key} has no account id yet", "nothing has been spent by an account that does not exist")
    start, end = (live.today - timedelta(days=QUIET_DAYS)).isoformat(), live.today.isoformat()
    answer = live.client("ce", COST_EXPLORER_REGION).get_cost_and_usage(
        TimePeriod={"Start": start, "End": end},
        Granularity="MONTHLY",
        Metrics=["UnblendedCost"],
        Filter={"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [account_id]}},
    )
    return verdicts.closing_spend(spec.key, account_id, answer["ResultsByTime"], start, end)


def logs(spec: AccountSpec, live: Live) -> Outcome:
    """STS AssumeRole into the log archive account (read-only session policy), then S3 ListObjectsV2 on the trail
    bucket: per governed region (and us-east-1, for global events), the first object dated in the last 7 days."""
    account_id = _account_id(live, spec)
    log = live.member(live.intent.log) if live.intent.log else None
    if account_id is None or log is None or live.organization is None:
        return verdicts.skipped("the account or the log archive account does not exist yet", "nothing to archive yet")
    bucket, base = live.intent.log_location(log["Id"], live.organization["Id"])
    session = live.assumed(live.intent.log, log["Id"])
    since = live.today - timedelta(days=LOG_DAYS)
    if session is None:
        return verdicts.skipped(
            f"could not assume {live.intent.access_roles[live.intent.log.key]} in the log archive account {log['Id']}",
            f"check with the log account's credentials that `aws s3 ls s3://{bucket}/{base}{account_id}/CloudTrail/ --recursive "
            f"--profile <profile of log>` lists logs dated {since:%Y/%m/%d} or later",
        )
    s3 = session.client("s3", region_name=live.intent.home_region)
    latest = {}
    for region in sorted({*live.intent.governed_regions, GLOBAL_EVENTS_REGION}):
        prefix = f"{base}{account_id}/CloudTrail/{region}/"
        found = s3.list_objects_v2(Bucket=bucket, Prefix=prefix, StartAfter=f"{prefix}{since:%Y/%m/%d}/", MaxKeys=1).get("Contents", [])
        latest[region] = found[0]["Key"] if found else None
    return verdicts.closing_logs(spec.key, account_id, f"s3://{bucket}/{base}", latest, since.isoformat())


def closing_checks(spec: AccountSpec) -> tuple[Check, ...]:
    def bound(check):
        return functools.partial(check, spec)

    return (
        CREDENTIALS,
        Check("closing-marked", "the program closes only accounts the config has parked first", bound(marked)),
        Check("closing-placement", "a parked account sits in the suspended OU, whose SCP denies everything", bound(placement), reads_organization=True),
        Check("closing-spend", "spend means something still runs or is stored there, and closure deletes it", bound(spend), reads_organization=True),
        Check("closing-logs", "the log archive keeps the account's CloudTrail history after the account is gone", bound(logs), reads_organization=True),
    )
