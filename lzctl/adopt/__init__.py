"""`python -m lzctl adopt --management-profile P --out DIR`: write the config of an organisation that exists.

Reads the organisation (read-only: every client refuses anything but a read before it is sent),
writes `DIR/landing-zone.yaml` with the existing ids (`existing_organization_id`, `existing_id` of
each OU, `existing_account_id`, `guardrails.adopted_policies` with each policy's document in
`DIR/policies/`), then plans the written config offline and writes `DIR/adopt-report.md`: what the
plan imports, what it creates, every input that differs from what exists with its fix, and what
the config model cannot hold. What is adopted and what is not yet: docs/existing-organisation.md.

Exit codes: 0 written and every read answered; 4 written, but AWS denied some read (the report
lists them) or the written config does not validate (a name AWS allows and the config model does
not; the files stay for inspection), or AWS denied a read adopt cannot do without (nothing
written); 2 bad input (unknown
profile or region, an out folder that holds a config already, a profile that is not a management
account, credentials AWS rejects), one paragraph on stderr and nothing on stdout; 1 a bug.
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path
from typing import Callable, Optional, Sequence

import pulumi
import yaml
from botocore.exceptions import ClientError

import config
from config import CONFIG_FILE, ConfigError
from config.regions import AWS_REGIONS
from lzctl.adopt.control_tower_report import control_tower_differences, section, updates_landing_zone
from lzctl.adopt.mapping import adopt
from lzctl.adopt.member_reads import config_service_roles
from lzctl.adopt.read import NotAManagementAccount, read_organization
from lzctl.adopt.report import REPORT_FILE, creates, differences, render
from lzctl.doctor.aws import Calls, CredentialsSession, ReadOnlySession, credentials_session
from lzctl.migrate.aws import BUGS, EXIT_BAD_INPUT, GUARDED, MigrationError, SessionFactory, explain, is_denied, open_session, session_for
from lzctl.plan import plan_stack
from lzctl.runtime import Plan
from lzctl.stackfile import PROJECT_ROOT
from names import DEFAULT_CONFORMANCE_PACK, MANAGEMENT_STACK

EXIT_UNREADABLE = 4
NEEDS = "read access to AWS Organizations in the management account (every call adopt makes is a read)"
HEADER = """\
# Written by `python -m lzctl adopt` from organisation {org}: what exists, with the ids the first
# `pulumi up` imports. Read adopt-report.md beside it before anything else. Every field is explained
# in docs/configuration.md.
"""
Planner = Callable[[str, Optional[Path]], Plan]
CONFORMANCE_PACK = Path("conformance-packs") / f"{DEFAULT_CONFORMANCE_PACK}.yaml"
"""The default pack (security_services.config.conformance_pack), copied beside the config that names it."""


def _refuse(message: str) -> int:
    print(f"adopt: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _check_out(out: Path) -> Optional[str]:
    if (out / CONFIG_FILE).exists():
        return f"--out {out}: it holds a {CONFIG_FILE} already, which adopt would overwrite. Fix: pass a new or empty folder."
    if not out.parent.is_dir():
        return f"--out {out}: no such folder {out.parent}. Fix: create it, or pass a folder whose parent exists."
    return None


def _write(out: Path, header: str, data: dict, files: dict[str, str]) -> None:
    out.mkdir(exist_ok=True)
    for relative, text in files.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_text(text, encoding="utf-8")
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)
    (out / CONFIG_FILE).write_text(header + text, encoding="utf-8")


def _recorded(data: dict) -> list[str]:
    """The adopted accounts the written config holds (audit, log, application environments): the ones the program
    records with AWS Config, so the only ones whose service-linked role matters. Accounts adopt leaves alone (at
    the root, in the suspended OU, the management account) are not entered."""
    security = data.get("security", {})
    held = [security.get(k, {}) for k in ("audit", "log")]
    held += [a for app in data.get("applications", {}).values() for a in app.get("accounts", {}).values()]
    return [a["existing_account_id"] for a in held if a.get("existing_account_id")]


def _adopt(sessions: SessionFactory, opened: CredentialsSession, planner: Planner, args: argparse.Namespace) -> int:
    problem = _check_out(args.out)
    if problem:
        return _refuse(problem)
    try:
        raw = session_for(sessions, args.management_profile)
        region = args.home_region or getattr(raw, "region_name", None)
        if not region:
            return _refuse(f"profile '{args.management_profile}' sets no region. Fix: pass --home-region (the region of Identity Center and Control Tower).")
        if region not in AWS_REGIONS:
            return _refuse(f"--home-region {region}: not an AWS region (config/regions.py). Fix: pass the region of Identity Center and Control Tower.")
        session = ReadOnlySession(raw, Calls())
        inventory = read_organization(session, region)
        if not inventory.landing_zones:
            members = _recorded(adopt(inventory, region).config)
            inventory.config_service_roles, denied = config_service_roles(session, members, region, opened)
            inventory.unreadable += denied
    except NotAManagementAccount as err:
        return _refuse(
            f"profile '{args.management_profile}': {err}. adopt reads an organisation from its management account. Fix: use that "
            "account's profile; for a single account with no organisation, see `python -m lzctl migrate runbook` (docs/migration.md)."
        )
    except GUARDED as err:
        if isinstance(err, BUGS):
            raise
        message = str(err) if isinstance(err, MigrationError) else explain(err, NEEDS, [args.management_profile])
        print(f"adopt: {message} Nothing was written.", file=sys.stderr)
        return EXIT_UNREADABLE if isinstance(err, ClientError) and is_denied(err) else EXIT_BAD_INPUT
    elsewhere = [arn for arn in inventory.landing_zones if arn.split(":")[3] != region]
    if elsewhere:
        # The landing zone's ARN names its home region (arn:aws:controltower:<region>:<account>:landingzone/<id>); the
        # program registers OUs with that region's baseline ARN and creates the landing zone through a provider in the
        # config's home region, so another region would plan a second landing zone and leave the baselines alone.
        home = elsewhere[0].split(":")[3]
        return _refuse(
            f"--home-region {region}: Control Tower's landing zone {elsewhere[0]} has its home region in {home}, and the config's home "
            f"region must be it. Nothing was written. Fix: pass --home-region {home}."
        )
    adoption = adopt(inventory, region)
    files = {**adoption.files, str(CONFORMANCE_PACK): (PROJECT_ROOT / "config" / CONFORMANCE_PACK).read_text(encoding="utf-8")}
    _write(args.out, HEADER.format(org=inventory.organization_id), adoption.config, files)
    try:
        config.load(args.out, refuse_example_domains=False)
        plan = planner(MANAGEMENT_STACK, args.out)
    except (ConfigError, pulumi.RunError) as err:
        # A name AWS allows and the config model does not (or a bug of adopt): the files stay for inspection.
        print(f"adopt: the config written to {args.out / CONFIG_FILE} does not validate:\n{err}", file=sys.stderr)
        return EXIT_UNREADABLE
    found = differences(plan, inventory) + control_tower_differences(plan, inventory.landing_zone)
    names = {u.arn: u.name for u in inventory.units if u.arn}
    report = render(inventory, adoption, plan, found, section(inventory.landing_zone, inventory.landing_zones, names))
    (args.out / REPORT_FILE).write_text(report, encoding="utf-8")
    imports = sum(1 for r in plan.resources if r.import_id)
    print(
        f"wrote {args.out / CONFIG_FILE} and {args.out / REPORT_FILE}: the plan imports {imports} existing resources and creates "
        f"{len(creates(plan))}; {len(found)} inputs differ from what exists, {len(adoption.left_alone)} things are left alone"
        + (f"; AWS denied {len(inventory.unreadable)} reads" if inventory.unreadable else "")
        + "."
        + (
            " Control Tower's landing zone exists and AWS denied reading it: do not `pulumi up` this config (adopt-report.md)."
            if inventory.landing_zones and inventory.landing_zone is None
            else ""
        )
        + (
            " The first `pulumi up` would update Control Tower's landing zone (UpdateLandingZone, about an hour, every baseline "
            "re-applied): settle its differences first (adopt-report.md)."
            if updates_landing_zone(plan, found)
            else ""
        )
    )
    return EXIT_UNREADABLE if inventory.unreadable else 0


def add_parser(verbs, sessions: SessionFactory = open_session, planner: Planner = plan_stack, opened: CredentialsSession = credentials_session):
    """Register `adopt` on lzctl's subparsers; tests inject sessions, the planner and member-account sessions."""
    parser = verbs.add_parser("adopt", help="read an existing organisation and write the config that imports it")
    parser.add_argument("--management-profile", required=True, help="AWS profile of the organisation's management account")
    parser.add_argument("--out", required=True, type=Path, help="new folder for landing-zone.yaml, policies/ and adopt-report.md")
    parser.add_argument("--home-region", help="region of Identity Center and Control Tower (default: the profile's region)")
    parser.set_defaults(handler=functools.partial(_adopt, sessions, opened, planner))
    return parser


def main(argv: Optional[Sequence[str]] = None, **injected) -> int:
    """`adopt` on its own parser, as lzctl's would run it, with `add_parser`'s injections (tests)."""
    root = argparse.ArgumentParser(prog="python -m lzctl")
    add_parser(root.add_subparsers(dest="verb", required=True), **injected)
    args = root.parse_args(argv)
    return args.handler(args)
