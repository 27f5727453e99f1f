"""The whole management stack of the example org, as `lzctl plan` runs it."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from names import LIMITS_OUTPUT
from tests.helpers import EXAMPLE_DIR, run_management, setter, shared_run, write_config

pytestmark = pytest.mark.integration


def provider_of(plan, resource) -> str:
    return next(r for r in plan.resources if resource.provider.startswith(r.urn + "::")).name


def expected_provider(resource) -> str:
    """Which provider a resource must use: the account it belongs in, derived from its name."""
    package, parent_type = resource.type.split(":")[0], resource.parent.split("::")[-2].split("$")[-1]
    if package != "aws":
        return {"github": "github", "slack": "slack", "pulumiservice": "pulumi-cloud"}[package]
    if parent_type in ("landingzone:deploy_roles:DeployRoles", "landingzone:image_promotion:ImagePromotion"):
        return "-".join(resource.name.split("-")[:2]) + "-provider"  # <app>-<env>-...
    if parent_type == "landingzone:backup_vaults:BackupVaults":
        return "-".join(resource.name.split("-")[1:3]) + "-provider"  # backup-<app>-<env>-..., in the home region
    if parent_type == "landingzone:stack_deployments:StackDeployments" and resource.name.split("-")[0] != "management":
        return f"security-{resource.name.split('-')[0]}-provider"
    if parent_type == "landingzone:management_handoff:ManagementHandoff":
        return f"security-{resource.name.split('-')[1]}-provider"  # handoff-<audit|log>-...: written into that account
    if "-us-east-1-" in resource.name:
        return "management-us-east-1"  # the management account in the other governed region
    if resource.type.startswith("aws:chatbot/"):
        return "management-chatbot"
    return "management"


def test_every_resource_names_an_explicit_provider_in_the_right_account(management_plan):
    for resource in management_plan.resources:
        if resource.custom and not resource.type.startswith("pulumi:providers:"):
            assert provider_of(management_plan, resource) == expected_provider(resource), resource.urn


def test_management_provider_refuses_every_account_but_management(management_plan):
    [management] = [r for r in management_plan.of_type("pulumi:providers:aws") if r.name == "management"]
    assert management.inputs["allowedAccountIds"] == '["123456789012"]'
    assert "assumeRoles" not in management.inputs
    assert management.inputs["region"] == "ap-northeast-1"


def test_organisations_and_control_towers_arns_name_the_configured_management_account(config_dir):
    """As AWS answers them: arn:aws:organizations::<management account id>:ou/... (Organizations user
    guide, ARN formats); the mocks read the id from the management provider's allowedAccountIds."""
    plan, errors = shared_run(config_dir(setter("organization.management_account_id", "999988887777")))
    assert not errors, errors
    ou = plan.outputs["organizationalUnitIds"]["prod"]
    control = plan.named("control-tower-prod-AWS-GR_RESTRICTED_SSH-control").inputs
    assert control["targetIdentifier"] == f"arn:aws:organizations::999988887777:ou/o-a1b2c3d4e5/{ou}"
    assert re.fullmatch(r"arn:aws:controltower:ap-northeast-1:999988887777:landingzone/[0-9A-F]{16}", plan.outputs["landingZoneArn"])
    assert all(arn.startswith("arn:aws:controltower:ap-northeast-1:999988887777:enabledbaseline/") for arn in plan.outputs["controlTowerBaselineArns"].values())


def test_organization_and_every_account_are_protected(management_plan):
    protected = {r.name for r in management_plan.resources if r.protect}
    accounts = {r.name for r in management_plan.of_type("aws:organizations/account:Account")}
    assert protected == accounts | {"organization-organization"}


def test_accounts_hang_from_the_ou_of_their_environment(management_plan):
    ous = {r.name: r.urn for r in management_plan.of_type("aws:organizations/organizationalUnit:OrganizationalUnit")}
    assert ous["organization-prod-ou"] in management_plan.named("booking-prod-account").dependencies
    assert ous["organization-security-ou"] in management_plan.named("security-log-account").dependencies


def test_outputs_give_every_account_id_by_key(management_plan):
    ids = management_plan.outputs["accountIds"]
    assert set(ids) == {"management", "audit", "log", "shop-dev", "shop-stg", "shop-prod", "booking-dev", "booking-stg", "booking-prod"}
    assert all(re.fullmatch(r"\d{12}", value) for value in ids.values())
    assert management_plan.outputs["applicationAccountIds"]["shop"]["prod"] == ids["shop-prod"]
    assert set(management_plan.outputs["organizationalUnitIds"]) == {"security", "member", "dev", "stg", "prod", "suspended"}
    assert management_plan.outputs["ssoInstanceArn"].startswith("arn:aws:sso:::instance/ssoins-")


def test_offline_plan_warns_once_about_example_domains(management_plan):
    assert len([warning for warning in management_plan.warnings if "example domains" in warning]) == 1


def test_bad_config_registers_nothing(tmp_path):
    plan, errors = run_management(write_config(tmp_path, "organization: {}\n"))
    assert errors and "organization.management_account_id" in str(errors[0])
    assert [r.type for r in plan.resources] == ["pulumi:pulumi:Stack"]


def test_unknown_role_is_refused_naming_the_stack_file():
    plan, errors = run_management(EXAMPLE_DIR, role="workloads")
    assert str(errors[0]).endswith(
        "Pulumi.management.yaml: landing-zone:role: unknown or missing stack role (got 'workloads'). Hint: set one of: management, audit, log"
    )
    assert len(plan.resources) == 1


def test_adding_an_application_adds_its_accounts_providers_and_assignments_only(tmp_path, management_plan):
    import yaml

    data = yaml.safe_load((EXAMPLE_DIR / "landing-zone.yaml").read_text())
    data["applications"]["search"] = {"description": "Search (Go).", "kind": "go", "reviewers": {"teams": ["platform-admins"]}}
    plan, errors = shared_run(write_config(tmp_path, data))
    assert not errors
    before = {r.urn: r for r in management_plan.resources}
    after = {r.urn: r for r in plan.resources}
    assert set(before) <= set(after)
    changed = [before[urn].name for urn, r in before.items() if r.inputs != after[urn].inputs and r.custom]
    # Only the account ids handed to the audit and log stacks, which now name the new accounts too.
    assert sorted(changed) == ["handoff-audit-accounts-0", "handoff-log-accounts-0"]
    added = Counter(r.type for r in plan.resources if r.urn not in before)
    assert added == {
        "landingzone:app_account_set:AppAccountSet": 1,
        "aws:organizations/account:Account": 3,
        "pulumi:providers:aws": 3,
        "aws:ssoadmin/accountAssignment:AccountAssignment": 6,  # admins and auditors on 3 accounts
        "aws:iam/policy:Policy": 3,
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider": 3,
        "landingzone:application_pipeline:ApplicationPipeline": 1,
        "landingzone:deploy_roles:DeployRoles": 1,
        "landingzone:github_repository:GitHubRepository": 1,
        "landingzone:github_environments:GitHubEnvironments": 1,
        "github:index/repository:Repository": 1,
        "github:index/branchDefault:BranchDefault": 1,
        "github:index/branch:Branch": 2,
        "github:index/repositoryFile:RepositoryFile": 2 * 3,
        "github:index/repositoryRuleset:RepositoryRuleset": 3,  # release, integration (develop), staging
        "github:index/repositoryEnvironment:RepositoryEnvironment": 3 + 1,  # and notify
        "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": 3 + 1,
        "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": 4 * 3 + 2,  # notify: deploy and approvals channels
        "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": 3 + 1,
        "github:index/teamRepository:TeamRepository": 1,  # platform admins: all repositories
        "slack:index/conversation:Conversation": 1,
        "aws:budgets/budget:Budget": 3,
        "aws:sns/topic:Topic": 1,
        "aws:sns/topicPolicy:TopicPolicy": 1,
        "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": 1,
        # search-prod is below the backup policy: its vault and role.
        "aws:backup/vault:Vault": 1,
        # the deploy roles (Organizations creates AWSControlTowerExecution), and the backup role
        "aws:iam/role:Role": 3 + 1,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 3 + 4,
    }


def test_the_bootstrap_phase_builds_only_the_organisation_and_control_towers_roles():
    plan, errors = shared_run(EXAMPLE_DIR, phase="organization")
    assert not errors
    assert dict(Counter(r.type for r in plan.resources)) == {
        "pulumi:pulumi:Stack": 1,
        "pulumi:providers:aws": 1,
        "landingzone:organization:Organization": 1,
        "aws:organizations/organization:Organization": 1,
        "aws:organizations/organizationalUnit:OrganizationalUnit": 6,
        "aws:iam/organizationsFeatures:OrganizationsFeatures": 1,
        "landingzone:control_tower_roles:ControlTowerRoles": 1,
        "aws:iam/role:Role": 4,
        "aws:iam/rolePolicy:RolePolicy": 2,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 3,
    }
    assert set(plan.outputs) == {"organizationId", "rootId", "organizationalUnitIds", LIMITS_OUTPUT}
