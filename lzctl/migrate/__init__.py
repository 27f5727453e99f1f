"""`python -m lzctl migrate ...`: adopt the single account users run today as an application's prod account.

Verbs, in runbook order: `runbook`, `inventory`, `preflight`, `invite`, `accept`, `place-account`,
`prepare-account`, and once the account is managed `remove-root-credentials` (docs/migration.md). Each reads before it writes and says "already done" when
there is nothing left to do, so any of them can be run again.

Exit codes: 0 done (or already done); 2 bad input or a refusal from AWS, one paragraph on stderr;
4 from `preflight` when a check fails; 1 a bug, with its traceback.
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path
from typing import Callable, Optional, Sequence

import config
from config import ConfigError
from lzctl.migrate.aws import BUGS, EXIT_BAD_INPUT, GUARDED, MigrationError, SessionFactory, explain, open_session
from lzctl.migrate.context import Context
from lzctl.migrate.inventory import inventory
from lzctl.migrate.organization import accept, invite, place_account
from lzctl.migrate.preflight import preflight
from lzctl.migrate.roles import prepare_account
from lzctl.migrate.root_credentials import remove_root_credentials
from lzctl.migrate.runbook import runbook

READ_ONLY = "read-only access to the existing account (the AWS managed ReadOnlyAccess policy covers every call)"
MANAGEMENT_ORGANIZATIONS = "organizations:{} on the management account (an administrator there)"


def _profile(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--profile", required=required, help="AWS profile of the existing account")


def _management(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--management-profile", required=required, help="AWS profile of the management account")


def _account_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--account-id", required=True, help="the existing account's id, as in existing_account_id")


def _runbook_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--live", action="store_true", help="mark each step done or not by checking AWS")
    _profile(parser, required=False)
    _management(parser, required=False)


def _inventory_options(parser: argparse.ArgumentParser) -> None:
    _profile(parser)
    parser.add_argument("--regions", nargs="+", metavar="REGION", help="regions to scan (default: every region enabled in the account)")
    parser.add_argument("--out-dir", type=Path, default=Path("."), help="where inventory.md and inventory.json go (default: .)")


def _invite_options(parser: argparse.ArgumentParser) -> None:
    _account_id(parser)
    _management(parser)


def _root_credentials_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--account", required=True, metavar="KEY", help="the adopted account's key, e.g. shop-prod")
    _management(parser)


# name -> (verb, help, options, what the verb needs from AWS, named when AWS refuses a call)
VERBS: dict[str, tuple[Callable, str, Callable[[argparse.ArgumentParser], None], str]] = {
    "runbook": (
        runbook,
        "the migration steps for this config (the seed's six and the audit and log stacks), each with its commands and check",
        _runbook_options,
        "read access to the organisation and Identity Center (management profile) and to IAM of the existing account",
    ),
    "inventory": (inventory, "what the existing account holds that the move touches; writes inventory.md and inventory.json", _inventory_options, READ_ONLY),
    "preflight": (preflight, "conditions that make joining or Control Tower enrolment fail; exit 4 if any", _profile, READ_ONLY),
    "invite": (
        invite,
        "invite the existing account into the organisation (management account)",
        _invite_options,
        MANAGEMENT_ORGANIZATIONS.format("InviteAccountToOrganization, DescribeAccount and ListHandshakesForOrganization"),
    ),
    "accept": (
        accept,
        "accept the invitation from the configured management account (existing account)",
        _profile,
        "organizations:ListHandshakesForAccount and AcceptHandshake in the existing account (an administrator there)",
    ),
    "place-account": (
        place_account,
        "move the joined account into its configured OU and tag it, so the import matches",
        _invite_options,
        MANAGEMENT_ORGANIZATIONS.format("DescribeAccount, ListParents, MoveAccount and TagResource"),
    ),
    "prepare-account": (
        prepare_account,
        "create the organisation access role an invited account lacks",
        _profile,
        "iam:GetRole, iam:CreateRole and iam:AttachRolePolicy in the existing account (an administrator there)",
    ),
    "remove-root-credentials": (
        remove_root_credentials,
        "delete the adopted account's root password, access keys, signing certificates and MFA devices (management account)",
        _root_credentials_options,
        "organizations:DescribeAccount, iam:ListOrganizationsFeatures and sts:AssumeRoot on the management account, and root sessions "
        "in the account that the guardrails let through (the deny-root-user SCP and AWS-GR_RESTRICT_ROOT_USER exempt aws:AssumedRoot)",
    ),
}


def _run(verb: Callable, needs: str, sessions: SessionFactory, args: argparse.Namespace) -> int:
    try:
        landing_zone = config.load(args.config, refuse_example_domains=False)
        return verb(Context(landing_zone, sessions, args.config), args)
    except ConfigError as err:
        print(err, file=sys.stderr)
    except GUARDED as err:
        if isinstance(err, BUGS):
            raise
        profiles = [p for p in (getattr(args, "profile", None), getattr(args, "management_profile", None)) if p]
        message = str(err) if isinstance(err, MigrationError) else explain(err, needs, profiles)
        print(f"migrate {args.migrate_verb}: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def add_parser(verbs, sessions: SessionFactory = open_session) -> argparse.ArgumentParser:
    """Register `migrate` and its verbs on lzctl's subparsers; `sessions` opens a profile (tests inject theirs)."""
    migrate = verbs.add_parser("migrate", help="adopt the existing single account (docs/migration.md)")
    migrate_verbs = migrate.add_subparsers(dest="migrate_verb", required=True)
    for name, (verb, help_text, options, needs) in VERBS.items():
        parser = migrate_verbs.add_parser(name, help=help_text)
        parser.add_argument("--config", type=Path, default=Path("config"), help="folder holding landing-zone.yaml (default: config)")
        options(parser)
        parser.set_defaults(handler=functools.partial(_run, verb, needs, sessions))
    return migrate


def main(argv: Optional[Sequence[str]] = None, sessions: SessionFactory = open_session) -> int:
    """`migrate` on its own parser, as lzctl's would run it; for tests and for use before cli.py wires it."""
    root = argparse.ArgumentParser(prog="python -m lzctl")
    add_parser(root.add_subparsers(dest="verb", required=True), sessions)
    args = root.parse_args(argv)
    return args.handler(args)
