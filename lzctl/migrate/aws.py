"""AWS access for `lzctl migrate`: sessions by profile, and AWS's refusals turned into advice.

Every verb talks to AWS through a session factory (a profile name -> a boto3-like session), so
tests can hand in moto- or Stubber-backed sessions. Anything AWS or the local AWS set-up refuses
ends as one paragraph and exit 2, never a traceback: each verb only reads before it writes, and
each write is one call that a re-run detects as done, so a failure leaves nothing half-done.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Callable, Iterator, Optional
from urllib.parse import unquote

import botocore.session
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ParamValidationError, ProfileNotFound

from lzctl.aws_session import sdk_session

SessionFactory = Callable[[str], Any]

EXIT_BAD_INPUT = 2
NOT_IN_ORGANIZATION = "AWSOrganizationsNotInUseException"
_REJECTED_CREDENTIALS = {
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "AuthFailure",
}


ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
"""An IAM role ARN as a profile's role_arn must be: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html"""


def open_session(profile: str):
    core = botocore.session.Session(profile=profile)
    # An unknown profile raises ProfileNotFound here (botocore session.py, get_scoped_config), also
    # when AWS_DATA_PATH is set and nothing else reads the profile before the first client.
    core.get_scoped_config()
    session = sdk_session(core)
    # The same botocore session's config: the files are parsed once for both.
    check_profile(profile, core.full_config.get("profiles", {}))
    return session


def check_profile(profile: str, profiles: dict) -> None:
    """Refuse a malformed role_arn in `profile` or a profile it takes credentials from: boto3 would
    send it to STS (or refuse it with ParamValidationError, a bug's exception) on the first call."""
    name, seen = profile, set()
    while name in profiles and name not in seen:
        seen.add(name)
        role_arn = profiles[name].get("role_arn")
        if role_arn is not None and not ROLE_ARN.match(role_arn):
            where = os.environ.get("AWS_CONFIG_FILE", "~/.aws/config")
            raise MigrationError(
                f"AWS profile '{name}'{'' if name == profile else f' (the source of {profile!r})'} has role_arn = {role_arn!r} in {where}, "
                "which is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME). Fix the profile, or pass another one."
            )
        sources = ("source_profile", "credential_source", "web_identity_token_file")
        if role_arn is not None and not any(profiles[name].get(source) for source in sources):
            raise MigrationError(
                f"AWS profile '{name}' assumes {role_arn} but says with which credentials: it has none of {', '.join(sources)}. "
                "Add source_profile = <a profile with credentials> (or use `aws configure sso`), or pass another profile."
            )
        name = profiles[name].get("source_profile")


class MigrationError(Exception):
    """Bad input or a precondition that is not met: one paragraph naming what failed and the fix."""


def error_code(err: ClientError) -> str:
    return err.response.get("Error", {}).get("Code", "")


def is_denied(err: ClientError) -> bool:
    code = error_code(err)
    return code.startswith("AccessDenied") or code in ("UnauthorizedOperation", "AuthorizationError")


def explain(err: Exception, needs: str, profiles: list[str]) -> str:
    """One paragraph for an error raised by boto3 while a verb ran."""
    named = " and ".join(f"'{p}'" for p in profiles) or "(none given)"
    if isinstance(err, NoCredentialsError):
        return (
            f"no AWS credentials could be loaded for profile {named}. Log in (`aws sso login --profile NAME`) "
            "or configure the profile's keys, then run the command again."
        )
    if isinstance(err, ClientError):
        code, message = error_code(err), err.response.get("Error", {}).get("Message", "").rstrip(".")
        if is_denied(err):
            return (
                f"AWS denied {err.operation_name} ({code}): {message}. This command needs {needs}; use a profile "
                f"that has it (given: {named}) and run it again. Nothing was changed by the refused call."
            )
        if code in _REJECTED_CREDENTIALS:
            return (
                f"AWS rejected the credentials of profile {named} ({code}: {message}). Refresh them "
                "(`aws sso login --profile NAME`, or new keys) and run the command again."
            )
        return (
            f"AWS answered {code} to {err.operation_name}: {message}. Fix the cause above and run the command "
            "again; every step checks what is already done before acting."
        )
    return f"the AWS SDK failed: {err}. Check the profile's settings (region, SSO session) and run the command again."


def session_for(factory: SessionFactory, profile: str):
    try:
        return factory(profile)
    except ProfileNotFound:
        raise MigrationError(
            f"AWS profile '{profile}' is not configured (not in ~/.aws/config or ~/.aws/credentials). "
            f"Create it with `aws configure sso --profile {profile}` (or `aws configure --profile {profile}`), "
            "or pass the name of a profile you have."
        ) from None


def client(session, service: str, region: str):
    return session.client(service, region_name=region)


def regional_sts(session, region: str):
    """STS on the region's own endpoint, whatever the profile's `sts_regional_endpoints` says:
    "The STS global endpoint is not supported for AssumeRoot. You must send this request to a
    Regional STS endpoint" (the STS API model of botocore 1.44.8, AssumeRoot); with `legacy`,
    botocore still sends us-east-1 and ap-northeast-1 calls to sts.amazonaws.com."""
    return session.client("sts", region_name=region, endpoint_url=f"https://sts.{region}.amazonaws.com")


def client_with(session, service: str, region: str, credentials: dict):
    """A client signing with temporary credentials as STS returns them (AssumeRoot's root session)."""
    return session.client(
        service,
        region_name=region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def account_of(session, region: str) -> str:
    return client(session, "sts", region).get_caller_identity()["Account"]


def pages(api, operation: str, key: str, **params) -> Iterator[Any]:
    """Every item under `key` across the operation's pages."""
    for page in api.get_paginator(operation).paginate(**params):
        yield from page.get(key, [])


def organization_of(session, region: str) -> Optional[dict]:
    """The organisation the session's account belongs to, or None when it belongs to none."""
    try:
        return client(session, "organizations", region).describe_organization()["Organization"]
    except ClientError as err:
        if error_code(err) == NOT_IN_ORGANIZATION:
            return None
        raise


def policy_document(document: Any) -> dict:
    """IAM returns policies as URL-encoded JSON text or, through boto3's decoder, as a dict."""
    return document if isinstance(document, dict) else json.loads(unquote(document))


GUARDED = (ClientError, BotoCoreError, MigrationError)
"""What a verb may raise that is the user's to fix (exit 2), as opposed to a bug (traceback)."""
BUGS = (ParamValidationError,)
"""SDK errors that mean this code sent a malformed request: a bug, never the user's input."""
