"""IAM documents for CI/CD: GitHub and Pulumi OIDC trust, the deploy permissions boundary, ECR lifecycle.

Trust policies pin the audience and the subject with StringEquals (GitHub) so that no other
repository, branch or event can assume a role; the boundary caps what any deploy can do, whatever
policies its role is given later.
"""

from __future__ import annotations

from typing import Sequence

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_URL = f"https://{GITHUB_OIDC_HOST}"
GITHUB_AUDIENCE = "sts.amazonaws.com"
PULUMI_OIDC_HOST = "api.pulumi.com/oidc"
PULUMI_OIDC_URL = f"https://{PULUMI_OIDC_HOST}"
ROLE_PATH = "/github/"
"""Deploy and plan roles live under this path; the boundary forbids touching anything there."""
BOUNDARY_NAME = "landing-zone-deploy-boundary"


def github_subject(owner: str, repository: str, environment: str | None = None) -> str:
    """`repo:OWNER/REPO:environment:ENV` for a deploy job, `repo:OWNER/REPO:pull_request` for previews."""
    suffix = f"environment:{environment}" if environment else "pull_request"
    return f"repo:{owner}/{repository}:{suffix}"


def web_identity_trust(provider_arn: str, condition: dict) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": condition,
            }
        ],
    }


def github_trust(provider_arn: str, subject: str) -> dict:
    return web_identity_trust(
        provider_arn, {"StringEquals": {f"{GITHUB_OIDC_HOST}:aud": GITHUB_AUDIENCE, f"{GITHUB_OIDC_HOST}:sub": subject}}
    )


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


def _deny(sid: str, actions: list[str], resource: str | list[str] = "*", **extra) -> dict:
    return {"Sid": sid, "Effect": "Deny", "Action": actions, "Resource": resource, **extra}


def deploy_boundary(privileged_role_arns: Sequence[str] = ()) -> dict:
    """The permissions boundary of every deploy and plan role.

    `privileged_role_arns` are the roles the SCPs exempt: a deploy that could create or reshape one
    of them would escape every guardrail.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AllowWithinTheBoundary", "Effect": "Allow", "Action": "*", "Resource": "*"},
            _deny("NoIamUsersOrKeys", ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"]),
            _deny("NoOrganizationsOrAccountChanges", ["organizations:*", "account:*"]),
            _deny(
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
            _deny(
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
                list(dict.fromkeys([f"arn:aws:iam::*:role{ROLE_PATH}*", *privileged_role_arns])),
            ),
            _deny(
                "KeepTheBoundary",
                ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
                f"arn:aws:iam::*:policy{ROLE_PATH}{BOUNDARY_NAME}",
            ),
            _deny(
                "RolesCreatedByDeploysKeepTheBoundary",
                ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
                Condition={"ArnNotLike": {"iam:PermissionsBoundary": f"arn:aws:iam::*:policy{ROLE_PATH}{BOUNDARY_NAME}"}},
            ),
        ],
    }


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
