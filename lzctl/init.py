"""`lzctl init DIR`: a commented starting config from a few answers, which plans at once (issue 12.5).

The folder gets only `landing-zone.yaml`: the shipped conformance pack and policy templates are
the defaults (docs/configuration.md, "A config folder of your own"), which files of the folder can
replace. The answers are checked as the config
would check them, every problem at once, before anything is written.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

import config
from config import ConfigError
from config.regions import AWS_REGIONS, CONTROL_TOWER_REGIONS

EXIT_BAD_INPUT = 2
APP_KEY = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
"""A key the rest of the config (and account names `<app>-<env>`) can use."""
DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

TEMPLATE = """\
# The landing zone, described once; written by `python -m lzctl init`. Plan it offline:
#   python -m lzctl plan --stack management --config <this folder>
# Every field: docs/configuration.md. Keys of mappings (OU keys, environment keys, application
# keys, people, groups) are friendly names the rest of this file refers to.
version: 1

organization:
  management_account_id: "{management_account_id}"
  home_region: {home_region}
  governed_regions: [{home_region}]
  # Root e-mail of each new account; {{account}} becomes the account key. One mailbox with
  # plus-addressing is enough; AWS sends each new account's root credentials there.
  account_email_template: "aws+{{account}}@{email_domain}"
  organizational_units:
    security: {{name: Security}}
    member: {{name: Member}}
    dev: {{name: Dev, parent: member}}
    stg: {{name: Stg, parent: member}}
    prod: {{name: Prod, parent: member}}
    suspended: {{name: Suspended}}
  suspended_ou: suspended

# The audit (security tooling) and log archive accounts, in the Security OU.
security:
  ou: security
  audit: {{name: Audit}}
  log: {{name: Log Archive}}

environments:
  dev: {{ou: dev, description: Developers verify freely.}}
  stg: {{ou: stg, description: Production-like; the final check before release.}}
  prod: {{ou: prod, description: Strict security; production data.}}

# One account per application and environment: <app>-dev, <app>-stg, <app>-prod.
applications:
{applications}

# People, groups and permission sets (IAM Identity Center): add yours, then assignments of
# group x scope (an environment, security, management or all) -> permission set.
identity_center:
  permission_sets:
    AdministratorAccess:
      description: Full access, for platform administrators.
      session_duration: PT4H
      managed_policies: [AdministratorAccess]
    ReadOnlyAccess:
      description: Read-only access.
      session_duration: PT4H
      managed_policies: [ReadOnlyAccess]

# GitHub, Slack and Pulumi Deployments are off until you add their sections (docs/delivery.md):
# github: {{owner: your-org, plan: enterprise, automation_login: your-bot, infrastructure_repository: landing-zone}}
# slack: {{workspace: your-workspace}}
# deployments: {{organization: your-pulumi-org}}
"""


def problems(args: argparse.Namespace) -> list[str]:
    found = []
    if not re.fullmatch(r"\d{12}", args.management_account_id):
        found.append(f"--management-account-id: an AWS account id is 12 digits (got {args.management_account_id!r})")
    if not DOMAIN.match(args.email_domain):
        found.append(f"--email-domain: a mail domain such as example.co.jp, lowercase, without '@' (got {args.email_domain!r})")
    if args.home_region not in AWS_REGIONS:
        found.append(f"--home-region: not an AWS region (got {args.home_region!r}); e.g. ap-northeast-1")
    elif args.home_region not in CONTROL_TOWER_REGIONS:
        found.append(f"--home-region: Control Tower is not offered in {args.home_region}, and the landing zone lives in the home region")
    for name in args.applications:
        if not APP_KEY.match(name):
            found.append(f"--applications: {name!r} is not a key: 2-32 of a-z, 0-9 and '-', starting with a letter, not ending with '-'")
    if len(set(args.applications)) != len(args.applications):
        found.append("--applications: each name once")
    target = args.folder / config.CONFIG_FILE
    if target.exists():
        found.append(f"{target}: already exists; init never overwrites a config (choose an empty folder)")
    elif args.folder.exists() and not args.folder.is_dir():
        found.append(f"{args.folder}: exists and is not a folder")
    return found


def text_for(args: argparse.Namespace) -> str:
    applications = "\n".join(f"  {name}: {{description: {name}, kind: container}}" for name in args.applications) or "  {}"
    return TEMPLATE.format(
        management_account_id=args.management_account_id,
        home_region=args.home_region,
        email_domain=args.email_domain,
        applications=applications,
    )


def _refused(found: list[str]) -> int:
    print(f"lzctl init: {len(found)} problem{'s' if len(found) > 1 else ''}, nothing written", file=sys.stderr)
    for line in found:
        print(f"  - {line}", file=sys.stderr)
    return EXIT_BAD_INPUT


def run(args: argparse.Namespace) -> int:
    found = problems(args)
    if found:
        return _refused(found)
    text = text_for(args)
    # The answers combine (an application key and the domain make each root e-mail, whose length
    # AWS caps): the config checks them together, in a scratch folder, before anything is written.
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / config.CONFIG_FILE).write_text(text, encoding="utf-8")
        try:
            config.load(Path(scratch), refuse_example_domains=False)
        except ConfigError as err:
            return _refused([f"{issue.path}: {issue.message}" + (f" ({issue.hint})" if issue.hint else "") for issue in err.issues])
    args.folder.mkdir(parents=True, exist_ok=True)
    target = args.folder / config.CONFIG_FILE
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}; next: python -m lzctl plan --stack management --config {args.folder}")
    return 0


def add_parser(verbs) -> argparse.ArgumentParser:
    init = verbs.add_parser("init", help="write a commented starting landing-zone.yaml into a new folder")
    init.add_argument("folder", type=Path, metavar="DIR", help="the config folder to create (must not hold a landing-zone.yaml)")
    init.add_argument("--management-account-id", required=True, help="the 12-digit id of the account that will own the organisation")
    init.add_argument("--email-domain", required=True, help="mail domain of the accounts' root e-mails (aws+<account>@DOMAIN)")
    init.add_argument("--home-region", default="ap-northeast-1", help="where Control Tower and Identity Center live (default ap-northeast-1)")
    init.add_argument("--applications", nargs="*", default=[], metavar="NAME", help="application keys: each gets a dev, stg and prod account")
    init.set_defaults(handler=run)
    return init
