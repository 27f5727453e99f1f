"""Cron expressions as Pulumi Deployments reads them: "standard 5-field cron syntax (MIN HOUR DOM
MON DOW) ... evaluated in UTC"
(https://www.pulumi.com/docs/reference/cloud-rest-api/schema/createscheduleddeploymentrequest/,
checked 2026-12), with POSIX crontab's ranges (https://pubs.opengroup.org/onlinepubs/9699919799/utilities/crontab.html):
no seconds or year field, no @daily, no Quartz L ? # W; each value in range, ranges ascending,
steps above 0. croniter then checks the schedule ever fires (0 0 31 2 * does not).
"""

from __future__ import annotations

import re
from datetime import datetime

from croniter import CroniterBadDateError, croniter

_MONTHS = {name: number for number, name in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)}
_DAYS = {name: number for number, name in enumerate("SUN MON TUE WED THU FRI SAT".split())}
FIELDS = (("minute", 0, 59, {}), ("hour", 0, 23, {}), ("day of month", 1, 31, {}), ("month", 1, 12, _MONTHS), ("day of week", 0, 6, _DAYS))
# ASCII classes: Python's \w and \d match any script's digits (², ٣), which int() or croniter then refuse.
_ITEM = re.compile(r"^(?P<range>\*|(?P<low>[0-9A-Za-z]+)(?:-(?P<high>[0-9A-Za-z]+))?)(?:/(?P<step>[0-9]+))?$")
_FROM = datetime(2026, 1, 1)


def _value(text: str, field: str, low: int, high: int, names: dict[str, int]) -> int:
    number = int(text) if text.isascii() and text.isdigit() else names.get(text.upper())
    if number is None:
        raise ValueError(f"{field} {text!r} is not a number" + (f" or one of {', '.join(names)}" if names else ""))
    if not low <= number <= high:
        raise ValueError(f"{field} {text} is out of range {low}-{high}")
    return number


def _check_field(text: str, field: str, low: int, high: int, names: dict[str, int]) -> None:
    for item in text.split(","):
        match = _ITEM.match(item)
        if not match:
            raise ValueError(f"{field} {item!r} is not a value, a range a-b, * or a step /n")
        if match["step"] is not None and int(match["step"]) == 0:
            raise ValueError(f"{field} step /0 never advances")
        if match["range"] != "*":
            start = _value(match["low"], field, low, high, names)
            if match["high"] is not None and _value(match["high"], field, low, high, names) < start:
                raise ValueError(f"{field} range {match['range']} runs backwards")


def check_cron(expression: str) -> str:
    fields = expression.split()
    if len(fields) != len(FIELDS):
        raise ValueError(f"not a 5-field cron expression (minute hour day-of-month month day-of-week): it has {len(fields)} fields")
    for text, (field, low, high, names) in zip(fields, FIELDS, strict=True):
        _check_field(text, field, low, high, names)
    try:
        croniter(expression, _FROM).get_next(datetime)
    except CroniterBadDateError:
        raise ValueError("the schedule never fires (no such day in that month)") from None
    return expression
