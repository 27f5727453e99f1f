"""IAM documents for CI/CD: GitHub and Pulumi OIDC trust, the deploy permissions boundary, ECR lifecycle and image promotion.

Trust policies pin the audience and the subject with StringEquals (GitHub) so that no other
repository, branch or event can assume a role; the boundary caps what any deploy can do, whatever
policies its role is given later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence, Union

import names
from iam import allow, deny, minify, policy, web_identity_trust

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_URL = f"https://{GITHUB_OIDC_HOST}"
GITHUB_AUDIENCE = "sts.amazonaws.com"
PULUMI_OIDC_HOST = "api.pulumi.com/oidc"
PULUMI_OIDC_URL = f"https://{PULUMI_OIDC_HOST}"


SUBJECT_FORMS = ("immutable", "name")
"""How a repository's OIDC tokens name it in `sub`. `immutable` (`repo:OWNER@OWNER_ID/REPO@REPO_ID:...`)
is the default for repositories created or renamed on or after 2026-07-15 (GitHub docs, "OpenID Connect",
"Understanding the OIDC token" > "Immutable subject claims", github/docs#45221: "The immutable ID is
appended to each name with an `@` delimiter"; the changelog of 2026-04-23 announced it with a `-`
example and another date, which that section supersedes); `name` (`repo:OWNER/REPO:...`) is what older
repositories send until they opt in. Which one a repository sends is live only: `lzctl doctor`'s
oidc-subjects check reads it (`sub_claim_prefix`)."""
_SUBJECT = re.compile(
    r"^repo:(?P<owner>[A-Za-z0-9-]+)(?:@(?P<owner_id>[1-9][0-9]*))?/(?P<repository>[A-Za-z0-9_.-]+)(?:@(?P<repository_id>[1-9][0-9]*))?:(?P<context>.+)$"
)


@dataclass(frozen=True)
class GitHubSubject:
    """A `sub` claim of GitHub's OIDC tokens, taken apart."""

    owner: str
    """Owner login."""
    repository: str
    """Repository name."""
    context: str
    """What follows the repository: `environment:ENV`, `pull_request`, `ref:refs/heads/BRANCH`."""
    owner_id: Optional[str] = None
    """The owner's numeric id (immutable form only)."""
    repository_id: Optional[str] = None
    """The repository's numeric id (immutable form only)."""

    @property
    def form(self) -> str:
        return "immutable" if self.owner_id else "name"

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.repository}"


def parse_github_subject(subject: object) -> Optional[GitHubSubject]:
    """A subject of exactly one of the two forms (both ids or neither, no wildcard), else None."""
    match = _SUBJECT.match(subject) if isinstance(subject, str) else None
    if match is None or bool(match["owner_id"]) != bool(match["repository_id"]) or any(c in subject for c in "*?"):
        return None
    return GitHubSubject(match["owner"], match["repository"], match["context"], match["owner_id"], match["repository_id"])


def github_subject(
    owner: str,
    repository: str,
    environment: str,
    form: str = "immutable",
    owner_id: Optional[Union[int, str]] = None,
    repository_id: Optional[Union[int, str]] = None,
) -> str:
    """The `sub` of a job in `environment`: `repo:OWNER@OWNER_ID/REPO@REPO_ID:environment:ENV`, or the name form."""
    if form not in SUBJECT_FORMS:
        raise ValueError(f"unknown subject form {form!r}; forms: {', '.join(SUBJECT_FORMS)}")
    if form == "name":
        return f"repo:{owner}/{repository}:environment:{environment}"
    if not str(owner_id or "").isdigit() or not str(repository_id or "").isdigit():
        raise ValueError(f"the immutable subject of {owner}/{repository} needs the numeric owner and repository ids, got {owner_id!r} and {repository_id!r}")
    return f"repo:{owner}@{owner_id}/{repository}@{repository_id}:environment:{environment}"


def github_trust(provider_arn: str, subject: str) -> dict:
    return web_identity_trust(provider_arn, {"StringEquals": {f"{GITHUB_OIDC_HOST}:aud": GITHUB_AUDIENCE, f"{GITHUB_OIDC_HOST}:sub": subject}})


PULUMI_SESSION_SECONDS = 12 * 3600
"""How long Pulumi Deployments' AWS OIDC credentials last, and the deploy roles' maximum session.
Deployments assumes the role once, for `duration` (default one hour), and a management update runs
longer: the landing zone alone takes about an hour, then every OU registration follows one after
another (`lzctl plan --timeline`: about 2 h 15 min for the example, more with each OU and account).
12 hours is IAM's ceiling for a role's MaxSessionDuration and for AssumeRoleWithWebIdentity's
DurationSeconds (IAM user guide, "Modifying a role maximum session duration"; pulumi-pulumiservice's
own OIDC test role sets 43200 for the same reason, infra/test-aws-oidc/Pulumi.yaml); the timeline
warns when a stack's estimate exceeds it."""


def pulumi_session_duration(seconds: int = PULUMI_SESSION_SECONDS) -> str:
    """The session as DeploymentSettings stores it: Go's `time.Duration.String()`, e.g. `12h0m0s`.

    The provider normalises `duration` with `time.ParseDuration(...).String()` in Check
    (provider/pkg/resources/deployment_settings.go, normalizeDurationString): any other spelling
    would show as a change on every preview.
    """
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes}m{secs}s" if hours else f"{minutes}m{secs}s" if minutes else f"{secs}s"


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
            # The backup role too: detaching its policies would make every backup job fail silently.
            list(dict.fromkeys([names.github_roles().arn(), *privileged_role_arns, names.BACKUP_ROLE.arn()])),
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


KEEP_DEPLOYED_IMAGES = 10
"""How many of prod's deployed images the lifecycle keeps (by push time): what a rollback can go back to.
Prod's promotion refuses an image pushed before that many deployed ones (workflows/images.py), which
the lifecycle would expire as soon as it is deployed."""
KEEP_TESTED_IMAGES = 100
"""How many images tagged `tested-*` the lifecycle keeps (by push time). Prod's run waits up to 30 days
for its review (GitHub docs, "Reviewing deployments": not approved within 30 days, it fails) while
staging goes on testing newer trees; the image prod waits for must survive that in stg (prod reads
its tag there) and in prod (the replicated copy it deploys): 30 days at about three tested staging
pushes a day."""
LIFECYCLE_SOURCE = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html"
LIFECYCLE_EVALUATION_SOURCE = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html"
LIFECYCLE_POLICY_CHARS = (100, 30720)
"""PutLifecyclePolicy's `lifecyclePolicyText` length bounds (botocore's ecr 2015-09-21 model, LifecyclePolicyText)."""
AGE_COUNT_TYPES = ("sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
"""The countTypes measured in days, which take `countUnit: days` ("Lifecycle policy properties in Amazon
ECR", Count type and Count unit; the user guide's policy template lists them beside imageCountMoreThan)."""
MAX_TAG_PATTERN_WILDCARDS = 4
"""At most four `*` in each tagPatternList string ("Lifecycle policy properties in Amazon ECR", Tag pattern list)."""


def ecr_lifecycle_policy(
    keep_images: int = 50, untagged_days: int = 7, keep_deployed: int = KEEP_DEPLOYED_IMAGES, keep_tested: int = KEEP_TESTED_IMAGES
) -> dict:
    """Every application repository's lifecycle policy; the first rules keep what prod deployed and what stg tested.

    "An image that matches the tagging requirements of a rule cannot be expired by a rule with a
    lower priority" (ECR user guide, "Automate the cleanup of images by using lifecycle policies",
    Lifecycle policy evaluation rules): an image tagged `deployed-*` is expired only by the first
    rule, past the last `keep_deployed`, and one tagged `tested-*` only by the second, past the last
    `keep_tested`; never by the count of all images, which every staging push fills (in prod too,
    by replication). One rule per tag pattern: a tagPatternList of several patterns selects only
    images that carry all of them ("Lifecycle policy properties in Amazon ECR", Tag pattern list).
    Counts go by the image's push time, which a later tag (the retag) does not renew. Only prod's
    deploy job tags `deployed-*` and only stg's verify job `tested-*` (replication copies both into
    prod); elsewhere those rules select nothing. The untagged rule leaves a kept multi-platform or
    attested image whole: its child manifests are untagged, but "if an image is referenced by a
    manifest list, it cannot be expired or archived without the manifest list being deleted or
    archived first" (the same Lifecycle policy evaluation rules), and BatchDeleteImage refuses them
    alike (ImageFailureCode ImageReferencedByManifestList, botocore's ecr 2015-09-21 model).
    `lifecycle_policy_problems` checks the rules ECR imposes on the document.
    """
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"Keep the last {keep_deployed} images prod deployed",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": [f"{names.DEPLOYED_IMAGE_TAG_PREFIX}*"],
                    "countType": "imageCountMoreThan",
                    "countNumber": keep_deployed,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": f"Keep the last {keep_tested} images stg tested",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": [f"{names.TESTED_IMAGE_TAG_PREFIX}*"],
                    "countType": "imageCountMoreThan",
                    "countNumber": keep_tested,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 3,
                "description": f"Expire untagged images after {untagged_days} days",
                "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": untagged_days},
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 4,
                "description": f"Keep the last {keep_images} images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep_images},
                "action": {"type": "expire"},
            },
        ]
    }


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def lifecycle_policy_problems(document: object) -> list[str]:
    """What PutLifecyclePolicy would refuse in a lifecycle policy, every problem at once.

    From the ECR user guide, "Lifecycle policy properties in Amazon ECR" (LIFECYCLE_SOURCE) and the
    Lifecycle policy evaluation rules of "Automate the cleanup of images by using lifecycle policies"
    (LIFECYCLE_EVALUATION_SOURCE), checked 2026-12-02. Only the properties this program writes are
    checked (the action's type is not: newer ECR actions exist beside `expire`).
    """
    rules = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(rules, list) or not rules:
        return ["a lifecycle policy holds a non-empty list `rules`"]
    problems = []
    priorities = [rule.get("rulePriority") if isinstance(rule, dict) else None for rule in rules]
    if len(set(map(repr, priorities))) != len(priorities):
        problems.append(f"rulePriority values {priorities} are not unique: each rule needs its own")
    untagged, tag_sets = 0, set()
    for rule, priority in zip(rules, priorities, strict=True):
        if not _positive_int(priority):
            problems.append(f"rule {priority!r}: rulePriority must be a positive integer")
        selection = rule.get("selection") if isinstance(rule, dict) else None
        if not isinstance(selection, dict):
            problems.append(f"rule {priority!r}: no selection")
            continue
        status, patterns, prefixes = selection.get("tagStatus"), selection.get("tagPatternList"), selection.get("tagPrefixList")
        if status not in ("tagged", "untagged", "any"):
            problems.append(f"rule {priority!r}: tagStatus {status!r} is not tagged, untagged or any")
        if status == "tagged" and (patterns is None) == (prefixes is None):
            problems.append(f"rule {priority!r}: a tagged rule takes either tagPatternList or tagPrefixList, exactly one")
        if status != "tagged" and (patterns is not None or prefixes is not None):
            problems.append(f"rule {priority!r}: only a tagged rule takes tagPatternList or tagPrefixList")
        for pattern in patterns or ():
            if str(pattern).count("*") > MAX_TAG_PATTERN_WILDCARDS:
                problems.append(f"rule {priority!r}: tag pattern {pattern!r} has more than {MAX_TAG_PATTERN_WILDCARDS} wildcards")
        tags = frozenset(map(str, patterns or prefixes or ()))
        if tags and tags in tag_sets:
            problems.append(f"rule {priority!r}: another rule selects the same tags {sorted(tags)}; each rule's tags must differ")
        tag_sets.add(tags)
        untagged += status == "untagged"
        if status == "any" and _positive_int(priority) and any(_positive_int(p) and p > priority for p in priorities):
            problems.append(f"rule {priority}: the rule with tagStatus any must have the highest rulePriority (it is evaluated last)")
        count_type, unit = selection.get("countType"), selection.get("countUnit")
        if count_type not in ("imageCountMoreThan", *AGE_COUNT_TYPES):
            problems.append(f"rule {priority!r}: countType {count_type!r} is not imageCountMoreThan, {', '.join(AGE_COUNT_TYPES)}")
        if (count_type in AGE_COUNT_TYPES) != (unit == "days"):
            problems.append(
                f"rule {priority!r}: countUnit `days` goes with {', '.join(AGE_COUNT_TYPES)}, and only with them (got {unit!r} with {count_type!r})"
            )
        if not _positive_int(selection.get("countNumber")):
            problems.append(f"rule {priority!r}: countNumber {selection.get('countNumber')!r} must be a positive integer")
    if untagged > 1:
        problems.append(f"{untagged} rules select untagged images; only one may")
    low, high = LIFECYCLE_POLICY_CHARS
    size = len(minify(document))
    if not low <= size <= high:
        problems.append(f"the policy is {size} characters minified; PutLifecyclePolicy takes {low} to {high}")
    return problems


# --- promoting a container image from the staging environment's registry to prod's --------------

REGISTRY_POLICY_ACTIONS = ("ecr:ReplicateImage", "ecr:BatchImportUpstreamImage", "ecr:CreateRepository")
"""The only actions a private registry policy may hold; any other is refused ("Private registry
permissions in Amazon ECR", https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry-permissions.html)."""
PROMOTION_READ_ACTIONS = ("ecr:DescribeImages",)
"""What prod's deploy role reads in the staging repository: which digest carries the tested tree's tag."""
PROMOTION_TAG_ACTIONS = ("ecr:BatchGetImage", "ecr:PutImage")
"""What prod's deploy role needs in its own repository to tag the image it deploys: the manifest read
and put again under the new tag (ECR user guide, "Retagging an image with the AWS CLI")."""


def replication_registry_policy(source_account_id: str, repository_arn: str) -> dict:
    """Prod's registry policy: the staging account may replicate into this one repository.

    A cross-account destination must grant `ecr:ReplicateImage` to the source account (ECR user
    guide, "Granting registry permissions for cross account replication"; the source is the
    account, the replication runs as ECR on its behalf). No `ecr:CreateRepository`: the program
    creates the repository, with immutable tags, so replication cannot make one with other settings.
    """
    statement = {"Sid": "ReplicateFromStaging", "Effect": "Allow", "Principal": {"AWS": names.account_root(source_account_id)}}
    return policy({**statement, "Action": ["ecr:ReplicateImage"], "Resource": repository_arn})


def promotion_repository_policy(reader_role_arn: str) -> dict:
    """The staging repository's policy: prod's deploy role may look up the tested image.

    Cross-account ECR access needs the repository policy and the caller's identity policy alike
    (ECR user guide, "Private repository policies"); the principal must be an existing role, so the
    policy waits for it.
    """
    return policy({"Sid": "ProdFindsTheTestedImage", "Effect": "Allow", "Principal": {"AWS": reader_role_arn}, "Action": list(PROMOTION_READ_ACTIONS)})


def promotion_reader_policy(staging_repository_arn: str, own_repository_arn: str) -> dict:
    """Prod's deploy role: the tested image's digest in staging, whether it has replicated yet here,
    and the `deployed-<run>` tag on it here (workflows/images.py, `promote`).

    Inline on the role, so the promotion works whatever `deploy_policies` give it. The tag is written
    in prod's own repository only: the staging repository grants prod nothing but DescribeImages.
    """
    return policy(
        allow(list(PROMOTION_READ_ACTIONS), [staging_repository_arn, own_repository_arn]),
        allow(list(PROMOTION_TAG_ACTIONS), own_repository_arn),
    )


TERRAFORM_PLAN_STATE_ACTIONS = ("s3:GetObject", "s3:ListBucket", "kms:Decrypt")
"""What a read-only plan role needs of a terraform app's state beyond `ReadOnlyAccess`: the state
object and the bucket's listing (the S3 backend reads the state and lists workspaces; Terraform docs,
"Backend type: s3", Permissions Required), and the decryption of the SSE-KMS state (S3 calls
kms:Decrypt for a GetObject of a KMS-encrypted object: S3 user guide, "Using server-side encryption
with AWS KMS keys", permissions). Nothing that writes: the plan runs with `-lock=false`, so no
`<key>.tflock` is written either; the reviewed apply takes the lock."""


def terraform_plan_state_policy(bucket: str, state_key: str, kms_key_arn: str) -> dict:
    """The plan role's inline policy: read the one state object, list its bucket, decrypt with its key,
    and generate a data key of it for the saved plan, which an artifact would otherwise hold in plain text."""
    object_action, list_action, decrypt = TERRAFORM_PLAN_STATE_ACTIONS
    return policy(
        allow(object_action, f"{names.bucket_arn(bucket)}/{state_key}"),
        allow(list_action, names.bucket_arn(bucket)),
        allow(decrypt, kms_key_arn),
        {
            **allow("kms:GenerateDataKey", kms_key_arn),
            "Condition": {"StringEquals": {f"kms:EncryptionContext:{names.PLAN_ENCRYPTION_CONTEXT}": names.PLAN_ENCRYPTION_PURPOSE}},
        },
    )
