"""The IAM actions deploying each planned resource type needs: create, update, delete. Data, with sources.

For each Pulumi AWS type the program plans (listed from the example plans with Control Tower on
and off; a test fails when a planned type has none): the permissions of the API operations the
provider calls to create, update and delete it, and the ARN they act on (what resource-scoped
guardrails match). Sources, checked 2026-12:

- the Service Authorization Reference, the page of each service prefix named in `SERVICES`
  (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html);
  every action name here is checked in the tests against parliament's copy of it;
- the provider's documentation of each resource (pulumi-aws 7.51.1, the Terraform AWS provider's
  resource of the same name), for which operations create, update and delete call.

Reads the provider makes on every refresh (Get*, List*, Describe*) are left out: no guardrail here
denies a read. Permissions of the service's own work (service-linked roles, Control Tower's
StackSets) are the service's, not the deployer's.

`APP_DEPLOYS` is what an application's GitHub deploy role does in its account, within the deploy
boundary (delivery/policies.py): the workflows' deploy step (workflows/spec.py) ships code, pushes
images, manages its buckets, objects and their lifecycle, its stacks and functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

SERVICES = {
    "access-analyzer": "IAM Access Analyzer",
    "athena": "Amazon Athena",
    "backup": "AWS Backup",
    "backup-storage": "AWS Backup storage",
    "budgets": "AWS Budget Service",
    "config": "AWS Config",
    "chatbot": "AWS Chatbot",
    "cloudtrail": "AWS CloudTrail",
    "events": "Amazon EventBridge",
    "controltower": "AWS Control Tower",
    "ecr": "Amazon Elastic Container Registry",
    "glue": "AWS Glue",
    "guardduty": "Amazon GuardDuty",
    "iam": "AWS Identity and Access Management (IAM)",
    "identitystore": "AWS Identity Store",
    "inspector2": "Amazon Inspector2",
    "kms": "AWS Key Management Service",
    "organizations": "AWS Organizations",
    "s3": "Amazon S3",
    "securityhub": "AWS Security Hub",
    "sns": "Amazon SNS",
    "ssm": "AWS Systems Manager",
    "sso": "AWS IAM Identity Center",
}
"""Service prefix -> the Service Authorization Reference page it is listed on ("Actions, resources, and condition keys for ...")."""


@dataclass(frozen=True)
class DeployActions:
    create: tuple[str, ...]
    update: tuple[str, ...]
    delete: tuple[str, ...]
    arn: str
    """ARN acted on: `{account}`, `{region}` and `{input}` placeholders (an input by its engine name), or `*`."""


def _a(create: str, update: str, delete: str, arn: str = "*") -> DeployActions:
    return DeployActions(tuple(create.split()), tuple(update.split()), tuple(delete.split()), arn)


_ORG = "organizations:DescribeOrganization organizations:EnableAWSServiceAccess organizations:RegisterDelegatedAdministrator"
_BUCKET = "arn:aws:s3:::{bucket}"
_ROLE = "arn:aws:iam::{account}:role{rolePath}{role}"
_TOPIC = "arn:aws:sns:{region}:{account}:{name}"
_DETECTOR = "arn:aws:guardduty:{region}:{account}:detector/*"

ACTIONS: Mapping[str, DeployActions] = {
    "aws:accessanalyzer/analyzer:Analyzer": _a(
        "access-analyzer:CreateAnalyzer access-analyzer:TagResource",
        "access-analyzer:UpdateAnalyzer access-analyzer:TagResource access-analyzer:UntagResource",
        "access-analyzer:DeleteAnalyzer",
        "arn:aws:access-analyzer:{region}:{account}:analyzer/{analyzerName}",
    ),
    "aws:athena/namedQuery:NamedQuery": _a(
        "athena:CreateNamedQuery", "athena:UpdateNamedQuery", "athena:DeleteNamedQuery", "arn:aws:athena:{region}:{account}:workgroup/{workgroup}"
    ),
    "aws:athena/workgroup:Workgroup": _a(
        "athena:CreateWorkGroup athena:TagResource",
        "athena:UpdateWorkGroup athena:TagResource athena:UntagResource",
        "athena:DeleteWorkGroup",
        "arn:aws:athena:{region}:{account}:workgroup/{name}",
    ),
    # CreateBackupVault also needs backup-storage:MountCapsule and a grant on the vault's key (AWS
    # Backup Developer Guide, "Create a backup vault": the permissions it lists for the creator).
    "aws:backup/vault:Vault": _a(
        "backup:CreateBackupVault backup:TagResource backup-storage:MountCapsule kms:CreateGrant kms:DescribeKey",
        "backup:TagResource backup:UntagResource",
        "backup:DeleteBackupVault",
        "arn:aws:backup:{region}:{account}:backup-vault:{name}",
    ),
    "aws:budgets/budget:Budget": _a(
        "budgets:ModifyBudget budgets:TagResource",
        "budgets:ModifyBudget budgets:TagResource budgets:UntagResource",
        "budgets:ModifyBudget",
        "arn:aws:budgets::{account}:budget/{name}",
    ),
    "aws:cfg/configurationAggregator:ConfigurationAggregator": _a(
        "config:PutConfigurationAggregator config:TagResource",
        "config:PutConfigurationAggregator config:TagResource config:UntagResource",
        "config:DeleteConfigurationAggregator",
        "arn:aws:config:{region}:{account}:config-aggregator/*",
    ),
    "aws:cfg/deliveryChannel:DeliveryChannel": _a("config:PutDeliveryChannel", "config:PutDeliveryChannel", "config:DeleteDeliveryChannel"),
    "aws:cfg/recorder:Recorder": _a(
        "config:PutConfigurationRecorder iam:PassRole", "config:PutConfigurationRecorder iam:PassRole", "config:DeleteConfigurationRecorder"
    ),
    # Deleting the status stops the recorder (terraform-provider-aws configuration_recorder_status.go).
    "aws:cfg/recorderStatus:RecorderStatus": _a(
        "config:StartConfigurationRecorder", "config:StartConfigurationRecorder config:StopConfigurationRecorder", "config:StopConfigurationRecorder"
    ),
    "aws:cfg/organizationConformancePack:OrganizationConformancePack": _a(
        "config:PutOrganizationConformancePack",
        "config:PutOrganizationConformancePack",
        "config:DeleteOrganizationConformancePack",
        "arn:aws:config:{region}:{account}:organization-conformance-pack/{name}*",
    ),
    "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": _a(
        "chatbot:CreateSlackChannelConfiguration iam:PassRole",
        "chatbot:UpdateSlackChannelConfiguration iam:PassRole",
        "chatbot:DeleteSlackChannelConfiguration",
        "arn:aws:chatbot::{account}:chat-configuration/slack-channel/{configurationName}",
    ),
    "aws:cloudtrail/organizationDelegatedAdminAccount:OrganizationDelegatedAdminAccount": _a(
        f"cloudtrail:RegisterOrganizationDelegatedAdmin {_ORG}",
        "",
        "cloudtrail:DeregisterOrganizationDelegatedAdmin organizations:DeregisterDelegatedAdministrator",
    ),
    "aws:cloudtrail/trail:Trail": _a(
        "cloudtrail:CreateTrail cloudtrail:PutEventSelectors cloudtrail:StartLogging cloudtrail:AddTags",
        "cloudtrail:UpdateTrail cloudtrail:PutEventSelectors cloudtrail:AddTags cloudtrail:RemoveTags",
        "cloudtrail:DeleteTrail",
        "arn:aws:cloudtrail:{region}:{account}:trail/{name}",
    ),
    "aws:cloudwatch/eventRule:EventRule": _a(
        "events:PutRule events:TagResource",
        "events:PutRule events:TagResource events:UntagResource",
        "events:DeleteRule",
        "arn:aws:events:{region}:{account}:rule/{name}",
    ),
    "aws:cloudwatch/eventTarget:EventTarget": _a(
        "events:PutTargets", "events:PutTargets", "events:RemoveTargets", "arn:aws:events:{region}:{account}:rule/{rule}"
    ),
    "aws:controltower/baseline:Baseline": _a("controltower:EnableBaseline", "controltower:UpdateEnabledBaseline", "controltower:DisableBaseline"),
    "aws:controltower/controlTowerControl:ControlTowerControl": _a(
        "controltower:EnableControl", "controltower:UpdateEnabledControl", "controltower:DisableControl"
    ),
    "aws:controltower/landingZone:LandingZone": _a("controltower:CreateLandingZone", "controltower:UpdateLandingZone", "controltower:DeleteLandingZone"),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": _a(
        "ecr:PutLifecyclePolicy", "ecr:PutLifecyclePolicy", "ecr:DeleteLifecyclePolicy", "arn:aws:ecr:{region}:{account}:repository/{repository}"
    ),
    # Registry-level settings act on no resource ARN ("*"); the provider deletes a replication
    # configuration by putting an empty one (terraform-provider-aws ecr replication_configuration.go).
    "aws:ecr/registryPolicy:RegistryPolicy": _a("ecr:PutRegistryPolicy", "ecr:PutRegistryPolicy", "ecr:DeleteRegistryPolicy"),
    "aws:ecr/replicationConfiguration:ReplicationConfiguration": _a(
        "ecr:PutReplicationConfiguration", "ecr:PutReplicationConfiguration", "ecr:PutReplicationConfiguration"
    ),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": _a(
        "ecr:SetRepositoryPolicy", "ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy", "arn:aws:ecr:{region}:{account}:repository/{repository}"
    ),
    "aws:ecr/repository:Repository": _a(
        "ecr:CreateRepository ecr:TagResource",
        "ecr:PutImageTagMutability ecr:PutImageScanningConfiguration ecr:TagResource ecr:UntagResource",
        "ecr:DeleteRepository",
        "arn:aws:ecr:{region}:{account}:repository/{name}",
    ),
    "aws:glue/catalogDatabase:CatalogDatabase": _a(
        "glue:CreateDatabase", "glue:UpdateDatabase", "glue:DeleteDatabase", "arn:aws:glue:{region}:{account}:database/{name}"
    ),
    "aws:glue/catalogTable:CatalogTable": _a(
        "glue:CreateTable", "glue:UpdateTable", "glue:DeleteTable", "arn:aws:glue:{region}:{account}:table/{databaseName}/{name}"
    ),
    "aws:guardduty/detectorFeature:DetectorFeature": _a("guardduty:UpdateDetector", "guardduty:UpdateDetector", "guardduty:UpdateDetector", _DETECTOR),
    "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount": _a(
        f"guardduty:EnableOrganizationAdminAccount {_ORG}", "", "guardduty:DisableOrganizationAdminAccount"
    ),
    "aws:guardduty/organizationConfiguration:OrganizationConfiguration": _a(
        "guardduty:UpdateOrganizationConfiguration", "guardduty:UpdateOrganizationConfiguration", "", _DETECTOR
    ),
    "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature": _a(
        "guardduty:UpdateOrganizationConfiguration", "guardduty:UpdateOrganizationConfiguration", "", _DETECTOR
    ),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _a(
        "iam:CreateOpenIDConnectProvider iam:TagOpenIDConnectProvider",
        "iam:AddClientIDToOpenIDConnectProvider iam:RemoveClientIDFromOpenIDConnectProvider iam:UpdateOpenIDConnectProviderThumbprint "
        "iam:TagOpenIDConnectProvider iam:UntagOpenIDConnectProvider",
        "iam:DeleteOpenIDConnectProvider",
        "arn:aws:iam::{account}:oidc-provider/{urlHost}",
    ),
    "aws:iam/policy:Policy": _a(
        "iam:CreatePolicy iam:TagPolicy",
        "iam:CreatePolicyVersion iam:DeletePolicyVersion iam:TagPolicy iam:UntagPolicy",
        "iam:DeletePolicy iam:DeletePolicyVersion",
        "arn:aws:iam::{account}:policy{path}{name}",
    ),
    "aws:iam/role:Role": _a(
        "iam:CreateRole iam:TagRole",
        "iam:UpdateRole iam:UpdateRoleDescription iam:UpdateAssumeRolePolicy iam:TagRole iam:UntagRole iam:PutRolePermissionsBoundary",
        "iam:DeleteRole",
        "arn:aws:iam::{account}:role{path}{name}",
    ),
    # terraform-provider-aws internal/service/iam/organizations_features.go: Enable*/Disable* per feature.
    "aws:iam/organizationsFeatures:OrganizationsFeatures": _a(
        "iam:EnableOrganizationsRootCredentialsManagement iam:EnableOrganizationsRootSessions",
        "iam:EnableOrganizationsRootCredentialsManagement iam:EnableOrganizationsRootSessions "
        "iam:DisableOrganizationsRootCredentialsManagement iam:DisableOrganizationsRootSessions",
        "iam:DisableOrganizationsRootCredentialsManagement iam:DisableOrganizationsRootSessions",
    ),
    "aws:iam/rolePolicy:RolePolicy": _a("iam:PutRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy", _ROLE),
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": _a(
        "iam:CreateServiceLinkedRole",
        "iam:UpdateRoleDescription iam:TagRole iam:UntagRole",
        "iam:DeleteServiceLinkedRole iam:GetServiceLinkedRoleDeletionStatus",
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _a("iam:AttachRolePolicy", "iam:AttachRolePolicy iam:DetachRolePolicy", "iam:DetachRolePolicy", _ROLE),
    "aws:identitystore/group:Group": _a("identitystore:CreateGroup", "identitystore:UpdateGroup", "identitystore:DeleteGroup"),
    "aws:identitystore/groupMembership:GroupMembership": _a("identitystore:CreateGroupMembership", "", "identitystore:DeleteGroupMembership"),
    "aws:identitystore/user:User": _a("identitystore:CreateUser", "identitystore:UpdateUser", "identitystore:DeleteUser"),
    "aws:inspector2/delegatedAdminAccount:DelegatedAdminAccount": _a(
        f"inspector2:EnableDelegatedAdminAccount {_ORG}", "", "inspector2:DisableDelegatedAdminAccount"
    ),
    "aws:inspector2/enabler:Enabler": _a("inspector2:Enable", "inspector2:Enable inspector2:Disable", "inspector2:Disable"),
    "aws:inspector2/memberAssociation:MemberAssociation": _a("inspector2:AssociateMember", "", "inspector2:DisassociateMember"),
    "aws:inspector2/organizationConfiguration:OrganizationConfiguration": _a(
        "inspector2:UpdateOrganizationConfiguration", "inspector2:UpdateOrganizationConfiguration", "inspector2:UpdateOrganizationConfiguration"
    ),
    "aws:kms/alias:Alias": _a("kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "arn:aws:kms:{region}:{account}:{name}"),
    "aws:kms/key:Key": _a(
        "kms:CreateKey kms:PutKeyPolicy kms:EnableKeyRotation kms:TagResource",
        "kms:PutKeyPolicy kms:EnableKeyRotation kms:UpdateKeyDescription kms:TagResource kms:UntagResource",
        "kms:ScheduleKeyDeletion",
        "arn:aws:kms:{region}:{account}:key/*",
    ),
    "aws:organizations/account:Account": _a(
        "organizations:CreateAccount organizations:MoveAccount organizations:TagResource",
        "organizations:MoveAccount organizations:TagResource organizations:UntagResource",
        "organizations:RemoveAccountFromOrganization",
    ),
    "aws:organizations/delegatedAdministrator:DelegatedAdministrator": _a(
        "organizations:RegisterDelegatedAdministrator", "", "organizations:DeregisterDelegatedAdministrator"
    ),
    "aws:organizations/organization:Organization": _a(
        "organizations:CreateOrganization organizations:EnableAWSServiceAccess organizations:EnablePolicyType",
        "organizations:EnableAWSServiceAccess organizations:DisableAWSServiceAccess organizations:EnablePolicyType organizations:DisablePolicyType",
        "organizations:DeleteOrganization",
    ),
    "aws:organizations/organizationalUnit:OrganizationalUnit": _a(
        "organizations:CreateOrganizationalUnit organizations:TagResource",
        "organizations:UpdateOrganizationalUnit organizations:TagResource organizations:UntagResource",
        "organizations:DeleteOrganizationalUnit",
    ),
    "aws:organizations/policy:Policy": _a(
        "organizations:CreatePolicy organizations:TagResource",
        "organizations:UpdatePolicy organizations:TagResource organizations:UntagResource",
        "organizations:DeletePolicy",
    ),
    "aws:organizations/policyAttachment:PolicyAttachment": _a(
        "organizations:AttachPolicy", "organizations:AttachPolicy organizations:DetachPolicy", "organizations:DetachPolicy"
    ),
    "aws:s3/bucket:Bucket": _a("s3:CreateBucket s3:PutBucketTagging", "s3:PutBucketTagging", "s3:DeleteBucket", _BUCKET),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _a(
        "s3:PutLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:PutLifecycleConfiguration", _BUCKET
    ),
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": _a(
        "s3:PutBucketObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration", _BUCKET
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _a(
        "s3:PutBucketOwnershipControls", "s3:PutBucketOwnershipControls", "s3:PutBucketOwnershipControls", _BUCKET
    ),
    "aws:s3/bucketPolicy:BucketPolicy": _a("s3:PutBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", _BUCKET),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _a(
        "s3:PutBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock", _BUCKET
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _a(
        "s3:PutEncryptionConfiguration", "s3:PutEncryptionConfiguration", "s3:PutEncryptionConfiguration", _BUCKET
    ),
    "aws:s3/bucketVersioning:BucketVersioning": _a("s3:PutBucketVersioning", "s3:PutBucketVersioning", "s3:PutBucketVersioning", _BUCKET),
    "aws:securityhub/account:Account": _a(
        "securityhub:EnableSecurityHub securityhub:TagResource", "securityhub:UpdateSecurityHubConfiguration", "securityhub:DisableSecurityHub"
    ),
    "aws:securityhub/configurationPolicy:ConfigurationPolicy": _a(
        "securityhub:CreateConfigurationPolicy", "securityhub:UpdateConfigurationPolicy", "securityhub:DeleteConfigurationPolicy"
    ),
    "aws:securityhub/configurationPolicyAssociation:ConfigurationPolicyAssociation": _a(
        "securityhub:StartConfigurationPolicyAssociation",
        "securityhub:StartConfigurationPolicyAssociation",
        "securityhub:StartConfigurationPolicyDisassociation",
    ),
    "aws:securityhub/findingAggregator:FindingAggregator": _a(
        "securityhub:CreateFindingAggregator", "securityhub:UpdateFindingAggregator", "securityhub:DeleteFindingAggregator"
    ),
    "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount": _a(
        f"securityhub:EnableOrganizationAdminAccount {_ORG}", "", "securityhub:DisableOrganizationAdminAccount"
    ),
    "aws:securityhub/organizationConfiguration:OrganizationConfiguration": _a(
        "securityhub:UpdateOrganizationConfiguration", "securityhub:UpdateOrganizationConfiguration", "securityhub:UpdateOrganizationConfiguration"
    ),
    "aws:sns/topic:Topic": _a(
        "sns:CreateTopic sns:SetTopicAttributes sns:TagResource", "sns:SetTopicAttributes sns:TagResource sns:UntagResource", "sns:DeleteTopic", _TOPIC
    ),
    "aws:sns/topicPolicy:TopicPolicy": _a("sns:SetTopicAttributes", "sns:SetTopicAttributes", "sns:SetTopicAttributes", "{arn}"),
    # PutParameter creates and overwrites (with tags on create); parameter ARNs append the name, which starts with `/`.
    "aws:ssm/parameter:Parameter": _a(
        "ssm:PutParameter ssm:AddTagsToResource",
        "ssm:PutParameter ssm:AddTagsToResource ssm:RemoveTagsFromResource",
        "ssm:DeleteParameter",
        "arn:aws:ssm:{region}:{account}:parameter{name}",
    ),
    "aws:ssoadmin/accountAssignment:AccountAssignment": _a("sso:CreateAccountAssignment", "", "sso:DeleteAccountAssignment"),
    "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment": _a(
        "sso:AttachManagedPolicyToPermissionSet sso:ProvisionPermissionSet", "", "sso:DetachManagedPolicyFromPermissionSet sso:ProvisionPermissionSet"
    ),
    "aws:ssoadmin/permissionSet:PermissionSet": _a(
        "sso:CreatePermissionSet sso:TagResource",
        "sso:UpdatePermissionSet sso:ProvisionPermissionSet sso:TagResource sso:UntagResource",
        "sso:DeletePermissionSet",
    ),
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": _a(
        "sso:PutInlinePolicyToPermissionSet sso:ProvisionPermissionSet",
        "sso:PutInlinePolicyToPermissionSet sso:ProvisionPermissionSet",
        "sso:DeleteInlinePolicyFromPermissionSet sso:ProvisionPermissionSet",
    ),
}

APP_DEPLOYS: tuple[tuple[str, str], ...] = (
    ("s3:CreateBucket", "arn:aws:s3:::{account_key}-deploy-artifacts"),
    ("s3:PutObject", "arn:aws:s3:::{account_key}-deploy-artifacts/release.zip"),
    ("s3:DeleteObject", "arn:aws:s3:::{account_key}-deploy-artifacts/release.zip"),
    ("s3:PutLifecycleConfiguration", "arn:aws:s3:::{account_key}-deploy-artifacts"),
    ("s3:DeleteBucket", "arn:aws:s3:::{account_key}-deploy-artifacts"),
    ("ecr:PutImage", "arn:aws:ecr:{region}:{account}:repository/{app}"),
    ("ecr:BatchDeleteImage", "arn:aws:ecr:{region}:{account}:repository/{app}"),
    ("cloudformation:CreateStack", "arn:aws:cloudformation:{region}:{account}:stack/{app}/*"),
    ("cloudformation:UpdateStack", "arn:aws:cloudformation:{region}:{account}:stack/{app}/*"),
    ("cloudformation:DeleteStack", "arn:aws:cloudformation:{region}:{account}:stack/{app}/*"),
    ("lambda:UpdateFunctionCode", "arn:aws:lambda:{region}:{account}:function:{app}"),
    ("ecs:UpdateService", "arn:aws:ecs:{region}:{account}:service/{app}/{app}"),
    ("logs:PutRetentionPolicy", "arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{app}"),
)
"""(action, resource) an application deploy performs in its own account; `{app}`, `{account_key}`, `{account}`, `{region}` filled per role."""
