"""The default RCPs and the root-session exemptions, asked through the simulator as `lzctl what-if` does:
the example's own flows pass, everything outside the perimeter is denied, each by the statement meant;
and the SCPs that keep the production backups from the workloads' own deployers."""

from __future__ import annotations

import re

import pytest

from guardrails.plan_policies import planned_organization
from guardrails.simulator import Request, evaluate
from lzctl import cli, what_if
from tests.helpers import example_data, setter, shared_plan, write_config

pytestmark = pytest.mark.integration

HOME = "ap-northeast-1"
OUTSIDE = "999988887777"
RCP = "landing-zone-rcp-root-enforce-org-identities@root"
ROOT_SCP = "landing-zone-root-deny-leaving-organization@root#DenyRootUser"
BACKUP_SCP = "landing-zone-prod-protect-backups@OU prod"
GITHUB_SUB = "token.actions.githubusercontent.com:sub"
PULUMI_SUB = "api.pulumi.com/oidc:sub"


@pytest.fixture(scope="module")
def org(management_plan):
    return planned_organization(management_plan.resources, management_plan.outputs["accountIds"])


@pytest.fixture(scope="module")
def github_owner(management_plan) -> str:
    """The owner id the mocked organisation lookup answers, as the deploy roles' trusts carry it."""
    return re.search(r"repo:acme-inc@(\d+)/", management_plan.named("shop-prod-deploy-role").inputs["assumeRolePolicy"]).group(1)


def denials(decision) -> list[str]:
    return [f"{m.policy}@{m.target}#{m.sid}" for m in decision.denials]


def oidc(org, account: str, host: str) -> str:
    return f"arn:aws:iam::{org.account_ids[account]}:oidc-provider/{host}"


# why, account the call lands in, principal ({key} = that account's id), action, resource, context, denied by
TABLE = [
    (
        "an outside role reads a bucket of the organisation",
        "shop-prod",
        f"arn:aws:iam::{OUTSIDE}:role/x",
        "s3:GetObject",
        "arn:aws:s3:::shop-assets/a",
        {},
        [f"{RCP}#EnforceOrgIdentities"],
    ),
    (
        "an outside role uses a key of the organisation",
        "shop-prod",
        f"arn:aws:iam::{OUTSIDE}:role/x",
        "kms:Decrypt",
        "arn:aws:kms:ap-northeast-1:{shop-prod}:key/k",
        {},
        [f"{RCP}#EnforceOrgIdentities"],
    ),
    (
        "an outside account assumes a role of the organisation",
        "shop-prod",
        f"arn:aws:iam::{OUTSIDE}:root",
        "sts:AssumeRole",
        "arn:aws:iam::{shop-prod}:role/r",
        {},
        [f"{RCP}#EnforceOrgIdentities"],
    ),
    (
        "an outside role reads a secret",
        "booking-prod",
        f"arn:aws:iam::{OUTSIDE}:role/x",
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:ap-northeast-1:{booking-prod}:secret:s",
        {},
        [f"{RCP}#EnforceOrgIdentities"],
    ),
    (
        "an outside role sends to a queue",
        "shop-dev",
        f"arn:aws:iam::{OUTSIDE}:role/x",
        "sqs:SendMessage",
        "arn:aws:sqs:ap-northeast-1:{shop-dev}:q",
        {},
        [f"{RCP}#EnforceOrgIdentities"],
    ),
    (
        "a role of another account of the organisation reads the bucket",
        "shop-prod",
        "arn:aws:iam::{shop-dev}:role/x",
        "s3:GetObject",
        "arn:aws:s3:::shop-assets/a",
        {},
        [],
    ),
    (
        "the management account's role reads the bucket",
        "log",
        "arn:aws:iam::{management}:role/admin",
        "s3:GetObject",
        "arn:aws:s3:::aws-controltower-logs-1/a",
        {},
        [],
    ),
    (
        "CloudTrail writes the organisation trail to the log archive",
        "log",
        "cloudtrail.amazonaws.com",
        "s3:PutObject",
        "arn:aws:s3:::aws-controltower-logs-{log}-ap-northeast-1/o-x/AWSLogs/1/CloudTrail/a.json.gz",
        {"aws:SourceAccount": "{management}", "aws:SourceOrgID": "{organization}", "aws:SourceArn": "arn:aws:cloudtrail:ap-northeast-1:{management}:trail/t"},
        [],
    ),
    (
        "AWS Config delivers a member account's snapshot to the log archive",
        "log",
        "config.amazonaws.com",
        "s3:PutObject",
        "arn:aws:s3:::aws-controltower-logs-{log}-ap-northeast-1/o-x/AWSLogs/2/Config/a.json.gz",
        {"aws:SourceAccount": "{shop-dev}", "aws:SourceOrgID": "{organization}"},
        [],
    ),
    (
        "a replayed CloudTrail record carries no aws:SourceOrgID: an organisation account's is derived",
        "log",
        "config.amazonaws.com",
        "s3:PutObject",
        "arn:aws:s3:::aws-controltower-logs-{log}-ap-northeast-1/o-x/AWSLogs/2/Config/a.json.gz",
        {"aws:SourceAccount": "{shop-dev}"},
        [],
    ),
    (
        "an outside account's is not",
        "log",
        "cloudtrail.amazonaws.com",
        "s3:PutObject",
        "arn:aws:s3:::aws-controltower-logs-{log}-ap-northeast-1/x",
        {"aws:SourceAccount": OUTSIDE},
        [f"{RCP}#EnforceConfusedDeputyProtection"],
    ),
    (
        "CloudTrail writing for a trail of another organisation is refused",
        "log",
        "cloudtrail.amazonaws.com",
        "s3:PutObject",
        "arn:aws:s3:::aws-controltower-logs-{log}-ap-northeast-1/x",
        {"aws:SourceAccount": OUTSIDE, "aws:SourceOrgID": "o-someoneelse1"},
        [f"{RCP}#EnforceConfusedDeputyProtection"],
    ),
    (
        "a service acting for no account (no aws:SourceAccount) passes",
        "shop-prod",
        "cloudfront.amazonaws.com",
        "s3:GetObject",
        "arn:aws:s3:::shop-assets/a",
        {},
        [],
    ),
    (
        "a plain-HTTP request of the organisation's own role is refused",
        "shop-prod",
        "arn:aws:iam::{shop-prod}:role/app",
        "s3:GetObject",
        "arn:aws:s3:::shop-assets/a",
        {"aws:SecureTransport": "false"},
        [f"{RCP}#EnforceSecureTransport"],
    ),
    (
        "over HTTPS it passes",
        "shop-prod",
        "arn:aws:iam::{shop-prod}:role/app",
        "s3:GetObject",
        "arn:aws:s3:::shop-assets/a",
        {"aws:SecureTransport": "true"},
        [],
    ),
    (
        "a GitHub workflow of the configured owner assumes its deploy role",
        "shop-prod",
        ("oidc", "shop-prod", "token.actions.githubusercontent.com"),
        "sts:AssumeRoleWithWebIdentity",
        "arn:aws:iam::{shop-prod}:role/github/github-deploy-prod",
        {GITHUB_SUB: "repo:acme-inc/shop:environment:prod"},
        [],
    ),
    (
        "the owner's immutable subject form passes too",
        "shop-prod",
        ("oidc", "shop-prod", "token.actions.githubusercontent.com"),
        "sts:AssumeRoleWithWebIdentity",
        "arn:aws:iam::{shop-prod}:role/github/github-deploy-prod",
        {GITHUB_SUB: "repo:acme-inc@{github_owner}/shop@89012:environment:prod"},
        [],
    ),
    (
        "the owner's name registered again by someone else (another id) is refused",
        "shop-prod",
        ("oidc", "shop-prod", "token.actions.githubusercontent.com"),
        "sts:AssumeRoleWithWebIdentity",
        "arn:aws:iam::{shop-prod}:role/github/github-deploy-prod",
        {GITHUB_SUB: "repo:acme-inc@1234567/shop@89012:environment:prod"},
        [f"{RCP}#EnforceGitHubTenant"],
    ),
    (
        "a GitHub workflow of another owner is refused whatever the role trusts",
        "shop-prod",
        ("oidc", "shop-prod", "token.actions.githubusercontent.com"),
        "sts:AssumeRoleWithWebIdentity",
        "arn:aws:iam::{shop-prod}:role/github/github-deploy-prod",
        {GITHUB_SUB: "repo:evil-corp/shop:environment:prod"},
        [f"{RCP}#EnforceGitHubTenant"],
    ),
    (
        "an owner whose name only starts with the configured one is refused",
        "shop-prod",
        ("oidc", "shop-prod", "token.actions.githubusercontent.com"),
        "sts:AssumeRoleWithWebIdentity",
        "arn:aws:iam::{shop-prod}:role/github/github-deploy-prod",
        {GITHUB_SUB: "repo:acme-inc-fork/shop:environment:prod"},
        [f"{RCP}#EnforceGitHubTenant"],
    ),
    (
        "Pulumi Deployments of the configured organisation assume the log stack's role",
        "log",
        ("oidc", "log", "api.pulumi.com/oidc"),
        "sts:AssumeRoleWithWebIdentity",
        "arn:aws:iam::{log}:role/github/pulumi-deploy-log",
        {PULUMI_SUB: "pulumi:deploy:org:acme-inc:project:landing-zone:stack:log:operation:update:scope:write"},
        [],
    ),
    (
        "Pulumi tokens of another organisation are refused",
        "log",
        ("oidc", "log", "api.pulumi.com/oidc"),
        "sts:AssumeRoleWithWebIdentity",
        "arn:aws:iam::{log}:role/github/pulumi-deploy-log",
        {PULUMI_SUB: "pulumi:deploy:org:evil:project:landing-zone:stack:log:operation:update:scope:write"},
        [f"{RCP}#EnforcePulumiTenant"],
    ),
    (
        "a root session the management account opens (sts:AssumeRoot) deletes root credentials",
        "shop-prod",
        "arn:aws:iam::{shop-prod}:root",
        "iam:DeleteLoginProfile",
        "arn:aws:iam::{shop-prod}:root",
        {"aws:AssumedRoot": "true"},
        [],
    ),
    (
        "the root user signing in itself is still denied, by the SCP and Control Tower's control",
        "shop-prod",
        "arn:aws:iam::{shop-prod}:root",
        "iam:DeleteLoginProfile",
        "arn:aws:iam::{shop-prod}:root",
        {},
        [ROOT_SCP, "AWS-GR_RESTRICT_ROOT_USER@OU prod#GRRESTRICTROOTUSER"],
    ),
    (
        "a prod deploy pipeline cannot delete the production recovery points",
        "shop-prod",
        "arn:aws:iam::{shop-prod}:role/github/github-deploy-prod",
        "backup:DeleteRecoveryPoint",
        "arn:aws:ec2:ap-northeast-1::snapshot/snap-1",
        {},
        [BACKUP_SCP + "#ProtectBackups"],
    ),
    (
        "nor open the vault to another account",
        "shop-prod",
        "arn:aws:iam::{shop-prod}:role/github/github-deploy-prod",
        "backup:PutBackupVaultAccessPolicy",
        "arn:aws:backup:ap-northeast-1:{shop-prod}:backup-vault:landing-zone-backup",
        {},
        [BACKUP_SCP + "#ProtectBackups"],
    ),
    (
        "nor detach the backup role's policies",
        "shop-prod",
        "arn:aws:iam::{shop-prod}:role/github/github-deploy-prod",
        "iam:DetachRolePolicy",
        "arn:aws:iam::{shop-prod}:role/service-role/landing-zone-backup",
        {},
        [BACKUP_SCP + "#ProtectBackupRole"],
    ),
    (
        "it still manages its own roles",
        "shop-prod",
        "arn:aws:iam::{shop-prod}:role/github/github-deploy-prod",
        "iam:DetachRolePolicy",
        "arn:aws:iam::{shop-prod}:role/app/api",
        {},
        [],
    ),
    (
        "the landing zone's access role still manages the vault",
        "shop-prod",
        "arn:aws:iam::{shop-prod}:role/AWSControlTowerExecution",
        "backup:DeleteBackupVault",
        "arn:aws:backup:ap-northeast-1:{shop-prod}:backup-vault:landing-zone-backup",
        {},
        [],
    ),
    (
        "the backup role expires what its plans made",
        "shop-prod",
        "arn:aws:iam::{shop-prod}:role/service-role/landing-zone-backup",
        "backup:DeleteRecoveryPoint",
        "arn:aws:ec2:ap-northeast-1::snapshot/snap-1",
        {},
        [],
    ),
    ("RCPs never restrict the management account's resources", "management", f"arn:aws:iam::{OUTSIDE}:role/x", "s3:GetObject", "arn:aws:s3:::mgmt/a", {}, []),
    ("RCPs do not cover EC2", "shop-prod", f"arn:aws:iam::{OUTSIDE}:role/x", "ec2:DescribeInstances", "", {}, []),
]


def _fill(text: str, org, **more: str) -> str:
    return text.format(**org.account_ids, organization=org.organization.id, **more) if isinstance(text, str) else text


@pytest.mark.parametrize("why, account, principal, action, resource, context, denied", TABLE, ids=[row[0] for row in TABLE])
def test_the_perimeter(org, github_owner, why, account, principal, action, resource, context, denied):
    caller = oidc(org, principal[1], principal[2]) if isinstance(principal, tuple) else _fill(principal, org)
    context = {k: _fill(v, org, github_owner=github_owner) for k, v in context.items()}
    request = Request(caller, action, org.account_ids[account], _fill(resource, org), HOME, context)
    decision = evaluate(request, org.organization)
    assert (denials(decision), decision.allowed) == (denied, not denied)


def test_a_derived_source_org_id_is_noted(org):
    context = {"aws:SourceAccount": org.account_ids["shop-dev"]}
    decision = evaluate(Request("config.amazonaws.com", "s3:PutObject", org.account_ids["log"], "arn:aws:s3:::b/k", HOME, context), org.organization)
    assert (
        f"aws:SourceOrgID taken as {org.organization.id}: aws:SourceAccount {org.account_ids['shop-dev']} is an account of the organisation" in decision.notes
    )
    given = {**context, "aws:SourceOrgID": org.organization.id}
    decision = evaluate(Request("config.amazonaws.com", "s3:PutObject", org.account_ids["log"], "arn:aws:s3:::b/k", HOME, given), org.organization)
    assert not [n for n in decision.notes if "aws:SourceOrgID" in n]


def test_a_trusted_account_passes_the_perimeter(tmp_path):
    data = example_data()
    setter("guardrails.rcp.trusted_accounts", [OUTSIDE])(data)
    plan = shared_plan("management", write_config(tmp_path, data))
    trusted = planned_organization(plan.resources, plan.outputs["accountIds"])
    request = Request(f"arn:aws:iam::{OUTSIDE}:role/partner", "s3:GetObject", trusted.account_ids["shop-prod"], "arn:aws:s3:::shop-assets/a", HOME)
    assert evaluate(request, trusted.organization).allowed
    other = Request("arn:aws:iam::111122223333:role/partner", "s3:GetObject", trusted.account_ids["shop-prod"], "arn:aws:s3:::shop-assets/a", HOME)
    assert denials(evaluate(other, trusted.organization)) == [f"{RCP}#EnforceOrgIdentities"]


def test_what_if_answers_a_perimeter_question(capsys, monkeypatch, management_plan):
    monkeypatch.setattr(what_if, "plan_stack", lambda stack, config=None: management_plan)
    code = cli.main(
        ["what-if", "--stack", "management", "--account", "shop-prod", "--principal", f"arn:aws:iam::{OUTSIDE}:role/x"]
        + ["--action", "s3:GetObject", "--resource", "arn:aws:s3:::shop-assets/a", "--region", HOME]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out == (
        f"denied: s3:GetObject by arn:aws:iam::{OUTSIDE}:role/x on arn:aws:s3:::shop-assets/a in shop-prod, {HOME}\n"
        "  denied by RCP landing-zone-rcp-root-enforce-org-identities on root, statement EnforceOrgIdentities\n"
    )
