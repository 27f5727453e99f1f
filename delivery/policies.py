"""IAM documents for CI/CD: GitHub and Pulumi OIDC trust, the deploy permissions boundary, ECR lifecycle.

Trust policies pin the audience and the subject with StringEquals (GitHub) so that no other
repository, branch or event can assume a role; the boundary caps what any deploy can do, whatever
policies its role is given later.
"""

from __future__ import annotations

from typing import Sequence

import names
from iam import deny, policy, web_identity_trust

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_URL = f"https://{GITHUB_OIDC_HOST}"
GITHUB_AUDIENCE = "sts.amazonaws.com"
PULUMI_OIDC_HOST = "api.pulumi.com/oidc"
PULUMI_OIDC_URL = f"https://{PULUMI_OIDC_HOST}"


def github_subject(owner: str, repository: str, environment: str | None = None) -> str:
    """`repo:OWNER/REPO:environment:ENV` for a deploy job, `repo:OWNER/REPO:pull_request` for previews."""
    suffix = f"environment:{environment}" if environment else "pull_request"
    return f"repo:{owner}/{repository}:{suffix}"


def github_trust(provider_arn: str, subject: str) -> dict:
    return web_identity_trust(provider_arn, {"StringEquals": {f"{GITHUB_OIDC_HOST}:aud": GITHUB_AUDIENCE, f"{GITHUB_OIDC_HOST}:sub": subject}})


def pulumi_subject_prefix(organization: str, project: str, stack: str) -> str:
    return f"pulumi:deploy:org:{organization}:project:{project}:stack:{stack}:"


def pulumi_trust(provider_arn: str, organization: str, project: str, stack: str) -> dict:
    """Pulumi Deployments of one stack (any operation: preview, update, refresh) may assume the role.

    The subject ends in `operation:<op>:scope:write`, so the stack is pinned by prefix.
    """
    return web_identity_trust(
        provider_arn,
        {
            "StringEquals": {f"{PULUMI_OIDC_HOST}:aud": organization},
            "StringLike": {f"{PULUMI_OIDC_HOST}:sub": pulumi_subject_prefix(organization, project, stack) + "*"},
        },
    )


def deploy_boundary(privileged_role_arns: Sequence[str] = ()) -> dict:
    """The permissions boundary of every deploy and plan role.

    `privileged_role_arns` are the roles the SCPs exempt: a deploy that could create or reshape one
    of them would escape every guardrail.
    """
    boundary = names.deploy_boundary_arn()
    return policy(
        {"Sid": "AllowWithinTheBoundary", "Effect": "Allow", "Action": "*", "Resource": "*"},
        deny("NoIamUsersOrKeys", ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"]),
        deny("NoOrganizationsOrAccountChanges", ["organizations:*", "account:*"]),
        deny(
            "KeepTheOidcProviders",
            [
                "iam:AddClientIDToOpenIDConnectProvider",
                "iam:CreateOpenIDConnectProvider",
                "iam:DeleteOpenIDConnectProvider",
                "iam:RemoveClientIDFromOpenIDConnectProvider",
                "iam:TagOpenIDConnectProvider",
                "iam:UntagOpenIDConnectProvider",
                "iam:UpdateOpenIDConnectProviderThumbprint",
            ],
        ),
        deny(
            "KeepTheDeployAndPrivilegedRoles",
            [
                "iam:AttachRolePolicy",
                "iam:CreateRole",
                "iam:DeleteRole",
                "iam:DeleteRolePermissionsBoundary",
                "iam:DeleteRolePolicy",
                "iam:DetachRolePolicy",
                "iam:PutRolePermissionsBoundary",
                "iam:PutRolePolicy",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:UpdateRole",
            ],
            list(dict.fromkeys([names.github_roles().arn(), *privileged_role_arns])),
        ),
        deny(
            "KeepTheBoundary",
            ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
            boundary,
        ),
        deny(
            "RolesCreatedByDeploysKeepTheBoundary",
            ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
            Condition={"ArnNotLike": {"iam:PermissionsBoundary": boundary}},
        ),
    )


def ecr_lifecycle_policy(keep_images: int = 50, untagged_days: int = 7) -> dict:
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"Expire untagged images after {untagged_days} days",
                "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": untagged_days},
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": f"Keep the last {keep_images} images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep_images},
                "action": {"type": "expire"},
            },
        ]
    }
