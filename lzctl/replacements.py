"""Which input changes make a provider replace (delete and re-create) a resource, per resource type.

Data for `lzctl diff`, one entry per custom resource type the program plans (with Control Tower
on and off, in every stack; a test fails when a planned type has none). Field names are the
engine's (camelCase) input names; `a.b` is a field nested in the block `a`. Checked 2026-12-01.

Sources, per entry:
- AWS: `ForceNew: true` (SDK v2) or `RequiresReplace()` (plugin framework) in
  hashicorp/terraform-provider-aws, read at the stored commit named in each entry. pulumi-aws
  7.51.1 bridges a terraform-provider-aws 6.x release (pulumi-aws#5665 moved v7 to 6.x; the
  v7.43.0 release notes name 6.60/6.61); the exact tag could not be determined offline, and the
  stored file versions differ in age, so an entry may lag a change upstream. The landing zone
  entry is from the newest stored version, whose manifest and version update in place.
  Every regional AWS resource also has the provider-injected `region` input, whose change forces
  a replacement (internal/provider, `forceNewIfRegionChanges`, enhanced region support in 6.0).
- GitHub: integrations/terraform-provider-github v6.13.0, the upstream pulumi-github 6.15.0
  bridges (its `upstream` submodule is at 20728bb, tag v6.13.0).
- Slack: pablovarela/terraform-provider-slack v1.2.2 (pulumi-slack's provider/go.mod).
- Pulumi Cloud: pulumi/pulumi-pulumiservice (dc76a01, after v1.3.0; 1.5.0 is installed):
  `replaceOnChanges` tags and the DeploymentSettings Diff, provider/pkg/resources/.
- Providers: pulumi-aws replaces every resource of an explicit provider whose `region` changes
  (pulumi-aws#4000, "Replace resources when the AWS region changes"); the github, slack and
  pulumiservice providers declare no such input (no ForcesProviderReplace in pulumi-github or
  pulumi-slack; pulumiservice's DiffConfig returns no replaces).
- A resource whose provider reference changes is always replaced (pulumi/pulumi
  pkg/resource/deploy/step_generator.go: `ReplaceKeys: ["provider"]`); `lzctl.diff` applies that
  rule to every type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional

CHECKED = "2026-12-01"
TF_AWS = "hashicorp/terraform-provider-aws internal/service"
TF_GITHUB = "integrations/terraform-provider-github v6.13.0 github"
TF_SLACK = "pablovarela/terraform-provider-slack v1.2.2 slack"
PULUMISERVICE = "pulumi/pulumi-pulumiservice dc76a01 provider/pkg/resources"
AWS_REGION = "region"
AWS_REGION_SOURCE = "hashicorp/terraform-provider-aws internal/provider forceNewIfRegionChanges (6.x enhanced region support)"
# Why a GitHub `repository` change may keep the resource: github/util_diff.go diffRepository
# forces a new resource unless the repository id stays the same (a rename of the same repository).
RENAMED_REPOSITORY = "unless the new name is the same repository renamed (same repository id)"


@dataclass(frozen=True)
class ReplaceOn:
    fields: tuple[str, ...]
    """Inputs whose change always replaces the resource."""
    source: str
    """Repository, file and commit or tag this was read from."""
    when: Mapping[str, str] = field(default_factory=dict)
    """Inputs whose change replaces the resource only in some cases -> which cases."""


def _aws(path: str, commit: str, *fields: str, **when: str) -> ReplaceOn:
    return ReplaceOn(fields, f"{TF_AWS}/{path} @ {commit}", when)


def _github(resource: str, commit: str, *fields: str, **when: str) -> ReplaceOn:
    return ReplaceOn(fields, f"{TF_GITHUB}/resource_github_{resource}.go @ {commit}", when)


TABLE: Mapping[str, ReplaceOn] = {
    "aws:accessanalyzer/analyzer:Analyzer": _aws("accessanalyzer/analyzer.go", "00a35305dc1b", "analyzerName", "configuration", "type"),
    "aws:athena/namedQuery:NamedQuery": _aws("athena/named_query.go", "088e0878080a", "database", "description", "name", "query", "workgroup"),
    "aws:athena/workgroup:Workgroup": _aws("athena/workgroup.go", "0148137dc6fb", "name"),
    "aws:backup/vault:Vault": _aws("backup/vault.go", "050ac11163ca", "kmsKeyArn", "name"),
    "aws:budgets/budget:Budget": _aws("budgets/budget.go", "01d5888a0707", "accountId", "name", "namePrefix"),
    "aws:cfg/configurationAggregator:ConfigurationAggregator": _aws(
        "configservice/configuration_aggregator.go",
        "16e76651d0ed",
        "name",
        accountAggregationSource="when it is set where there was none (ForceNewIfChange)",
        organizationAggregationSource="when it is set where there was none (ForceNewIfChange)",
    ),
    "aws:cfg/deliveryChannel:DeliveryChannel": _aws("configservice/delivery_channel.go", "0593466d96e3", "name"),
    "aws:cfg/organizationConformancePack:OrganizationConformancePack": _aws("configservice/organization_conformance_pack.go", "01a37a5a4ccf", "name"),
    "aws:cfg/recorder:Recorder": _aws("configservice/configuration_recorder.go", "090344804c49", "name"),
    "aws:cfg/recorderStatus:RecorderStatus": _aws("configservice/configuration_recorder_status.go", "013f1736b904"),
    "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": _aws("chatbot/slack_channel_configuration.go", "02568cd96c75"),
    "aws:cloudtrail/organizationDelegatedAdminAccount:OrganizationDelegatedAdminAccount": _aws(
        "cloudtrail/organization_delegated_admin_account.go", "0a3cb2c7978e", "accountId"
    ),
    "aws:cloudtrail/trail:Trail": _aws("cloudtrail/trail.go", "0a9af16a9784", "name"),
    "aws:cloudwatch/eventRule:EventRule": _aws("events/rule.go", "0cdab4ae09a9", "eventBusName", "name", "namePrefix"),
    "aws:cloudwatch/eventTarget:EventTarget": _aws("events/target.go", "0762c41e2027", "eventBusName", "rule", "targetId"),
    "aws:controltower/baseline:Baseline": _aws("controltower/baseline.go", "03fb37bfe0c7", "baselineIdentifier", "baselineVersion", "targetIdentifier"),
    "aws:controltower/controlTowerControl:ControlTowerControl": _aws("controltower/control.go", "0980b592d8c8", "controlIdentifier", "targetIdentifier"),
    # The first releases had manifest and version ForceNew (006abd79c604); UpdateLandingZone since.
    "aws:controltower/landingZone:LandingZone": _aws("controltower/landing_zone.go", "newest stored version"),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": _aws("ecr/lifecycle_policy.go", "00a35305dc1b", "policy", "repository"),
    "aws:ecr/registryPolicy:RegistryPolicy": _aws("ecr/registry_policy.go", "083b5c7aff2a"),
    "aws:ecr/replicationConfiguration:ReplicationConfiguration": _aws("ecr/replication_configuration.go", "00a35305dc1b"),
    "aws:ecr/repository:Repository": _aws("ecr/repository.go", "0072eea2d604", "encryptionConfigurations", "name"),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": _aws("ecr/repository_policy.go", "004b82babcaf", "repository"),
    "aws:glue/catalogDatabase:CatalogDatabase": _aws("glue/catalog_database.go", "0075c7864e94", "catalogId", "name", "targetDatabase"),
    "aws:glue/catalogTable:CatalogTable": _aws("glue/catalog_table.go", "schema head of 4 stored versions", "catalogId", "databaseName", "name"),
    "aws:guardduty/detectorFeature:DetectorFeature": _aws(
        "guardduty/detector_feature.go", "0f87934c9fc0", "detectorId", "name", "additionalConfigurations.name"
    ),
    "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount": _aws("guardduty/organization_admin_account.go", "013f1736b904", "adminAccountId"),
    "aws:guardduty/organizationConfiguration:OrganizationConfiguration": _aws("guardduty/organization_configuration.go", "01f431114674", "detectorId"),
    "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature": _aws(
        "guardduty/organization_configuration_feature.go", "01f431114674", "additionalConfigurations", "detectorId", "name"
    ),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _aws("iam/openid_connect_provider.go", "01606926a0c0", "url"),
    "aws:iam/policy:Policy": _aws("iam/policy.go", "01ccd9a2d118", "description", "name", "namePrefix", "path"),
    # enabled_features updates in place: Update enables and disables the difference.
    "aws:iam/organizationsFeatures:OrganizationsFeatures": _aws("iam/organizations_features.go", "119f16d1f4db"),
    "aws:iam/role:Role": _aws("iam/role.go", "0040ea6911af", "name", "namePrefix", "path"),
    "aws:iam/rolePolicy:RolePolicy": _aws("iam/role_policy.go", "02f97af85f89", "name", "namePrefix", "role"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _aws("iam/role_policy_attachment.go", "04c79849dbe7", "policyArn", "role"),
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": _aws("iam/service_linked_role.go", "stored versions", "awsServiceName", "customSuffix"),
    "aws:identitystore/group:Group": _aws("identitystore/group.go", "01c08000ddb1", "displayName", "identityStoreId"),
    "aws:identitystore/groupMembership:GroupMembership": _aws("identitystore/group_membership.go", "0de0d32612df", "groupId", "identityStoreId", "memberId"),
    "aws:identitystore/user:User": _aws("identitystore/user.go", "00005ed84946", "identityStoreId", "userName"),
    "aws:inspector2/delegatedAdminAccount:DelegatedAdminAccount": _aws("inspector2/delegated_admin_account.go", "0b36eba3a16c", "accountId"),
    "aws:inspector2/enabler:Enabler": _aws("inspector2/enabler.go", "088e0878080a"),
    "aws:inspector2/memberAssociation:MemberAssociation": _aws("inspector2/member_association.go", "00a35305dc1b", "accountId"),
    "aws:inspector2/organizationConfiguration:OrganizationConfiguration": _aws("inspector2/organization_configuration.go", "044fb3171c30"),
    "aws:kms/alias:Alias": _aws("kms/alias.go", "01c08000ddb1", "name", "namePrefix"),
    "aws:kms/key:Key": _aws("kms/key.go", "00a35305dc1b", "customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"),
    "aws:organizations/account:Account": _aws("organizations/account.go", "01f431114674", "email", "iamUserAccessToBilling", "name", "roleName"),
    "aws:organizations/delegatedAdministrator:DelegatedAdministrator": _aws(
        "organizations/delegated_administrator.go", "0c13352b9dda", "accountId", "servicePrincipal"
    ),
    "aws:organizations/organization:Organization": _aws(
        "organizations/organization.go", "01f431114674", featureSet="when it changes from ALL to CONSOLIDATED_BILLING (ForceNewIfChange)"
    ),
    "aws:organizations/organizationalUnit:OrganizationalUnit": _aws("organizations/organizational_unit.go", "03c81cb5b907", "parentId"),
    "aws:organizations/policy:Policy": _aws("organizations/policy.go", "00a35305dc1b", "type"),
    "aws:organizations/policyAttachment:PolicyAttachment": _aws("organizations/policy_attachment.go", "090344804c49", "policyId", "targetId"),
    "aws:s3/bucket:Bucket": _aws("s3/bucket.go", "0070bcd12c95", "bucket", "bucketPrefix", "objectLockEnabled"),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _aws(
        "s3/bucket_lifecycle_configuration.go", "01606926a0c0", "bucket", "expectedBucketOwner"
    ),
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": _aws(
        "s3/bucket_object_lock_configuration.go", "01c08000ddb1", "bucket", "expectedBucketOwner", "objectLockEnabled"
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _aws("s3/bucket_ownership_controls.go", "01c08000ddb1", "bucket"),
    "aws:s3/bucketPolicy:BucketPolicy": _aws("s3/bucket_policy.go", "0073593e7d69", "bucket"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _aws("s3/bucket_public_access_block.go", "01606926a0c0", "bucket"),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _aws(
        "s3/bucket_server_side_encryption_configuration.go", "01606926a0c0", "bucket", "expectedBucketOwner"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": _aws("s3/bucket_versioning.go", "01c08000ddb1", "bucket", "expectedBucketOwner"),
    "aws:securityhub/account:Account": _aws("securityhub/account.go", "0527d6a8cc68", "enableDefaultStandards"),
    "aws:securityhub/configurationPolicy:ConfigurationPolicy": _aws("securityhub/configuration_policy.go", "stored version (Update sends every argument)"),
    "aws:securityhub/configurationPolicyAssociation:ConfigurationPolicyAssociation": _aws(
        "securityhub/configuration_policy_association.go", "07e0d0b940f5", "targetId"
    ),
    "aws:securityhub/findingAggregator:FindingAggregator": _aws("securityhub/finding_aggregator.go", "01f431114674"),
    "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount": _aws("securityhub/organization_admin_account.go", "088c13f1d9b3", "adminAccountId"),
    "aws:securityhub/organizationConfiguration:OrganizationConfiguration": _aws("securityhub/organization_configuration.go", "15c350faa62c"),
    "aws:sns/topic:Topic": _aws("sns/topic.go", "00a35305dc1b", "fifoTopic", "name", "namePrefix"),
    "aws:sns/topicPolicy:TopicPolicy": _aws("sns/topic_policy.go", "00a35305dc1b", "arn"),
    "aws:ssoadmin/accountAssignment:AccountAssignment": _aws(
        "ssoadmin/account_assignment.go", "01606926a0c0", "instanceArn", "permissionSetArn", "principalId", "principalType", "targetId", "targetType"
    ),
    "aws:ssm/parameter:Parameter": _aws("ssm/parameter.go", "5c0ef379dbe0", "name", tier="when it changes from Advanced to Standard (ForceNewIfChange)"),
    "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment": _aws(
        "ssoadmin/managed_policy_attachment.go", "01f431114674", "instanceArn", "managedPolicyArn", "permissionSetArn"
    ),
    "aws:ssoadmin/permissionSet:PermissionSet": _aws("ssoadmin/permission_set.go", "0414327b788a", "instanceArn", "name"),
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": _aws(
        "ssoadmin/permission_set_inline_policy.go", "0414327b788a", "instanceArn", "permissionSetArn"
    ),
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": _github(
        "actions_environment_secret", "c12ee8388", "environment", "secretName", repository=RENAMED_REPOSITORY
    ),
    "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": _github(
        "actions_environment_variable", "c12ee8388", "environment", "variableName", repository=RENAMED_REPOSITORY
    ),
    "github:index/actionsSecret:ActionsSecret": _github("actions_secret", "c12ee8388", "secretName", repository=RENAMED_REPOSITORY),
    "github:index/actionsVariable:ActionsVariable": _github("actions_variable", "c12ee8388", "variableName", repository=RENAMED_REPOSITORY),
    "github:index/branch:Branch": _github("branch", "ed957d4dd", "repository", "sourceBranch", "sourceSha"),
    "github:index/branchDefault:BranchDefault": _github("branch_default", "1eaeaeb0d", repository=RENAMED_REPOSITORY),
    "github:index/repository:Repository": _github(
        "repository",
        "ed957d4dd",
        fork="when it changes from a value that was set (ForceNewIfChange)",
        sourceOwner="when it changes from a value that was set (ForceNewIfChange)",
        sourceRepo="when it changes from a value that was set (ForceNewIfChange)",
    ),
    "github:index/repositoryEnvironment:RepositoryEnvironment": _github("repository_environment", "43490017d", "environment", repository=RENAMED_REPOSITORY),
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": _github(
        "repository_environment_deployment_policy",
        "ed957d4dd",
        "environment",
        repository=RENAMED_REPOSITORY,
        branchPattern="when branch_pattern and tag_pattern both change",
        tagPattern="when branch_pattern and tag_pattern both change",
    ),
    "github:index/repositoryFile:RepositoryFile": _github("repository_file", "f494cc6b4", "branch", "file", repository=RENAMED_REPOSITORY),
    "github:index/repositoryRuleset:RepositoryRuleset": _github("repository_ruleset", "4d34f10b4"),
    "github:index/team:Team": _github("team", "c12ee8388"),
    "github:index/teamMembership:TeamMembership": _github("team_membership", "ed957d4dd", "teamId", "username"),
    "github:index/teamRepository:TeamRepository": _github("team_repository", "20728bb30", "repository", "teamId"),
    "slack:index/conversation:Conversation": ReplaceOn((), f"{TF_SLACK}/resource_conversation.go (renames in place)"),
    "pulumiservice:index:DeploymentSettings": ReplaceOn(
        ("organization", "project", "stack"), f"{PULUMISERVICE}/deployment_settings.go Diff (replaceProperties)"
    ),
    "pulumiservice:index:DriftSchedule": ReplaceOn(("organization", "project", "stack"), f"{PULUMISERVICE}/drift_schedules.go replaceOnChanges"),
    "pulumiservice:index:Webhook": ReplaceOn(
        ("environmentName", "organizationName", "projectName", "stackName"), f"{PULUMISERVICE}/webhook.go replaceOnChanges"
    ),
    "pulumi:providers:aws": ReplaceOn(("region",), "pulumi/pulumi-aws#4000: a region change replaces every resource of the provider"),
    "pulumi:providers:github": ReplaceOn((), "pulumi/pulumi-github v6.15.0 provider/resources.go: no ForcesProviderReplace"),
    "pulumi:providers:slack": ReplaceOn((), "pulumi/pulumi-slack provider/resources.go: no ForcesProviderReplace"),
    "pulumi:providers:pulumiservice": ReplaceOn((), "pulumi/pulumi-pulumiservice provider/pkg/provider/provider.go DiffConfig: no replaces"),
}


def lookup(type_: str) -> Optional[ReplaceOn]:
    """The entry of `type_`; AWS resource types also get the provider-injected `region` rule."""
    entry = TABLE.get(type_)
    if entry is None or not type_.startswith("aws:"):
        return entry
    return ReplaceOn((*entry.fields, AWS_REGION), entry.source, entry.when)


def source_of(type_: str, field_path: str) -> str:
    """Where the rule that `field_path` replaces a `type_` comes from."""
    if field_path == AWS_REGION and type_.startswith("aws:"):
        return AWS_REGION_SOURCE
    return TABLE[type_].source
