"""Constrained value types shared by the config models."""

from __future__ import annotations

import difflib
import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from config.regions import AWS_REGIONS

# Keys end up inside Pulumi resource names, account names and e-mail local parts, so they stay
# short, lowercase and free of anything that would need escaping in any of those places.
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$|^[a-z]$")]
AccountId = Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
# AWS: account names are 1-50 printable ASCII characters; OU names 1-128 characters.
AccountName = Annotated[str, StringConstraints(pattern=r"^[\x20-\x7e]{1,50}$")]
OuName = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1f\x7f]{1,128}$")]
# IAM Identity Center: permission set names are 1-32 of [\w+=,.@-].
PermissionSetName = Annotated[str, StringConstraints(pattern=r"^[\w+=,.@-]{1,32}$")]
# IAM role names (the organisation access role) are 1-64 of [\w+=,.@-].
RoleName = Annotated[str, StringConstraints(pattern=r"^[\w+=,.@-]{1,64}$")]
# GitHub logins: 1-39 alphanumerics or single hyphens, not starting or ending with a hyphen.
GitHubLogin = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$", max_length=39)]
# AWS managed policies, by name ("ReadOnlyAccess", "job-function/ViewOnlyAccess") or ARN.
ManagedPolicy = Annotated[str, StringConstraints(pattern=r"^(arn:aws:iam::aws:policy/)?[\w+=,.@-]+(/[\w+=,.@-]+)*$", max_length=128)]

_SESSION_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?$")


def _check_region(value: str) -> str:
    if value not in AWS_REGIONS:
        close = difflib.get_close_matches(value, sorted(AWS_REGIONS), n=1)
        raise ValueError("not an AWS region" + (f"; did you mean {close[0]}?" if close else ""))
    return value


def _check_session_duration(value: str) -> str:
    match = _SESSION_DURATION.match(value)
    if not match or not any(match.groups()):
        raise ValueError("not an ISO-8601 duration such as PT1H, PT8H or PT1H30M")
    minutes = int(match.group(1) or 0) * 60 + int(match.group(2) or 0)
    if not 60 <= minutes <= 12 * 60:
        raise ValueError("Identity Center sessions last from PT1H to PT12H")
    return value


def _check_email_template(value: str) -> str:
    placeholders = re.findall(r"\{[^{}]*\}", value)
    if placeholders != ["{account}"] or value.replace("{account}", "").count("{") or value.replace("{account}", "").count("}"):
        raise ValueError("must contain {account} exactly once and no other braces, e.g. aws+{account}@corp.example")
    return value


Region = Annotated[str, AfterValidator(_check_region)]
SessionDuration = Annotated[str, AfterValidator(_check_session_duration)]
EmailTemplate = Annotated[str, AfterValidator(_check_email_template)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
