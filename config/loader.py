"""Reads `landing-zone.yaml` and validates it in two phases: shape, then cross-references.

Every problem of a phase is collected before failing, and each names the file, the field path,
the value and a hint. Nothing here runs at import time; `load` is called by the program.
"""

from __future__ import annotations

import difflib
import typing
from datetime import date, datetime
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ValidationError

from config.app_secrets import GivenSecrets
from config.delivery_schema import GITHUB_PREFIX_ERROR
from config.issues import ConfigError, ConfigIssue, path_of
from config.model import LandingZone
from config.partial import partial
from config.resolve import resolve
from config.schema import LandingZoneConfig
from config.types import IAM_NAME_CHARS
from config.yamlfile import parse_yaml
from guardrails.control_tower import BASELINE_VERSION, LANDING_ZONE_VERSION

CONFIG_FILE = "landing-zone.yaml"

PATTERN_HINTS = {
    "^[a-z][a-z0-9-]{0,30}[a-z0-9]$|^[a-z]$": "keys are 1-32 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen",
    r"^\d{12}$": "an AWS account id is 12 digits, quoted so YAML keeps it a string",
    r"^[\x20-\x7e]{1,50}$": "account names are 1-50 printable ASCII characters",
    r"^[^\x00-\x1f\x7f]{1,128}$": "OU names are 1-128 characters without control characters",
    rf"^[{IAM_NAME_CHARS}]{{1,32}}$": "permission set names are 1-32 ASCII letters, digits and + = , . @ _ -",
    rf"^[{IAM_NAME_CHARS}]{{1,64}}$": "IAM role names are 1-64 ASCII letters, digits and + = , . @ _ -",
    rf"^[*/{IAM_NAME_CHARS}]{{1,128}}$": "role name patterns are 1-128 ASCII letters, digits and + = , . @ _ - with * wildcards and / paths",
    r"^[A-Za-z0-9_.-]{1,100}$": "GitHub repository names are 1-100 ASCII letters, digits and . - _",
    r"^[a-z0-9_{}-]{1,80}$": "Slack channel names are at most 80 lowercase letters, digits, - and _ ({app} is filled in)",
    r"^[a-z][a-z0-9-]{0,63}$": "conformance pack names are 1-64 lowercase letters, digits and hyphens, starting with a letter: AWS Config's rule, "
    "lowercase and shorter here since the name is also the template's file stem (config/conformance-packs/<name>.yaml)",
    r"^[\p{L}\p{Z}\p{N}_.:/=+@-]+$": "tag keys are 1-128 letters, digits, spaces and _ . : / = + @ -",
    r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$": "GitHub logins are 1-39 letters, digits and single hyphens, not starting or ending with a hyphen",
    r"^T[A-Z0-9]{6,12}$": "a Slack workspace (team) id is T and 6-12 capitals or digits, e.g. T0ACME1234",
    r"^[UW][A-Z0-9]{6,12}$": "a Slack member id is U (or W) and 6-12 capitals or digits, e.g. U0NOTIFY01 (the profile's Copy member ID, or auth.test's user_id)",
    r"^[A-Z_][A-Z0-9_]*$": "secret names are capitals, digits and _, not starting with a digit, e.g. RAILS_MASTER_KEY",
    r"^[0-9A-Za-z]{1,64}$": "the landing zone's id is the end of its ARN (arn:aws:controltower:<region>:<account>:landingzone/<id>): 1-64 letters and digits",
    r"^arn:aws[a-z-]*:controltower:[a-z0-9-]+:\d{12}:enabledbaseline/[0-9A-Za-z]+$": "an enabled baseline's ARN is "
    "arn:aws:controltower:<region>:<account id>:enabledbaseline/<id>, as ListEnabledBaselines gives it (lzctl adopt writes it)",
    r"^[A-Za-z0-9_.-]{1,128}$": "control ids are 1-128 letters, digits and . _ -, e.g. AWS-GR_RESTRICTED_SSH",
    r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]+$": "a KMS key ARN is arn:aws:kms:<region>:<account id>:key/<key id>, e.g. "
    "arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab; not an alias ARN, nor a multi-Region key (mrk-), "
    "which Control Tower refuses (Control Tower user guide, 'Optionally configure AWS KMS keys')",
    # Organizations' ids: the Id patterns of the Organizations API reference's data types, the same as
    # botocore 1.44.8 data/organizations/2016-11-28 OrganizationId, RootId, OrganizationalUnitId, PolicyId,
    # ServicePrincipal, PolicyName (checked 2026-12-02).
    r"^o-[a-z0-9]{10,32}$": "an organisation id is o- and 10-32 lowercase letters or digits, e.g. o-a1b2c3d4e5, as DescribeOrganization "
    "gives it (Organizations API reference, Organization: Id)",
    r"^r-[0-9a-z]{4,32}$": "a root id is r- and 4-32 lowercase letters or digits, e.g. r-ab12, as ListRoots gives it (Organizations API reference, Root: Id)",
    r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$": "an OU id is ou-, the 4-32 lowercase letters or digits of its root's id, a hyphen and 8-32 more, "
    "e.g. ou-ab12-cd34ef56, as ListOrganizationalUnitsForParent gives it (Organizations API reference, OrganizationalUnit: Id)",
    r"^p-[0-9a-zA-Z_]{8,128}$": "a policy id is p- and 8-128 letters, digits or _, e.g. p-a1b2c3d4 or p-FullAWSAccess, as ListPolicies gives it "
    "(Organizations API reference, PolicySummary: Id)",
    rf"^[{IAM_NAME_CHARS}]{{1,128}}$": "a service principal is 1-128 ASCII letters, digits and + = , . @ _ -, e.g. config.amazonaws.com "
    "(Organizations API reference, EnableAWSServiceAccess: ServicePrincipal)",
    r"^[\s\S]{1,128}$": "a policy name is 1-128 characters, e.g. FullAWSAccess (Organizations API reference, CreatePolicy: Name)",
    # Identity Center's ids: botocore 1.44.8 data/identitystore/2020-06-15 ResourceId and IdentityStoreId, and
    # data/sso-admin/2020-07-20 InstanceArn, PermissionSetArn, ManagedPolicyArn, without the ARN forms the
    # first two also take (checked 2026-12-02).
    r"^([0-9a-f]{10}-)?[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$": "an identity store user, group or "
    "membership id is a UUID, in Identity Center's own store after 10 lowercase hex digits and a hyphen, e.g. "
    "9067c2a4f1-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d, as ListUsers, ListGroups and ListGroupMemberships give it "
    "(Identity Store API reference, User: UserId)",
    r"^(d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$": "an identity store id is d- and 10 lowercase hex "
    "digits, e.g. d-9067c2a4f1, or a lowercase UUID, as ListInstances gives it (Identity Store API reference, ListUsers: IdentityStoreId)",
    r"^arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$": "an Identity Center instance ARN is "
    "arn:aws:sso:::instance/ssoins- and 16 letters, digits, . or -, e.g. arn:aws:sso:::instance/ssoins-1234567890abcdef, as ListInstances gives it "
    "(IAM Identity Center API reference, InstanceMetadata: InstanceArn)",
    r"^arn:aws(-[a-z]{1,5}){0,3}:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}$": "a permission set ARN is "
    "arn:aws:sso:::permissionSet/ssoins-<16 characters>/ps-<16 characters>, e.g. "
    "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef, as ListPermissionSets gives it "
    "(IAM Identity Center API reference, PermissionSet: PermissionSetArn)",
    rf"^(arn:aws:iam::aws:policy/)?[{IAM_NAME_CHARS}]+(/[{IAM_NAME_CHARS}]+)*$": "an AWS managed policy is its name, with its path if "
    "it has one, or its ARN: ASCII letters, digits and + = , . @ _ - between slashes, e.g. job-function/ViewOnlyAccess or "
    "arn:aws:iam::aws:policy/ReadOnlyAccess (IAM Identity Center API reference, AttachManagedPolicyToPermissionSet: ManagedPolicyArn)",
    # Control Tower: botocore 1.44.8 data/controltower/2018-05-10 LandingZoneVersion and BaselineVersion are digits and dots.
    r"^\d+\.\d+$": f"a version is major.minor, e.g. {LANDING_ZONE_VERSION} (the landing zone's) or {BASELINE_VERSION} "
    "(AWSControlTowerBaseline's); leave the key out for those",
    # AWS Backup's model has no pattern for a schedule (botocore 1.44.8 data/backup/2018-11-15 CronExpression); it goes
    # into the backup policy's schedule_expression (guardrails/templates/backup_policy).
    r"^cron\([^ ()]+( [^ ()]+){5}\)$": "a backup schedule is a cron expression in cron(...), six fields with minutes first, in UTC, e.g. "
    "cron(0 17 * * ? *) for 17:00 daily (Organizations user guide, 'Backup policy syntax and examples': schedule_expression)",
    r"^[\w.:/=+@ -]+$": "backup tag values are letters, digits, spaces and _ . : / = + @ -, e.g. true",
    r"^[a-z0-9-]+:[a-z0-9-]+$": "a resource type is service:type in lowercase, e.g. ec2:instance (Organizations user guide, "
    "'Services and resource types that support enforcement')",
    r"^[a-z0-9.*-]{3,63}$": "bucket name patterns are 3-63 lowercase letters, digits, . and - with * wildcards, e.g. aws-controltower-logs-*",
    # GitHub, Slack, Pulumi Cloud.
    r"^[0-9a-f]{40}$": "pin an action to a full commit SHA, 40 lowercase hex digits, e.g. 11bd71901bbe5b1630ceea73d27597364c9af683 "
    "(GitHub docs, 'Security hardening for GitHub Actions': Using third-party actions)",
    r"^[\w.-]+/[\w.-]+$": "an action is owner/name, as a workflow's uses: names it without @ and the ref, e.g. actions/checkout",
    r"^[a-z0-9_-]{1,80}$": "Slack channel names are 1-80 lowercase letters, digits, - and _, e.g. shop-releases (Slack API, conversations.create: name)",
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$": "a Pulumi Cloud organisation name is 1-40 letters, digits and _ . -, starting with a letter or "
    "digit, e.g. acme-platform, as app.pulumi.com/<organisation> shows it",
}


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model whose fields an error location points into, for listing the allowed keys."""
    annotation: typing.Any = LandingZoneConfig
    for part in loc[:-1]:
        while True:
            origin = typing.get_origin(annotation)
            if origin is typing.Annotated:
                annotation = typing.get_args(annotation)[0]
            elif origin is typing.Union:
                annotation = next((a for a in typing.get_args(annotation) if a is not type(None)), None)
            else:
                break
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            if field is None:
                return None
            annotation = field.annotation
        elif typing.get_origin(annotation) in (dict, list):
            annotation = typing.get_args(annotation)[-1]
        else:
            return None
    while typing.get_origin(annotation) in (typing.Union, typing.Annotated):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


REMOVED_KEYS = {
    ("guardrails", "tag_policy", "enabled"): "removed when every policy type got targets: `enabled: false` is now `targets: {}`; "
    "`enabled: true` is the default (required-tags on the member OU), so drop the key",
    ("guardrails", "tag_policy", "target"): "removed when every policy type got targets: `target: X` is now `targets: {X: [required-tags]}`",
}
"""Keys an earlier release accepted, by location: how to write what they said today."""


def _hint(error: dict) -> str | None:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden" and tuple(loc) in REMOVED_KEYS:
        return REMOVED_KEYS[tuple(loc)]
    if kind == "extra_forbidden":
        model = _model_at(loc)
        if model is None:
            return None
        allowed = list(model.model_fields)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        return (f"did you mean {close[0]}? " if close else "") + f"allowed keys here: {', '.join(allowed)}"
    if kind == "missing":
        return "this field is required; see docs/configuration.md"
    if kind == GITHUB_PREFIX_ERROR:
        return "rename it"
    if kind == "less_than_equal" and loc[:2] == ("guardrails", "limits"):
        return "that is AWS's own maximum, which it does not raise on request (docs/configuration.md: Limits checked before anything is registered)"
    if kind == "string_pattern_mismatch":
        return PATTERN_HINTS.get(error.get("ctx", {}).get("pattern"))
    value = error["input"]
    if kind == "string_type" and isinstance(value, (int, float, date)):
        return "quote the value so YAML reads it as a string"
    if kind == "date_type" and isinstance(value, str):
        return _date_hint(value)
    if kind == "date_type" and isinstance(value, datetime):
        return "give the day alone (YYYY-MM-DD, unquoted), without a time"
    if kind == "list_type" and isinstance(value, (str, int, float)):
        return f"a list is wanted, even of one: [{value}]"
    if kind in ("bool_type", "int_type", "float_type") and isinstance(value, str):
        return "write it without quotes: quoted, YAML reads it as a string"
    return None


def _date_hint(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError as err:
        return f"{value} is not a calendar date ({err}); write YYYY-MM-DD, unquoted"
    return "drop the quotes: YAML reads an unquoted YYYY-MM-DD as a date, a quoted one as a string"


def _shape_issues(file: str, err: ValidationError) -> list[ConfigIssue]:
    issues = []
    for error in err.errors():
        # Dict keys that fail validation are reported by pydantic with a trailing "[key]".
        loc = tuple(part for part in error["loc"] if part != "[key]")
        message = error["msg"].removeprefix("Value error, ")
        value = None if error["type"] in ("missing", "extra_forbidden") else error["input"]
        if isinstance(value, (dict, list)):
            value = None
        elif isinstance(value, (date, datetime)):
            value = value.isoformat()
        issues.append(ConfigIssue(file, path_of(*loc), message, value, _hint(error)))
    return issues


def load(config_dir: Path | str, refuse_example_domains: bool = True, secrets: Optional[GivenSecrets] = None) -> LandingZone:
    """Load and validate `<config_dir>/landing-zone.yaml`; raise `ConfigError` with every problem found.

    Shape errors do not hide the rest: phase 2 runs on every part whose shape is valid
    (`config.partial`), and all issues of both phases are raised together.
    `refuse_example_domains` is off for the offline plan, which only warns that accounts with root
    e-mails at example.com/.net/.org could not be created for real. `secrets`: which application
    secrets the stack's config holds (config/app_secrets.py); None where no stack is involved.
    """
    source = Path(config_dir) / CONFIG_FILE
    data, issues = parse_yaml(source, missing=f"create {CONFIG_FILE} or pass --config DIR")
    try:
        cfg = LandingZoneConfig.model_validate(data)
    except ValidationError as err:
        issues += _shape_issues(str(source), err)
        cfg = partial(LandingZoneConfig, data, err.errors())
    landing_zone, found = resolve(cfg, source, refuse_example_domains, secrets=secrets)
    issues += found
    if issues or landing_zone is None:
        raise ConfigError(issues)
    return landing_zone
