"""The validated landing zone, resolved into the frozen records the components build.

Components never read YAML or pydantic models; they get these records, in which every reference
has been checked and every default (account names, templated e-mails, assignment scopes, SCP
packing, pipelines) has been applied. `config.resolve` builds them; the `*_checks` modules check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Mapping, Optional

import names
from config.schema import SCOPE_MANAGEMENT, LandingZoneConfig
from guardrails.policies import PolicyDocument
from guardrails.policy_types import BY_API_TYPE, SCP
from guardrails.scp import Exemption

AUDIT = "audit"
LOG = "log"
"""Account keys of the Security OU's two accounts (beside `management` and `<app>-<env>`)."""
CONTROL_TOWER_SERVICE = "controltower.amazonaws.com"
"""Control Tower's trusted access, enabled only with Control Tower on: nothing else uses it."""
STACK_ACCOUNTS = {names.MANAGEMENT_STACK: SCOPE_MANAGEMENT, names.AUDIT_STACK: AUDIT, names.LOG_STACK: LOG}
"""Stack -> key of the account it deploys into."""


def parents_first(parents: Mapping[str, Optional[str]]) -> list[str]:
    """OU keys (key -> parent key or None) ordered so that every parent precedes its children.

    Assumes a tree: validation refuses cycles and unknown parents before anything calls this.
    """

    def depth(key: str) -> int:
        parent = parents[key]
        return 0 if parent is None else 1 + depth(parent)

    return sorted(parents, key=depth)


# --- accounts and Identity Center -------------------------------------------------------------


@dataclass(frozen=True)
class AccountSpec:
    """One member account, as it should exist in Organizations."""

    key: str
    """Friendly key: `audit`, `log` or `<app>-<env>`; names its resources and fills the e-mail template."""
    name: str
    """Account name in Organizations."""
    email: str
    """Root user e-mail."""
    ou: str
    """Key of the OU the account lives in (the suspended OU once suspended)."""
    application: Optional[str] = None
    """Application key, for workload accounts."""
    environment: Optional[str] = None
    """Environment key, for workload accounts."""
    suspended: bool = False
    """Parked in the suspended OU with no access assigned; closed only through `closing` then `closed_on`."""
    existing_account_id: Optional[str] = None
    """Adopted with Pulumi's import instead of created (the single-account migration)."""
    existing_config_service_role: bool = False
    """The adopted account has AWSServiceRoleForConfig, which the program's recording (Control Tower off) imports."""
    closing: bool = False
    """`closed: pending`: planned unprotected with close_on_deletion, so that the `pulumi up` after the
    next (once it is `closed: <date>`) closes it instead of stopping at the protection."""
    closed_on: Optional[date] = None
    """`closed: <date>`: closed on that day; it has left the program (`LandingZone.closed_accounts`)."""

    @property
    def tags(self) -> dict[str, str]:
        tags = dict(names.MANAGED_BY_TAG)
        if self.application:
            tags[names.APP_TAG] = self.application
        if self.environment:
            tags[names.ENV_TAG] = self.environment
        return tags


@dataclass(frozen=True)
class AssignmentSpec:
    """One Identity Center account assignment: a group gets a permission set on an account."""

    group: str
    """Group key."""
    permission_set: str
    """Permission set name."""
    account: str
    """Account key, or `management`."""

    @property
    def key(self) -> str:
        return f"{self.group}-{self.account}-{self.permission_set}"


@dataclass(frozen=True)
class UserAssignmentSpec:
    """A permission set assigned to one person directly: the time-boxed migration access."""

    person: str
    """Person key."""
    permission_set: str
    """Permission set name."""
    account: str
    """Account key."""

    @property
    def key(self) -> str:
        return f"{self.person}-{self.account}-{self.permission_set}"


@dataclass(frozen=True)
class PersonSpec:
    """An Identity Center user; the e-mail is the user name."""

    given_name: str
    """Given name."""
    family_name: str
    """Family name."""
    email: str
    """E-mail, and the user name people sign in with."""
    github: Optional[str] = None
    """GitHub login, for team membership."""
    user_name: str = ""
    """User name in the identity store; resolve fills in the e-mail when the config names none."""
    display_name: str = ""
    """Display name; resolve fills in given and family name when the config names none."""


@dataclass(frozen=True)
class GroupSpec:
    """An Identity Center group (and the GitHub team of its members' logins)."""

    description: str
    """Group description; empty for none."""
    members: tuple[str, ...]
    """Person keys."""
    display_name: str = ""
    """Name in the identity store; resolve fills in the key when the config names none."""


@dataclass(frozen=True)
class PermissionSetSpec:
    """A permission set with its policies."""

    description: str
    """Shown in the access portal."""
    session_duration: str
    """ISO-8601, PT1H-PT12H."""
    managed_policies: tuple[str, ...] = ()
    """AWS managed policies, by name or ARN."""
    inline_policy: Optional[str] = None
    """The inline policy, minified JSON read from its file; None for none."""


def membership_key(group: str, person: str) -> str:
    return f"{group}-{person}"


def attachment_key(permission_set: str, policy: str) -> str:
    return f"{permission_set}-{names.managed_policy_key(policy)}"


@dataclass(frozen=True)
class IdentityCenterImports:
    """Import ids of the Identity Center resources an adopted organisation has (`lzctl adopt`), by resource key.

    Formats from the pulumi-aws docstrings of each resource (`pulumi import` examples).
    """

    users: Mapping[str, str] = field(default_factory=dict)
    """Person key -> `<identity store id>/<user id>`."""
    groups: Mapping[str, str] = field(default_factory=dict)
    """Group key -> `<identity store id>/<group id>`."""
    memberships: Mapping[str, str] = field(default_factory=dict)
    """`membership_key` -> `<identity store id>/<membership id>`."""
    permission_sets: Mapping[str, str] = field(default_factory=dict)
    """Permission set name -> `<permission set arn>,<instance arn>`."""
    inline_policies: Mapping[str, str] = field(default_factory=dict)
    """Permission set name -> `<permission set arn>,<instance arn>`, for the sets whose inline policy exists already."""
    managed_policies: Mapping[str, str] = field(default_factory=dict)
    """`attachment_key` -> `<managed policy arn>,<permission set arn>,<instance arn>`."""
    assignments: Mapping[str, str] = field(default_factory=dict)
    """`AssignmentSpec.key` -> `<group id>,GROUP,<account id>,AWS_ACCOUNT,<permission set arn>,<instance arn>`."""


@dataclass(frozen=True)
class ControlTowerImports:
    """Import ids of an adopted landing zone, its OU baselines, enabled controls and prerequisite roles (`lzctl adopt`).

    Formats from the pulumi-aws docstrings (`pulumi import` examples, pulumi_aws/controltower/) and the
    provider's importers (terraform-provider-aws internal/service/controltower: landing_zone.go passes
    the id through, the id being the ARN's `landingzone/<id>`; control.go splits `<target>,<control>`
    and finds the control by ListEnabledControls on the target).
    """

    landing_zone: Optional[str] = None
    """The landing zone id."""
    baselines: Mapping[str, str] = field(default_factory=dict)
    """OU key -> enabled baseline ARN."""
    controls: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """(OU key, control id) -> `<OU ARN>,<control ARN>`."""
    roles: Mapping[str, str] = field(default_factory=dict)
    """Prerequisite role key -> role name (aws.iam.Role's import id)."""
    role_policies: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """(role key, managed policy ARN) -> `<role>/<policy ARN>` (RolePolicyAttachment); (role key, inline
    policy name) -> `<role>:<policy name>` (RolePolicy)."""


# --- guardrails --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupSpec:
    """Where the backup policy's plan runs: each of these accounts needs its vault and role."""

    accounts: tuple[str, ...]
    """Keys of the active member accounts below the policy's targets, in config order."""
    regions: tuple[str, ...]
    """Regions of the plan, home region first: a vault in each."""
    management: bool
    """The policy is on the root, whose management policies cover the management account too."""


@dataclass(frozen=True)
class GuardrailPlan:
    """What the guardrail components build, checked against AWS limits."""

    policies: tuple[PolicyDocument, ...]
    """Merged Organizations policy documents of every type, each for one target (`root` or an OU key)."""
    privileged_role_arns: tuple[str, ...]
    """The roles the SCPs exempt, in any account: deploy boundaries forbid creating or changing them."""
    registered_ous: tuple[str, ...]
    """OUs to register with Control Tower, parents first; empty with Control Tower off."""
    controls: dict[str, tuple[str, ...]]
    """OU key -> control ids to enable; empty with Control Tower off."""
    control_exemptions: dict[str, tuple[Exemption, ...]]
    """OU key -> the roles the landing zone deploys with in the accounts below it (each pinned to its
    account), which preventive controls that could deny them exempt through ExemptedPrincipalArns."""
    root_access: bool = False
    """Centralised root access: IAM's trusted access and RootCredentialsManagement + RootSessions."""
    backup: Optional[BackupSpec] = None
    """The accounts and regions the backup policy covers, or None without one."""

    def policy_types(self, control_tower: bool) -> tuple[str, ...]:
        """API names of the types to enable on the root: those with a document, and SCPs while
        Control Tower is on (its controls are SCPs). Enabling a type makes Organizations attach
        its default policy everywhere; disabling one detaches every policy of it."""
        used = {doc.policy_type.api_type for doc in self.policies} | ({SCP.api_type} if control_tower else set())
        return tuple(sorted(used))

    @property
    def trusted_services(self) -> tuple[str, ...]:
        """Service principals the policies and root access need trusted access for."""
        services = {doc.policy_type.trusted_service for doc in self.policies} | ({names.ROOT_ACCESS_SERVICE} if self.root_access else set())
        return tuple(sorted(services - {None}))


@dataclass(frozen=True)
class AdoptedAttachment:
    """Where an adopted policy is attached."""

    target: str
    """`root`, an OU key or an account key (`management` included)."""
    import_id: Optional[str]
    """`<target id>:<policy id>`, the PolicyAttachment import id, when the target exists already; None
    when the program creates the target (then the attachment is created too)."""


@dataclass(frozen=True)
class AdoptedPolicySpec:
    """An organisation policy of an adopted organisation, kept as it is (guardrails.adopted_policies)."""

    key: str
    """Friendly key; names its resources."""
    existing_id: str
    """Policy id (p-...), the Policy import id."""
    type: str
    """Organizations policy type."""
    name: str
    """Policy name as it exists."""
    description: str
    """Description as it exists."""
    content: str
    """The document text exactly as Organizations returned it."""
    attachments: tuple[AdoptedAttachment, ...]
    """Its targets, in config order."""


# --- delivery ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewerSpec:
    """Required reviewers of an environment."""

    teams: tuple[str, ...]
    """Group keys, whose GitHub teams review."""
    logins: tuple[str, ...]
    """GitHub logins of individual reviewers."""


@dataclass(frozen=True)
class PipelineSpec:
    """One application's delivery: repository, branches -> environments, deploy roles, channel."""

    application: str
    """Application key."""
    repository: str
    """GitHub repository name."""
    kind: str
    """rails, go, nuxt, container or terraform."""
    commands: dict[str, str]
    """Overrides of the kind's lint/test/deploy/integration/e2e commands."""
    branches: dict[str, str]
    """Branch -> environment, for the environments whose account is active."""
    reviewers: ReviewerSpec
    """Reviewers of the environment deployed from the release branch."""
    deploy_policies: dict[str, tuple[str, ...]]
    """Environment -> AWS managed policies of its deploy role."""
    accounts: dict[str, str]
    """Environment -> account key."""
    slack_channel: Optional[str]
    """Name of the deploy channel; None without Slack."""
    slack_channel_named: bool = False
    """The channel is named by `applications.<app>.slack_channel`: it may predate the program, so removing
    the application leaves it as it is instead of archiving it (components/slack_channels.py)."""
    description: str = ""
    """The application's description, for its repository."""
    subject_form: str = "immutable"
    """`immutable` or `name`: the `sub` form of the repository's OIDC tokens (delivery.policies.SUBJECT_FORMS)."""
    adopted: bool = False
    """The repository exists and is imported, not created: only the program's own files, rulesets,
    team access and environments are managed in it (components/github_repository.py)."""
    secrets: tuple[str, ...] = ()
    """Names of the environment secrets every deploy environment gets, valued from `appSecrets` (config/app_secrets.py)."""

    @property
    def release(self) -> tuple[str, str]:
        """(branch, environment) that releases: the release branch's, else the last in promotion order."""
        if names.RELEASE_BRANCH in self.branches:
            return names.RELEASE_BRANCH, self.branches[names.RELEASE_BRANCH]
        return list(self.branches.items())[-1]


@dataclass(frozen=True)
class TeamSpec:
    """A GitHub team made from an Identity Center group."""

    group: str
    """Group key; the team's name."""
    logins: tuple[str, ...]
    """Members' GitHub logins."""
    permissions: dict[str, str]
    """Repository name -> permission."""


@dataclass(frozen=True)
class DeliveryPlan:
    """Repositories, pipelines and teams: everything the github section turns on."""

    pipelines: tuple[PipelineSpec, ...]
    """One per application with an active account."""
    teams: tuple[TeamSpec, ...]
    """One per Identity Center group."""
    infrastructure_repository: Optional[str]
    """This program's repository."""
    infrastructure_reviewers: ReviewerSpec
    """Reviewers of the landing zone's own environments."""
    environment_reviewers: bool = True
    """Whether environments can carry required reviewers on the organisation's GitHub plan (public
    repositories, or Enterprise). Without them, nothing gates pull-request code's way into an
    environment, so there are no credentialed previews either."""
    infrastructure_subject_form: str = "immutable"
    """`immutable` or `name`: the `sub` form of the infrastructure repository's OIDC tokens."""
    infrastructure_adopted: bool = False
    """The infrastructure repository exists: imported like an adopted application repository."""

    @property
    def credentialed_previews(self) -> bool:
        """Pull requests of the infrastructure repository get a real preview only behind a reviewer."""
        return self.environment_reviewers


# --- security services -------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertSpec:
    """Which findings page the security-alerts channel."""

    security_hub_severities: tuple[str, ...]
    """Security Hub severity labels that alert."""
    guardduty_min_severity: float
    """GuardDuty findings at or above this severity alert."""
    access_analyzer: bool
    """Whether active IAM Access Analyzer findings alert."""


@dataclass(frozen=True)
class SecurityServicesSpec:
    """The audit account's organisation-wide security services."""

    protection_plans: tuple[str, ...]
    """GuardDuty protection plans auto-enabled on every member."""
    runtime_agents: tuple[str, ...]
    """Runtime Monitoring's agent management GuardDuty does (its additional configurations); empty without the plan."""
    standards: tuple[str, ...]
    """Security Hub standards of the central configuration policy."""
    inspector_resource_types: tuple[str, ...]
    """Inspector scan types: EC2, ECR, LAMBDA, LAMBDA_CODE."""
    conformance_pack: str
    """Name of the organisation conformance pack."""
    conformance_pack_template: str
    """Its CloudFormation template, read from config/conformance-packs/."""
    alerts: AlertSpec
    """What alerts."""


def chatbot_team_id(cfg: LandingZoneConfig) -> Optional[str]:
    """The Slack workspace Chatbot delivers alerts to; None when no Slack channel is managed."""
    slack = cfg.slack
    return slack.team_id if slack is not None and slack.enabled else None


# --- the whole landing zone --------------------------------------------------------------------


@dataclass(frozen=True)
class LandingZone:
    """Everything the stacks build, validated."""

    config: LandingZoneConfig
    """The shape-checked config, for settings read as they are."""
    source: Path
    """The YAML file this came from."""
    accounts: tuple[AccountSpec, ...]
    """Security accounts first, then each application's, in config order."""
    assignments: tuple[AssignmentSpec, ...]
    """Every group x permission set x account."""
    people: Mapping[str, PersonSpec] = field(default_factory=dict)
    """Person key -> user."""
    groups: Mapping[str, GroupSpec] = field(default_factory=dict)
    """Group key -> group."""
    permission_sets: Mapping[str, PermissionSetSpec] = field(default_factory=dict)
    """Permission set name -> definition."""
    guardrails: Optional[GuardrailPlan] = None
    """Organizations policies, OU registrations, controls, root access and backup, checked against AWS limits."""
    migration_assignments: tuple[UserAssignmentSpec, ...] = ()
    """Temporary direct assignments still within their `until` date."""
    delivery: Optional[DeliveryPlan] = None
    """Repositories, pipelines and teams; None without a github section."""
    security_services: Optional[SecurityServicesSpec] = None
    """The audit stack's services and alerts."""
    warnings: tuple[str, ...] = ()
    """Printed before anything is registered."""
    adopted_policies: tuple[AdoptedPolicySpec, ...] = ()
    """Policies of an adopted organisation, imported and kept verbatim (`lzctl adopt`)."""
    identity_center_imports: IdentityCenterImports = field(default_factory=IdentityCenterImports)
    """Import ids of the adopted Identity Center resources (`lzctl adopt`)."""
    control_tower_imports: ControlTowerImports = field(default_factory=ControlTowerImports)
    """Import ids of the adopted landing zone, baselines, controls and prerequisite roles (`lzctl adopt`)."""
    closed_accounts: tuple[AccountSpec, ...] = ()
    """Accounts marked `closed: <date>`: no resource is planned for them, so `pulumi up` deletes (closes) them."""

    @property
    def organization(self):
        return self.config.organization

    def account(self, key: str) -> AccountSpec:
        return next(account for account in self.accounts if account.key == key)

    def application_accounts(self, application: str) -> tuple[AccountSpec, ...]:
        return tuple(a for a in self.accounts if a.application == application)

    @property
    def governed_regions(self) -> list[str]:
        """The governed regions, home region first: aggregators and alerts live there."""
        org = self.organization
        return [org.home_region, *(r for r in org.governed_regions if r != org.home_region)]

    @property
    def chatbot_team_id(self) -> Optional[str]:
        return chatbot_team_id(self.config)

    @property
    def control_tower_config_integration(self) -> bool:
        """The landing zone (4.0) integrates AWS Config itself: it registers the Config administrator and aggregates."""
        return self.config.guardrails.control_tower.enabled

    def access_role_name(self, account: str) -> str:
        """The role account `account` is created with and reached through (components/account.py)."""
        return access_role_name(self.config, account)

    @property
    def access_role_names(self) -> dict[str, str]:
        """Account key -> its access role, for every account (suspended ones keep theirs)."""
        return {a.key: self.access_role_name(a.key) for a in self.accounts}

    @property
    def policy_types(self) -> tuple[str, ...]:
        """Policy types to enable on the root: the guardrails', and those of adopted policies, which
        disabling would detach ("Disabling a policy type": all policies of the type are detached,
        https://docs.aws.amazon.com/organizations/latest/userguide/disable-policy-type.html)."""
        adopted = {policy.type for policy in self.adopted_policies}
        kept = self.config.organization.extra_policy_types
        return tuple(sorted({*self.guardrails.policy_types(self.config.guardrails.control_tower.enabled), *adopted, *kept}))

    @property
    def trusted_services(self) -> tuple[str, ...]:
        """Trusted access the guardrails, the adopted policies' types and Control Tower (when on) need, and what the config keeps enabled."""
        adopted = {BY_API_TYPE[p.type].trusted_service for p in self.adopted_policies if p.type in BY_API_TYPE}
        kept = self.config.organization.extra_trusted_services
        control_tower = {CONTROL_TOWER_SERVICE} if self.config.guardrails.control_tower.enabled else set()
        return tuple(sorted({*self.guardrails.trusted_services, *adopted, *kept, *control_tower} - {None}))


SHARED_ACCOUNTS = (AUDIT, LOG)
"""The landing zone's shared accounts, which CreateLandingZone sets up itself."""


def access_role_name(cfg: LandingZoneConfig, account: str) -> str:
    """The role Organizations creates account `account` with, which its provider assumes.

    `organization.access_role_name` (default OrganizationAccountAccessRole), except for workload
    accounts with Control Tower on: those get AWSControlTowerExecution, which Control Tower enrols
    them through (roles-how.html: the role Control Tower itself passes to CreateAccount) and whose
    changes its SCPs deny to everyone else. The shared audit and log accounts are created before
    the landing zone with the default role, as Control Tower's API walkthrough does (walkthrough-
    api-setup.html, step 1: CreateAccount with no role name) and the Landing Zone Accelerator
    (@aws-lza/lib/control-tower/setup-landing-zone/prerequisites/shared-account.ts: CreateAccount
    with Email and AccountName only): CreateLandingZone then creates AWSControlTowerExecution in
    them itself ("For accounts in the Security OU, AWS Control Tower creates the role at the time
    of initial AWS Control Tower setup", awscontroltowerexecution.html), which a role of that name
    made by CreateAccount would stand in the way of.
    """
    return cfg.organization.access_role_name if account in SHARED_ACCOUNTS else workload_access_role_name(cfg)


def workload_access_role_name(cfg: LandingZoneConfig) -> str:
    """The access role of every account but the shared ones (`access_role_name`)."""
    return names.CONTROL_TOWER_EXECUTION_ROLE.name if cfg.guardrails.control_tower.enabled else cfg.organization.access_role_name
