"""`remove-root-credentials`: delete an adopted account's root user credentials from the management account.

Accounts Organizations creates for the landing zone have no root credentials; the adopted account
still has its root password and maybe access keys, signing certificates and MFA devices. With
centralised root access on (`guardrails.root_access`, deployed by the management stack as
`iam.OrganizationsFeatures`), the management account opens a root session in the member account
with `sts:AssumeRoot` and the AWS task policy `IAMDeleteRootUserCredentials`, and deletes them the
way the IAM User Guide's CLI steps do (id_root-user-privileged-task.html: delete-login-profile,
delete-access-key, delete-signing-certificate, deactivate-mfa-device, each without a user name,
which in a root session names the root user), and deletes a deactivated virtual MFA device. The session lasts 15 minutes at most
(AssumeRoot's DurationSeconds, 900 by default and at most).

Each credential is read before it is deleted, so a second run reports what is already gone. The
guardrails let such a session through: the deny-root-user SCP and Control Tower's
AWS-GR_RESTRICT_ROOT_USER (enabled with ExemptAssumeRoot) deny the root user only outside AssumeRoot
sessions. Afterwards nobody can sign in as that root user until the management account allows
password recovery (IAM console, Root access management).
"""

from __future__ import annotations

from typing import Optional

from botocore.exceptions import ClientError

import names
from config import AccountSpec
from lzctl.migrate.aws import MigrationError, client, client_with, error_code, is_denied, pages, regional_sts
from lzctl.migrate.context import Context
from lzctl.migrate.organization import EXISTING_PROFILE, member

SESSION_SECONDS = 900
"""AssumeRoot's maximum (and default) session length (STS API Reference, AssumeRoot DurationSeconds)."""


def _adopted(ctx: Context, key: str) -> AccountSpec:
    adopted = ctx.adopted()
    for spec in adopted:
        if spec.key == key:
            return spec
    created = any(a.key == key for a in ctx.landing_zone.accounts)
    why = (
        f"{key} is an account the program creates, and Organizations creates accounts without root credentials"
        if created
        else f"there is no account {key} in the config"
    )
    raise MigrationError(
        f"{why}; only adopted accounts (existing_account_id) have root credentials to remove (adopted: {', '.join(a.key for a in adopted)}). "
        "Fix: pass one of those keys as --account."
    )


def _require_root_access(iam) -> None:
    enabled = set(iam.list_organizations_features().get("EnabledFeatures", []))
    missing = [f for f in names.ROOT_ACCESS_FEATURES if f not in enabled]
    if missing:
        raise MigrationError(
            f"centralised root access is not enabled in the organisation ({', '.join(missing)} missing). Fix: keep "
            "guardrails.root_access.enabled (the default) and deploy the management stack (`pulumi up --stack management`), "
            f"which enables trusted access for {names.ROOT_ACCESS_SERVICE} and both features, then run this again."
        )


def _login_profile(iam) -> Optional[dict]:
    try:
        return iam.get_login_profile()["LoginProfile"]
    except ClientError as err:
        if error_code(err) == "NoSuchEntity":
            return None
        raise


def _delete_virtual(iam, serial: str) -> str:
    """Deactivating leaves a virtual device (its serial is an ARN) in the account, listed by
    list-virtual-mfa-devices; delete it too. Whether the task policy IAMDeleteRootUserCredentials
    allows iam:DeleteVirtualMFADevice is not confirmed offline (public tools using it call it), so a
    refusal is reported, not raised: the device is deactivated either way."""
    if not serial.startswith("arn:"):
        return f"deactivated MFA device {serial}"
    try:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    except ClientError as err:
        if not is_denied(err):
            raise
        return f"deactivated MFA device {serial} (the virtual device remains: {error_code(err)} on DeleteVirtualMFADevice; delete it from the IAM console)"
    return f"deactivated and deleted virtual MFA device {serial}"


def _delete_access_key(iam, key: str) -> str:
    iam.delete_access_key(AccessKeyId=key)
    return f"deleted access key {key}"


def _delete_certificate(iam, certificate: str) -> str:
    iam.delete_signing_certificate(CertificateId=certificate)
    return f"deleted signing certificate {certificate}"


def _remove_mfa_device(iam, serial: str) -> str:
    iam.deactivate_mfa_device(SerialNumber=serial)
    return _delete_virtual(iam, serial)


LISTED_CREDENTIALS = (
    ("list_access_keys", "AccessKeyMetadata", "AccessKeyId", "no access keys", _delete_access_key),
    ("list_signing_certificates", "Certificates", "CertificateId", "no signing certificates", _delete_certificate),
    ("list_mfa_devices", "MFADevices", "SerialNumber", "no MFA devices", _remove_mfa_device),
)
"""The root user's credentials listed one by one, after its password, in the IAM User Guide's
order: (list operation, result key, id field, what is said when none is left, how one is removed)."""


def remove_credentials(iam) -> tuple[list[str], list[str]]:
    """(what was removed, what was already gone), in the IAM User Guide's order."""
    removed, gone = [], []
    if _login_profile(iam) is None:
        gone.append("no console password")
    else:
        iam.delete_login_profile()
        removed.append("deleted the console password")
    for operation, result, field, none, remove in LISTED_CREDENTIALS:
        found = [item[field] for item in pages(iam, operation, result)]
        removed += [remove(iam, item) for item in found]
        if not found:
            gone.append(none)
    return removed, gone


def remove_root_credentials(ctx: Context, args) -> int:
    spec = _adopted(ctx, args.account)
    account_id = spec.existing_account_id
    session = ctx.management(args.management_profile)
    if member(client(session, "organizations", ctx.region), account_id) is None:
        raise MigrationError(
            f"account {account_id} ({spec.key}) is not a member of the organisation yet, so no root session can be opened in it. Fix: "
            f"`{ctx.command('invite', '--account-id', account_id, '--management-profile', args.management_profile)}`, "
            f"then `{ctx.command('accept', '--profile', EXISTING_PROFILE)}`, then run this again."
        )
    _require_root_access(client(session, "iam", ctx.region))
    credentials = regional_sts(session, ctx.region).assume_root(
        TargetPrincipal=account_id, TaskPolicyArn={"arn": names.ROOT_TASK_DELETE_CREDENTIALS}, DurationSeconds=SESSION_SECONDS
    )["Credentials"]
    removed, gone = remove_credentials(client_with(session, "iam", ctx.region, credentials))
    for line in removed:
        print(f"{line} of the root user of {spec.key} ({account_id}).")
    if gone:
        print(f"{'already done' if not removed else 'already gone'}: {', '.join(gone)} for the root user of {spec.key} ({account_id}).")
    print(
        "the root user can no longer sign in; to use it again, allow password recovery for the account in the IAM console "
        "(Root access management) from the management account."
    )
    return 0
