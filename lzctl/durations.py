"""How long each resource takes to create, and how many of a kind the services run at once.

Data for `lzctl.timeline`, each entry with its source, how firm it is and the date it was checked:
`documented` (the service's own documentation gives the figure), `provider` (the figure follows from
what the Terraform AWS provider under pulumi-aws waits for), `estimate` (no published figure; a
judgement, to be replaced by a measured deploy). Nothing here can be measured offline.
"""

from __future__ import annotations

from dataclasses import dataclass

from guardrails.control_tower import CONTROL_OPERATIONS

SECONDS = 0.1
"""A create that returns within seconds (six, rounded up): one synchronous API call and a read."""


@dataclass(frozen=True)
class Duration:
    minutes: float
    """Wall time of the create, in minutes."""
    basis: str
    """`documented`, `provider` or `estimate` (module docstring)."""
    source: str
    """Where the figure comes from."""
    checked: str
    """When the source was last read (YYYY-MM)."""
    pool: str = ""
    """Name of the `POOLS` entry whose slots the create holds while it runs; empty for none."""
    per_account_minutes: float = 0.0
    """Added once per account placed directly in the target OU (Control Tower OU registration)."""


@dataclass(frozen=True)
class Pool:
    capacity: int
    """How many creates of the pool's types the service runs at once."""
    basis: str
    """`documented`, `provider` or `estimate`."""
    source: str
    """Where the figure comes from."""
    checked: str
    """When the source was last read (YYYY-MM)."""


CONTROL_TOWER_LOCK = "control-tower-landing-zone-and-ou-operations"
CONTROL_TOWER_CONTROLS = "control-tower-control-operations"
IDENTITY_CENTER_ASSIGNMENTS = "identity-center-account-assignments"
ORGANIZATIONS_ACCOUNTS = "organizations-accounts-in-creation"

POOLS: dict[str, Pool] = {
    CONTROL_TOWER_LOCK: Pool(
        1,
        "documented",
        "Control Tower user guide, Limitations and quotas (limits.html): 'In general, one operation at a time "
        "is permitted'; Request a quota increase (request-an-increase.html): 'Concurrent operations for "
        "organizational units (OUs): Default: 1, not adjustable'. The landing zone shares that lock.",
        "2026-12",
    ),
    CONTROL_TOWER_CONTROLS: Pool(
        CONTROL_OPERATIONS,
        "documented",
        "Control Tower user guide, limits.html: 'Up to one hundred (100) control-related operations at a time "
        "can be in progress' (of which 20 proactive); earlier revisions of the page said ten (10). "
        "guardrails/control_tower.py CONTROL_OPERATIONS.",
        "2026-12",
    ),
    IDENTITY_CENTER_ASSIGNMENTS: Pool(
        10,
        "documented",
        "IAM Identity Center user guide, Quotas (singlesignon/latest/userguide/limits.html), throttle limits: "
        "'CreateAccountAssignment has a maximum rate of 10 outstanding async calls. These quotas cannot be changed.'",
        "2026-12",
    ),
    ORGANIZATIONS_ACCOUNTS: Pool(
        5,
        "estimate",
        "The Organizations API model (botocore organizations service-2.json, ConstraintViolationException "
        "ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED: 'You attempted to exceed the number of accounts that can be in "
        "progress at a time') has such a limit but publishes no number; 5 is Control Tower's documented "
        "concurrent account operations quota (request-an-increase.html), assumed here. Optimistic: the "
        "Terraform provider retries CreateAccount only on FinalizingOrganizationException, so a create "
        "over the limit fails rather than queues.",
        "2026-12",
    ),
}

DURATIONS: dict[str, Duration] = {
    "aws:controltower/landingZone:LandingZone": Duration(
        60,
        "documented",
        "Control Tower user guide, getting started: landing zone set-up takes about an hour (as this "
        "project's docs/deploying.md and reference facts record it; the page was not re-read for this entry). The "
        "Terraform provider's aws_controltower_landing_zone (internal/service/controltower/landing_zone.go) "
        "waits for the operation, with a 120-minute create timeout.",
        "2026-12",
        pool=CONTROL_TOWER_LOCK,
    ),
    "aws:controltower/baseline:Baseline": Duration(
        10,
        "documented",
        "Control Tower user guide, Register an existing OU (how-to-register-existing-ou.html): 'The "
        "registration process takes a minimum of 10 minutes to extend governance to the OU, and up to 2 "
        "additional minutes for each additional account.' EnableBaseline of AWSControlTowerBaseline is that registration.",
        "2026-12",
        pool=CONTROL_TOWER_LOCK,
        per_account_minutes=2,
    ),
    "aws:controltower/controlTowerControl:ControlTowerControl": Duration(
        3,
        "estimate",
        "EnableControl is asynchronous and the provider waits for its operation; AWS gives no figure ('a few minutes' per OU is the common experience).",
        "2026-12",
        pool=CONTROL_TOWER_CONTROLS,
    ),
    "aws:organizations/account:Account": Duration(
        4,
        "provider",
        "Organizations API reference, CreateAccount: asynchronous, 'You might need to wait a few minutes'; "
        "the Terraform provider (internal/service/organizations/account.go, waitAccountCreated) polls every "
        "10 s and gives up after 5 minutes, then moves the account to its OU.",
        "2026-12",
        pool=ORGANIZATIONS_ACCOUNTS,
    ),
    "aws:organizations/organization:Organization": Duration(
        1,
        "estimate",
        "CreateOrganization, then one EnableAWSServiceAccess per trusted service and EnablePolicyType per policy type, each synchronous: under a minute.",
        "2026-12",
    ),
    "aws:ssoadmin/accountAssignment:AccountAssignment": Duration(
        0.5,
        "estimate",
        "CreateAccountAssignment is asynchronous (it provisions the permission set's role in the account); "
        "the provider polls DescribeAccountAssignmentCreationStatus. Seconds to tens of seconds.",
        "2026-12",
        pool=IDENTITY_CENTER_ASSIGNMENTS,
    ),
    "aws:iam/role:Role": Duration(
        0.2,
        "estimate",
        "CreateRole is synchronous, but IAM is eventually consistent (IAM user guide, 'Changes that I make "
        "are not always immediately visible'): the provider retries its consumers for up to 2 minutes; "
        "about 10 s is typical.",
        "2026-12",
    ),
    "aws:cfg/organizationConformancePack:OrganizationConformancePack": Duration(
        5,
        "estimate",
        "Deployed to every member account through StackSets, and the provider waits for the deployment to finish; no published figure.",
        "2026-12",
    ),
    "aws:inspector2/enabler:Enabler": Duration(
        2,
        "estimate",
        "The provider waits for every listed account's scan types to become ENABLED; no published figure.",
        "2026-12",
    ),
    "aws:securityhub/configurationPolicyAssociation:ConfigurationPolicyAssociation": Duration(
        1,
        "estimate",
        "StartConfigurationPolicyAssociation is asynchronous; the provider waits for the association to succeed.",
        "2026-12",
    ),
    "aws:securityhub/organizationConfiguration:OrganizationConfiguration": Duration(
        1,
        "estimate",
        "Central configuration: the provider waits for the organization configuration status ENABLED.",
        "2026-12",
    ),
}

FAST_TYPES = frozenset(
    {
        "aws:accessanalyzer/analyzer:Analyzer",
        "aws:athena/namedQuery:NamedQuery",
        "aws:athena/workgroup:Workgroup",
        "aws:backup/vault:Vault",
        "aws:budgets/budget:Budget",
        "aws:cfg/configurationAggregator:ConfigurationAggregator",
        "aws:cfg/deliveryChannel:DeliveryChannel",
        "aws:cfg/recorder:Recorder",
        "aws:cfg/recorderStatus:RecorderStatus",
        "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
        "aws:cloudtrail/organizationDelegatedAdminAccount:OrganizationDelegatedAdminAccount",
        "aws:cloudtrail/trail:Trail",
        "aws:cloudwatch/eventRule:EventRule",
        "aws:cloudwatch/eventTarget:EventTarget",
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        "aws:ecr/registryPolicy:RegistryPolicy",
        "aws:ecr/replicationConfiguration:ReplicationConfiguration",
        "aws:ecr/repository:Repository",
        "aws:ecr/repositoryPolicy:RepositoryPolicy",
        "aws:glue/catalogDatabase:CatalogDatabase",
        "aws:glue/catalogTable:CatalogTable",
        "aws:guardduty/detectorFeature:DetectorFeature",
        "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount",
        "aws:guardduty/organizationConfiguration:OrganizationConfiguration",
        "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature",
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        "aws:iam/organizationsFeatures:OrganizationsFeatures",
        "aws:iam/policy:Policy",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/serviceLinkedRole:ServiceLinkedRole",
        "aws:identitystore/group:Group",
        "aws:identitystore/groupMembership:GroupMembership",
        "aws:identitystore/user:User",
        "aws:inspector2/delegatedAdminAccount:DelegatedAdminAccount",
        "aws:inspector2/memberAssociation:MemberAssociation",
        "aws:inspector2/organizationConfiguration:OrganizationConfiguration",
        "aws:kms/alias:Alias",
        "aws:kms/key:Key",
        "aws:organizations/delegatedAdministrator:DelegatedAdministrator",
        "aws:organizations/organizationalUnit:OrganizationalUnit",
        "aws:organizations/policy:Policy",
        "aws:organizations/policyAttachment:PolicyAttachment",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:securityhub/account:Account",
        "aws:securityhub/configurationPolicy:ConfigurationPolicy",
        "aws:securityhub/findingAggregator:FindingAggregator",
        "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount",
        "aws:sns/topic:Topic",
        "aws:ssm/parameter:Parameter",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment",
        "aws:ssoadmin/permissionSet:PermissionSet",
        "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
    }
)
"""AWS types whose create is one synchronous call (or a short wait): `SECONDS` each, checked 2026-12."""

FAST = Duration(SECONDS, "estimate", "One synchronous API call and a read (FAST_TYPES).", "2026-12")

PACKAGE_DEFAULTS: dict[str, Duration] = {
    "github": Duration(
        1 / 60,
        "estimate",
        "One REST call per resource (about a second); GitHub asks integrations to avoid concurrent "
        "content-creating requests, which the provider does not enforce.",
        "2026-12",
    ),
    "slack": Duration(1 / 60, "estimate", "One Web API call per channel.", "2026-12"),
    "pulumiservice": Duration(1 / 60, "estimate", "One Pulumi Cloud REST call per resource.", "2026-12"),
}
"""Packages whose every resource is one fast REST call: keyed by the type token's package."""

PROVIDER = Duration(
    SECONDS / 2,
    "estimate",
    "A provider resource is configured, not created: at most an STS call to check the account.",
    "2026-12",
)
READ = Duration(
    SECONDS / 2,
    "estimate",
    "A read (a `get` of an existing resource) or an import: one describe call, no create.",
    "2026-12",
)
UNKNOWN = Duration(
    1,
    "estimate",
    "A type this table does not know: one minute, so that it shows; add the type to the table.",
    "2026-12",
)


def duration_of(type_: str) -> Duration:
    """The create duration of a resource type: its entry, its package's, or `UNKNOWN`."""
    if type_ in DURATIONS:
        return DURATIONS[type_]
    if type_ in FAST_TYPES:
        return FAST
    if type_.startswith("pulumi:providers:"):
        return PROVIDER
    return PACKAGE_DEFAULTS.get(type_.split(":", 1)[0], UNKNOWN)
