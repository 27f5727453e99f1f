"""`preflight`: the conditions under which joining the organisation or Control Tower enrolment fail,
and what the organisation's default policies would break in the account's workloads as it joins
(lzctl/migrate/exposure.py).

Facts are read from the existing account once; each check is a pure function of them with an id and
the reason it matters, so the checks are tested as a table. Exit 0 when every check passes, 4 when
any fails (each failure printed with its fix), 2 when the input itself is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from config import AccountSpec
from lzctl.migrate import exposure
from lzctl.migrate.aws import client, organization_of
from lzctl.migrate.context import Context
from lzctl.migrate.roles import FOREIGN_TRUST, READY, RoleState, foreign_trust_fix, role_state
from names import CONTROL_TOWER_EXECUTION_ROLE

EXIT_CHECKS_FAILED = 4
ENABLED = ("opt-in-not-required", "opted-in")


@dataclass(frozen=True)
class Facts:
    """What the existing account holds, next to what the config wants of it."""

    account_id: str
    profile: str
    management_id: str
    governed_regions: tuple[str, ...]
    control_tower: bool
    organization: Optional[dict]
    region_status: dict[str, str]
    """Region -> EC2's opt-in status."""
    recorders: dict[str, list[str]]
    """Governed, enabled region -> names of AWS Config recorders there."""
    channels: dict[str, list[str]]
    access_role: RoleState
    execution_role: RoleState
    prepare_command: str
    exposure: exposure.Exposure
    """What the organisation's default policies would change in the account on joining."""


@dataclass(frozen=True)
class Result:
    id: str
    passed: bool
    finding: str
    why: str = ""
    fix: str = ""


def _by_region(found: dict[str, list[str]]) -> str:
    return "; ".join(f"{region}: {', '.join(names)}" for region, names in found.items() if names)


def organization(f: Facts) -> tuple[bool, str, str]:
    org = f.organization
    if org is None:
        return True, "not in any organisation: ready for the invitation", ""
    if org["MasterAccountId"] == f.management_id:
        return True, f"already a member of {org['Id']}", ""
    return (
        False,
        f"member of organisation {org['Id']} (management account {org['MasterAccountId']})",
        (
            f"leave it first: `aws organizations leave-organization --profile {f.profile}` (the account needs its own payment "
            "method and must be at least 7 days old), or correct organization.management_account_id"
        ),
    )


def _config_fix(f: Facts, found: dict[str, list[str]], kind: str) -> str:
    steps = {
        "recorder": "aws configservice stop-configuration-recorder --configuration-recorder-name {name} --region {region} --profile {profile} && "
        "aws configservice delete-configuration-recorder --configuration-recorder-name {name} --region {region} --profile {profile}",
        "channel": "aws configservice delete-delivery-channel --delivery-channel-name {name} --region {region} --profile {profile}",
    }[kind]
    commands = "; ".join(steps.format(name=n, region=r, profile=f.profile) for r, names in found.items() for n in names)
    return (
        f"Control Tower sets up its own recorder and channel on enrolment; right before the `pulumi up` that enrols the account, "
        f"stop the recorder and delete both (recorded history stays in its S3 bucket): {commands}"
    )


def config_recorder(f: Facts) -> tuple[bool, str, str]:
    found = _by_region(f.recorders)
    if not found:
        return True, "no AWS Config recorder in the governed regions", ""
    return False, f"AWS Config recorders: {found}", _config_fix(f, f.recorders, "recorder")


def config_delivery_channel(f: Facts) -> tuple[bool, str, str]:
    found = _by_region(f.channels)
    if not found:
        return True, "no AWS Config delivery channel in the governed regions", ""
    return False, f"AWS Config delivery channels: {found}", _config_fix(f, f.channels, "channel") + " (stop the recorder before deleting a channel)"


def access_role(f: Facts) -> tuple[bool, str, str]:
    role = f.access_role
    if role.state == READY:
        return True, f"{role.name} exists, trusts only the management account, has AdministratorAccess", ""
    if role.state == FOREIGN_TRUST:
        return False, f"{role.name} trusts someone else", foreign_trust_fix(role, f.management_id, f.profile)
    return False, f"{role.name} is {role.state}", f"`{f.prepare_command}`"


def execution_role(f: Facts) -> tuple[bool, str, str]:
    role = f.execution_role
    if not f.control_tower:
        return True, "not needed: guardrails.control_tower.enabled is false", ""
    if f.access_role.name != CONTROL_TOWER_EXECUTION_ROLE.name:
        # An audit or log account (config/model.py access_role_name): CreateLandingZone makes the role.
        return True, f"not needed: Control Tower creates {CONTROL_TOWER_EXECUTION_ROLE.name} in the audit and log accounts at set-up ({role.state})", ""
    # A workload account's access role is AWSControlTowerExecution, checked above.
    return True, f"{CONTROL_TOWER_EXECUTION_ROLE.name} is the account's access role, checked by access-role ({role.state})", ""


def governed_regions(f: Facts) -> tuple[bool, str, str]:
    disabled = [r for r in f.governed_regions if f.region_status.get(r) not in ENABLED]
    if not disabled:
        return True, f"every governed region is enabled ({', '.join(f.governed_regions)})", ""
    commands = "; ".join(f"aws account enable-region --region-name {r} --profile {f.profile}" for r in disabled)
    return (
        False,
        f"governed regions not enabled in the account: {', '.join(disabled)}",
        (f"enable them ({commands}; it can take hours, `aws account get-region-opt-status` tells when), or remove them from organization.governed_regions"),
    )


CHECKS: tuple[tuple[str, str, Callable[[Facts], tuple[bool, str, str]]], ...] = (
    ("organization", "an account belongs to one organisation at a time; the invitation cannot be accepted otherwise", organization),
    ("config-recorder", "Control Tower cannot enrol an account that already has an AWS Config recorder", config_recorder),
    ("config-delivery-channel", "Control Tower cannot enrol an account that already has an AWS Config delivery channel", config_delivery_channel),
    ("access-role", "the management account and the account's Pulumi provider reach it through this role; invited accounts lack it", access_role),
    ("execution-role", "Control Tower enrols a workload account through AWSControlTowerExecution, which is then its access role", execution_role),
    ("governed-regions", "Control Tower governs every region in organization.governed_regions; a disabled one cannot be governed", governed_regions),
) + tuple((check_id, why, lambda f, check=check: check(f.exposure)) for check_id, why, check in exposure.CHECKS)


def run_checks(facts: Facts) -> list[Result]:
    results = []
    for check_id, why, check in CHECKS:
        passed, finding, fix = check(facts)
        results.append(Result(check_id, passed, finding, "" if passed else why, fix))
    return results


def gather(ctx: Context, session, spec: AccountSpec, profile: str) -> Facts:
    account_id = spec.existing_account_id
    regions = {r["RegionName"]: r["OptInStatus"] for r in client(session, "ec2", ctx.region).describe_regions(AllRegions=True)["Regions"]}
    governed = tuple(ctx.landing_zone.organization.governed_regions)
    readable = [r for r in governed if regions.get(r) in ENABLED]
    recorders, channels = {}, {}
    for region in readable:
        service = client(session, "config", region)
        recorders[region] = [r["name"] for r in service.describe_configuration_recorders()["ConfigurationRecorders"]]
        channels[region] = [c["name"] for c in service.describe_delivery_channels()["DeliveryChannels"]]
    iam = client(session, "iam", ctx.region)
    return Facts(
        account_id=spec.existing_account_id,
        profile=profile,
        management_id=ctx.management_id,
        governed_regions=governed,
        control_tower=ctx.control_tower,
        organization=organization_of(session, ctx.region),
        region_status=regions,
        recorders=recorders,
        channels=channels,
        access_role=role_state(iam, ctx.access_role(spec), ctx.management_id),
        execution_role=role_state(iam, CONTROL_TOWER_EXECUTION_ROLE.name, ctx.management_id),
        prepare_command=ctx.command("prepare-account", "--profile", profile),
        exposure=exposure.gather(session, ctx.landing_zone, spec, account_id, readable),
    )


def preflight(ctx: Context, args) -> int:
    session, spec = ctx.existing(args.profile)
    results = run_checks(gather(ctx, session, spec, args.profile))
    print(f"preflight of account {spec.existing_account_id} ({spec.key}) for the organisation of {ctx.management_id}:")
    for result in results:
        print(f"PASS {result.id}: {result.finding}." if result.passed else f"FAIL {result.id}: {result.finding}. Why: {result.why}. Fix: {result.fix}.")
    failed = [r for r in results if not r.passed]
    if failed:
        print(f"{len(failed)} of {len(results)} checks failed (exit {EXIT_CHECKS_FAILED}); fix them and run this again.")
        return EXIT_CHECKS_FAILED
    print(
        f"all {len(results)} checks pass. next: `{ctx.command('runbook', '--live', '--profile', args.profile, '--management-profile', '<management profile>')}` shows where you are."
    )
    return 0
