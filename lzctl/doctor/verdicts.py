"""The doctor's judgements: what AWS answered, next to what the plan needs, turned into pass / fail / skip.

Pure functions of plain data (AWS's answers as boto3 returns them), so each is tested as a table.
Every fail carries the fix; a pass or skip may carry a note (how to check by hand, what comes next).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from config.regions import CONTROL_TOWER_REGIONS
from lzctl.doctor.intent import NamedResource

PASS, FAIL, SKIP = "pass", "fail", "skip"
ORGANIZATIONS_QUOTA = "L-29A0C5DF"
"""Service Quotas code of Organizations' "Default maximum number of accounts" (us-east-1), as Account
Factory for Terraform, Landing Zone Accelerator and Substrate use it. The Organizations quotas page warns
that codes can change, so the quota is looked up by name first and by this code second."""
ORGANIZATIONS_QUOTA_NAME = "Default maximum number of accounts"
DEFAULT_ACCOUNT_QUOTA = 10
CHATBOT_CONSOLE = "Amazon Q Developer in chat applications (formerly AWS Chatbot) console → Configure new client → Slack"


@dataclass(frozen=True)
class Outcome:
    status: str
    finding: str
    advice: str = ""
    """The fix of a fail; a note on a pass or a skip."""


def passed(finding: str, note: str = "") -> Outcome:
    return Outcome(PASS, finding, note)


def failed(finding: str, fix: str) -> Outcome:
    return Outcome(FAIL, finding, fix)


def skipped(finding: str, note: str) -> Outcome:
    return Outcome(SKIP, finding, note)


def is_root(arn: str) -> bool:
    """The account's root user: `arn:<partition>:iam::<account>:root`."""
    return arn.startswith("arn:") and arn.split(":")[2] == "iam" and arn.endswith(":root")


def credentials(identity: dict, profile: str, management_id: str, source: str) -> Outcome:
    account, arn = identity["Account"], identity["Arn"]
    if account != management_id:
        return failed(
            f"profile '{profile}' reaches account {account} ({arn}), not the management account {management_id}",
            f"pass the management account's profile as --profile, or correct organization.management_account_id in {source}",
        )
    if is_root(arn):
        return failed(
            f"profile '{profile}' signs in as the root user of {account}",
            "use an administrator role instead (an IAM Identity Center permission set, or an IAM role you assume; "
            'docs/deploying.md, "Deploy for real": "Credentials for the first runs") and delete the root user\'s access keys (IAM console → Security credentials)',
        )
    return passed(f"profile '{profile}' reaches the management account {account} as {arn}")


def organization(org: Optional[dict], management_id: str, profile: str) -> Outcome:
    if org is None:
        return passed(
            f"account {management_id} belongs to no organisation yet (first run)",
            'the bootstrap phase creates it: `pulumi up --stack management --config landing-zone:phase=organization` (docs/deploying.md, "Deploy for real": "Create the organisation first")',
        )
    if org["MasterAccountId"] != management_id:
        return failed(
            f"account {management_id} is a member of organisation {org['Id']}, whose management account is {org['MasterAccountId']}",
            f"the program creates and runs its own organisation from {management_id}: have it leave that one first "
            f"(`aws organizations leave-organization --profile {profile}`), or set organization.management_account_id to "
            f"{org['MasterAccountId']} and run the doctor with that account's profile",
        )
    if org.get("FeatureSet") != "ALL":
        return failed(
            f"organisation {org['Id']} has only consolidated billing ({org.get('FeatureSet')})",
            "enable all features (`aws organizations enable-all-features`; every invited member account must accept); SCPs, "
            "Control Tower and IAM Identity Center need them",
        )
    return passed(
        f"organisation {org['Id']} with all features, run from {management_id}",
        "if this stack's state does not hold it yet (it was made by hand or another tool), import it before the first full "
        "`pulumi up`, which would otherwise try to create a second one and fail",
    )


@dataclass(frozen=True)
class AccountNeed:
    planned: int
    """Member accounts the plan creates or imports."""
    others: tuple[str, ...]
    """Accounts of the organisation the config does not describe (closed ones count until gone)."""
    invitations: int
    """Open invitations to accounts the config does not describe: AWS counts them against the quota."""

    @property
    def total(self) -> int:
        return self.planned + 1 + len(self.others) + self.invitations

    def explained(self) -> str:
        parts = [f"{self.planned} planned", "the management account"]
        if self.others:
            parts.append(f"{len(self.others)} more in the organisation ({', '.join(self.others)})")
        if self.invitations:
            parts.append(f"{self.invitations} open invitation{'s' if self.invitations > 1 else ''}")
        return f"{self.total} accounts ({' + '.join(parts)})"


def account_quota(need: AccountNeed, quota: float, applied: bool, code: str, organization_id: Optional[str], profile: str) -> Outcome:
    """`applied`: the organisation's own value (ListServiceQuotas), not AWS's default."""
    limit = int(quota)
    note = (
        ""
        if applied
        else (
            f"AWS's default quota ({limit}); a new organisation can start below it (Organizations quotas page): run the doctor again after the bootstrap phase"
        )
    )
    if need.total <= limit:
        return passed(f"{need.explained()} fit the quota of {limit}", note)
    where = f"organisation {organization_id}" if organization_id else "the organisation the bootstrap phase creates"
    return failed(
        f"{need.explained()} exceed the quota of {limit}",
        f"ask for at least {need.total} from the management account (once the organisation exists): `aws service-quotas "
        f"request-service-quota-increase --service-code organizations --quota-code {code} --desired-value {need.total} "
        f"--region us-east-1 --profile {profile}`, or Service Quotas console (us-east-1) → AWS Organizations → "
        f'{ORGANIZATIONS_QUOTA_NAME} → Request increase. Request text: "Our landing zone as code runs {need.planned} member '
        f"accounts (audit, log archive and one per application and environment) plus the management account in {where}; "
        f'please raise {ORGANIZATIONS_QUOTA_NAME} to {need.total}."',
    )


def identity_center(instances: dict[str, list[dict]], home: str, has_organization: bool) -> Outcome:
    """`instances`: region -> sso-admin ListInstances' Instances, the home region first."""
    if not has_organization:
        return skipped(
            "no organisation yet, so no Identity Center instance",
            f"after the bootstrap phase, enable IAM Identity Center in the console of the management account in {home} "
            '(docs/deploying.md, "Deploy for real": "Enable IAM Identity Center"), then run the doctor again',
        )
    here = instances.get(home, [])
    if here:
        instance = here[0]
        if instance.get("Status", "ACTIVE") != "ACTIVE":
            return failed(
                f"the Identity Center instance {instance['InstanceArn']} in {home} is {instance['Status']} {instance.get('StatusReason', '')}".rstrip(),
                "wait until it is ACTIVE (`aws sso-admin list-instances`); if it is CREATE_FAILED, enable it again in the console",
            )
        return passed(f"Identity Center instance {instance['InstanceArn']} (identity store {instance['IdentityStoreId']}) is active in {home}")
    elsewhere = [region for region, found in instances.items() if found and region != home]
    if elsewhere:
        return failed(
            f"Identity Center is enabled in {', '.join(elsewhere)}, not in the home region {home}",
            f"set organization.home_region to {elsewhere[0]}: an instance cannot move, and deleting it deletes every user, group and assignment",
        )
    return failed(
        f"IAM Identity Center is not enabled in {home}",
        f"enable it in the management account's console in {home} (IAM Identity Center → Enable; docs/deploying.md, "
        '"Deploy for real": "Enable IAM Identity Center"): the program looks the instance up, it cannot create it',
    )


def identity_center_mfa() -> Outcome:
    return skipped(
        "no public API reads Identity Center's MFA settings (no sso-admin or identitystore operation does, API models checked 2026-12-01)",
        'check by hand: IAM Identity Center → Settings → Authentication → Multi-factor authentication shows "Every time they '
        'sign in" and "Require them to register an MFA device at sign in" (docs/deploying.md, "Deploy for real": "Enable IAM Identity Center")',
    )


def control_tower_regions(home: str, governed: Sequence[str], enabled: bool) -> Outcome:
    if not enabled:
        return skipped("Control Tower is off (guardrails.control_tower.enabled: false)", "nothing to check")
    unsupported = [r for r in dict.fromkeys((home, *governed)) if r not in CONTROL_TOWER_REGIONS]
    if unsupported:
        return failed(
            f"Control Tower is not available in {', '.join(unsupported)}",
            "choose a home region and governed regions Control Tower supports (the list, with its source, is in config/regions.py)",
        )
    return passed(f"Control Tower is available in the home region {home} and every governed region ({', '.join(governed)})")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def landing_zone(detail: Optional[dict], wanted: Optional[str], home: str, has_organization: bool) -> Outcome:
    """`detail`: GetLandingZone's `landingZone`, None when ListLandingZones found none; `wanted`: the plan's version."""
    if wanted is None:
        if detail is None:
            return skipped("Control Tower is off (guardrails.control_tower.enabled: false)", "nothing to check")
        return skipped(
            f"Control Tower is off in the config, but landing zone {detail['arn']} exists",
            "the program does not manage it; its SCPs and controls still apply to the OUs it governs",
        )
    if detail is None:
        first = "" if has_organization else " (no organisation yet)"
        return passed(f"no landing zone yet{first}", f"`pulumi up` creates version {wanted}, which takes about an hour")
    arn, version, status = detail["arn"], detail.get("version", "?"), detail.get("status", "?")
    drift = detail.get("driftStatus", {}).get("status", "IN_SYNC")
    region = arn.split(":")[3]
    described = f"landing zone {arn}: version {version}, {status}, {drift}"
    if region != home:
        return failed(described, f"its home region is {region}, which cannot change: set organization.home_region to {region}")
    if status != "ACTIVE":
        return failed(
            described,
            "wait for the running operation to end (`aws controltower list-landing-zone-operations`); if it FAILED, retry it in "
            "the console (Landing zone settings) before `pulumi up`",
        )
    if drift == "DRIFTED":
        return failed(
            described,
            f"repair the drift first: `aws controltower reset-landing-zone --landing-zone-identifier {arn} --region {home}` (console: Landing zone settings → Repair)",
        )
    if _version(version) > _version(wanted):
        return failed(described, f"a landing zone cannot be downgraded: set guardrails.control_tower.landing_zone_version to {version}")
    note = f"`pulumi up` updates it from {version} to {wanted} (about an hour)" if version != wanted else ""
    latest = detail.get("latestAvailableVersion")
    if latest and _version(latest) > _version(wanted):
        note = "; ".join(filter(None, (note, f"{latest} is available")))
    note = "; ".join(filter(None, (note, "if this stack's state does not hold it (set up in the console or by another tool), import it before `pulumi up`")))
    return passed(described, note)


def chatbot(workspaces: list[dict], team_id: str, account: str) -> Outcome:
    """`workspaces`: chatbot DescribeSlackWorkspaces' SlackWorkspaces in `account`."""
    authorised = {w["SlackTeamId"]: w for w in workspaces}
    if team_id not in authorised:
        others = f" (authorised there: {', '.join(sorted(authorised))})" if authorised else ""
        return failed(
            f"Slack workspace {team_id} is not authorised for AWS Chatbot in {account}{others}",
            f"authorise it once, signed in to {account}: {CHATBOT_CONSOLE}; the channel configurations fail to create until then",
        )
    workspace = authorised[team_id]
    if workspace.get("State") == "DISABLED":
        return failed(
            f"Slack workspace {team_id} is authorised in {account} but DISABLED: {workspace.get('StateReason', '')}".rstrip(": "),
            "an organisation chat-applications policy denies it: allow the workspace there",
        )
    return passed(f"Slack workspace {team_id} ({workspace.get('SlackTeamName', '?')}) is authorised for AWS Chatbot in {account}")


@dataclass(frozen=True)
class Found:
    """A name the plan creates that AWS already has."""

    resource: NamedResource
    import_id: str
    ours: bool
    """Carries every tag the program gives it: an earlier `pulumi up` of this program made it."""
    owner: str = ""
    """For buckets: `another account` when the name is taken elsewhere."""


def existing(kind: str, planned: Sequence[NamedResource], found: Sequence[Found], delete_hint: str) -> Outcome:
    """`kind`: singular (`IAM role`)."""
    if not planned:
        return passed(f"the plan creates no {kind} with a name known offline")
    if not found:
        return passed(f"no {kind} the plan creates exists yet ({', '.join(r.name for r in planned)})")
    foreign = [f for f in found if not f.ours]
    ours = ", ".join(f.resource.name for f in found if f.ours)
    made = "an earlier `pulumi up` made them; nothing to do if this stack's state holds them"
    if not foreign:
        return passed(f"{kind}s already there, tagged by this program: {ours}", made)
    listed = ", ".join(f"{f.resource.name}{' (owned by ' + f.owner + ')' if f.owner else ''}" for f in foreign)
    also = f" ({ours} too, tagged by this program: {made})" if ours else ""
    taken = [f for f in foreign if f.owner]
    adopt = "; ".join(f"`pulumi import {f.resource.type} {f.resource.resource} {f.import_id} --parent <its component's URN>`" for f in foreign if not f.owner)
    fixes = (
        [f"adopt or delete each before `pulumi up`, which fails creating them: adopt with {adopt}, or delete what nothing uses ({delete_hint})"]
        if adopt
        else []
    )
    if taken:
        fixes.append(f"{', '.join(f.resource.name for f in taken)}: the name belongs to another account; bucket names are global, so choose another")
    return failed(f"{kind}s the plan creates already exist, not made by this program: {listed}{also}", "; ".join(fixes))


@dataclass(frozen=True)
class ConfigResources:
    """AWS Config recorders and delivery channels of one account Control Tower will enrol, by region."""

    account: str
    """`<key> (<id>)`."""
    recorders: dict[str, list[str]]
    channels: dict[str, list[str]]

    def listed(self) -> str:
        found = {region: self.recorders.get(region, []) + self.channels.get(region, []) for region in {*self.recorders, *self.channels}}
        return f"{self.account}: " + "; ".join(f"{region}: {', '.join(names)}" for region, names in sorted(found.items()) if names)

    @property
    def any(self) -> bool:
        return any(self.recorders.values()) or any(self.channels.values())


def config_resources(enabled: bool, read: Sequence[ConfigResources], unreachable: Sequence[tuple[str, str]]) -> Outcome:
    """`unreachable`: (account, the command that checks it) for accounts the doctor could not assume a role in."""
    if not enabled:
        return skipped("Control Tower is off: no account is enrolled", "nothing to check")
    if not read and not unreachable:
        return passed("no invited or adopted account for Control Tower to enrol; the accounts it creates have no AWS Config resources")
    found = [r for r in read if r.any]
    by_hand = "; ".join(f"{account}: `{command}`" for account, command in unreachable)
    if found:
        return failed(
            "AWS Config recorders or delivery channels exist where Control Tower will enrol: " + " | ".join(r.listed() for r in found),
            "enrolment fails while they exist; right before the `pulumi up` that enrols each account, stop the recorder and delete "
            "both (`python -m lzctl migrate preflight --profile <that account's profile>` prints the commands)"
            + (f". Not checked: {by_hand}" if by_hand else ""),
        )
    clean = ", ".join(r.account for r in read)
    if unreachable:
        return skipped(
            f"no AWS Config recorder or delivery channel in {clean or 'the accounts the doctor could reach'}",
            f"the doctor could not assume {'' if not clean else 'a role in '}the others; check them with their own profile: {by_hand}",
        )
    return passed(f"no AWS Config recorder or delivery channel in the governed regions of {clean}")


@dataclass(frozen=True)
class ServiceRole:
    """AWS Config's service-linked role in one account, and what the plan does with it."""

    account: str
    """`<key> (<id>)`."""
    key: str
    exists: bool
    """IAM GetRole found AWSServiceRoleForConfig there."""
    planned: Optional[str]
    """None: the plan has no such role in the account; "": it creates it; else the ARN it imports."""
    differences: tuple[tuple[str, str], ...] = ()
    """(what differs, its fix) between the role and the import's inputs, where the plan imports it
    (lzctl/adopt/report.py, config_role_differences)."""


def config_service_role(control_tower: bool, read: Sequence[ServiceRole], unreachable: Sequence[tuple[str, str]]) -> Outcome:
    """`unreachable`: (account, the command that checks it). CreateServiceLinkedRole refuses a role that exists
    ("Service role name AWSServiceRoleForConfig has been taken in this account", IAM API reference,
    CreateServiceLinkedRole), and an account that ever used AWS Config keeps the role after its recorder is
    deleted; an import of a role that does not exist fails (Pulumi, "Importing resources")."""
    by_hand = "; ".join(f"{account}: `{command}`" for account, command in unreachable)
    if not read and not unreachable:
        return passed("no existing account for the program or Control Tower to record with AWS Config; the accounts the program creates have no role yet")
    have = ", ".join(r.account for r in read if r.exists) or "none"
    lack = ", ".join(r.account for r in read if not r.exists) or "none"
    found = f"AWSServiceRoleForConfig exists in {have}; missing in {lack}"
    if control_tower:
        outcome = passed(
            found, "with Control Tower on the program creates no AWSServiceRoleForConfig (components/config_recording.py runs with it off): nothing to do"
        )
    else:
        creates = [r for r in read if r.exists and r.planned == ""]
        missing = [r for r in read if not r.exists and r.planned]
        # Pulumi imports a resource whose inputs differ and then updates it (pulumi/pulumi#19339, CLI releases since
        # 2025-05; older CLIs refused the import: pulumi-aws #5284), so a difference is what the first `pulumi up` changes.
        updates = "; ".join(
            f"{r.account}: the first `pulumi up` imports the role and then updates it to the program's inputs: "
            + "; ".join(f"{what} (to make AWS match first instead: {fix})" for what, fix in r.differences)
            for r in read
            if r.exists and r.planned and r.differences
        )
        if creates or missing:
            fixes = []
            if creates:
                fixes.append(
                    f"{', '.join(r.account for r in creates)}: the plan creates the role, which IAM refuses where it exists; set "
                    f"`existing_config_service_role: true` on {', '.join(r.key for r in creates)} so the plan imports it (`lzctl adopt` "
                    "writes it where it read the role)"
                )
            if missing:
                fixes.append(
                    f"{', '.join(r.account for r in missing)}: the plan imports a role that does not exist, so the import fails; remove "
                    f"`existing_config_service_role` from {', '.join(r.key for r in missing)} (the plan then creates it)"
                )
            fixes += [updates] if updates else []
            return failed(found, "; ".join(fixes) + (f". Not checked: {by_hand}" if by_hand else ""))
        outcome = passed(found, "; ".join(["the plan imports the role where it exists and creates it where it is missing", *([updates] if updates else [])]))
    if unreachable:
        return skipped(
            f"{found} (of the accounts the doctor could reach)",
            f"the doctor could not assume a role in the others; check them with their own profile: {by_hand}",
        )
    return outcome


# Closing an account (`--closing KEY`): the three conditions before Organizations' CloseAccount.

SPEND_TOLERANCE = 0.005
"""Below half a cent Cost Explorer's amounts are rounding, not spend."""


def closing_marked(spec, source: str) -> Outcome:
    """`spec`: the config's account."""
    if spec.suspended:
        return passed(f"{spec.key} is marked suspended in {source}")
    return failed(
        f"{spec.key} is not marked suspended in {source}",
        "set `suspended: true` on it and `pulumi up`: it moves to the suspended OU and loses its access; close it only once it has sat there",
    )


def closing_placement(key: str, member: Optional[dict], parent: Optional[str], suspended_ou: Optional[str], path: str) -> Outcome:
    """`member`: Organizations' record of the account; `parent`: its parent's id; `suspended_ou`: the id of the OU at `path`."""
    if member is None:
        return failed(f"{key} is not an account of the organisation", "nothing to close: check the key, or the account has already left")
    described = f"{key} ({member['Id']})"
    state = member.get("State", member.get("Status"))
    if state != "ACTIVE":
        return failed(
            f"{described} is already {state}", "it is closed or closing: a closed account can be reopened through AWS Support for 90 days, then it is gone"
        )
    if suspended_ou is None:
        return failed(f"the suspended OU {path} does not exist", "`pulumi up` creates it and moves suspended accounts into it")
    if parent != suspended_ou:
        return failed(
            f"{described} sits in {parent}, not in the suspended OU {path} ({suspended_ou})", "`pulumi up` with `suspended: true` on it moves it there"
        )
    return passed(f"{described} is ACTIVE in the suspended OU {path} ({suspended_ou})")


def closing_spend(key: str, account_id: str, results: list[dict], start: str, end: str) -> Outcome:
    """`results`: Cost Explorer GetCostAndUsage's ResultsByTime, UnblendedCost, filtered to the account."""
    amounts = [r["Total"]["UnblendedCost"] for r in results if "UnblendedCost" in r.get("Total", {})]
    total = sum(float(a["Amount"]) for a in amounts)
    unit = amounts[0]["Unit"] if amounts else "USD"
    if total > SPEND_TOLERANCE:
        return failed(
            f"{key} ({account_id}) cost {total:.2f} {unit} from {start} to {end}",
            f"something still runs or is stored there: find it (Cost Explorer, filter Linked account {account_id}, group by Service), "
            "stop or move it, then wait for a quiet month; charges up to closure are billed",
        )
    return passed(f"{key} ({account_id}) cost nothing from {start} to {end}", "Cost Explorer data lags by up to a day")


def closing_logs(key: str, account_id: str, location: str, latest: dict[str, Optional[str]], since: str) -> Outcome:
    """`latest`: region -> the first CloudTrail object of the account dated `since` or later, None when there is none."""
    recent = {region: found for region, found in latest.items() if found}
    if recent:
        return passed(
            f"the log archive holds CloudTrail logs of {key} ({account_id}) since {since} in {', '.join(sorted(recent))}", f"under {location}{account_id}/"
        )
    return failed(
        f"no CloudTrail log of {key} ({account_id}) since {since} under {location}{account_id}/ ({', '.join(sorted(latest))})",
        "the organisation trail may not cover it: check the trail (`aws cloudtrail get-trail-status` in the management account) "
        f"and the bucket (`aws s3 ls {location}{account_id}/CloudTrail/ --profile <profile of log>`) before closing; an idle "
        "suspended account may simply have logged nothing",
    )


def github_findings(findings: Sequence, notes: Sequence[str], sound: str) -> Outcome:
    """Each finding (`problem`, `fix`: lzctl/doctor/repositories.py) fails the check; none passes it as `sound`."""
    if findings:
        return failed("; ".join(f.problem for f in findings), "; ".join(f.fix for f in findings))
    return passed(sound, "; ".join(notes))
