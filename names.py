"""Physical names: what the landing zone calls things in AWS, GitHub, Slack and Pulumi, defined once.

A name two places must agree on (a role and the SCP that exempts it, a bucket and the SCP that
protects it, an Actions variable and the workflow that reads it, a parameter the management stack
writes and the stacks that read it) is built here by one function or constant, so the two cannot drift apart. Pure: no Pulumi,
no config; the config supplies keys (account keys, environments, stacks), this module the spelling.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "landing-zone"
"""Prefix of the program's own resource and policy names (and the default infrastructure repository)."""
MANAGED_BY_TAG = {"managed-by": PREFIX}
"""Tag on everything the program creates; providers add it as a default tag."""
APP_TAG, ENV_TAG, OWNER_TAG, OU_TAG = "app", "env", "owner", "ou"
"""Tag keys: accounts carry app and env, OUs their key; the tag policy requires app, env and owner."""
BACKUP_TAG = "backup"
"""Default tag key of the resources the backup policy backs up."""
PROVIDER_SESSION_NAME = PREFIX
"""Role session name of the per-account providers (CloudTrail shows it as the caller)."""


# --- Pulumi -----------------------------------------------------------------------------------

MANAGEMENT_STACK, AUDIT_STACK, LOG_STACK = "management", "audit", "log"
STACKS = (MANAGEMENT_STACK, AUDIT_STACK, LOG_STACK)
"""The landing zone's stacks, in deployment order (docs/deploying.md, "Three stacks")."""
POLICY_PACK = f"{PREFIX}-guardrails"
HANDOFF_PATH = f"/{PREFIX}/{MANAGEMENT_STACK}"
"""SSM parameter path under which the management stack writes, into the audit and log accounts,
the values their stacks read (delivery/handoff.py)."""
LIMITS_OUTPUT = "guardrailLimits"
"""Stack output of every stack: `guardrails.limits` as configured, which the policy rules read (one home for each number)."""
CLOSING_OUTPUT = "closingAccounts"
"""Stack output, only while the config arms accounts for closure (`closed: pending`): their root
e-mails, the accounts LZ-ACCOUNT-PROTECTED lets be unprotected with close_on_deletion."""
OTHER_ACCOUNTS_OUTPUT = "accountsOutsideThePlan"
"""Stack output, only when there are some: how many accounts the organisation holds that the plan has
no resource for and that count against its account quota (config/closure_checks.py `accounts_outside_the_plan`)."""


# --- GitHub: branches, Actions variables and secrets -------------------------------------------

RELEASE_BRANCH, DEVELOP_BRANCH, STAGING_BRANCH = "main", "develop", "staging"
"""The default branch releases (and Pulumi Deployments deploys); GitFlow's integration branches."""
GITFLOW_BRANCHES = {DEVELOP_BRANCH: "dev", STAGING_BRANCH: "stg", RELEASE_BRANCH: "prod"}
"""Branch -> environment key, for applications whose config names no branches."""
WORKFLOW_COMMIT_MESSAGE = f"{PREFIX}: update generated workflows"
WORKFLOWS_FOLDER = ".github/workflows/"


def adopted_workflow_path(path: str) -> str:
    """Where a generated workflow goes in an adopted repository: `.github/workflows/ci.yml` becomes
    `.github/workflows/landing-zone-ci.yml`, a file of the program's own beside the repository's workflows."""
    if not path.startswith(WORKFLOWS_FOLDER) or "/" in path[len(WORKFLOWS_FOLDER) :]:
        raise ValueError(f"not a workflow file: {path!r}")
    return f"{WORKFLOWS_FOLDER}{PREFIX}-{path[len(WORKFLOWS_FOLDER) :]}"


AWS_ROLE_ARN, AWS_REGION, AWS_ACCOUNT_ID, SLACK_CHANNEL_ID = "AWS_ROLE_ARN", "AWS_REGION", "AWS_ACCOUNT_ID", "SLACK_CHANNEL_ID"
"""Actions variables the stacks set and the generated workflows read."""
TF_STATE_BUCKET = "TF_STATE_BUCKET"
"""Variable of each environment of a terraform app: the state bucket in that environment's account."""
STAGING_ACCOUNT_ID = "STAGING_ACCOUNT_ID"
"""Variable of prod's environment (container applications): the account whose registry holds the tested images."""
SLACK_APPROVALS_CHANNEL_ID = "SLACK_APPROVALS_CHANNEL_ID"
"""Variable of the notify environment: the approvals channel, where prod's approval requests and their results go."""
SLACK_BOT_TOKEN, PULUMI_ACCESS_TOKEN = "SLACK_BOT_TOKEN", "PULUMI_ACCESS_TOKEN"
"""Actions secrets the stacks set (as environment secrets only) and the generated workflows read."""
APP_SECRETS = "appSecrets"
"""The structured Pulumi secret config key holding the applications' environment secrets (config/app_secrets.py)."""


def app_secret_path(app: str, env: str, name: str) -> str:
    """The `--path` of one application secret's value in the stack config: `appSecrets.shop.prod.DATABASE_URL`."""
    return f"{APP_SECRETS}.{app}.{env}.{name}"


NOTIFY_ENVIRONMENT = "notify"
"""Environment of the jobs that post to Slack outside a deploy environment (the approval request,
the release tag), deployable from the release branch only: the Slack token is an environment secret."""
PLAN_ENVIRONMENT_SUFFIX = "-plan"
"""`prod` -> `prod-plan`: the environment of a terraform app's plan before its reviewed deploy."""


def plan_environment(environment: str) -> str:
    """The main-only, unreviewed environment whose job plans what `environment`'s reviewed job applies
    (terraform apps): its read-only plan role trusts `:environment:<env>-plan` only."""
    return environment + PLAN_ENVIRONMENT_SUFFIX


TF_STATE_KMS_KEY = "TF_STATE_KMS_KEY"
"""Variable of a terraform app's release environment and its `<env>-plan`: the state's KMS key, whose
data key encrypts the saved plan between the two jobs."""
PLAN_ENCRYPTION_CONTEXT, PLAN_ENCRYPTION_PURPOSE = "purpose", "terraform-plan"
"""The encryption context of that data key: the plan role may generate data keys of the state's key
with this context only, never one S3 would ask for the state (S3 asks with `aws:s3:arn`; KMS
developer guide, "Encryption context", and the kms:EncryptionContext: condition keys)."""
PREVIEW_ENVIRONMENT = "preview"
"""The infrastructure repository's reviewed environment for credentialed pull-request previews."""
GITHUB_ACTIONS_APP_ID = 15368
"""The GitHub Actions app's id (`GET /apps/github-actions`), the `integration_id` required checks must
come from (integrations/terraform-provider-github#2474; its acceptance tests use the same id)."""


def plan_role_variable(stack: str) -> str:
    """Preview-environment variable holding a stack's plan role ARN: PLAN_ROLE_ARN_AUDIT."""
    return "PLAN_ROLE_ARN_" + stack.upper().replace("-", "_")


def qualified_stack(organization: str, project: str, stack: str) -> str:
    """`org/project/stack`: a stack named so no default organisation or project is assumed."""
    return f"{organization}/{project}/{stack}"


# --- Slack ------------------------------------------------------------------------------------

SECURITY_ALERTS, APPROVALS = "security-alerts", "approvals"
"""Keys of the shared channels (beside one deploy channel per application key)."""
DEFAULT_DEPLOY_CHANNEL = "deploy-{app}"
DEFAULT_SECURITY_ALERTS_CHANNEL = "security-alerts"
DEFAULT_APPROVALS_CHANNEL = "deploy-approvals"


# --- IAM --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    """An IAM role's name and path: what a component creates and what a policy names by ARN."""

    name: str
    """Role name; a pattern with `*` where only policies name it (an exemption of many roles)."""
    path: str = "/"
    """IAM path, `/` or `/segment/`."""

    def arn(self, account_id: str = "*") -> str:
        """The role's ARN in `account_id`; `*` names it in every account."""
        return f"arn:aws:iam::{account_id}:role{self.path}{self.name}"


GITHUB_PATH = "/github/"
"""Path of every CI/CD role and of the deploy boundary; the boundary forbids touching anything there."""
SERVICE_ROLE_PATH = "/service-role/"
"""Path Control Tower's API set-up expects its prerequisite roles under."""
DEFAULT_ACCESS_ROLE = "OrganizationAccountAccessRole"
"""Role Organizations creates in each new account unless `organization.access_role_name` says otherwise."""
DEPLOY_BOUNDARY = f"{PREFIX}-deploy-boundary"
IMAGE_PROMOTION_POLICY = f"{PREFIX}-image-promotion"
"""Inline policy of prod's deploy role: it reads the staging repository to find the tested image, and
tags in its own repository the image it deploys."""
TESTED_IMAGE_TAG_PREFIX = "tested-"
"""ECR tag prefix of an image whose source passed the staging tests (followed by a git tree hash)."""
DEPLOYED_IMAGE_TAG_PREFIX = "deployed-"
"""ECR tag prefix of an image prod deployed (followed by the workflow run id); the lifecycle policy keeps them."""


def github_deploy_role(environment: str) -> Role:
    """An application environment's deploy role, assumed by its repository's deploy job."""
    return Role(f"github-deploy-{environment}", GITHUB_PATH)


def github_plan_role(target: str) -> Role:
    """A read-only plan role: of an infrastructure stack's reviewed pull-request preview (in the
    stack's account), or of a terraform app's plan before its reviewed deploy (in the environment's)."""
    return Role(f"github-plan-{target}", GITHUB_PATH)


def pulumi_deploy_role(stack: str) -> Role:
    """The role Pulumi Deployments runs `stack` with, in that stack's account."""
    return Role(f"pulumi-deploy-{stack}", GITHUB_PATH)


def github_roles() -> Role:
    """Every role under the CI/CD path (a policy resource pattern)."""
    return Role("*", GITHUB_PATH)


def deploy_boundary_arn(account_id: str = "*") -> str:
    return f"arn:aws:iam::{account_id}:policy{GITHUB_PATH}{DEPLOY_BOUNDARY}"


def account_root(account_id: str) -> str:
    """The principal that stands for a whole account (its administrators decide who acts for it)."""
    return f"arn:aws:iam::{account_id}:root"


ROOT_ACCESS_SERVICE = "iam.amazonaws.com"
"""Trusted access for IAM: what centralised root access runs through (IAM User Guide, id_root-enable-root-access.html)."""
ROOT_ACCESS_FEATURES = ("RootCredentialsManagement", "RootSessions")
"""`aws.iam.OrganizationsFeatures`: manage member accounts' root credentials, and open root sessions (sts:AssumeRoot)."""
ROOT_TASK_DELETE_CREDENTIALS = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
"""The task policy of a root session that deletes a member account's root credentials."""
CONTROL_TOWER_EXECUTION_ROLE = Role("AWSControlTowerExecution")
CONTROL_TOWER_ADMIN_ROLE = Role("AWSControlTowerAdmin", SERVICE_ROLE_PATH)
CONTROL_TOWER_CLOUDTRAIL_ROLE = Role("AWSControlTowerCloudTrailRole", SERVICE_ROLE_PATH)
CONTROL_TOWER_STACKSET_ROLE = Role("AWSControlTowerStackSetRole", SERVICE_ROLE_PATH)
CONTROL_TOWER_CONFIG_AGGREGATOR_ROLE = Role("AWSControlTowerConfigAggregatorRoleForOrganizations", SERVICE_ROLE_PATH)
"""Control Tower's roles, as its "set up Control Tower with the API" walkthrough names them."""
CONFIG_AGGREGATOR_ROLE = Role(f"{PREFIX}-config-aggregator")
CONFIG_SERVICE_LINKED_ROLE = Role("AWSServiceRoleForConfig", "/aws-service-role/config.amazonaws.com/")
"""AWS Config's service-linked role, which the recorders of the program (Control Tower off) use."""
BACKUP_ROLE = Role(f"{PREFIX}-backup", SERVICE_ROLE_PATH)
"""The role the backup policy's plans run their jobs with, in every account they cover."""


def chatbot_role(alerts: str) -> Role:
    """The read-only role Chatbot delivers one set of alert topics with."""
    return Role(f"{alerts}-chatbot")


def managed_policy_arn(policy: str) -> str:
    """`ReadOnlyAccess` or `job-function/ViewOnlyAccess` -> the AWS managed policy ARN; ARNs pass through."""
    return policy if policy.startswith("arn:") else f"arn:aws:iam::aws:policy/{policy}"


def managed_policy_key(policy: str) -> str:
    """The policy's own name, for resource names (an ARN's `::` is not allowed in a URN name)."""
    return policy.rsplit("/", 1)[-1]


ADMINISTRATOR_ACCESS = managed_policy_arn("AdministratorAccess")
READ_ONLY_ACCESS = managed_policy_arn("ReadOnlyAccess")
POWER_USER_ACCESS = managed_policy_arn("PowerUserAccess")
CLOUDWATCH_READ_ONLY_ACCESS = managed_policy_arn("CloudWatchReadOnlyAccess")
CONTROL_TOWER_SERVICE_ROLE_POLICY = managed_policy_arn("service-role/AWSControlTowerServiceRolePolicy")
CONTROL_TOWER_CLOUDTRAIL_ROLE_POLICY = managed_policy_arn("service-role/AWSControlTowerCloudTrailRolePolicy")
CONFIG_ROLE_FOR_ORGANIZATIONS = managed_policy_arn("service-role/AWSConfigRoleForOrganizations")
BACKUP_ROLE_POLICIES = (
    managed_policy_arn("service-role/AWSBackupServiceRolePolicyForBackup"),
    managed_policy_arn("service-role/AWSBackupServiceRolePolicyForRestores"),
    managed_policy_arn("AWSBackupServiceRolePolicyForS3Backup"),
    managed_policy_arn("AWSBackupServiceRolePolicyForS3Restore"),
)
"""What AWSBackupDefaultServiceRole holds (AWS Backup Developer Guide, iam-service-roles.html), and
S3's own pair, which that role lacks and which AWS keeps outside `service-role/` (s3-backups.html)."""


# --- S3 buckets: `<prefix>-<account id>-<region>`, protected by pattern `<prefix>-*` ----------

CONTROL_TOWER_LOGS = "aws-controltower-logs"
CONTROL_TOWER_ACCESS_LOGS = "aws-controltower-s3-access-logs"
"""Control Tower's log archive buckets (its trail and Config logs; their access logs)."""
TRAIL_LOGS = f"{PREFIX}-org-trail"
"""The log stack's organisation trail bucket, with Control Tower off."""
CONFIG_LOGS = f"{PREFIX}-config-logs"
"""The bucket every account's AWS Config recorder delivers to, with Control Tower off (in the log account)."""
ATHENA_RESULTS = f"{PREFIX}-athena-results"
TERRAFORM_STATE = f"{PREFIX}-tfstate"
"""Terraform apps' state bucket, one in each environment account."""


def terraform_state_key(app: str) -> str:
    """Where a terraform app keeps its state (and, beside it, `<key>.tflock`) in its state bucket."""
    return f"{app}/terraform.tfstate"


def regional_bucket(prefix: str, account_id: str, region: str) -> str:
    return f"{prefix}-{account_id}-{region}"


def bucket_pattern(prefix: str) -> str:
    """Every account's and region's bucket of `prefix`, as an SCP names them."""
    return f"{prefix}-*"


def bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


# --- everything else the program names ----------------------------------------------------------

TRAIL = f"{PREFIX}-organization-trail"
ATHENA_WORKGROUP = f"{PREFIX}-log-analysis"
GLUE_DATABASE = f"{PREFIX.replace('-', '_')}_logs"
"""Glue names take no hyphens."""
CLOUDTRAIL_TABLE = "cloudtrail"
ORGANIZATION_ANALYZER = "organization"
ORGANIZATION_AGGREGATOR = "organization"
CONFIG_RECORDER = PREFIX
"""Name of the program's configuration recorder and delivery channel in each account and region (Control Tower off)."""
SECURITY_HUB_POLICY = PREFIX
SECURITY_HUB_UNRECORDED_POLICY = f"{PREFIX}-unrecorded"
"""The Security Hub policy of the accounts that record nothing with AWS Config (security/services.py)."""
BACKUP_VAULT = f"{PREFIX}-backup"
"""The vault the backup policy's plans write to, in every account and region they cover."""
BACKUP_PLAN = PREFIX
"""The backup policy's plan, as AWS Backup shows it in each account."""
DEFAULT_CONFORMANCE_PACK = PREFIX
"""Name of the organisation conformance pack, and of its template in config/conformance-packs/."""


def kms_alias(key: str) -> str:
    return f"alias/{PREFIX}/{key}"


def organization_policy(key: str) -> str:
    """An Organizations policy: `landing-zone-<type prefix><target>-<first template>`
    (`landing-zone-root-deny-leaving-organization`, `landing-zone-rcp-root-enforce-org-identities`)."""
    return f"{PREFIX}-{key}"


def findings_rule(source: str) -> str:
    return f"{PREFIX}-{source}-findings"


def budget(account: str) -> str:
    return f"{account}-monthly"
