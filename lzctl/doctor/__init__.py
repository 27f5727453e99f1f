"""`python -m lzctl doctor --stack management --profile P`: a live, read-only preflight of the management account.

Run it before the first `pulumi up` and whenever one fails: each check prints PASS, FAIL (with why
and the fix) or SKIP (with how to check by hand). `--closing ACCOUNT_KEY` checks instead that an
account can be closed. What the program will create comes from the offline plan of the same
config; what exists comes from read-only AWS calls (`aws.py` refuses any other) and, for adopted
GitHub repositories, REST GETs with the token in `GITHUB_TOKEN` (`github.py`; without it those checks
are skipped).

Exit codes: 0 no check failed; 4 a check failed; 2 bad input (unknown stack or profile, unreadable
config, unknown account key) or credentials AWS rejects, one paragraph on stderr and nothing on
stdout; 1 a bug, with its traceback.
"""

from __future__ import annotations

import argparse
import functools
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional, Sequence

import pulumi

import config
from config import ConfigError
from lzctl.doctor.aws import Calls, CredentialsSession, ReadOnlySession, credentials_session
from lzctl.doctor.checks import CHECKS, Live
from lzctl.doctor.closing import closing_checks
from lzctl.doctor.github import GitHub, from_environment
from lzctl.doctor.intent import intent_of
from lzctl.doctor.report import exit_code, run_checks, to_json, to_text
from lzctl.migrate.aws import BUGS, EXIT_BAD_INPUT, GUARDED, MigrationError, SessionFactory, explain, open_session, session_for
from lzctl.plan import plan_stack, resolve_config_dir
from lzctl.runtime import Plan
from lzctl.stackfile import read_stack
from names import MANAGEMENT_STACK

Planner = Callable[[str, Optional[Path]], Plan]
GitHubFactory = Callable[[], Optional[GitHub]]
NEEDS = "read access to the management account (every call the doctor makes is a read; `--json` lists the IAM actions)"


def _refuse(message: str) -> int:
    print(f"doctor: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _doctor(sessions: SessionFactory, opened: CredentialsSession, planner: Planner, github: GitHubFactory, args: argparse.Namespace) -> int:
    try:
        settings = read_stack(args.stack)
        role = settings.config.get(f"{settings.project}:role")
        if role != MANAGEMENT_STACK:
            return _refuse(
                f"stack '{args.stack}' builds the {role} role (Pulumi.{args.stack}.yaml, landing-zone:role); the doctor checks "
                f"the management account. Fix: pass --stack {MANAGEMENT_STACK}."
            )
        landing_zone = config.load(resolve_config_dir(settings, args.config), refuse_example_domains=False)
    except ConfigError as err:
        print(err, file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        session = ReadOnlySession(session_for(sessions, args.profile), Calls())
        try:
            plan = planner(args.stack, args.config)
        except pulumi.RunError as err:
            print(err, file=sys.stderr)
            return EXIT_BAD_INPUT
        intent = intent_of(plan, landing_zone)
        checks = CHECKS
        if args.closing is not None:
            spec = intent.account(args.closing)
            closed = next((a for a in landing_zone.closed_accounts if a.key == args.closing), None)
            if closed is not None:
                return _refuse(
                    f"--closing {args.closing}: {intent.source} marks it closed on {closed.closed_on}, so the program has let it go "
                    f"(a `pulumi up` after one with `closed: pending` closes it). Fix: to check it first, set `closed: pending` again; "
                    f"its state in Organizations: `aws organizations describe-account --account-id <its id> --profile {args.profile}`."
                )
            if spec is None:
                known = ", ".join(a.key for a in intent.accounts)
                return _refuse(f"--closing {args.closing}: no such account in {intent.source}. Fix: pass one of its account keys ({known}).")
            checks = closing_checks(spec)
        reader = github()
        live = Live(intent, session, args.profile, opened, datetime.now(timezone.utc).date(), reader)
        results = run_checks(checks, live)
    except GUARDED as err:
        if isinstance(err, BUGS):
            raise
        return _refuse(str(err) if isinstance(err, MigrationError) else explain(err, NEEDS, [args.profile]))
    for warning in plan.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    subject = f"closing {args.closing}" if args.closing else "preflight"
    if args.json:
        header = {"stack": args.stack, "profile": args.profile, "managementAccountId": intent.management_id, "closing": args.closing}
        header["githubRequests"] = [f"GET {path}" for path in reader.requests] if reader is not None else []
        print(to_json(header, results, session.calls.actions))
    else:
        print(to_text(f"doctor ({subject}) of the management account {intent.management_id}, stack {args.stack}, profile '{args.profile}':", results))
    return exit_code(results)


def add_parser(
    verbs,
    sessions: SessionFactory = open_session,
    opened: CredentialsSession = credentials_session,
    planner: Planner = plan_stack,
    github: GitHubFactory = from_environment,
):
    """Register `doctor` on lzctl's subparsers; tests inject sessions, assumed sessions, the planner and GitHub's client."""
    doctor = verbs.add_parser("doctor", help="live read-only preflight of the management account; exit 4 if a check fails")
    doctor.add_argument("--stack", required=True, help="the management stack: Pulumi.<stack>.yaml must exist")
    doctor.add_argument("--profile", required=True, help="AWS profile of the management account")
    doctor.add_argument("--config", type=Path, help="folder holding landing-zone.yaml (default: the stack's configDir)")
    doctor.add_argument("--json", action="store_true", help="print one JSON document instead of lines")
    doctor.add_argument("--closing", metavar="ACCOUNT_KEY", help="check instead that this account can be closed")
    doctor.set_defaults(handler=functools.partial(_doctor, sessions, opened, planner, github))
    return doctor


def main(argv: Optional[Sequence[str]] = None, **injected) -> int:
    """`doctor` on its own parser, as lzctl's would run it, with `add_parser`'s injections (tests)."""
    root = argparse.ArgumentParser(prog="python -m lzctl")
    add_parser(root.add_subparsers(dest="verb", required=True), **injected)
    args = root.parse_args(argv)
    return args.handler(args)
