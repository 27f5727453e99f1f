"""The preflight checks: each reads AWS (the APIs are named in its docstring) and asks `verdicts` to judge;
those of adopted GitHub repositories are in `github_checks`.

Reads shared by several checks (the caller, the organisation, its accounts, sessions in member
accounts) are made once, by `Live`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Callable, Optional

from botocore.exceptions import ClientError

from config import AccountSpec
from lzctl.adopt.read import ServiceRole as ServiceRoleRead
from lzctl.adopt.report import config_role_differences
from lzctl.doctor import verdicts
from lzctl.doctor.aws import CredentialsSession, ReadOnlySession, assume_read_only
from lzctl.doctor.github import GitHub
from lzctl.doctor.github_checks import adopted_branches, adopted_environments, oidc_subjects
from lzctl.doctor.intent import Intent, NamedResource
from lzctl.doctor.verdicts import Found, Outcome
from lzctl.migrate.aws import error_code, organization_of, pages
from names import CONFIG_SERVICE_LINKED_ROLE
from security.alerting import CHATBOT_REGION

QUOTAS_REGION = "us-east-1"
"""Organizations is hosted in us-east-1; its quotas are read there (Organizations quotas page)."""
OPEN_INVITATIONS = ("OPEN", "REQUESTED")
GONE = "CLOSED"
"""Organizations' account State once the post-closure period is over: no longer counted."""
NOT_FOUND = ("NoSuchEntity", "404", "NoSuchBucket", "NotFound")


class Live:
    """The management account as the doctor sees it, read lazily and once."""

    def __init__(self, intent: Intent, session: ReadOnlySession, profile: str, opened: CredentialsSession, today: date, github: Optional[GitHub] = None):
        self.intent = intent
        self.session = session
        self.profile = profile
        self.opened = opened
        self.today = today
        """UTC date the time windows (spend, logs) end on."""
        self.github = github
        """GitHub as the `GITHUB_TOKEN` token sees it; None without the variable."""
        self._assumed: dict[str, Optional[ReadOnlySession]] = {}

    def client(self, service: str, region: Optional[str] = None):
        return self.session.client(service, region_name=region or self.intent.home_region)

    @cached_property
    def identity(self) -> dict:
        return self.client("sts").get_caller_identity()

    @property
    def reached(self) -> bool:
        return self.identity["Account"] == self.intent.management_id

    @property
    def foreign(self) -> bool:
        """The management account is a member of someone else's organisation."""
        return self.organization is not None and self.organization["MasterAccountId"] != self.intent.management_id

    @cached_property
    def organization(self) -> Optional[dict]:
        return organization_of(self.session, self.intent.home_region)

    @cached_property
    def members(self) -> list[dict]:
        """The organisation's accounts (Organizations ListAccounts); none without an organisation."""
        if self.organization is None:
            return []
        return list(pages(self.client("organizations"), "list_accounts", "Accounts"))

    def member(self, spec: AccountSpec) -> Optional[dict]:
        """The organisation's record of a config account: by its adopted id, else by its root e-mail."""
        for account in self.members:
            if account["Id"] == spec.existing_account_id or (not spec.existing_account_id and account["Email"].lower() == spec.email.lower()):
                return account
        return None

    def assumed(self, spec: AccountSpec, account_id: str) -> Optional[ReadOnlySession]:
        """A read-only session in member account `account_id` (config account `spec`) through its access role (STS AssumeRole)."""
        if account_id not in self._assumed:
            role = self.intent.access_roles[spec.key]
            self._assumed[account_id] = assume_read_only(self.session, account_id, role, self.intent.home_region, self.opened)
        return self._assumed[account_id]

    def described(self, spec: AccountSpec) -> str:
        member = self.member(spec)
        return f"{spec.key} ({member['Id'] if member else spec.existing_account_id or 'not created yet'})"


def credentials(live: Live) -> Outcome:
    """STS GetCallerIdentity."""
    return verdicts.credentials(live.identity, live.profile, live.intent.management_id, live.intent.source)


def organization(live: Live) -> Outcome:
    """Organizations DescribeOrganization."""
    return verdicts.organization(live.organization, live.intent.management_id, live.profile)


def _quota(live: Live) -> tuple[float, bool, str]:
    """(value, applied, code): the organisation's value (Service Quotas ListServiceQuotas), else AWS's default
    (ListAWSDefaultServiceQuotas), else the documented default."""
    api = live.client("service-quotas", QUOTAS_REGION)
    for operation, applied in (("list_service_quotas", True), ("list_aws_default_service_quotas", False)):
        try:
            for quota in pages(api, operation, "Quotas", ServiceCode="organizations"):
                if quota["QuotaName"] == verdicts.ORGANIZATIONS_QUOTA_NAME or quota["QuotaCode"] == verdicts.ORGANIZATIONS_QUOTA:
                    return quota["Value"], applied, quota["QuotaCode"]
        except ClientError as err:
            if error_code(err) != "NoSuchResourceException":
                raise
    return verdicts.DEFAULT_ACCOUNT_QUOTA, False, verdicts.ORGANIZATIONS_QUOTA


def account_quota(live: Live) -> Outcome:
    """Service Quotas ListServiceQuotas / ListAWSDefaultServiceQuotas (us-east-1); Organizations ListAccounts and
    ListHandshakesForOrganization (open invitations count against the quota)."""
    ours = {m["Id"] for m in map(live.member, live.intent.accounts) if m} | {live.intent.management_id}
    adopted = {a.existing_account_id for a in live.intent.accounts if a.existing_account_id}
    others = tuple(f"{m['Name']} {m['Id']}" for m in live.members if m["Id"] not in ours and m.get("State") != GONE)
    invitations = 0
    if live.organization is not None:
        handshakes = pages(live.client("organizations"), "list_handshakes_for_organization", "Handshakes", Filter={"ActionType": "INVITE"})
        invitations = sum(
            1
            for h in handshakes
            if h["State"] in OPEN_INVITATIONS and not any(p["Type"] == "ACCOUNT" and p["Id"] in adopted | ours for p in h.get("Parties", []))
        )
    need = verdicts.AccountNeed(live.intent.planned_accounts, others, invitations)
    value, applied, code = _quota(live)
    org_id = live.organization["Id"] if live.organization else None
    return verdicts.account_quota(need, value, applied, code, org_id, live.profile)


def identity_center(live: Live) -> Outcome:
    """SSO Admin ListInstances in the home region, then in the other governed regions if it is not there."""
    if live.organization is None:
        return verdicts.identity_center({}, live.intent.home_region, False)
    found = {}
    for region in dict.fromkeys((live.intent.home_region, *live.intent.governed_regions)):
        found[region] = list(pages(live.client("sso-admin", region), "list_instances", "Instances"))
        if found[region] and region == live.intent.home_region:
            break
    return verdicts.identity_center(found, live.intent.home_region, True)


def identity_center_mfa(live: Live) -> Outcome:
    """No API: none exposes Identity Center's MFA settings."""
    return verdicts.identity_center_mfa()


def control_tower_regions(live: Live) -> Outcome:
    """No API: the plan's governed regions against config/regions.py."""
    return verdicts.control_tower_regions(live.intent.home_region, live.intent.governed_regions, live.intent.control_tower)


def landing_zone(live: Live) -> Outcome:
    """Control Tower ListLandingZones and GetLandingZone, in the home region (ListLandingZones answers for any
    commercial home region, but for an opt-in one only when called there: Control Tower user guide, "Identify your
    landing zone")."""
    detail = None
    if live.organization is not None:
        api = live.client("controltower")
        arns = [z["arn"] for z in pages(api, "list_landing_zones", "landingZones")]
        if arns:
            detail = api.get_landing_zone(landingZoneIdentifier=arns[0])["landingZone"]
    return verdicts.landing_zone(detail, live.intent.landing_zone_version, live.intent.home_region, live.organization is not None)


def _workspaces(session: ReadOnlySession) -> list[dict]:
    return list(pages(session.client("chatbot", region_name=CHATBOT_REGION), "describe_slack_workspaces", "SlackWorkspaces"))


def chatbot_management(live: Live) -> Outcome:
    """Chatbot DescribeSlackWorkspaces in the management account (us-east-2, where Chatbot's API lives)."""
    team_ids = live.intent.management_team_ids
    if not team_ids:
        return verdicts.skipped("the management stack creates no Chatbot channel (no slack.team_id)", "nothing to check")
    workspaces = _workspaces(live.session)
    outcomes = [verdicts.chatbot(workspaces, team, f"the management account {live.intent.management_id}") for team in team_ids]
    return next((o for o in outcomes if o.status == verdicts.FAIL), outcomes[0])


def _by_hand(key: str, command: str) -> str:
    return f"{command} --profile <profile of {key}>"


def chatbot_audit(live: Live) -> Outcome:
    """STS AssumeRole into the audit account (the organisation access role, read-only session policy), then
    Chatbot DescribeSlackWorkspaces there."""
    team = live.intent.audit_team_id
    command = _by_hand("audit", f"aws chatbot describe-slack-workspaces --region {CHATBOT_REGION}")
    if team is None:
        return verdicts.skipped("the audit stack creates no Chatbot channel (no slack.team_id)", "nothing to check")
    spec = live.intent.audit
    member = live.member(spec) if spec else None
    if member is None:
        return verdicts.skipped(
            "the audit account does not exist yet",
            f"once `pulumi up` has created it, authorise Slack workspace {team} in it ({verdicts.CHATBOT_CONSOLE}) before the audit "
            f"stack's first `pulumi up`; check with `{command}`",
        )
    session = live.assumed(spec, member["Id"])
    if session is None:
        return verdicts.skipped(
            f"could not assume {live.intent.access_roles[spec.key]} in the audit account {member['Id']}",
            f"check it with the audit account's own credentials: `{command}` must list {team}",
        )
    return verdicts.chatbot(_workspaces(session), team, f"the audit account {member['Id']}")


def _tags(listed: list[dict]) -> set[tuple[str, str]]:
    return {(t["Key"], t["Value"]) for t in listed}


def _absent(err: ClientError) -> bool:
    return error_code(err) in NOT_FOUND


def existing_roles(live: Live) -> Outcome:
    """IAM GetRole for each role the plan creates with the management account's providers."""
    iam, found = live.client("iam"), []
    for role in live.intent.roles:
        try:
            answer = iam.get_role(RoleName=role.name)["Role"]
        except ClientError as err:
            if _absent(err):
                continue
            raise
        found.append(Found(role, role.name, set(role.tags) <= _tags(answer.get("Tags", []))))
    return verdicts.existing("IAM role", live.intent.roles, found, "`aws iam delete-role --role-name NAME` once its policies are detached")


def _oidc_arn(live: Live, provider: NamedResource) -> str:
    return f"arn:aws:iam::{live.intent.management_id}:oidc-provider/{provider.name.removeprefix('https://')}"


def existing_oidc_providers(live: Live) -> Outcome:
    """IAM GetOpenIDConnectProvider for each OIDC provider the plan creates in the management account."""
    iam, found = live.client("iam"), []
    for provider in live.intent.oidc_providers:
        arn = _oidc_arn(live, provider)
        try:
            answer = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        except ClientError as err:
            if _absent(err):
                continue
            raise
        found.append(Found(provider, arn, set(provider.tags) <= _tags(answer.get("Tags", []))))
    return verdicts.existing(
        "IAM OIDC provider", live.intent.oidc_providers, found, "`aws iam delete-open-id-connect-provider --open-id-connect-provider-arn ARN`"
    )


def existing_buckets(live: Live) -> Outcome:
    """S3 HeadBucket for each bucket name the plan fixes offline (403: the name belongs to another account)."""
    s3, found = live.client("s3"), []
    for bucket in live.intent.buckets:
        try:
            s3.head_bucket(Bucket=bucket.name)
        except ClientError as err:
            if _absent(err):
                continue
            if error_code(err) not in ("403", "AccessDenied"):
                raise
            found.append(Found(bucket, bucket.name, False, owner="another account"))
            continue
        found.append(Found(bucket, bucket.name, False))
    outcome = verdicts.existing("S3 bucket", live.intent.buckets, found, "empty it, then `aws s3 rb s3://NAME`")
    if not live.intent.buckets:
        return verdicts.passed(outcome.finding, "the log stack's bucket names carry the log account's id and are not checked here")
    return outcome


def _config_resources(session: ReadOnlySession, account: str, regions: tuple[str, ...]) -> verdicts.ConfigResources:
    recorders, channels = {}, {}
    for region in regions:
        service = session.client("config", region_name=region)
        recorders[region] = [r["name"] for r in service.describe_configuration_recorders()["ConfigurationRecorders"]]
        channels[region] = [c["name"] for c in service.describe_delivery_channels()["DeliveryChannels"]]
    return verdicts.ConfigResources(account, recorders, channels)


def config_resources(live: Live) -> Outcome:
    """For each adopted or invited account: STS AssumeRole (read-only session policy), then AWS Config
    DescribeConfigurationRecorders and DescribeDeliveryChannels in every governed region."""
    if not live.intent.control_tower:
        return verdicts.config_resources(False, (), ())
    read, unreachable = [], []
    for spec in live.intent.accounts:
        member = live.member(spec)
        if not spec.existing_account_id and (member is None or member.get("JoinedMethod") != "INVITED"):
            continue
        session = live.assumed(spec, member["Id"]) if member else None
        if session is None:
            unreachable.append((live.described(spec), live.intent.migrate_command("preflight", spec.key)))
            continue
        read.append(_config_resources(session, live.described(spec), live.intent.governed_regions))
    return verdicts.config_resources(True, read, unreachable)


def config_service_role(live: Live) -> Outcome:
    """For each existing account Control Tower will enrol (adopted or invited) or, with Control Tower off, the plan
    records with AWS Config: STS AssumeRole (read-only session policy), then IAM GetRole AWSServiceRoleForConfig,
    whose tags and description an import compares with the program's (adopt's config_role_differences)."""
    read, unreachable = [], []
    for spec in live.intent.accounts:
        member = live.member(spec)
        if member is None:
            continue
        planned = live.intent.config_roles.get(member["Id"])
        enrolled = spec.existing_account_id or member.get("JoinedMethod") == "INVITED"
        if not (enrolled if live.intent.control_tower else planned is not None):
            continue
        session = live.assumed(spec, member["Id"])
        if session is None:
            unreachable.append((live.described(spec), f"aws iam get-role --role-name {CONFIG_SERVICE_LINKED_ROLE.name} --profile <profile of {spec.key}>"))
            continue
        try:
            role = session.client("iam", region_name=live.intent.home_region).get_role(RoleName=CONFIG_SERVICE_LINKED_ROLE.name)["Role"]
        except ClientError as err:
            if not _absent(err):
                raise
            role = None
        differences = ()
        inputs = live.intent.config_role_inputs.get(member["Id"])
        if role is not None and inputs is not None:
            found = ServiceRoleRead({t["Key"]: t["Value"] for t in role.get("Tags", [])}, role.get("Description", ""))
            differences = tuple((d.what, d.fix) for d in config_role_differences(inputs.urn, member["Id"], dict(inputs.tags), inputs.description, found))
        read.append(verdicts.ServiceRole(live.described(spec), spec.key, role is not None, planned, differences))
    return verdicts.config_service_role(live.intent.control_tower, read, unreachable)


@dataclass(frozen=True)
class Check:
    id: str
    why: str
    run: Callable[[Live], Outcome]
    reads_organization: bool = False
    """Reads the organisation the account runs: skipped while the account belongs to someone else's."""
    reads_aws: bool = True
    """Reads AWS through the profile: skipped while the profile reaches another account. The GitHub checks read GitHub
    with `GITHUB_TOKEN` and judge the plan only, so they run whatever the credentials check found."""


CREDENTIALS = Check("credentials", "every provider of the program refuses any account but the configured management account", credentials)
CHECKS: tuple[Check, ...] = (
    CREDENTIALS,
    Check("organization", "the program creates the organisation, or runs the one its management account owns", organization),
    Check("account-quota", "CreateAccount fails once the organisation holds as many accounts as its quota", account_quota, reads_organization=True),
    Check(
        "identity-center", "the program looks the Identity Center instance up in the home region; it cannot create it", identity_center, reads_organization=True
    ),
    Check("identity-center-mfa", "the article requires MFA for everyone who signs in", identity_center_mfa),
    Check("control-tower-regions", "CreateLandingZone fails for a home or governed region Control Tower does not support", control_tower_regions),
    Check("landing-zone", "an existing landing zone must be healthy, in the home region and not newer than the config", landing_zone, reads_organization=True),
    Check("chatbot-management", "Chatbot channel configurations fail until the Slack workspace is authorised in the account", chatbot_management),
    Check(
        "chatbot-audit", "the audit stack's security alerts need the Slack workspace authorised in the audit account", chatbot_audit, reads_organization=True
    ),
    Check("existing-roles", "creating an IAM role whose name exists fails (EntityAlreadyExists)", existing_roles),
    Check("existing-oidc-providers", "creating an OIDC provider whose URL exists in the account fails (EntityAlreadyExists)", existing_oidc_providers),
    Check("existing-buckets", "S3 bucket names are global; creating one that exists fails", existing_buckets),
    Check(
        "config-resources",
        "Control Tower cannot enrol an account that already has an AWS Config recorder or delivery channel",
        config_resources,
        reads_organization=True,
    ),
    Check(
        "config-service-role",
        "IAM refuses to create AWSServiceRoleForConfig where it exists (an account that ever used AWS Config keeps it), and an import of a missing one fails",
        config_service_role,
        reads_organization=True,
    ),
    Check(
        "adopted-environments",
        "branch policies the owners gave an adopted repository's environments stay beside the program's, and let those branches deploy",
        adopted_environments,
        reads_aws=False,
    ),
    Check(
        "adopted-branches",
        "the program commits its workflow files to an adopted repository's branches as the automation login, which its rules must let through",
        adopted_branches,
        reads_aws=False,
    ),
    Check(
        "oidc-subjects",
        "every deploy and plan role trusts one exact sub (StringEquals): a customised subject template, another subject form or another "
        "spelling of the owner than GitHub's login makes it refuse every token",
        oidc_subjects,
        reads_aws=False,
    ),
)
