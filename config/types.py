"""Constrained value types shared by the config models."""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, PlainValidator, StringConstraints
from pydantic.networks import validate_email

from config.cron import check_cron
from config.managed_policies import ARN_PREFIX, NAMES, SERVICE_ROLE_PATH
from config.regions import AWS_REGIONS
from workflows.branches import branch_problem

# Keys end up inside Pulumi resource names, account names and e-mail local parts, so they stay
# short, lowercase and free of anything that would need escaping in any of those places.
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$|^[a-z]$")]


def _valid_email(value: str) -> str:
    validate_email(value)  # pydantic's EmailStr check, whose result lower-cases the domain
    return value


# An e-mail kept as written: Organizations and the identity store return it as it was entered, and
# an account's `email` is ForceNew with no case-insensitive diff (terraform-provider-aws
# organizations/account.go), so an adopted `X@Corp.Example` must stay exactly that.
Email = Annotated[str, AfterValidator(_valid_email)]
AccountId = Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
# A KMS key by ARN, as the landing zone manifest names it (CloudTrail and Config logs). The KMS model
# gives key ARNs no pattern (botocore 1.44.8 data/kms/2014-11-01 ArnType, checked 2026-12-02); any
# partition is its shape, as in the other ARNs here, and phase 2 wants config/regions.py PARTITION
# (config/guardrail_checks.py check_home_arn). The key id is hex and hyphens, so a multi-Region key
# (mrk-...), which Control Tower refuses ("Optionally configure AWS KMS keys"), is refused here already.
KmsKeyArn = Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]+$")]
# Organizations' id formats: the patterns of the same API model (OrganizationId, RootId, OrganizationalUnitId, PolicyId).
OrganizationId = Annotated[str, StringConstraints(pattern=r"^o-[a-z0-9]{10,32}$")]
RootId = Annotated[str, StringConstraints(pattern=r"^r-[0-9a-z]{4,32}$")]
OuId = Annotated[str, StringConstraints(pattern=r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")]
PolicyId = Annotated[str, StringConstraints(pattern=r"^p-[0-9a-zA-Z_]{8,128}$")]
# Organizations' policy types: the PolicyType enum of the Organizations API model (botocore
# data/organizations/2016-11-28/service-2.json, checked 2026-12-01).
OrganizationPolicyType = Literal[
    "SERVICE_CONTROL_POLICY",
    "RESOURCE_CONTROL_POLICY",
    "TAG_POLICY",
    "BACKUP_POLICY",
    "AISERVICES_OPT_OUT_POLICY",
    "CHATBOT_POLICY",
    "DECLARATIVE_POLICY_EC2",
    "SECURITYHUB_POLICY",
    "SECURITYHUB_CSPM_POLICY",
    "INSPECTOR_POLICY",
    "UPGRADE_ROLLOUT_POLICY",
    "BEDROCK_POLICY",
    "S3_POLICY",
    "NETWORK_SECURITY_DIRECTOR_POLICY",
    "GUARDDUTY_POLICY",
]
# Identity Center's formats (botocore identitystore and sso-admin API models, checked 2026-12-01):
# ResourceId (users, groups, memberships), IdentityStoreId, UserName / GroupDisplayName lengths,
# InstanceArn and PermissionSetArn.
IdentityStoreId = Annotated[str, StringConstraints(pattern=r"^([0-9a-f]{10}-)?[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$")]
IdentityStoreRef = Annotated[str, StringConstraints(pattern=r"^(d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")]
IdentityStoreName = Annotated[str, StringConstraints(min_length=1, max_length=128)]
InstanceArn = Annotated[str, StringConstraints(pattern=r"^arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$")]
PermissionSetArn = Annotated[
    str, StringConstraints(pattern=r"^arn:aws(-[a-z]{1,5}){0,3}:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}$")
]
# AWS: account names are 1-50 printable ASCII characters; OU names 1-128 characters.
AccountName = Annotated[str, StringConstraints(pattern=r"^[\x20-\x7e]{1,50}$")]
OuName = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1f\x7f]{1,128}$")]
# AWS writes these name patterns as [\w+=,.@-]+ (botocore 1.44.8 data: sso-admin PermissionSetName
# 1-32, iam roleNameType 1-64). The models' patterns are ECMA-262 (Smithy), where \w is ASCII; in
# pydantic's regex engine \w is Unicode and would let "Réad" through, so the class is spelled out.
IAM_NAME_CHARS = "A-Za-z0-9_+=,.@-"
PermissionSetName = Annotated[str, StringConstraints(pattern=rf"^[{IAM_NAME_CHARS}]{{1,32}}$")]
RoleName = Annotated[str, StringConstraints(pattern=rf"^[{IAM_NAME_CHARS}]{{1,64}}$")]
# A role name or path with * wildcards, as an SCP's aws:PrincipalArn condition matches it.
RolePattern = Annotated[str, StringConstraints(pattern=rf"^[*/{IAM_NAME_CHARS}]{{1,128}}$")]
# GitHub logins: 1-39 alphanumerics or single hyphens, not starting or ending with a hyphen.
GitHubLogin = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$", max_length=39)]
# A service principal for trusted access: the ServicePrincipal pattern of the Organizations API model,
# [\w+=,.@-]*, 1-128 (botocore 1.44.8 data/organizations/2016-11-28, checked 2026-12-02), its ASCII \w
# spelt out as for the names above.
ServicePrincipal = Annotated[str, StringConstraints(pattern=rf"^[{IAM_NAME_CHARS}]{{1,128}}$")]

# AWS accepts any ISO-8601 duration here (botocore 1.44.8 data: sso-admin Duration,
# (-?)P(?=\d|T\d)(?:(\d+)Y)?...(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?) and Identity Center
# takes 1 to 12 hours, so hours, minutes and whole seconds are enough to write every valid one.
_SESSION_DURATION = re.compile(r"^PT(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)S)?$")


def _check_region(value: str) -> str:
    if value not in AWS_REGIONS:
        close = difflib.get_close_matches(value, sorted(AWS_REGIONS), n=1)
        raise ValueError("not an AWS region" + (f"; did you mean {close[0]}?" if close else ""))
    return value


def _check_session_duration(value: str) -> str:
    match = _SESSION_DURATION.match(value)
    if not match or not any(match.groups()):
        raise ValueError("not an ISO-8601 duration of hours, minutes and seconds such as PT1H, PT8H, PT1H30M or PT3600S")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    if not 3600 <= hours * 3600 + minutes * 60 + seconds <= 12 * 3600:
        raise ValueError("Identity Center sessions last from PT1H to PT12H")
    return value


# botocore 1.44.8 data: sso-admin PermissionSetDescription, [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*.
_DESCRIPTION_REFUSED = re.compile(r"[^\t\n\r\x20-\x7e\xa1-\xff]")


def _check_description(value: str) -> str:
    found = _DESCRIPTION_REFUSED.search(value)
    if found:
        character = found.group()
        raise ValueError(
            f"Identity Center takes only printable ASCII and Latin-1 letters in a description; {character!r} (U+{ord(character):04X}) "
            f"at character {found.start() + 1} is not one (write - for a dash, plain quotes for curly ones)"
        )
    return value


def _check_tag_key(value: str) -> str:
    if value[:4].lower() == "aws:":
        raise ValueError("the aws: prefix, in any case, is AWS's own: no tag key of yours may start with it")
    if value != value.strip():
        raise ValueError("white space at either end of a tag key: Elastic Load Balancing refuses it, and it reads as another key")
    return value


def _one_or_many(value: object) -> object:
    # One type, not Union[str, list[str]]: a union reports a wrong value once per member, under
    # pydantic's internal type names ("constrained-str", "list[constrained-str]").
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return value
    raise ValueError("should be a permission set name or a list of them")


def _check_email_template(value: str) -> str:
    placeholders = re.findall(r"\{[^{}]*\}", value)
    if placeholders != ["{account}"] or value.replace("{account}", "").count("{") or value.replace("{account}", "").count("}"):
        raise ValueError("must contain {account} exactly once and no other braces, e.g. aws+{account}@corp.example")
    return value


def _check_managed_policy(value: str) -> str:
    """Refuses only what is surely wrong; a name the list lacks is a phase-2 warning
    (`service_limits.check_managed_policy_names`): the list is one day's, and AWS adds policies weekly."""
    name = value.removeprefix(ARN_PREFIX)
    if name.startswith(SERVICE_ROLE_PATH):
        raise ValueError("an AWS service role policy: IAM attaches it only to its service's service-linked role (PolicyNotAttachableException)")
    if name in NAMES:
        return value
    # IAM names are unique whatever their case and path (IAM identifiers: "not distinguished by case";
    # no two names of the bundled list differ only in case or path), so one that matches a known
    # policy so is that policy misspelt.
    same = [known for known in NAMES if known.rsplit("/", 1)[-1].lower() == name.rsplit("/", 1)[-1].lower()]
    if same:
        raise ValueError(f"no such AWS managed policy: IAM names are unique whatever their case and path, so this can only be {same[0]}; write that")
    return value


def _check_branch(value: str) -> str:
    problem = branch_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _check_repository(value: str) -> str:
    """GitHub refuses `.` and `..` and renames names ending in `.git` or `.wiki`:
    https://github.com/github/docs/issues/44518, https://github.com/dead-claudia/github-limits."""
    if value in (".", ".."):
        raise ValueError(f"GitHub reserves the repository name {value}")
    for suffix in (".git", ".wiki"):
        if value.lower().endswith(suffix):
            raise ValueError(f"GitHub does not create repositories whose name ends in {suffix}; drop it")
    return value


def _check_closure(value: object) -> Union[str, date]:
    if value == "pending" or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("must be `pending` (arm the account for closure) or the date of the `pulumi up` that closes it, YYYY-MM-DD")


# Tag keys: botocore 1.44.8 data, organizations TagKey and iam tagKeyType, [\p{L}\p{Z}\p{N}_.:/=+\-@], 1-128;
# "Don't use aws:, AWS:, or any upper or lowercase combination of such as a prefix" and no white space
# at either end: https://docs.aws.amazon.com/batch/latest/userguide/tag-restrictions.html,
# https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-tags.html (checked 2026-12).
# The length apart from the pattern, as botocore's model states it: `{1,128}` over these Unicode classes
# made pydantic-core's regex compile 128 copies of them, 50-60 ms of CPU in every process that imports the config.
TagKey = Annotated[str, StringConstraints(pattern=r"^[\p{L}\p{Z}\p{N}_.:/=+@-]+$", min_length=1, max_length=128), AfterValidator(_check_tag_key)]
Region = Annotated[str, AfterValidator(_check_region)]
SessionDuration = Annotated[str, AfterValidator(_check_session_duration)]
EmailTemplate = Annotated[str, AfterValidator(_check_email_template)]
PermissionSetNames = Annotated[list[PermissionSetName], BeforeValidator(_one_or_many)]
"""A permission set name, or a list of them; read as a list."""
PermissionSetDescription = Annotated[str, StringConstraints(min_length=1, max_length=700), AfterValidator(_check_description)]
# AWS managed policies, by name ("ReadOnlyAccess", "job-function/ViewOnlyAccess") or ARN, that exist.
ManagedPolicy = Annotated[
    str,
    # botocore 1.44.8 data: sso-admin ManagedPolicyArn, arn:aws...:iam::aws:policy((/[A-Za-z0-9\.,\+@=_-]+)*)/([A-Za-z0-9\.,\+=@_-]+)
    StringConstraints(pattern=rf"^(arn:aws:iam::aws:policy/)?[{IAM_NAME_CHARS}]+(/[{IAM_NAME_CHARS}]+)*$", max_length=128),
    AfterValidator(_check_managed_policy),
]
BranchName = Annotated[str, AfterValidator(_check_branch)]
# GitHub: 1-100 ASCII letters, digits, '.', '-', '_'.
RepositoryName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,100}$"), AfterValidator(_check_repository)]
Cron = Annotated[str, AfterValidator(check_cron)]
Closure = Annotated[Union[Literal["pending"], date], PlainValidator(_check_closure)]


class Model(BaseModel):
    # allow_inf_nan: YAML's .inf and .nan are floats, and no amount, severity or size is infinite.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)
