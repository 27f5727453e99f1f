"""What the organisation's default policies change in an adopted account's running workloads.

The root-level defaults (docs/guardrails.md) reach the adopted account at the first full
`pulumi up` (runbook step 3), which attaches them while the account is already a member (or on
joining, once they exist: Organizations applies inherited policies on arrival), before anything
is imported. Three of them can break a running workload:

- the S3 policy `block-public-access` turns S3 Block Public Access on for the whole account
  ("Accounts joining an organization will automatically inherit any Amazon S3 policies",
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_s3.html);
- the declarative EC2 template `block-public-sharing` sets `block_all_sharing` for EBS snapshots
  ("Snapshots that were already publicly shared are treated as private") and `block_new_sharing`
  for AMIs (public AMIs stay public, new public sharing is refused)
  (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_declarative_syntax.html);
- the RCP `enforce-org-identities` denies principals outside the organisation on S3, STS, KMS, SQS
  and Secrets Manager ("AWS strongly recommends that you don't attach RCPs to the root of your
  organization without thoroughly testing the impact",
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).

`gather` reads what those would hit; the checks (pure functions of `Exposure`) run in
`preflight`. A check of a template that is not on the account's path passes, naming why. What
this cannot see: grants through identity policies of other accounts alone (those show in the
account's CloudTrail, which runbook step 3 replays through `lzctl what-if`), and resources in
regions outside `organization.governed_regions` (the region-deny SCP stops them anyway).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Iterator, Optional

from botocore.exceptions import ClientError

from config import AccountSpec, LandingZone
from lzctl.migrate.aws import client, error_code, pages, policy_document

S3_TEMPLATE = ("s3_policy", "block-public-access")
SHARING_TEMPLATE = ("declarative_ec2", "block-public-sharing")
PERIMETER_TEMPLATE = ("rcp", "enforce-org-identities")
PUBLIC_GRANTEES = ("http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")
_ACCOUNT_ARN = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}|cloudfront):")
NO_BLOCK = {"BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False, "RestrictPublicBuckets": False}


@dataclass(frozen=True)
class Exposure:
    """What the account holds that the defaults on its path would change."""

    templates: frozenset[tuple[str, str]]
    """(policy type key, template) of every policy on the account's path (root, its OUs)."""
    known_accounts: frozenset[str]
    """Accounts the perimeter lets in: the account itself, the management and adopted accounts, `guardrails.rcp.trusted_accounts`."""
    public_buckets: tuple[tuple[str, str], ...] = ()
    """(bucket, what makes it public) not already hidden by Block Public Access."""
    public_snapshots: tuple[tuple[str, str], ...] = ()
    """(region, snapshot id) restorable by everyone."""
    public_images: tuple[tuple[str, str], ...] = ()
    """(region, image id) launchable by everyone."""
    grants: tuple[tuple[str, str], ...] = ()
    """(resource, principal) allowed by a resource policy or role trust: `*`, an account id or an ARN."""


def path_templates(landing_zone: LandingZone, spec: AccountSpec) -> frozenset[tuple[str, str]]:
    """Every (type key, template) attached to the root or an OU above the account."""
    targets, ou = {"root"}, spec.ou
    units = landing_zone.organization.organizational_units
    while ou is not None:
        targets.add(ou)
        ou = units[ou].parent
    policies = landing_zone.guardrails.policies if landing_zone.guardrails else ()
    return frozenset((doc.policy_type.key, template) for doc in policies if doc.target in targets for template in doc.templates)


def principals(document: dict) -> Iterator[str]:
    """AWS principals the Allow statements name; `*` only when unconditioned (a condition may pin the caller)."""
    statements = document.get("Statement", [])
    for statement in [statements] if isinstance(statements, dict) else statements:
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if principal == "*" or (isinstance(principal, dict) and principal.get("AWS") == "*"):
            if not statement.get("Condition"):
                yield "*"
            continue
        aws = principal.get("AWS", []) if isinstance(principal, dict) else []
        yield from [aws] if isinstance(aws, str) else aws


def account_of_principal(principal: str) -> Optional[str]:
    """The account a principal belongs to (`cloudfront` for an origin access identity); None for a
    unique id, which IAM leaves in a policy when the principal it named was deleted."""
    if re.fullmatch(r"\d{12}", principal):
        return principal
    match = _ACCOUNT_ARN.match(principal)
    return match.group(1) if match else None


def outside(exposure: Exposure) -> list[tuple[str, str]]:
    found = []
    for resource, principal in exposure.grants:
        account = "*" if principal == "*" else account_of_principal(principal)
        if account is not None and account not in exposure.known_accounts:
            found.append((resource, principal))
    return found


def _listed(pairs) -> str:
    return "; ".join(f"{a}: {b}" for a, b in pairs)


def _not_on_path(template: tuple[str, str]) -> str:
    return f"not applied: no `{template[1]}` in guardrails.{template[0]} on this account's path"


def s3_public_access(e: Exposure) -> tuple[bool, str, str]:
    if S3_TEMPLATE not in e.templates:
        return True, _not_on_path(S3_TEMPLATE), ""
    if not e.public_buckets:
        return True, "no bucket is public: the organisation's S3 Block Public Access changes nothing", ""
    return (
        False,
        f"public buckets that S3 Block Public Access makes private at the first full `pulumi up`: {_listed(e.public_buckets)}",
        "serve them through CloudFront with origin access control, or share through presigned URLs, before the first full `pulumi up`; or keep "
        "`block-public-access` off this account's OU for now (guardrails.s3_policy.targets) and run this again",
    )


def public_sharing(e: Exposure) -> tuple[bool, str, str]:
    if SHARING_TEMPLATE not in e.templates:
        return True, _not_on_path(SHARING_TEMPLATE), ""
    if not (e.public_snapshots or e.public_images):
        return True, "no public EBS snapshot or AMI", ""
    found = [f"snapshots made private at the first full `pulumi up`: {_listed(e.public_snapshots)}"] if e.public_snapshots else []
    found += [f"AMIs that stay public but can never be shared publicly again: {_listed(e.public_images)}"] if e.public_images else []
    return (
        False,
        "; ".join(found),
        "share them with the accounts that use them (`aws ec2 modify-snapshot-attribute` / `modify-image-attribute` with their "
        "account ids) before the first full `pulumi up`; or keep `block-public-sharing` off this account's OU for now (guardrails.declarative_ec2.targets)",
    )


def data_perimeter(e: Exposure) -> tuple[bool, str, str]:
    if PERIMETER_TEMPLATE not in e.templates:
        return True, _not_on_path(PERIMETER_TEMPLATE), ""
    found = outside(e)
    if not found:
        return True, "no resource policy or role trust lets in a principal outside the organisation", ""
    return (
        False,
        f"principals outside the organisation that the RCPs deny from the first full `pulumi up`: {_listed(found)}",
        "for a partner, or the Elastic Load Balancing account writing access logs (regions older than August 2022), add its "
        "account id to guardrails.rcp.trusted_accounts; replace CloudFront origin access identities with origin access control; "
        "remove grants nobody uses; then run this again",
    )


CHECKS = (
    ("s3-public-access", "the organisation's S3 policy turns S3 Block Public Access on in every member account", s3_public_access),
    ("public-sharing", "the declarative EC2 policy makes public EBS snapshots private and refuses new public AMIs", public_sharing),
    ("data-perimeter", "the RCPs deny S3, STS, KMS, SQS and Secrets Manager to principals outside the organisation", data_perimeter),
)


def _optional(read, missing: str, **params):
    try:
        return read(**params)
    except ClientError as err:
        if error_code(err) in missing:
            return None
        raise


def _buckets(session, region: str, account_block: dict) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    s3 = client(session, "s3", region)
    public, grants = [], []
    for bucket in s3.list_buckets()["Buckets"]:
        name = bucket["Name"]
        own = (_optional(s3.get_public_access_block, "NoSuchPublicAccessBlockConfiguration", Bucket=name) or {}).get("PublicAccessBlockConfiguration", {})
        block = {key: account_block.get(key, False) or own.get(key, False) for key in NO_BLOCK}
        text = (_optional(s3.get_bucket_policy, "NoSuchBucketPolicy", Bucket=name) or {}).get("Policy")
        if text:
            # RestrictPublicBuckets already limits a public policy to the account and AWS services.
            found = [p for p in principals(json.loads(text)) if p != "*" or not block["RestrictPublicBuckets"]]
            grants += [(f"arn:aws:s3:::{name}", p) for p in found]
            if not block["RestrictPublicBuckets"] and s3.get_bucket_policy_status(Bucket=name)["PolicyStatus"]["IsPublic"]:
                public.append((name, "its bucket policy"))
        acl = s3.get_bucket_acl(Bucket=name)["Grants"]
        if not block["IgnorePublicAcls"] and any(g["Grantee"].get("URI") in PUBLIC_GRANTEES for g in acl):
            public.append((name, "its ACL"))
    return public, grants


def _regional_grants(session, region: str) -> Iterator[tuple[str, str]]:
    kms = client(session, "kms", region)
    for key in pages(kms, "list_keys", "Keys"):
        if kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyManager"] == "CUSTOMER":
            yield from ((key["KeyArn"], p) for p in principals(json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])))
    sqs = client(session, "sqs", region)
    for url in sqs.list_queues().get("QueueUrls", []):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn", "Policy"])["Attributes"]
        if "Policy" in attributes:
            yield from ((attributes["QueueArn"], p) for p in principals(json.loads(attributes["Policy"])))
    secrets = client(session, "secretsmanager", region)
    for secret in pages(secrets, "list_secrets", "SecretList"):
        text = secrets.get_resource_policy(SecretId=secret["ARN"]).get("ResourcePolicy")
        if text:
            yield from ((secret["ARN"], p) for p in principals(json.loads(text)))


def _public_ec2(session, region: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    ec2 = client(session, "ec2", region)
    snapshots = [(region, s["SnapshotId"]) for s in pages(ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"], RestorableByUserIds=["all"])]
    images = [(region, i["ImageId"]) for i in ec2.describe_images(Owners=["self"], ExecutableUsers=["all"])["Images"]]
    return snapshots, images


def gather(session, landing_zone: LandingZone, spec: AccountSpec, account_id: str, regions: list[str]) -> Exposure:
    """Read what the checks need, in the governed regions the account has enabled."""
    templates = path_templates(landing_zone, spec)
    known = {account_id, landing_zone.organization.management_account_id}
    known |= {a.existing_account_id for a in landing_zone.accounts if a.existing_account_id}
    known |= set(landing_zone.config.guardrails.rcp.trusted_accounts)
    home = landing_zone.organization.home_region
    public_buckets: list = []
    grants: list = []
    if S3_TEMPLATE in templates or PERIMETER_TEMPLATE in templates:
        control = client(session, "s3control", home)
        read = _optional(control.get_public_access_block, "NoSuchPublicAccessBlockConfiguration", AccountId=account_id)
        account_block = read["PublicAccessBlockConfiguration"] if read else NO_BLOCK
        public_buckets, grants = _buckets(session, home, account_block)
    snapshots: list = []
    images: list = []
    for region in regions:
        if SHARING_TEMPLATE in templates:
            found = _public_ec2(session, region)
            snapshots += found[0]
            images += found[1]
        if PERIMETER_TEMPLATE in templates:
            grants += list(_regional_grants(session, region))
    if PERIMETER_TEMPLATE in templates:
        iam = client(session, "iam", home)
        grants += [(role["Arn"], p) for role in pages(iam, "list_roles", "Roles") for p in principals(policy_document(role["AssumeRolePolicyDocument"]))]
    return Exposure(
        templates,
        frozenset(known),
        tuple(public_buckets),
        tuple(snapshots),
        tuple(images),
        tuple(grants),
    )
