"""GitHub, Slack, OIDC deploy roles and Pulumi Deployments in the management stack's graph."""

from __future__ import annotations

import json

import pytest

import config
from delivery.policies import deploy_boundary
from lzctl.runtime import SECRET
from lzctl.stackfile import OFFLINE_PLACEHOLDER
from tests.helpers import both, run_management, setter, shared_run
from workflows import AppWorkflowSpec, app_workflows

OWNER = "acme-inc"
OIDC = "token.actions.githubusercontent.com"
OWNER_ID = 85447737
"""What the mocks answer for acme-inc (getOrganization's id: numeric, as the provider sets it)."""
REPOSITORY_IDS = {"shop": 671900844, "booking": 906171203, "landing-zone": 245795505}
"""What the mocks answer as each repository's repoId."""


def inputs(plan, name):
    return plan.named(name).inputs


def plan_of(directory):
    plan, errors = shared_run(directory)
    assert not errors, errors
    return plan


def trust(plan, name) -> dict:
    return json.loads(inputs(plan, name)["assumeRolePolicy"])["Statement"][0]


@pytest.mark.integration
@pytest.mark.parametrize("app", ["shop", "booking"])
@pytest.mark.parametrize("env", ["dev", "stg", "prod"])
def test_each_app_environment_gets_an_exactly_scoped_deploy_role(management_plan, app, env):
    statement = trust(management_plan, f"{app}-{env}-deploy-role")
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    # The immutable subject: the mocks' organisation id (8 digits) and repository id (9 digits).
    subject = f"repo:{OWNER}@{OWNER_ID}/{app}@{REPOSITORY_IDS[app]}:environment:{env}"
    assert statement["Condition"] == {"StringEquals": {f"{OIDC}:aud": "sts.amazonaws.com", f"{OIDC}:sub": subject}}
    account = management_plan.outputs["accountIds"][f"{app}-{env}"]
    assert statement["Principal"]["Federated"] == f"arn:aws:iam::{account}:oidc-provider/{OIDC}"
    role = inputs(management_plan, f"{app}-{env}-deploy-role")
    assert role["permissionsBoundary"] == f"arn:aws:iam::{account}:policy/github/landing-zone-deploy-boundary"
    assert inputs(management_plan, f"{app}-{env}-deploy-PowerUserAccess-attachment")["policyArn"] == "arn:aws:iam::aws:policy/PowerUserAccess"
    # The trust names the repository's id, so the role waits for the repository.
    assert management_plan.named(f"{app}-repository").urn in management_plan.named(f"{app}-{env}-deploy-role").dependencies


def test_mocked_github_ids_look_like_real_ones():
    assert len(str(OWNER_ID)) == 8 and all(len(str(i)) == 9 for i in REPOSITORY_IDS.values())


@pytest.mark.integration
@pytest.mark.parametrize("app", ["shop", "booking"])
@pytest.mark.parametrize("env", ["dev", "stg", "prod"])
def test_each_github_environment_carries_its_role_account_region_and_channel(management_plan, app, env):
    account = management_plan.outputs["accountIds"][f"{app}-{env}"]
    variables = {
        r.inputs["variableName"]: r.inputs["value"]
        for r in management_plan.of_type("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
        if r.inputs["repository"] == app and r.inputs["environment"] == env
    }
    assert variables == {
        "AWS_ROLE_ARN": f"arn:aws:iam::{account}:role/github/github-deploy-{env}",
        "AWS_REGION": "ap-northeast-1",
        "AWS_ACCOUNT_ID": account,
        "SLACK_CHANNEL_ID": management_plan.outputs["slackChannelIds"][app],
        # The container app's prod finds the image stg tested in stg's registry.
        **({"STAGING_ACCOUNT_ID": management_plan.outputs["accountIds"][f"{app}-stg"]} if (app, env) == ("booking", "prod") else {}),
    }
    secret = inputs(management_plan, f"{app}-{env}-SLACK_BOT_TOKEN-secret")
    assert (secret["secretName"], secret["value"]) == ("SLACK_BOT_TOKEN", SECRET)


@pytest.mark.integration
def test_no_secret_or_variable_lives_at_repository_level(management_plan):
    # A repository secret reaches every job, unreviewed pull-request jobs included.
    assert management_plan.of_type("github:index/actionsSecret:ActionsSecret") == []
    assert management_plan.of_type("github:index/actionsVariable:ActionsVariable") == []


@pytest.mark.integration
def test_jobs_that_post_outside_a_deploy_environment_get_a_main_only_notify_environment(management_plan):
    notify = inputs(management_plan, "shop-notify-environment")
    assert "reviewers" not in notify and notify["deploymentBranchPolicy"] == {"customBranchPolicies": True, "protectedBranches": False}
    assert inputs(management_plan, "shop-notify-branch-policy")["branchPattern"] == "main"
    variable = inputs(management_plan, "shop-notify-SLACK_CHANNEL_ID-variable")
    assert (variable["environment"], variable["value"]) == ("notify", management_plan.outputs["slackChannelIds"]["shop"])
    secret = inputs(management_plan, "shop-notify-SLACK_BOT_TOKEN-secret")
    assert (secret["environment"], secret["value"]) == ("notify", SECRET)


@pytest.mark.integration
@pytest.mark.parametrize("app", ["shop", "booking"])
def test_prod_approvals_go_to_the_approvals_channel_from_the_notify_environment(management_plan, app):
    variable = inputs(management_plan, f"{app}-notify-SLACK_APPROVALS_CHANNEL_ID-variable")
    assert (variable["environment"], variable["value"]) == ("notify", management_plan.outputs["slackChannelIds"]["approvals"])
    assert management_plan.named("slack-approvals-channel").inputs["name"] == "deploy-approvals"
    # Only the notify environment names it: the deploy environments post to the app's own channel.
    holders = {
        r.inputs["environment"]
        for r in management_plan.of_type("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
        if r.inputs["variableName"] == "SLACK_APPROVALS_CHANNEL_ID" and r.inputs["repository"] == app
    }
    assert holders == {"notify"}


@pytest.mark.integration
def test_pull_request_code_gets_tokens_and_plan_roles_only_after_review(management_plan):
    token = inputs(management_plan, "infrastructure-preview-PULUMI_ACCESS_TOKEN-secret")
    assert (token["environment"], token["value"]) == ("preview", SECRET)
    preview = inputs(management_plan, "infrastructure-preview-environment")
    team_id = int(management_plan.named("github-platform-admins-team").id)
    assert preview["reviewers"] == [{"teams": [team_id], "users": []}] and "deploymentBranchPolicy" not in preview
    role = inputs(management_plan, "infrastructure-preview-PLAN_ROLE_ARN_AUDIT-variable")
    assert (role["environment"], role["value"]) == ("preview", f"arn:aws:iam::{management_plan.outputs['accountIds']['audit']}:role/github/github-plan-audit")
    statement = trust(management_plan, "audit-plan-role")
    subject = f"repo:{OWNER}@{OWNER_ID}/landing-zone@{REPOSITORY_IDS['landing-zone']}:environment:preview"
    assert statement["Condition"]["StringEquals"][f"{OIDC}:sub"] == subject
    assert not [r for r in management_plan.resources if r.name == "management-plan-role"]  # previewed offline only
    for stack in ("management", "audit", "log"):
        assert inputs(management_plan, f"{stack}-deployment-settings")["github"]["previewPullRequests"] is False


@pytest.mark.integration
def test_applications_have_no_pull_request_roles(management_plan):
    # The read-only `github-plan-<env>` roles trusted any same-repository pull request and no workflow used them.
    github_roles = [r.inputs["name"] for r in management_plan.of_type("aws:iam/role:Role") if r.inputs.get("path") == "/github/"]
    assert sorted(set(github_roles)) == ["github-deploy-dev", "github-deploy-prod", "github-deploy-stg", "github-plan-audit", "github-plan-log"] + [
        f"pulumi-deploy-{stack}" for stack in ("audit", "log", "management")
    ]


@pytest.mark.integration
def test_the_boundary_forbids_users_org_changes_and_touching_the_trust(management_plan, example):
    document = json.loads(inputs(management_plan, "shop-prod-deploy-boundary")["policy"])
    assert document == deploy_boundary(example.guardrails.privileged_role_arns)
    [roles] = [s for s in document["Statement"] if s["Sid"] == "KeepTheDeployAndPrivilegedRoles"]
    # Whatever the SCPs exempt, a deploy can neither create nor reshape: no escape by role name.
    assert set(example.guardrails.privileged_role_arns) <= set(roles["Resource"]) and "iam:CreateRole" in roles["Action"]
    denied = {action for s in document["Statement"] if s["Effect"] == "Deny" for action in s["Action"]}
    assert {"iam:CreateUser", "iam:CreateAccessKey", "organizations:*", "account:*", "iam:DeleteOpenIDConnectProvider", "iam:UpdateAssumeRolePolicy"} <= denied


@pytest.mark.integration
def test_prod_waits_for_reviewers_and_only_main_deploys_it(management_plan):
    prod = inputs(management_plan, "shop-prod-environment")
    team_id = int(management_plan.named("github-shop-developers-team").id)
    assert prod["reviewers"] == [{"teams": [team_id], "users": []}]
    assert prod["preventSelfReview"] is True and prod["canAdminsBypass"] is False
    assert inputs(management_plan, "shop-prod-branch-policy")["branchPattern"] == "main"
    dev = inputs(management_plan, "shop-dev-environment")
    assert "reviewers" not in dev and inputs(management_plan, "shop-dev-branch-policy")["branchPattern"] == "develop"
    assert inputs(management_plan, "shop-stg-branch-policy")["branchPattern"] == "staging"


@pytest.mark.integration
def test_booking_prod_reviewers_include_a_person_by_github_id(management_plan):
    reviewers = inputs(management_plan, "booking-prod-environment")["reviewers"][0]
    assert len(reviewers["teams"]) == 1 and len(reviewers["users"]) == 1


@pytest.mark.integration
def test_branch_rules_require_reviews_checks_and_forbid_force_push_and_deletion(management_plan):
    release = inputs(management_plan, "shop-release-ruleset")
    assert release["conditions"]["refName"]["includes"] == ["refs/heads/main"]
    rules = release["rules"]
    assert rules["pullRequest"]["requiredApprovingReviewCount"] == 1 and rules["pullRequest"]["dismissStaleReviewsOnPush"] is True
    # Reported by the GitHub Actions app only (its id), not by anyone's commit status of that name.
    assert rules["requiredStatusChecks"]["requiredChecks"] == [{"context": "Lint", "integrationId": 15368}, {"context": "Unit tests", "integrationId": 15368}]
    assert rules["pullRequest"]["requireLastPushApproval"] is True
    assert rules["nonFastForward"] is True and rules["deletion"] is True
    [bypass] = release["bypassActors"]
    assert (bypass["actorType"], bypass["bypassMode"]) == ("User", "always")  # the automation account only
    integration = inputs(management_plan, "shop-integration-ruleset")
    assert integration["conditions"]["refName"]["includes"] == ["refs/heads/develop"]
    assert integration["rules"]["pullRequest"]["requiredApprovingReviewCount"] == 0
    # A merge to staging deploys with the stg role and secrets: reviewed like main.
    staging = inputs(management_plan, "shop-staging-ruleset")
    assert staging["conditions"]["refName"]["includes"] == ["refs/heads/staging"]
    assert {key: staging["rules"]["pullRequest"][key] for key in ("requiredApprovingReviewCount", "requireLastPushApproval", "dismissStaleReviewsOnPush")} == {
        "requiredApprovingReviewCount": 1,
        "requireLastPushApproval": True,
        "dismissStaleReviewsOnPush": True,
    }


@pytest.mark.integration
def test_generated_workflows_are_committed_to_every_deploy_branch(management_plan):
    expected = app_workflows(AppWorkflowSpec(app="shop", repository="shop", kind="rails")).files
    for branch in ("main", "develop", "staging"):
        committed = inputs(management_plan, f"shop-{branch}-deploy-file")
        assert (committed["branch"], committed["file"]) == (branch, ".github/workflows/deploy.yml")
        assert committed["content"] == expected[".github/workflows/deploy.yml"]
    assert management_plan.named("shop-develop-branch").urn in management_plan.named("shop-develop-ci-file").dependencies


@pytest.mark.integration
def test_configured_staging_test_commands_reach_the_committed_workflow(config_dir):
    commands = {"integration": "bin/rails test test/integration", "e2e": 'npx playwright test --project "$DEPLOY_ENV"'}
    plan = plan_of(config_dir(setter("applications.shop.commands", commands)))
    expected = app_workflows(AppWorkflowSpec(app="shop", repository="shop", kind="rails", **commands)).files[".github/workflows/deploy.yml"]
    assert inputs(plan, "shop-staging-deploy-file")["content"] == expected
    assert '    - name: End-to-end tests\n        run: npx playwright test --project "$DEPLOY_ENV"\n' in expected


@pytest.mark.integration
def test_container_apps_get_an_immutable_scanned_image_repository(management_plan):
    images = inputs(management_plan, "booking-prod-images")
    assert images["imageTagMutability"] == "IMMUTABLE" and images["imageScanningConfiguration"] == {"scanOnPush": True}
    lifecycle = json.loads(inputs(management_plan, "booking-prod-images-lifecycle")["policy"])
    # What prod deployed and what stg tested outrank the count of all images, which replication from stg fills.
    assert [(rule["rulePriority"], rule["selection"]) for rule in lifecycle["rules"]] == [
        (1, {"tagStatus": "tagged", "tagPatternList": ["deployed-*"], "countType": "imageCountMoreThan", "countNumber": 10}),
        (2, {"tagStatus": "tagged", "tagPatternList": ["tested-*"], "countType": "imageCountMoreThan", "countNumber": 100}),
        (3, {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7}),
        (4, {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 50}),
    ]
    assert not [r for r in management_plan.of_type("aws:ecr/repository:Repository") if r.name.startswith("shop-")]


@pytest.mark.integration
def test_stg_replicates_the_container_app_images_into_prod_which_may_read_which_one_passed(management_plan):
    ids = management_plan.outputs["accountIds"]
    stg, prod, region = ids["booking-stg"], ids["booking-prod"], "ap-northeast-1"
    prod_repository, stg_repository = f"arn:aws:ecr:{region}:{prod}:repository/booking", f"arn:aws:ecr:{region}:{stg}:repository/booking"
    registry = management_plan.named("booking-prod-replication-registry-policy")
    # Only ecr:ReplicateImage, for the stg account, on prod's own repository (no CreateRepository: the program makes it).
    assert json.loads(registry.inputs["policy"])["Statement"] == [
        {
            "Sid": "ReplicateFromStaging",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{stg}:root"},
            "Action": ["ecr:ReplicateImage"],
            "Resource": prod_repository,
        }
    ]
    replication = management_plan.named("booking-stg-replication")
    assert replication.inputs["replicationConfiguration"] == {
        "rules": [{"repositoryFilters": [{"filterType": "PREFIX_MATCH", "filter": "booking"}], "destinations": [{"registryId": prod, "region": region}]}]
    }
    # Replication into prod fails until prod's registry lets stg in and the repository exists.
    assert {registry.urn, management_plan.named("booking-prod-images").urn} <= set(replication.dependencies)
    reader = f"arn:aws:iam::{prod}:role/github/github-deploy-prod"
    repository_policy = management_plan.named("booking-stg-promotion-repository-policy")
    assert repository_policy.inputs["repository"] == "booking"
    assert json.loads(repository_policy.inputs["policy"])["Statement"] == [
        {"Sid": "ProdFindsTheTestedImage", "Effect": "Allow", "Principal": {"AWS": reader}, "Action": ["ecr:DescribeImages"]}
    ]
    # The principal must exist when ECR checks the policy.
    assert management_plan.named("booking-prod-deploy-role").urn in repository_policy.dependencies
    role_policy = inputs(management_plan, "booking-prod-promotion-reader")
    assert (role_policy["role"], role_policy["name"]) == ("github-deploy-prod", "landing-zone-image-promotion")
    # Reads in both; the deployed tag is written in prod's own repository only.
    assert json.loads(role_policy["policy"])["Statement"] == [
        {"Effect": "Allow", "Action": ["ecr:DescribeImages"], "Resource": [stg_repository, prod_repository]},
        {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:PutImage"], "Resource": prod_repository},
    ]
    assert not [r for r in management_plan.resources if r.name.startswith("shop-") and "replication" in r.name]


TERRAFORM_APP = {"description": "Shared networking (Terraform).", "kind": "terraform", "reviewers": {"teams": ["platform-admins"]}}


@pytest.mark.integration
def test_a_terraform_app_gets_a_versioned_encrypted_state_bucket_in_each_environment_account(config_dir):
    plan = plan_of(config_dir(setter("applications.network", TERRAFORM_APP)))
    for env in ("dev", "stg", "prod"):
        account = plan.outputs["accountIds"][f"network-{env}"]
        bucket = plan.named(f"network-{env}-tfstate-bucket")
        name = f"landing-zone-tfstate-{account}-ap-northeast-1"
        assert bucket.inputs["bucket"] == name and bucket.provider.split("::")[-1].startswith(f"network-{env}-provider")
        # Versioning: the S3 backend's docs advise it, so a state can be recovered.
        assert inputs(plan, f"network-{env}-tfstate-versioning")["versioningConfiguration"] == {"status": "Enabled"}
        [rule] = inputs(plan, f"network-{env}-tfstate-encryption")["rules"]
        assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
        assert inputs(plan, f"network-{env}-tfstate-public-access-block")["blockPublicPolicy"] is True
        # The key too: its scheduled deletion would leave the versioned state unreadable.
        assert bucket.protect and plan.named(f"network-{env}-tfstate-key").protect
        variable = inputs(plan, f"network-{env}-TF_STATE_BUCKET-variable")
        assert (variable["environment"], variable["value"]) == (env, name)
        assert plan.named(f"network-{env}-tfstate-bucket").urn in plan.named(f"network-{env}-TF_STATE_BUCKET-variable").dependencies
    committed = inputs(plan, "network-main-ci-file")["content"]
    assert committed == app_workflows(AppWorkflowSpec(app="network", repository="network", kind="terraform")).files[".github/workflows/ci.yml"]
    assert "terraform fmt -check -recursive" in committed and "configure-aws-credentials" not in committed
    # No image, no promotion: those are the container kind's.
    assert not [r for r in plan.resources if r.name.startswith("network-") and r.type.startswith("aws:ecr/")]


@pytest.mark.integration
def test_a_terraform_apps_prod_plan_runs_in_a_main_only_environment_with_a_read_only_role(config_dir):
    plan = plan_of(config_dir(setter("applications.network", TERRAFORM_APP)))
    account = plan.outputs["accountIds"]["network-prod"]
    deploy_subject = trust(plan, "network-prod-deploy-role")["Condition"]["StringEquals"][f"{OIDC}:sub"]
    statement = trust(plan, "network-prod-plan-role")
    # The same repository's jobs in `prod-plan` only, never prod's reviewed ones or another environment's.
    assert statement["Condition"] == {
        "StringEquals": {f"{OIDC}:aud": "sts.amazonaws.com", f"{OIDC}:sub": deploy_subject.removesuffix(":environment:prod") + ":environment:prod-plan"}
    }
    role = inputs(plan, "network-prod-plan-role")
    assert (role["name"], role["path"]) == ("github-plan-prod", "/github/")
    assert role["permissionsBoundary"] == f"arn:aws:iam::{account}:policy/github/landing-zone-deploy-boundary"
    attached = {r.inputs["policyArn"] for r in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") if r.name.startswith("network-prod-plan-")}
    assert attached == {"arn:aws:iam::aws:policy/ReadOnlyAccess"}
    # Beyond ReadOnlyAccess: read the one state object and decrypt it; nothing that writes, the lock file included.
    bucket = f"landing-zone-tfstate-{account}-ap-northeast-1"
    state = json.loads(inputs(plan, "network-prod-plan-state")["policy"])["Statement"]
    key_arn = state[2]["Resource"]
    assert state == [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/network/terraform.tfstate"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn},
        # A data key for the saved plan only, never one with the context S3 asks for the state's.
        {
            "Effect": "Allow",
            "Action": "kms:GenerateDataKey",
            "Resource": key_arn,
            "Condition": {"StringEquals": {"kms:EncryptionContext:purpose": "terraform-plan"}},
        },
    ]
    assert plan.named("network-prod-tfstate-key").urn in plan.named("network-prod-plan-state").dependencies
    assert not [r for r in plan.resources if r.name in ("network-dev-plan-role", "network-stg-plan-role")]
    # Its environment: main only, no reviewers, no secrets; the plan role, the region and the state bucket.
    environment = inputs(plan, "network-prod-plan-environment")
    assert (environment["environment"], "reviewers" in environment, environment["preventSelfReview"]) == ("prod-plan", False, False)
    assert inputs(plan, "network-prod-plan-branch-policy")["branchPattern"] == "main"
    variables = {
        r.inputs["variableName"]: r.inputs["value"]
        for r in plan.of_type("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
        if r.inputs["repository"] == "network" and r.inputs["environment"] == "prod-plan"
    }
    assert variables == {
        "AWS_ROLE_ARN": f"arn:aws:iam::{account}:role/github/github-plan-prod",
        "AWS_REGION": "ap-northeast-1",
        "TF_STATE_BUCKET": bucket,
        "TF_STATE_KMS_KEY": key_arn,
    }
    # The reviewed deploy decrypts the saved plan with the same key; no other environment gets it.
    kms_keys = {
        (r.inputs["environment"], r.inputs["value"])
        for r in plan.of_type("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
        if r.inputs["repository"] == "network" and r.inputs["variableName"] == "TF_STATE_KMS_KEY"
    }
    assert kms_keys == {("prod-plan", key_arn), ("prod", key_arn)}
    assert not [r for r in plan.of_type("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret") if r.inputs["environment"] == "prod-plan"]


def test_a_public_terraform_app_is_warned_that_its_plan_summary_is_public(config_dir):
    def public(data):
        setter("applications.network", TERRAFORM_APP)(data)
        data["github"]["visibility"] = "public"

    warnings = config.load(config_dir(public), refuse_example_domains=False).warnings
    assert [w for w in warnings if "plan-prod" in w] == [
        "applications.network: its repository is public (github.visibility), so anyone can read the prod plan in the run summary "
        "and the logs of plan-prod, attributes the provider does not mark sensitive included (the saved plan itself is encrypted; "
        "docs/delivery.md, Terraform)"
    ]
    assert not [w for w in config.load(config_dir(setter("applications.network", TERRAFORM_APP)), refuse_example_domains=False).warnings if "plan-prod" in w]


@pytest.mark.integration
def test_only_terraform_apps_get_a_state_bucket(management_plan):
    assert not [r for r in management_plan.resources if "tfstate" in r.name]


@pytest.mark.integration
def test_teams_come_from_the_identity_center_groups(management_plan):
    memberships = {(r.inputs["username"]) for r in management_plan.of_type("github:index/teamMembership:TeamMembership") if "shop-developers" in r.name}
    assert memberships == {"taro-suzuki", "jiro-tanaka"}
    access = {(r.name, r.inputs["permission"]) for r in management_plan.of_type("github:index/teamRepository:TeamRepository")}
    assert ("shop-shop-developers-access", "push") in access and ("infrastructure-platform-admins-access", "admin") in access


@pytest.mark.integration
def test_slack_channels_are_adopted_by_name_with_their_members_and_archived_not_deleted(management_plan):
    channel = inputs(management_plan, "slack-shop-channel")
    assert (channel["name"], channel["adoptExistingChannel"], channel["actionOnDestroy"]) == ("deploy-shop", True, "archive")
    # The provider's default, kick, would remove every member of an adopted channel not listed.
    assert {r.inputs["actionOnUpdatePermanentMembers"] for r in management_plan.of_type("slack:index/conversation:Conversation")} == {"none"}
    assert channel["isPrivate"] is False


@pytest.mark.integration
def test_the_posting_bot_is_invited_where_it_posts_and_approvals_are_private(management_plan):
    """With slack.notify_user_id the bot posts as a member: chat:write alone, and a private approvals channel."""
    channels = {r.inputs["name"]: r.inputs for r in management_plan.of_type("slack:index/conversation:Conversation")}
    members = {name: (channel["isPrivate"], channel.get("permanentMembers")) for name, channel in channels.items()}
    assert members == {
        "deploy-shop": (False, ["U0NOTIFY01"]),
        "deploy-booking": (False, ["U0NOTIFY01"]),
        "deploy-approvals": (True, ["U0NOTIFY01"]),
        # The AWS chat app posts the security alerts; the posting bot has nothing to say there.
        "security-alerts": (True, ["U0AMAZONQ1"]),
    }


@pytest.mark.integration
def test_without_the_posting_bots_id_approvals_stay_public_and_the_config_says_why(config_dir):
    directory = config_dir(lambda data: data["slack"].pop("notify_user_id"))
    assert (
        "slack.notify_user_id is not set: the posting bot (slackNotifyToken) needs chat:write.public, with which its token posts to "
        "any public channel, and #deploy-approvals stays public; set it to the bot's member id"
    ) in config.load(directory, refuse_example_domains=False).warnings
    channels = {r.inputs["name"]: r.inputs for r in plan_of(directory).of_type("slack:index/conversation:Conversation")}
    assert (channels["deploy-approvals"]["isPrivate"], "permanentMembers" in channels["deploy-approvals"]) == (False, False)
    assert "permanentMembers" not in channels["deploy-shop"] and channels["security-alerts"]["permanentMembers"] == ["U0AMAZONQ1"]


@pytest.mark.integration
def test_security_alerts_are_private_with_the_chat_app_invited(management_plan):
    alerts = inputs(management_plan, "slack-security-alerts-channel")
    assert (alerts["name"], alerts["isPrivate"], alerts["permanentMembers"]) == ("security-alerts", True, ["U0AMAZONQ1"])


def test_without_the_chat_app_id_the_config_says_to_invite_it(config_dir):
    landing_zone = config.load(config_dir(lambda data: data["slack"].pop("chatbot_user_id")), refuse_example_domains=False)
    assert (
        "#security-alerts is private: invite the AWS chat app into it (/invite @Amazon Q in #security-alerts), or set slack.chatbot_user_id to its member id"
        in landing_zone.warnings
    )


@pytest.mark.integration
@pytest.mark.parametrize("stack", ["management", "audit", "log"])
def test_each_infra_stack_deploys_through_pulumi_oidc_scoped_to_that_stack(management_plan, stack):
    settings = inputs(management_plan, f"{stack}-deployment-settings")
    # Only management deploys on push; audit and log start after it (below).
    assert settings["github"] == {
        "repository": f"{OWNER}/landing-zone",
        "deployCommits": stack == "management",
        "previewPullRequests": False,
        "pullRequestTemplate": False,
    }
    # main only, from that repository: no commit, URL or credentials of another source.
    assert settings["sourceContext"] == {"git": {"branch": "refs/heads/main"}}
    aws = settings["operationContext"]["oidc"]["aws"]
    assert aws["roleARN"].endswith(f":role/github/pulumi-deploy-{stack}")
    # Longer than the landing zone's first update, within IAM's ceiling; the role allows as much.
    assert aws["duration"] == "12h0m0s" and inputs(management_plan, f"{stack}-deploy-role")["maxSessionDuration"] == 43200
    statement = trust(management_plan, f"{stack}-deploy-role")
    assert statement["Condition"] == {
        "StringEquals": {"api.pulumi.com/oidc:aud": "acme-inc"},
        "StringLike": {"api.pulumi.com/oidc:sub": f"pulumi:deploy:org:acme-inc:project:landing-zone:stack:{stack}:*"},
    }
    assert inputs(management_plan, f"{stack}-drift-schedule")["scheduleCron"] == "0 21 * * *"
    webhook = inputs(management_plan, f"{stack}-slack-webhook")
    assert (webhook["format"], webhook["payloadUrl"]) == ("slack", SECRET)
    assert webhook["filters"] == ["update_succeeded", "update_failed", "deployment_failed", "drift_detected", "drift_detection_failed"]
    # Pulumi Cloud refuses a schedule or a webhook on a stack without deployment settings.
    for child in (f"{stack}-drift-schedule", f"{stack}-slack-webhook"):
        assert management_plan.named(f"{stack}-deployment-settings").urn in management_plan.named(child).dependencies


@pytest.mark.integration
@pytest.mark.parametrize("stack", ["audit", "log"])
def test_audit_and_log_deploy_after_each_successful_management_update(management_plan, stack):
    trigger = management_plan.named(f"{stack}-after-management-webhook")
    assert {key: trigger.inputs[key] for key in ("stackName", "format", "payloadUrl", "filters")} == {
        "stackName": "management",
        "format": "pulumi_deployments",
        "payloadUrl": f"landing-zone/{stack}",
        "filters": ["update_succeeded"],
    }
    settings = {management_plan.named(f"{s}-deployment-settings").urn for s in ("management", stack)}
    assert settings <= set(trigger.dependencies)


@pytest.mark.integration
def test_infra_repository_environments_need_the_platform_admins(management_plan):
    team_id = int(management_plan.named("github-platform-admins-team").id)
    for stack in ("management", "audit", "log"):
        assert inputs(management_plan, f"infrastructure-{stack}-environment")["reviewers"] == [{"teams": [team_id], "users": []}]
    assert inputs(management_plan, "infrastructure-main-preview-file")["file"] == ".github/workflows/preview.yml"


@pytest.mark.integration
def test_no_token_appears_in_plain_text(management_plan):
    from lzctl import render

    assert OFFLINE_PLACEHOLDER not in json.dumps(render.to_json(management_plan))


@pytest.mark.integration
def test_a_real_run_without_the_tokens_stops_before_registering_anything(tmp_path):
    from tests.helpers import example_data, write_config

    data = example_data()
    data["organization"]["account_email_template"] = "aws+{account}@acme-corp.co.jp"
    plan, errors = run_management(write_config(tmp_path / "config", data), offline=False)
    message = str(errors[0])
    for key in ("githubToken", "slackToken", "slackNotifyToken", "pulumiAccessToken", "pulumiPreviewToken", "slackWebhookUrl"):
        assert f"landing-zone:{key}: missing secret" in message
    assert "pulumi config set --secret githubToken" in message
    assert [r.type for r in plan.resources] == ["pulumi:pulumi:Stack"]


@pytest.mark.parametrize(
    "mutate, words",
    [
        (setter("applications.shop.reviewers", {"teams": ["shop-devs"]}), "applications.shop.reviewers.teams[0]: no such group"),
        (setter("identity_center.people.sakura.github", None), None),
        (
            setter("applications.shop.branches", {"develop": "dev", "main": "qa"}),
            "applications.shop.branches.main: branch deploys to an environment this application does not have",
        ),
        (setter("applications.shop.branches", {"develop": "dev", "main": "dev"}), "applications.shop.branches: two branches deploy to one environment"),
        (setter("applications.booking.repository", "shop"), "applications.booking.repository: repository name used twice"),
        (
            setter("identity_center.groups.shop-developers.repositories", {"shopp": "push"}),
            "identity_center.groups.shop-developers.repositories.shopp: no such application",
        ),
        (lambda data: data.pop("github"), "deployments: Pulumi Deployments needs the github section"),
        (setter("applications.shop.kind", "java"), "applications.shop.kind: Input should be 'rails', 'go', 'nuxt', 'container' or 'terraform'"),
        (setter("deployments.stacks", ["audit", "audit"]), "deployments.stacks: stack listed twice"),
        (setter("slack.deploy_channel", "deploys"), "slack.deploy_channel: must contain {app}"),
        (lambda data: (data.pop("github"), data.pop("deployments")), "slack: the Slack channels are wired into the GitHub pipelines"),
        (setter("security_services.inspector.resource_types", ["EC2", "LAMBDA_CODE"]), "LAMBDA_CODE scanning needs LAMBDA"),
        (setter("budgets.thresholds", [10, 20, 30, 40, 50, 60]), "budgets.thresholds"),
        (setter("github.infrastructure_reviewers", {}), "github.infrastructure_reviewers: this environment needs reviewers"),
        (setter("applications.shop.reviewers", {}), "applications.shop.reviewers: this environment needs reviewers"),
    ],
    ids=[
        "unknown reviewer team",
        "no github login (ok)",
        "branch to unknown env",
        "two branches one env",
        "repo twice",
        "repo scope typo",
        "deployments without github",
        "unknown kind",
        "stack twice",
        "one channel",
        "slack without github",
        "lambda code",
        "six thresholds",
        "no infra reviewers",
        "no prod reviewers",
    ],
)
def test_delivery_mistakes_are_refused(config_dir, mutate, words):
    if words is None:
        landing_zone = config.load(config_dir(mutate), refuse_example_domains=False)
        assert any("sakura have no GitHub login" in warning for warning in landing_zone.warnings)
        return
    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(mutate), refuse_example_domains=False)
    assert words in str(caught.value)


NO_REVIEWERS = (
    setter("github.plan", "team"),
    setter("github.infrastructure_reviewers", {}),
    setter("applications.shop.reviewers", {}),
    setter("applications.booking.reviewers", {}),
)
ENTERPRISE_HINT = (
    "Hint: choose: github.plan: enterprise if the organisation has it; github.visibility: public; or remove the reviewers: then the release "
    "ruleset's approving review, by someone other than the last pusher, gates what main deploys, each environment takes deploys from its own "
    'branch only, and pull requests get no credentialed preview (docs/delivery.md, "Without GitHub Enterprise")'
)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (
            setter("github.plan", "team"),
            "github.infrastructure_reviewers: required reviewers on environments of private repositories need GitHub Enterprise (github.plan is team). "
            + ENTERPRISE_HINT,
        ),
        (
            both(setter("github.plan", "pro"), setter("github.visibility", "internal")),
            "github.visibility: internal repositories exist only in GitHub Enterprise organisations (github.plan is pro) (got 'internal')",
        ),
        (
            both(*NO_REVIEWERS, setter("github.plan", "free")),
            "github.plan: private repositories on GitHub Free have no environments, and every deploy role trusts a job's environment (got 'free'). "
            "Hint: choose: github.plan team or enterprise (if the organisation has it), or github.visibility: public",
        ),
        (
            setter("identity_center.groups.booking-developers.repositories", {}),
            "applications.booking.reviewers.teams[0]: team has no access to repository booking, and GitHub drops environment reviewers without "
            "read access (got 'booking-developers'). Hint: give the group a permission on it: identity_center.groups.booking-developers.repositories",
        ),
        (
            both(setter("identity_center.groups.platform-admins.repositories", {"infrastructure": "admin"}), setter("github.base_permission", "none")),
            "applications.booking.reviewers.people: hanako-yamada has no access to repository booking through any group",
        ),
        (
            setter("identity_center.groups.platform-admins.members", ["hanako"]),
            "github.infrastructure_reviewers: hanako-yamada is the only reviewer, and self-review is prevented: no one can approve "
            "hanako-yamada's own deployments. Hint: name a second person (another team member, or a second team)",
        ),
        (
            both(
                setter("identity_center.groups.platform-admins.repositories", {"infrastructure": "admin", "shop": "pull"}),
                setter("identity_center.groups.shop-developers.members", ["taro"]),
            ),
            "applications.shop.reviewers: taro-suzuki is the only person who can push to shop: the release ruleset needs an approving review from "
            "someone else with write access, so taro-suzuki's pull requests can never merge",
        ),
        (
            setter("applications.shop.oidc_subject", "name"),
            "applications.shop.oidc_subject: this program creates the repository, and GitHub gives every repository it creates now the immutable subject (got 'name')",
        ),
        (
            setter("github.infrastructure_oidc_subject", "name"),
            "github.infrastructure_oidc_subject: this program creates the repository, and GitHub gives every repository it creates now the immutable subject",
        ),
        (
            setter("environments.notify", {"ou": "dev"}),
            "environments.notify: the name of the main-only GitHub environment the Slack notifications post from (got 'notify')",
        ),
        (
            setter("environments.prod-plan", {"ou": "dev"}),
            "environments.prod-plan: the name of the GitHub environment a terraform app plans prod in before its reviewed deploy (got 'prod-plan')",
        ),
        (lambda data: data["github"].pop("plan"), "github.plan: Field required"),
    ],
    ids=[
        "reviewers need enterprise",
        "internal needs enterprise",
        "free has no private environments",
        "reviewer team without access",
        "reviewer person without access",
        "only reviewer",
        "only pusher",
        "name subject on a created repository",
        "name subject on the infrastructure repository",
        "notify environment taken",
        "plan environment taken",
        "plan required",
    ],
)
def test_github_plan_and_reviewer_mistakes_are_refused(config_dir, mutate, message):
    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(mutate), refuse_example_domains=False)
    assert message in str(caught.value)


@pytest.mark.integration
def test_without_enterprise_private_repositories_deploy_behind_the_ruleset_only(config_dir):
    plan = plan_of(config_dir(both(*NO_REVIEWERS)))
    environments = plan.of_type("github:index/repositoryEnvironment:RepositoryEnvironment")
    assert environments and all("reviewers" not in r.inputs and r.inputs["preventSelfReview"] is False for r in environments)
    # Each environment still deploys from its own branch only, and main still needs an approval by someone other than the last pusher.
    assert inputs(plan, "shop-prod-branch-policy")["branchPattern"] == "main"
    release = inputs(plan, "shop-release-ruleset")["rules"]["pullRequest"]
    assert (release["requiredApprovingReviewCount"], release["requireLastPushApproval"]) == (1, True)
    # No credentialed previews: nothing would gate pull-request code's way to the token and the plan roles.
    assert not [r for r in environments if r.inputs["environment"] == "preview"]
    assert not [r for r in plan.of_type("aws:iam/role:Role") if r.inputs["name"].startswith("github-plan-")]
    preview = plan.named("infrastructure-main-preview-file").inputs["content"]
    assert "environment: preview" not in preview and "Validate policy rules" in preview


def test_without_credentialed_previews_no_preview_token_is_asked_for(config_dir):
    from stacks.secrets import required_secrets

    enterprise = required_secrets(config.load(config_dir(), refuse_example_domains=False))
    team = required_secrets(config.load(config_dir(both(*NO_REVIEWERS)), refuse_example_domains=False))
    assert set(enterprise) - set(team) == {"pulumiPreviewToken"}


@pytest.mark.integration
def test_an_application_with_every_account_suspended_keeps_no_pipeline(config_dir):
    def retire(data):
        data["applications"]["booking"]["accounts"] = {env: {"suspended": True} for env in ("dev", "stg", "prod")}

    plan, errors = shared_run(config_dir(retire))
    assert not errors
    assert not [r for r in plan.of_type("github:index/repository:Repository") if r.inputs["name"] == "booking"]
    assert len(plan.of_type("aws:organizations/account:Account")) == 8  # still managed, parked in Suspended


@pytest.mark.integration
def test_the_pipeline_component_keeps_repositories_and_roles_through_aliases(management_plan):
    for app in ("shop", "booking"):
        pipeline = next(r for r in management_plan.resources if r.type == "landingzone:application_pipeline:ApplicationPipeline" and r.name == app)
        children = [r for r in management_plan.resources if r.parent == pipeline.urn]
        moved = [r for r in children if r.aliases]
        # Container apps also promote their tested image from stg to prod.
        assert sorted(r.type for r in children) == [
            "landingzone:deploy_roles:DeployRoles",
            "landingzone:github_environments:GitHubEnvironments",
            "landingzone:github_repository:GitHubRepository",
            *(["landingzone:image_promotion:ImagePromotion"] if app == "booking" else []),
        ]
        # Before the component they were children of the stack: the engine matches the old URNs
        # (and, inherited, their children's) instead of replacing repositories and roles.
        assert sorted(r.type for r in moved) == ["landingzone:deploy_roles:DeployRoles", "landingzone:github_repository:GitHubRepository"]
        assert all(r.aliases == ({"spec": {"noParent": True}},) for r in moved)
    # The only other moved resources: Control Tower's prerequisite roles (components/control_tower_roles.py), the environments
    # (below) and the renamed tag policy (components/guardrails.py LEGACY_KEYS).
    assert not [
        r
        for r in management_plan.resources
        if r.aliases
        and r.parent.split("::")[-2].split("$")[-1]
        not in (
            "landingzone:application_pipeline:ApplicationPipeline",
            "landingzone:control_tower_roles:ControlTowerRoles",
            "landingzone:github_environments:GitHubEnvironments",
            "landingzone:guardrails:Guardrails",
        )
    ]


@pytest.mark.integration
@pytest.mark.parametrize("repository", ["shop", "booking", "infrastructure"])
def test_environments_keep_their_state_through_an_alias_to_the_repository_component(management_plan, repository):
    component = next(r for r in management_plan.resources if r.type == "landingzone:github_repository:GitHubRepository" and r.name == repository)
    environments = next(r for r in management_plan.resources if r.type == "landingzone:github_environments:GitHubEnvironments" and r.name == repository)
    moved = [r for r in management_plan.resources if r.parent == environments.urn]
    assert moved and all(r.aliases == ({"spec": {"parentUrn": component.urn}},) for r in moved)


@pytest.mark.integration
def test_reviewed_environments_wait_for_the_reviewers_access(management_plan):
    dependencies = set(management_plan.named("booking-prod-environment").dependencies)
    needed = {
        "booking-booking-developers-access",
        "booking-platform-admins-access",
        "github-booking-developers-jiro-tanaka-membership",
        # hanako reviews as a person, with access through platform-admins.
        "github-platform-admins-hanako-yamada-membership",
    }
    assert {management_plan.named(name).urn for name in needed} <= dependencies
    assert not {r.urn for r in management_plan.of_type("github:index/teamMembership:TeamMembership")} & set(
        management_plan.named("booking-dev-environment").dependencies
    )


def test_the_deploy_boundary_keeps_the_backup_role():
    (keep,) = [s for s in deploy_boundary()["Statement"] if s.get("Sid") == "KeepTheDeployAndPrivilegedRoles"]
    assert keep["Resource"][-1] == "arn:aws:iam::*:role/service-role/landing-zone-backup" and "iam:DetachRolePolicy" in keep["Action"]


def test_a_reviewer_outside_the_groups_is_a_warning_while_the_base_permission_is_unknown(config_dir):
    landing_zone = config.load(
        config_dir(both(setter("identity_center.groups.platform-admins.repositories", {"infrastructure": "admin"}), setter("github.owners", ["org-owner"]))),
        refuse_example_domains=False,
    )
    assert (
        "applications.booking.reviewers: hanako-yamada has no access to repository booking through any group, and GitHub drops environment "
        "reviewers without read access, unless the organisation's base permission or a direct grant gives it (set github.base_permission to check)"
    ) in landing_zone.warnings


# GitHub compares logins case-insensitively, so an owner spelled with capitals is the same person.
@pytest.mark.parametrize("owner", ["hanako-yamada", "Hanako-Yamada"])
def test_an_organisation_owner_reviews_and_pushes_without_a_group(config_dir, owner):
    landing_zone = config.load(
        config_dir(
            both(
                setter("identity_center.groups.platform-admins.repositories", {"infrastructure": "admin"}),
                setter("github.base_permission", "none"),
                setter("github.owners", [owner]),
            )
        ),
        refuse_example_domains=False,
    )
    assert not [w for w in landing_zone.warnings if "hanako-yamada" in w.lower()]


def _read_only(data):
    for group in data["identity_center"]["groups"].values():
        group["repositories"] = {scope: "pull" for scope in group.get("repositories", {})}


def test_no_one_who_can_push_is_refused_too(config_dir):
    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(both(_read_only, setter("github.base_permission", "read"))), refuse_example_domains=False)
    assert (
        "github.infrastructure_reviewers: no one can push to landing-zone: no group gives write access and github.owners names no one, so only "
        "the automation account could merge its pull requests. Hint: give two people write access (push, maintain or admin) through a group's repositories"
    ) in str(caught.value)


def test_a_write_base_permission_leaves_no_single_pusher(config_dir):
    landing_zone = config.load(config_dir(both(_read_only, setter("github.base_permission", "write"))), refuse_example_domains=False)
    assert landing_zone.delivery is not None
