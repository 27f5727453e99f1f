"""`runbook`: the seed's six migration steps for this config, plus the audit and log stacks (step 6), each with its commands and its check.

In this product steps 3 to 5 are one `pulumi up`, which orders them itself (security accounts, then
the landing zone, then the member OUs with the import, then Identity Center); step 1 is the
bootstrap phase (`landing-zone:phase=organization`: the organisation and its OUs only), because the
full run would try to import the existing account before it has joined, and needs Identity Center.
With `--live`, each step is checked against AWS.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from botocore.exceptions import ClientError

from config import AccountSpec
from lzctl.migrate.aws import MigrationError, client, error_code, organization_of, pages
from lzctl.migrate.context import Context
from lzctl.migrate.organization import EXISTING_PROFILE, member, ou_id, ou_path
from lzctl.migrate.roles import MISSING, READY, role_state
from names import CONTROL_TOWER_EXECUTION_ROLE


@dataclass(frozen=True)
class Live:
    ctx: Context
    management: object
    existing: object
    spec: AccountSpec

    @property
    def organizations(self):
        return client(self.management, "organizations", self.ctx.region)

    def emails(self) -> set[str]:
        return {a["Email"].lower() for a in pages(self.organizations, "list_accounts", "Accounts")}


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    notes: tuple[str, ...]
    commands: tuple[str, ...]
    """Exact command lines, in order."""
    check: str
    live: Optional[Callable[[Live], tuple[bool, str]]]
    """Checks the step from the two profiles; None where only another account shows it."""


def organisation_exists(live: Live) -> tuple[bool, str]:
    org = organization_of(live.management, live.ctx.region)
    return org is not None, f"organisation {org['Id']} exists" if org else "the management account has no organisation yet"


def joined_and_prepared(live: Live) -> tuple[bool, str]:
    api, account_id = live.organizations, live.spec.existing_account_id
    joined = member(api, account_id) is not None
    target = ou_id(api, ou_path(live.ctx.landing_zone, live.spec.ou)) if joined else None
    placed = joined and target is not None and api.list_parents(ChildId=account_id)["Parents"][0]["Id"] == target
    name = live.ctx.access_role(live.spec)
    role = role_state(client(live.existing, "iam", live.ctx.region), name, live.ctx.management_id).state
    detail = f"member: {'yes' if joined else 'no'}; in its OU: {'yes' if placed else 'no'}; {name}: {role}"
    return joined and placed and role == READY, detail


def accounts_exist(keys: Callable[[Live], list[AccountSpec]]) -> Callable[[Live], tuple[bool, str]]:
    def check(live: Live) -> tuple[bool, str]:
        emails = live.emails()
        missing = [a.key for a in keys(live) if a.email.lower() not in emails]
        return not missing, f"missing from the organisation: {', '.join(missing)}" if missing else "all in the organisation"

    return check


def security_accounts(live: Live) -> list[AccountSpec]:
    return [a for a in live.ctx.landing_zone.accounts if a.application is None]


def sibling_accounts(live: Live) -> list[AccountSpec]:
    return [a for a in live.ctx.landing_zone.application_accounts(live.spec.application) if a.key != live.spec.key and not a.suspended]


def member_ou_built(live: Live) -> tuple[bool, str]:
    done, detail = accounts_exist(sibling_accounts)(live)
    if live.ctx.control_tower:
        role = role_state(client(live.existing, "iam", live.ctx.region), CONTROL_TOWER_EXECUTION_ROLE.name, live.ctx.management_id).state
        done = done and role != MISSING
        detail += f"; {CONTROL_TOWER_EXECUTION_ROLE.name} in {live.spec.key}: {role}"
    return done, detail


def identity_center(live: Live) -> tuple[bool, str]:
    sso = client(live.management, "sso-admin", live.ctx.region)
    instances = sso.list_instances()["Instances"]
    if not instances:
        return False, "no Identity Center instance (docs/deploying.md, 'Deploy for real': 'Enable IAM Identity Center')"
    sets = list(
        pages(
            sso,
            "list_permission_sets_provisioned_to_account",
            "PermissionSets",
            InstanceArn=instances[0]["InstanceArn"],
            AccountId=live.spec.existing_account_id,
        )
    )
    return bool(sets), f"{len(sets)} permission sets provisioned to {live.spec.key}"


def keys_deleted(live: Live) -> tuple[bool, str]:
    iam = client(live.existing, "iam", live.ctx.region)
    keys = [k["AccessKeyId"] for u in pages(iam, "list_users", "Users") for k in pages(iam, "list_access_keys", "AccessKeyMetadata", UserName=u["UserName"])]
    return not keys, f"{len(keys)} long-lived access keys remain; dev/stg leftovers: see `inventory`"


def _config_option(ctx: Context) -> str:
    return "" if ctx.config_dir == Path("config") else f" --config {ctx.config_dir}"


BOOTSTRAP = ("pulumi up --stack management --config landing-zone:phase=organization", "pulumi config rm landing-zone:phase --stack management")
UP = ("pulumi preview --stack management", "pulumi up --stack management --parallel 5")
"""docs/deploying.md, "Deploy for real": "Preview, then deploy everything": at most 5 at once keeps Control Tower's control operations in its limit."""
SECURITY_STACKS = ("AWS_PROFILE=audit-bootstrap pulumi up --stack audit", "AWS_PROFILE=log-bootstrap pulumi up --stack log")


def steps(ctx: Context, spec: AccountSpec, profile: str, management_profile: str) -> list[Step]:
    account_id, org = spec.existing_account_id, ctx.landing_zone.organization
    return [
        Step(
            1,
            "Management stack: the organisation and its OUs (Control Tower comes with step 3's `pulumi up`)",
            (
                "docs/deploying.md, 'Deploy for real' first: tools, credentials, config, state backend and stacks; then 'Enable IAM Identity Center' after this one",
            ),
            BOOTSTRAP,
            f"aws organizations describe-organization --profile {management_profile}  # MasterAccountId {org.management_account_id}",
            organisation_exists,
        ),
        Step(
            2,
            f"Invite account {account_id} into Organizations, accept, place it in its OU and prepare it",
            ("inventory and preflight first; fix what preflight reports before inviting",),
            (
                ctx.command("inventory", "--profile", profile),
                ctx.command("preflight", "--profile", profile),
                ctx.command("invite", "--account-id", account_id, "--management-profile", management_profile),
                ctx.command("accept", "--profile", profile),
                ctx.command("place-account", "--account-id", account_id, "--management-profile", management_profile),
                ctx.command("prepare-account", "--profile", profile),
                ctx.command("preflight", "--profile", profile),
            ),
            f"aws organizations describe-account --account-id {account_id} --profile {management_profile}; aws iam get-role --role-name {ctx.access_role(spec)} --profile {profile}",
            joined_and_prepared,
        ),
        Step(
            3,
            "Security OU: audit and log accounts, Control Tower landing zone",
            (
                "steps 3 to 5 are one `pulumi up`; the program orders them itself",
                f"first replay {spec.key}'s last 30 days of CloudTrail through the plan (docs/migration.md, 'Before the first full "
                "pulumi up'): every `denied` is a call the guardrails will refuse once it runs; fix the workload or the config first",
                f"the preview must show {spec.key} as an import, not a create",
            ),
            (f"python -m lzctl what-if --stack management --requests {spec.key}-calls.jsonl{_config_option(ctx)}", *UP),
            "pulumi stack output accountIds --stack management  # audit and log; Control Tower console: landing zone available",
            accounts_exist(security_accounts),
        ),
        Step(
            4,
            f"Member OU: new dev/stg accounts of {spec.application}; {spec.key} imported and enrolled (same `pulumi up`)",
            (),
            UP,
            f"Control Tower console: OU {ou_path(ctx.landing_zone, spec.ou)[-1]} registered, {account_id} enrolled; aws iam get-role --role-name {CONTROL_TOWER_EXECUTION_ROLE.name} --profile {profile}",
            member_ou_built,
        ),
        Step(
            5,
            "IAM Identity Center: people, groups, permission sets, assignments (same `pulumi up`)",
            (
                "docs/deploying.md, 'Deploy for real': 'Invite people': send each person their invitation",
                "time-boxed access to the existing account during the move: identity_center.migration_access (docs/migration.md)",
            ),
            UP,
            f"aws sso-admin list-permission-sets-provisioned-to-account --instance-arn <arn> --account-id {account_id} --profile {management_profile}",
            identity_center,
        ),
        Step(
            6,
            "Audit and log stacks: security services aggregated in audit, the log archive's queries and Config delivery in log",
            (
                "docs/deploying.md, 'Deploy for real': 'Audit and log stacks': a profile per account that assumes the role the account was created with, from the management profile",
                "audit first, then log; afterwards Pulumi Deployments runs both after each management update",
            ),
            SECURITY_STACKS,
            "pulumi stack output --stack audit; pulumi stack output --stack log",
            None,
        ),
        Step(
            7,
            f"Move workloads step by step: dev/stg leave {spec.key}, pipelines switch to OIDC, monitoring is re-created",
            (
                "per item under 'Looks like dev/stg': deploy it to the new account, switch its pipeline, re-create its alarms, then delete it here",
                "delete each long-lived access key once its pipeline uses OIDC",
                "then remove the account's root credentials from the management account (centralised root access)",
            ),
            (
                ctx.command("inventory", "--profile", profile, "--out-dir", "migration"),
                f"aws iam delete-access-key --user-name <user> --access-key-id <key> --profile {profile}",
                ctx.command("remove-root-credentials", "--account", spec.key, "--management-profile", management_profile),
            ),
            "the inventory lists no dev/stg resources and no long-lived access keys",
            keys_deleted,
        ),
    ]


def _mark(step: Step, live: Optional[Live]) -> tuple[str, str]:
    if live is None:
        return "[ ]", ""
    if step.live is None:
        return "[-]", "not checked from these two accounts: run its check"
    try:
        done, detail = step.live(live)
    except ClientError as err:
        return "[?]", f"could not check: {error_code(err)} on {err.operation_name}"
    return ("[x]" if done else "[ ]"), detail


def _print_step(step: Step, mark: str, detail: str) -> None:
    print(f"\n{mark} {step.number}. {step.title}")
    if detail:
        print(f"    live: {detail}")
    for note in step.notes:
        print(f"    - {note}")
    for command in step.commands:
        print(f"    $ {command}")
    print(f"    check: {step.check}")


def runbook(ctx: Context, args) -> int:
    live = None
    if args.live:
        if not (args.profile and args.management_profile):
            raise MigrationError(
                "--live checks AWS with two profiles. Fix: pass --profile (the existing account) and --management-profile (the management account)."
            )
        existing, spec = ctx.existing(args.profile)
        live = Live(ctx, ctx.management(args.management_profile), existing, spec)
    specs = [live.spec] if live else ctx.adopted()
    for spec in specs:
        print(f"Migration runbook: account {spec.existing_account_id} becomes {spec.key} in the organisation of {ctx.management_id}")
        pending = []
        for step in steps(ctx, spec, args.profile or EXISTING_PROFILE, args.management_profile or "<management profile>"):
            mark, detail = _mark(step, live)
            if mark not in ("[x]", "[-]"):
                pending.append(step.number)
            _print_step(step, mark, detail)
        if not pending:
            print("\nall steps done.")
        elif live:
            print(f"\nnext: step {pending[0]}.")
        else:
            print("\nnext: the first step not done; add --live --profile P --management-profile M to have each step checked.")
    return 0
