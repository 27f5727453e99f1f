"""Validation phase 2 for closing accounts: only a suspended workload account, never beyond AWS's quota.

Closure is the one step of an account's life nobody can undo once its post-closure period is over,
so nothing closes without `closed` in the config, and `closed` is refused on an account the config
has not suspended. It takes two `pulumi up`s (docs/existing-organisation.md): `closed: pending`
plans the account unprotected with close_on_deletion, then `closed: <date>` leaves it out, which
Pulumi turns into a delete and the provider into Organizations CloseAccount. Pulumi refuses to
delete a resource whose state is protected, and the provider closes (rather than removes from the
organisation) only when the state says close_on_deletion, so the first `pulumi up` must have
written both.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Callable, Sequence

from config.issues import path_of
from config.model import AccountSpec

Warn = Callable[[str], None]
Fail = Callable[..., None]

CLOSE_QUOTA_SOURCE = "https://docs.aws.amazon.com/organizations/latest/APIReference/API_CloseAccount.html"
"""CloseAccount: "Within a rolling 30 day period you can close the higher of either 250 or 20% of the
member accounts in your organization, up to a maximum of 1,000." Checked 2026-12-01, the text of
botocore 1.44.8's Organizations model (earlier versions of the page said 10 %, between 10 and 1,000)."""
CLOSE_QUOTA_WINDOW_DAYS = 30
CLOSE_QUOTA_FLOOR = 250
CLOSE_QUOTA_PERCENT = 20
CLOSE_QUOTA_CEILING = 1000
POST_CLOSURE_DAYS = 90
"""CloseAccount: a closed account is SUSPENDED for 90 days, when AWS Support can reopen it; then it
cannot be reopened and what it holds is deleted (same source)."""


def close_quota(member_accounts: int) -> int:
    """Closures AWS allows within a rolling 30 days for an organisation of `member_accounts`.

    AWS does not say how it rounds the 20 %; rounding down never allows more than AWS does.
    """
    return min(CLOSE_QUOTA_CEILING, max(CLOSE_QUOTA_FLOOR, member_accounts * CLOSE_QUOTA_PERCENT // 100))


def recent_closures(closed_on: Sequence[date], today: date) -> list[date]:
    """The closure dates that still count against the rolling window ending `today`."""
    return sorted(day for day in closed_on if timedelta(0) <= today - day < timedelta(days=CLOSE_QUOTA_WINDOW_DAYS))


def accounts_outside_the_plan(closed: Sequence[AccountSpec], unmanaged: int, today: date) -> int:
    """Accounts with no resource in the plan that still count against Organizations' account quota:
    the ones closed within the post-closure period (SUSPENDED, still members: facts.md, "closed
    accounts stay SUSPENDED for 90 days and keep counting against the quota") and the `unmanaged`
    ones the config does not hold (`organization.unmanaged_accounts`, which `lzctl adopt` writes)."""
    return unmanaged + sum(1 for spec in closed if spec.closed_on and today - spec.closed_on < timedelta(days=POST_CLOSURE_DAYS))


def _check_one(path: str, spec: AccountSpec, today: date, fail: Fail, warn: Warn) -> None:
    value = str(spec.closed_on) if spec.closed_on else "pending"
    where = path_of(path, "closed")
    if spec.application is None:
        fail(where, "the audit and log accounts cannot be closed", value, "the Security OU, Control Tower and the security stacks depend on them")
        return
    if not spec.suspended:
        fail(
            where,
            "only a suspended account can be closed",
            value,
            f"set `suspended: true` (and no `closed`) and `pulumi up` first; once `python -m lzctl doctor --stack management "
            f"--profile P --closing {spec.key}` passes, set `closed: pending`",
        )
        return
    if spec.closed_on and spec.closed_on > today:
        fail(where, "the closure date is in the future", value, "the next `pulumi up` closes the account whatever the date says: write the day you run it")
        return
    if spec.closing:
        warn(
            f"{spec.key} is armed for closure (closed: pending): this `pulumi up` records it unprotected with close_on_deletion "
            f"and closes nothing; the next, with `closed: <that day's date>`, closes it through Organizations CloseAccount. Run "
            f"`python -m lzctl doctor --stack management --profile P --closing {spec.key}` first: closure is permanent after "
            f"{POST_CLOSURE_DAYS} days (only AWS Support can reopen an account within them)"
        )
    elif today - spec.closed_on < timedelta(days=POST_CLOSURE_DAYS):
        warn(
            f"{spec.key} is closed (closed: {spec.closed_on}) and left out of the plan: `pulumi up` closes it through "
            "Organizations CloseAccount if the `pulumi up` before ran with `closed: pending`; otherwise Pulumi stops at the "
            "account's protection and nothing happens (go back to `closed: pending`; never `pulumi state unprotect` it, which "
            "would remove it from the organisation instead of closing it). It is permanently closed on "
            f"{spec.closed_on + timedelta(days=POST_CLOSURE_DAYS)}; until then only AWS Support can reopen it"
        )


def check_closures(accounts: Sequence[tuple[str, AccountSpec]], today: date, fail: Fail, warn: Warn) -> None:
    """`accounts`: (config path, spec) of every account, closed ones included."""
    closing = [(path, spec) for path, spec in accounts if spec.closing or spec.closed_on]
    for path, spec in closing:
        _check_one(path, spec, today, fail, warn)
    if not closing:
        return
    members = sum(1 for _, spec in accounts if spec.closed_on is None)
    dated = recent_closures([spec.closed_on for _, spec in closing if spec.closed_on], today)
    pending = sum(1 for _, spec in closing if spec.closing)
    quota = close_quota(members)
    if len(dated) + pending <= quota:
        return
    since = f"{len(dated)} closed since {today - timedelta(days=CLOSE_QUOTA_WINDOW_DAYS - 1)}, " if dated else ""
    room = f"; the window frees a place on {dated[0] + timedelta(days=CLOSE_QUOTA_WINDOW_DAYS)}" if dated else ""
    fail(
        path_of(closing[-1][0], "closed"),
        f"{len(dated) + pending} account closures within a rolling {CLOSE_QUOTA_WINDOW_DAYS} days ({since}{pending} pending), "
        f"over the {quota} AWS allows an organisation of {members} member accounts",
        None,
        f"CloseAccount allows the higher of {CLOSE_QUOTA_FLOOR} and {CLOSE_QUOTA_PERCENT} % of the member accounts, at most "
        f"{CLOSE_QUOTA_CEILING:,}, per rolling {CLOSE_QUOTA_WINDOW_DAYS} days ({CLOSE_QUOTA_SOURCE}); the plan counts only this "
        f"config's closures (accounts closed by hand or by another tool count too): set the others back to `suspended` alone{room}",
    )
