"""Shape of `landing-zone.yaml` (validation phase 1).

Every model forbids unknown keys and constrains its values; checks that need more than one
field at a time (references, uniqueness, templated e-mails) live in `config.resolve`.
Keys of the YAML mappings are the friendly names that every other section refers to.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Optional

from pydantic import Field, StringConstraints

import names
from config.delivery_schema import (
    AppKind,
    Commands,
    DeploymentsSettings,
    GitHubSettings,
    RepositoryPermission,
    Reviewers,
    SecretName,
    SlackChannelName,
    SlackSettings,
    SubjectForm,
)
from config.security_schema import Budgets, LogArchive, SecurityServices
from config.types import (
    AccountId,
    AccountName,
    BranchName,
    Closure,
    Email,
    EmailTemplate,
    GitHubLogin,
    IdentityStoreId,
    IdentityStoreName,
    IdentityStoreRef,
    InstanceArn,
    Key,
    KmsKeyArn,
    ManagedPolicy,
    Model,
    OrganizationId,
    OrganizationPolicyType,
    OuId,
    OuName,
    PermissionSetArn,
    PermissionSetDescription,
    PermissionSetName,
    PermissionSetNames,
    PolicyId,
    Region,
    RepositoryName,
    RoleName,
    RolePattern,
    RootId,
    ServicePrincipal,
    SessionDuration,
    TagKey,
)


class OrganizationalUnit(Model):
    name: OuName = Field(description="The OU's name in AWS Organizations.")
    parent: Optional[Key] = Field(None, description="Key of the parent OU; omitted means the root.")
    existing_id: Optional[OuId] = Field(None, description="Adopt this existing OU (import) instead of creating one; name and parent must match it.")


class Organization(Model):
    management_account_id: AccountId = Field(description="The management account; providers refuse any other.")
    home_region: Region = Field(description="Where Identity Center, Control Tower and the providers live.")
    governed_regions: list[Region] = Field(min_length=1, description="Regions workloads may use.")
    access_role_name: RoleName = Field(
        names.DEFAULT_ACCESS_ROLE,
        description="Role Organizations creates in each new account; the per-account providers assume it. "
        "With Control Tower on, only the audit and log accounts'; workload accounts get AWSControlTowerExecution.",
    )
    account_email_template: Optional[EmailTemplate] = Field(None, description="Root e-mail of accounts without `email`; {account} becomes the account key.")
    organizational_units: dict[Key, OrganizationalUnit] = Field(min_length=1)
    suspended_ou: Key = Field(description="OU that receives accounts marked `suspended`.")
    existing_organization_id: Optional[OrganizationId] = Field(
        None, description="Adopt this existing organisation (import) instead of creating one (`lzctl adopt` writes it)."
    )
    existing_root_id: Optional[RootId] = Field(
        None, description="The adopted organisation's root id: the import ids of policy attachments on the root name it."
    )
    unmanaged_accounts: Annotated[int, Field(ge=0)] = Field(
        0,
        description="Member accounts the config does not hold that count against the account quota (`lzctl adopt` writes "
        "those it left alone: at the root, in the Security or Suspended OU, closed within 90 days).",
    )
    extra_trusted_services: list[ServicePrincipal] = Field(
        default_factory=list,
        description="Trusted access kept enabled beside the program's own (`lzctl adopt` writes what the organisation has): "
        "the program sets the whole list, so one left out is disabled by `pulumi up`.",
    )
    extra_policy_types: list[OrganizationPolicyType] = Field(
        default_factory=list,
        description="Policy types kept enabled on the root beside those the program's and the adopted policies use "
        "(`lzctl adopt` writes what the organisation has): disabling a type detaches every policy of it, AWS's own included.",
    )


class Account(Model):
    name: Optional[AccountName] = Field(None, description="Account name; defaults to the account key.")
    email: Optional[Email] = Field(None, description="Root e-mail; defaults to the organisation template.")
    suspended: bool = Field(False, description="Move the account to the suspended OU and drop its access.")
    closed: Optional[Closure] = Field(
        None,
        description="Close a suspended account, in two `pulumi up`s: `pending` unprotects it and sets close_on_deletion (it closes "
        "nothing), then the date of the `pulumi up` that closes it (Organizations CloseAccount). Never undone after 90 days.",
    )
    existing_account_id: Optional[AccountId] = Field(
        None, description="Adopt this existing account (import) instead of creating one; name and email must match it."
    )
    existing_config_service_role: bool = Field(
        False,
        description="Control Tower off: import the adopted account's AWS Config service-linked role (AWSServiceRoleForConfig) instead of "
        "creating it, which IAM refuses where it exists; `lzctl adopt` writes it where it read the role, `lzctl doctor` checks it.",
    )


class Security(Model):
    ou: Key = Field(description="Key of the Security OU.")
    audit: Account = Field(default_factory=Account, description="Audit account (security tooling).")
    log: Account = Field(default_factory=Account, description="Log archive account.")


class Environment(Model):
    ou: Key = Field(description="Key of the OU holding this environment's accounts.")
    description: str = ""


class Application(Model):
    description: str = ""
    environments: Optional[list[Key]] = Field(None, min_length=1, description="Environments this app has; default all.")
    accounts: dict[Key, Account] = Field(default_factory=dict, description="Per-environment overrides.")
    repository: Optional[RepositoryName] = Field(None, description="GitHub repository; defaults to the app key.")
    existing_repository: bool = Field(
        False,
        description="The repository exists: adopt it (import by name) instead of creating it; the program then manages only "
        'its workflows, rulesets, team access and environments (docs/delivery.md, "Adopting an existing repository or channel").',
    )
    slack_channel: Optional[SlackChannelName] = Field(
        None, description="Name of the application's deploy channel, e.g. an existing one to adopt; default slack.deploy_channel."
    )
    secrets: list[SecretName] = Field(
        default_factory=list,
        description="Environment secrets of every deploy environment, valued per environment from Pulumi secret config: "
        "pulumi config set --secret --path 'appSecrets.<app>.<env>.<NAME>' <value>.",
    )
    kind: AppKind = Field("container", description="Build and deploy kind: rails, go, nuxt, container or terraform (application infrastructure).")
    commands: Commands = Field(default_factory=Commands, description="Lint/test/deploy/integration/e2e commands over the kind's defaults.")
    branches: Optional[dict[BranchName, Key]] = Field(
        None, description="Branch -> environment (GitFlow); default develop->dev, staging->stg, main->prod for the app's environments."
    )
    reviewers: Reviewers = Field(default_factory=Reviewers, description="Required reviewers of the production environment.")
    oidc_subject: SubjectForm = Field(
        "immutable",
        description="The `sub` form the repository's OIDC tokens carry: immutable (numeric ids; every repository "
        "GitHub creates now) or name (older repositories not opted in; only with existing_repository).",
    )
    deploy_policies: dict[Key, list[ManagedPolicy]] = Field(
        default_factory=dict, description="Environment -> AWS managed policies of its deploy role; default PowerUserAccess."
    )


class Person(Model):
    given_name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    family_name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    email: Email
    github: Optional[GitHubLogin] = Field(None, description="GitHub login, for team membership.")
    user_name: Optional[IdentityStoreName] = Field(None, description="Identity Center user name; default the e-mail.")
    display_name: Optional[IdentityStoreName] = Field(None, description="Display name; default given and family name.")
    existing_id: Optional[IdentityStoreId] = Field(None, description="Adopt this existing user (import) instead of creating one (`lzctl adopt`).")


class Group(Model):
    description: Annotated[str, StringConstraints(max_length=1024)] = ""
    members: list[Key] = Field(default_factory=list, description="Keys of people.")
    repositories: dict[Key, RepositoryPermission] = Field(
        default_factory=dict, description="App key, `infrastructure` or `all` -> the group's GitHub team permission."
    )
    display_name: Optional[IdentityStoreName] = Field(None, description="Identity Center group name; default the key.")
    existing_id: Optional[IdentityStoreId] = Field(None, description="Adopt this existing group (import) instead of creating one (`lzctl adopt`).")
    existing_membership_ids: dict[Key, IdentityStoreId] = Field(
        default_factory=dict, description="Person key -> the membership id of an existing membership to adopt (`lzctl adopt`)."
    )
    existing_assignments: dict[Key, list[PermissionSetName]] = Field(
        default_factory=dict,
        description="Account key (`management`, `audit`, `shop-dev`...) -> the permission sets this group is assigned there "
        "already (`lzctl adopt`): only these assignments are imported, any other is created.",
    )


class PermissionSet(Model):
    description: PermissionSetDescription
    session_duration: SessionDuration = "PT1H"
    managed_policies: list[ManagedPolicy] = Field(default_factory=list, max_length=20)
    inline_policy: Optional[str] = Field(None, description="JSON policy file, relative to the config dir.")
    existing_arn: Optional[PermissionSetArn] = Field(None, description="Adopt this existing permission set (import) instead of creating one (`lzctl adopt`).")
    existing_managed_policies: list[ManagedPolicy] = Field(
        default_factory=list, description="The managed policies attached already (`lzctl adopt`): only these attachments are imported."
    )
    existing_inline_policy: bool = Field(False, description="The set has its inline policy already (`lzctl adopt`): it is imported, not created.")


# Where an assignment applies: an environment key, or one of these account scopes.
SCOPE_ALL = "all"
SCOPE_SECURITY = "security"
SCOPE_MANAGEMENT = "management"
RESERVED_SCOPES = (SCOPE_ALL, SCOPE_SECURITY, SCOPE_MANAGEMENT)


class Assignment(Model):
    group: Key
    permission_sets: dict[Key, PermissionSetNames] = Field(min_length=1, description="Scope (environment, security, management or all) -> permission set(s).")
    applications: Optional[list[Key]] = Field(None, min_length=1, description="Restrict the assignment to these apps.")


class MigrationAccess(Model):
    """Temporary access for the single-account migration: delete the entry when the move is done."""

    people: list[Key] = Field(min_length=1, description="Person keys who get the access directly (not through a group).")
    account: Key = Field(description="Account key, typically the adopted one (e.g. shop-prod).")
    permission_set: PermissionSetName
    until: date = Field(description="Last day of access; after it the next `pulumi up` removes the assignment.")


class IdentityCenter(Model):
    people: dict[Key, Person] = Field(default_factory=dict)
    groups: dict[Key, Group] = Field(default_factory=dict)
    permission_sets: dict[PermissionSetName, PermissionSet] = Field(default_factory=dict)
    assignments: list[Assignment] = Field(default_factory=list)
    migration_access: list[MigrationAccess] = Field(default_factory=list)
    existing_instance_arn: Optional[InstanceArn] = Field(None, description="The adopted instance: the import ids of permission sets and assignments name it.")
    existing_identity_store_id: Optional[IdentityStoreRef] = Field(None, description="The adopted identity store: the import ids of users and groups name it.")


class ControlTowerSettings(Model):
    enabled: bool = Field(True, description="Set up the Control Tower landing zone, register OUs, enable controls.")
    landing_zone_version: Optional[Annotated[str, StringConstraints(pattern=r"^\d+\.\d+$")]] = Field(
        None, description="Landing zone version; only the latest can be created (guardrails/control_tower.py)."
    )
    baseline_version: Optional[Annotated[str, StringConstraints(pattern=r"^\d+\.\d+$")]] = Field(
        None, description="AWSControlTowerBaseline version; only the one of the latest landing zone version."
    )
    logging_retention_days: Annotated[int, Field(ge=1, le=36500)] = 365
    access_logging_retention_days: Annotated[int, Field(ge=1, le=36500)] = 3650
    kms_key_arn: Optional[KmsKeyArn] = Field(
        None,
        description="KMS key of the landing zone's CloudTrail logs (manifest centralizedLogging.configurations.kmsKeyArn): a single-Region key "
        "of the management account, in the home region.",
    )
    config_kms_key_arn: Optional[KmsKeyArn] = Field(
        None,
        description="KMS key of the AWS Config integration's logs (manifest config.configurations.kmsKeyArn, landing zone 4.0), as kms_key_arn: "
        "management account, home region; lzctl adopt writes it from an existing landing zone.",
    )
    config_account: Literal["audit", "log"] = Field("audit", description="Landing zone 4.0: account of the Config integration.")
    access_management: bool = Field(False, description="Control Tower managing Identity Center: refused (config/guardrail_checks.py).")
    registered_ous: Optional[list[Key]] = Field(
        None, description="OU keys registered with Control Tower (AWSControlTowerBaseline); omitted means every OU but the Security and suspended OUs."
    )
    existing_landing_zone_id: Optional[Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z]{1,64}$")]] = Field(
        None, description="Id of the landing zone that exists (the end of its ARN), imported instead of created (lzctl adopt)."
    )
    existing_baselines: dict[
        Key, Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:controltower:[a-z0-9-]+:\d{12}:enabledbaseline/[0-9A-Za-z]+$")]
    ] = Field(
        default_factory=dict,
        description="OU key -> ARN of the AWSControlTowerBaseline enabled on it when adopted, in the home region and management account: imported (lzctl adopt).",
    )
    existing_roles: dict[Literal["admin", "cloudtrail", "stackset", "config-aggregator"], list[Annotated[str, StringConstraints(min_length=1)]]] = Field(
        default_factory=dict,
        description="Prerequisite role key (guardrails/control_tower.py PREREQUISITE_ROLES) -> its managed policy ARNs and inline policy names "
        "attached when adopted: the role and those are imported, the role's other policies created (lzctl adopt).",
    )
    existing_controls: dict[Key, list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,128}$")]]] = Field(
        default_factory=dict, description="OU key -> the guardrails.controls enabled on it when adopted: imported; the others are enabled (lzctl adopt)."
    )


SCP_ROOT = "root"
"""The target key of the organisation's root, in every `guardrails.<type>.targets`."""
Targets = Optional[dict[Key, list[Key]]]


class PolicyTargets(Model):
    """Where one Organizations policy type's templates go (guardrails/policy_types.py)."""

    targets: Targets = Field(
        None,
        description="`root` or an OU key -> templates of the type (guardrails/templates/<type>/<name>.json) merged for that target; "
        "omitted means the type's defaults (docs/guardrails.md); {} attaches none and leaves the type disabled.",
    )


class ScpSettings(PolicyTargets):
    privileged_roles: list[RolePattern] = Field(
        default_factory=list,
        description="More role names (with path, `*` allowed) every deny exempts, e.g. aws-reserved/sso.amazonaws.com/*AWSReservedSSO_AdministratorAccess_*.",
    )
    protected_log_buckets: Optional[list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9.*-]{3,63}$")]]] = Field(
        None, description="Bucket name patterns; default Control Tower's log buckets, or this program's trail bucket with it off."
    )


class RcpSettings(PolicyTargets):
    trusted_accounts: list[AccountId] = Field(
        default_factory=list,
        description="Accounts outside the organisation whose principals, and AWS services acting for them, may still reach the "
        "organisation's resources (a partner, or the Elastic Load Balancing account that writes access logs in older regions).",
    )


class TagPolicySettings(PolicyTargets):
    required_tags: list[TagKey] = Field(default_factory=lambda: [names.APP_TAG, names.ENV_TAG, names.OWNER_TAG])
    resource_types: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+:[a-z0-9-]+$")]] = Field(
        default_factory=lambda: ["ec2:instance", "ec2:volume", "s3:bucket", "rds:db", "lambda:function", "ecs:service"],
        description="Resource types on which noncompliant tagging operations are refused.",
    )


class BackupPolicySettings(PolicyTargets):
    """Present: a backup plan for the accounts below its targets (default the prod environment's OU),
    with the vault and role it names created in each of them."""

    # AWS Backup takes a cron expression, no rate(): botocore 1.44.8 data/backup/2018-11-15 BackupRule ScheduleExpression,
    # "A cron expression in UTC specifying when Backup initiates a backup job" (checked 2026-12-02), of six fields, minutes
    # to year (its examples: 15 * ? * * *, 0 12 * * ? *), so a five-field crontab line is refused here, not by AWS.
    schedule: Annotated[str, StringConstraints(pattern=r"^cron\([^ ()]+( [^ ()]+){5}\)$")] = Field(
        "cron(0 17 * * ? *)", description="When backups start (AWS Backup schedule expression, UTC); default 17:00 UTC daily."
    )
    retention_days: Annotated[int, Field(ge=1, le=36500)] = 35
    cold_storage_after_days: Optional[Annotated[int, Field(ge=1)]] = Field(
        None, description="Move recovery points to cold storage after this many days (at least 90 days before retention_days)."
    )
    regions: Optional[list[Region]] = Field(None, description="Regions the plan backs up (governed regions; default the home region).")
    tag_key: TagKey = Field(names.BACKUP_TAG, description="Resources carrying this tag, with one of `tag_values`, are backed up.")
    tag_values: list[Annotated[str, StringConstraints(pattern=r"^[\w.:/=+@ -]+$", max_length=256)]] = Field(default_factory=lambda: ["true"], min_length=1)


class RootAccess(Model):
    enabled: bool = Field(
        True,
        description="Centralised root access: IAM manages member accounts' root credentials from the management account "
        "(trusted access for iam.amazonaws.com, RootCredentialsManagement and RootSessions).",
    )


class Limits(Model):
    """AWS quotas checked before anything is registered; raise them here when AWS raises yours.
    Per policy type: its maximum size (minified) and the documents one target holds, its AWS
    managed default included (guardrails/policy_types.py says where each is stated).

    `le=` marks what AWS does not raise on request, so no config can switch a check off by setting
    it past AWS's own maximum (the rules clamp to it too: `limit_maximum`). Organizations' quotas page
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html, checked
    2026-12) calls the account quota adjustable ("This quota is adjustable") and no other; the policy
    sizes, the policies per target (orgs_manage_policies.html) and OU nesting (5 levels) are stated as
    maxima. IAM's quotas page (reference_iam-quotas.html) raises a role trust policy on request to
    at most 4,096 characters and managed policies per role to 20; Identity Center's
    (singlesignon/latest/userguide/limits.html) gives 10,240 non-whitespace characters of inline policy.
    """

    # Organizations quotas page (orgs_reference_limits.html) as read 2026-12-02: "Service control policies:
    # 10,240 characters", SCPs "Maximum attached to root | per OU | per account: 10 | 10 | 10" (5,120 and 5 before
    # AWS raised them in 2026). Lower them here if your partition or organisation still has the old quotas.
    scp_max_chars: Annotated[int, Field(ge=1, le=10240)] = 10240
    scps_per_target: Annotated[int, Field(ge=2, le=10)] = 10
    rcp_max_chars: Annotated[int, Field(ge=1, le=5120)] = 5120
    rcps_per_target: Annotated[int, Field(ge=2, le=5)] = 5
    tag_policy_max_chars: Annotated[int, Field(ge=1, le=10000)] = 10000
    tag_policies_per_target: Annotated[int, Field(ge=1, le=10)] = 10
    declarative_ec2_max_chars: Annotated[int, Field(ge=1, le=10000)] = 10000
    declarative_ec2_policies_per_target: Annotated[int, Field(ge=1, le=10)] = 10
    s3_policy_max_chars: Annotated[int, Field(ge=1, le=10000)] = 10000
    s3_policies_per_target: Annotated[int, Field(ge=1, le=10)] = 10
    ai_opt_out_max_chars: Annotated[int, Field(ge=1, le=2500)] = 2500
    ai_opt_out_policies_per_target: Annotated[int, Field(ge=1, le=5)] = 5
    backup_policy_max_chars: Annotated[int, Field(ge=1, le=10000)] = 10000
    backup_policies_per_target: Annotated[int, Field(ge=1, le=10)] = 10
    ou_max_depth: Annotated[int, Field(ge=1, le=5)] = 5
    permission_set_inline_max_chars: Annotated[int, Field(ge=1, le=10240)] = 10240
    trust_policy_max_chars: Annotated[int, Field(ge=1, le=4096)] = 2048
    accounts: Annotated[int, Field(ge=1)] = Field(
        10, description='Organizations\' account quota ("Default maximum number of accounts"), management account included.'
    )
    role_managed_policies: Annotated[int, Field(ge=1, le=20)] = 10


def limit_maximum(field: str) -> Optional[int]:
    """AWS's own maximum of a `guardrails.limits` field (its `le=`), or None where AWS raises it on request."""
    return next((m.le for m in Limits.model_fields[field].metadata if isinstance(getattr(m, "le", None), int)), None)


class Guardrails(Model):
    control_tower: ControlTowerSettings = Field(default_factory=ControlTowerSettings)
    controls: Optional[dict[Key, list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,128}$")]]]] = Field(
        None, description="OU key -> Control Tower control ids; omitted means the defaults (guardrails/controls.py)."
    )
    scp: ScpSettings = Field(default_factory=ScpSettings)
    rcp: RcpSettings = Field(default_factory=RcpSettings)
    tag_policy: TagPolicySettings = Field(default_factory=TagPolicySettings)
    declarative_ec2: PolicyTargets = Field(default_factory=PolicyTargets)
    s3_policy: PolicyTargets = Field(default_factory=PolicyTargets)
    ai_opt_out: PolicyTargets = Field(default_factory=PolicyTargets)
    backup_policy: Optional[BackupPolicySettings] = None
    root_access: RootAccess = Field(default_factory=RootAccess)
    limits: Limits = Field(default_factory=Limits)
    adopted_policies: dict[Key, AdoptedPolicy] = Field(
        default_factory=dict, description="Policies of an adopted organisation, kept as they are (`lzctl adopt` writes them)."
    )


class AdoptedPolicy(Model):
    """An organisation policy kept as it exists (`lzctl adopt`): imported, its content verbatim, attached where it is."""

    existing_id: PolicyId = Field(description="The policy's id in Organizations (p-...).")
    type: OrganizationPolicyType
    name: Annotated[str, StringConstraints(pattern=r"^[\s\S]{1,128}$")]
    description: Annotated[str, StringConstraints(max_length=512)] = ""
    content: str = Field(description="File of the policy document as Organizations returns it, relative to the config dir.")
    targets: list[Key] = Field(default_factory=list, description="`root`, OU keys and account keys (`management` included) it is attached to.")
    existing_targets: list[Key] = Field(
        default_factory=list, description="The targets it was attached to when adopted (`lzctl adopt`): only these attachments are imported."
    )


class LandingZoneConfig(Model):
    version: Literal[1] = 1
    organization: Organization
    security: Security
    environments: dict[Key, Environment] = Field(min_length=1)
    applications: dict[Key, Application] = Field(default_factory=dict)
    identity_center: IdentityCenter = Field(default_factory=IdentityCenter)
    guardrails: Guardrails = Field(default_factory=Guardrails)
    github: Optional[GitHubSettings] = None
    slack: Optional[SlackSettings] = None
    deployments: Optional[DeploymentsSettings] = None
    security_services: SecurityServices = Field(default_factory=SecurityServices)
    budgets: Budgets = Field(default_factory=Budgets)
    log_archive: LogArchive = Field(default_factory=LogArchive)
