"""Running the checks in order, and printing what they found: lines for people, one JSON document for tools."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence

from botocore.exceptions import ClientError

from lzctl.doctor.checks import CREDENTIALS, Check, Live
from lzctl.doctor.verdicts import FAIL, PASS, SKIP, Outcome, failed, skipped
from lzctl.migrate.aws import error_code, is_denied

EXIT_CHECKS_FAILED = 4
LABELS = {PASS: "PASS", FAIL: "FAIL", SKIP: "SKIP"}


@dataclass(frozen=True)
class Result:
    id: str
    why: str
    outcome: Outcome


def unreadable(err: ClientError, action: str) -> Outcome:
    """A check whose read AWS refused or could not answer: it fails, since nothing was confirmed."""
    code, message = error_code(err), err.response.get("Error", {}).get("Message", "").rstrip(".")
    if is_denied(err):
        return failed(
            f"AWS denied {err.operation_name} ({code}), so this could not be checked",
            f"let the profile's role call {action} (every call the doctor makes is a read; `--json` lists them) and run the doctor again",
        )
    return failed(f"AWS answered {code} to {err.operation_name}: {message}", "run the doctor again; if the answer stays, fix its cause first")


def run_checks(checks: Sequence[Check], live: Live) -> list[Result]:
    """Every check, in order. The first (the credentials) raises what AWS refuses: nothing else can run then.
    Those reading AWS are skipped when the profile reaches another account (the GitHub checks still run), and
    those reading the organisation when the account belongs to someone else's."""
    results = []
    for check in checks:
        if check is CREDENTIALS:
            outcome = check.run(live)
        elif check.reads_aws and not live.reached:
            outcome = skipped("not run: the profile does not reach the management account", "fix the credentials check first")
        else:
            try:
                if check.reads_organization and live.foreign:
                    outcome = skipped("not run: the account belongs to another organisation", "fix the organization check first")
                else:
                    outcome = check.run(live)
            except ClientError as err:
                outcome = unreadable(err, live.session.calls.last)
        results.append(Result(check.id, check.why, outcome))
    return results


def exit_code(results: Sequence[Result]) -> int:
    return EXIT_CHECKS_FAILED if any(r.outcome.status == FAIL for r in results) else 0


def _sentence(text: str) -> str:
    return text if text.endswith((".", '."')) else f"{text}."


def line(result: Result) -> str:
    o = result.outcome
    text = f"{LABELS[o.status]} {result.id}: {_sentence(o.finding)}"
    if o.status == FAIL:
        return f"{text} Why: {_sentence(result.why)} Fix: {_sentence(o.advice)}"
    return f"{text} Note: {_sentence(o.advice)}" if o.advice else text


def to_text(heading: str, results: Sequence[Result]) -> str:
    counts = {status: sum(r.outcome.status == status for r in results) for status in LABELS}
    if counts[FAIL]:
        summary = f"{counts[FAIL]} of {len(results)} checks failed (exit {EXIT_CHECKS_FAILED}); fix them and run the doctor again."
    else:
        summary = f"no check failed: {counts[PASS]} passed, {counts[SKIP]} skipped (read each note)."
    return "\n".join([heading, *map(line, results), summary])


def to_json(header: dict, results: Sequence[Result], actions: set[str]) -> str:
    checks = [
        {
            "id": r.id,
            "status": r.outcome.status,
            "finding": r.outcome.finding,
            "why": r.why,
            "fix": r.outcome.advice if r.outcome.status == FAIL else None,
            "note": (r.outcome.advice or None) if r.outcome.status != FAIL else None,
        }
        for r in results
    ]
    document = {
        **header,
        "checks": checks,
        "summary": {status: sum(r.outcome.status == status for r in results) for status in LABELS},
        "actions": sorted(actions),
        "exitCode": exit_code(results),
    }
    return json.dumps(document, indent=2)
