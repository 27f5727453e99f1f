"""The landing zone's own rules: accounts kept, SCPs within size, no IAM users, buckets hardened,
sessions bounded, GitHub OIDC trusts exact."""

from __future__ import annotations

import json
import re
from typing import Iterable, Iterator, Optional

from config.schema import Limits, limit_maximum
from delivery.policies import GITHUB_AUDIENCE, GITHUB_OIDC_HOST, parse_github_subject
from guardrails.self_denial import never_denies_itself
from names import CLOSING_OUTPUT
from rules.core import MANDATORY, STACK_TYPE, ResourceView, Rule

SCP_MAX_CHARS = Limits.model_fields["scp_max_chars"].default
"""The default of `guardrails.limits.scp_max_chars`; the stack's guardrailLimits output gives the configured one."""
SESSION_MAX_HOURS = 12
ORGANIZATION = "aws:organizations/organization:Organization"
ACCOUNT = "aws:organizations/account:Account"


def _of_type(resources: Iterable[ResourceView], *types: str) -> Iterator[ResourceView]:
    return (r for r in resources if r.type in types)


def _json(value) -> dict:
    if isinstance(value, dict):
        return value
    try:
        return json.loads(value or "{}")
    except (TypeError, ValueError):
        return {}


def _armed(resources: Iterable[ResourceView], closing: Iterable[str]) -> set[str]:
    """Root e-mails of the accounts armed for closure: the stack's own CLOSING_OUTPUT (what the config
    says), and `closing` from the policy config for a pack that sees no stack outputs."""
    exported = next((r.props.get(CLOSING_OUTPUT) for r in resources if r.type == STACK_TYPE), None)
    listed = [*(exported if isinstance(exported, (list, tuple)) else ()), *closing]
    return {str(email).lower() for email in listed}


def accounts_are_protected(resources, closing: Iterable[str] = ()):
    """Only an account armed for closure (`closed: pending`, config/closure_checks.py) may be
    unprotected with closeOnDeletion."""
    armed = _armed(resources, closing)
    for r in _of_type(resources, "aws:organizations/account:Account", "aws:organizations/organization:Organization"):
        if r.type == ACCOUNT and str(r.props.get("email") or "").lower() in armed:
            if not r.protect and not r.props.get("closeOnDeletion"):
                yield r.urn, "is armed for closure but closeOnDeletion is off: deleting it would remove the account from the organisation, not close it"
            continue
        if not r.protect:
            yield r.urn, "must be protect=True: deleting it from the program would detach or close an account"
        if r.props.get("closeOnDeletion"):
            yield r.urn, "closeOnDeletion must be off: accounts are retired to the suspended OU and closed only with `closed` in the config"


def scps_within_size(resources, max_chars: int):
    for r in _of_type(resources, "aws:organizations/policy:Policy"):
        content = r.props.get("content")
        if r.props.get("type") != "SERVICE_CONTROL_POLICY" or content is None:
            continue
        if len(content) > max_chars:
            yield r.urn, f"SCP is {len(content)} characters, over the {max_chars} Organizations accepts"
        # Protected means adopted (components/guardrails.py `_adopt`; the program's own SCPs are not
        # protected): its document is kept as Organizations holds it, because an import needs the
        # inputs as they are, and Organizations accepted its size with the white space already.
        if r.protect:
            continue
        minified = json.dumps(_json(content), separators=(",", ":"))
        if content != minified:
            yield r.urn, "SCP is not minified: the API counts white space against the size limit"


def no_iam_user_access_keys(resources):
    for r in _of_type(resources, "aws:iam/accessKey:AccessKey", "aws:iam/user:User", "aws:iam/userLoginProfile:UserLoginProfile"):
        yield r.urn, "IAM users and long-lived access keys are replaced by Identity Center and OIDC roles"


def s3_buckets_block_public_access_and_encrypt(resources):
    buckets = list(_of_type(resources, "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"))
    blocked = {
        r.props.get("bucket")
        for r in _of_type(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
        if all(r.props.get(flag) for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    }
    encrypted = {
        r.props.get("bucket")
        for r in _of_type(
            resources,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
        )
    }
    if None in blocked or None in encrypted:
        return  # a preview before the buckets exist: their settings name buckets not known yet
    for bucket in buckets:
        names = {bucket.id, bucket.props.get("bucket")} - {None, ""}
        if not names:
            continue  # named by the provider and not yet known (a preview): nothing to match on
        if not names & blocked:
            yield bucket.urn, "needs a public access block with all four settings on"
        if not names & encrypted:
            yield bucket.urn, "needs a server-side encryption configuration"


def _session_hours(duration: str) -> Optional[float]:
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?", duration or "PT1H")
    return None if not match else int(match.group(1) or 0) + int(match.group(2) or 0) / 60


def permission_set_sessions_bounded(resources):
    for r in _of_type(resources, "aws:ssoadmin/permissionSet:PermissionSet"):
        hours = _session_hours(r.props.get("sessionDuration"))
        if hours is None or hours > SESSION_MAX_HOURS:
            yield r.urn, f"session duration {r.props.get('sessionDuration')} exceeds PT{SESSION_MAX_HOURS}H"


def _oidc_trust_problems(document: dict) -> Iterator[str]:
    statements = document.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal", {}).get("Federated", "")
        if GITHUB_OIDC_HOST not in json.dumps(principal):
            continue
        condition = statement.get("Condition", {})
        for operator, claims in condition.items():
            if operator != "StringEquals" and any(key.startswith(GITHUB_OIDC_HOST) for key in claims):
                yield f"uses {operator} on GitHub claims; only StringEquals pins them"
        equals = condition.get("StringEquals", {})
        if equals.get(f"{GITHUB_OIDC_HOST}:aud") != GITHUB_AUDIENCE:
            yield f"does not pin aud to {GITHUB_AUDIENCE} with StringEquals"
        subject = equals.get(f"{GITHUB_OIDC_HOST}:sub")
        subjects = subject if isinstance(subject, list) else [subject]
        if not subject or any(parse_github_subject(s) is None for s in subjects):
            yield (
                "does not pin an exact subject of one of GitHub's two forms, repo:OWNER@OWNER_ID/REPO@REPO_ID:... "
                f"or repo:OWNER/REPO:..., with StringEquals (got {subject!r})"
            )


def github_oidc_trust_is_exact(resources):
    for r in _of_type(resources, "aws:iam/role:Role"):
        for problem in _oidc_trust_problems(_json(r.props.get("assumeRolePolicy"))):
            yield r.urn, f"GitHub OIDC trust {problem}"


def landing_zone_never_denies_itself(resources, organization):
    """guardrails/self_denial.py over the stack, with the management stack's organisation for the
    audit and log stacks. In the policy pack the audit and log stacks see no organisation (a
    StackValidationArgs holds one stack), so there it checks the management stack only."""
    return never_denies_itself(resources, None if organization is None or any(r.type == ORGANIZATION for r in resources) else organization)


RULES = (
    Rule(
        "LZ-ACCOUNT-PROTECTED",
        "The organisation and every account are protected and never closed on deletion, but an account the config arms for closure.",
        MANDATORY,
        accounts_are_protected,
        {
            "closing": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "description": "root e-mails of the accounts marked `closed: pending`, where the pack sees no closingAccounts stack output",
            }
        },
    ),
    Rule(
        "LZ-SCP-SIZE",
        "Every SCP is within the Organizations size limit, and minified unless adopted (protected, kept as it exists).",
        MANDATORY,
        scps_within_size,
        {
            "max_chars": {
                "type": "integer",
                "minimum": 1,
                "maximum": limit_maximum("scp_max_chars"),
                "default": SCP_MAX_CHARS,
                "description": "guardrails.limits.scp_max_chars",
            }
        },
        limits={"max_chars": "scp_max_chars"},
    ),
    Rule("LZ-NO-IAM-USERS", "No IAM users or access keys: people use Identity Center, pipelines use OIDC roles.", MANDATORY, no_iam_user_access_keys),
    Rule("LZ-S3-HARDENED", "Every S3 bucket blocks public access and is encrypted.", MANDATORY, s3_buckets_block_public_access_and_encrypt),
    Rule("LZ-SSO-SESSION", "Permission set sessions last at most 12 hours.", MANDATORY, permission_set_sessions_bounded),
    Rule(
        "LZ-OIDC-EXACT-SUBJECT",
        "GitHub OIDC trust policies pin aud and an exact sub (immutable or name form) with StringEquals.",
        MANDATORY,
        github_oidc_trust_is_exact,
    ),
    Rule(
        "LZ-NEVER-DENIES-ITSELF",
        "No SCP, RCP or Control Tower control denies the roles that deploy the stacks or the applications what their deploys need.",
        MANDATORY,
        landing_zone_never_denies_itself,
        needs_organization=True,
    ),
)
