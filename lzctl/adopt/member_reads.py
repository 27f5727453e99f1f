"""What adopt reads inside member accounts: whether AWS Config's service-linked role exists.

Only with no landing zone (the program then records with AWS Config itself and has the role in
every account, components/config_recording.py; with Control Tower on it creates none). The role
matters because IAM refuses to create it where it exists ("Service role name AWSServiceRoleForConfig
has been taken in this account", IAM API reference, CreateServiceLinkedRole), and an account that
ever used AWS Config keeps it after its recorder is deleted; an import of a role that does not exist
fails. So adopt records the import (`existing_config_service_role`) exactly where it read the role.

Each account the written config holds (audit, log, application environments) is read through the access role the written config's providers assume
(OrganizationAccountAccessRole, names.DEFAULT_ACCESS_ROLE), with the doctor's read-only session
policy (lzctl/doctor/aws.py): GetRole is the one call made there.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from lzctl.adopt.clients import client
from lzctl.adopt.read import ServiceRole
from lzctl.doctor.aws import CredentialsSession, ReadOnlySession, assume_read_only
from lzctl.migrate.aws import error_code, is_denied
from names import CONFIG_SERVICE_LINKED_ROLE, DEFAULT_ACCESS_ROLE


def config_service_roles(session: ReadOnlySession, account_ids: list[str], region: str, opened: CredentialsSession) -> tuple[dict[str, ServiceRole], list[str]]:
    """(account id -> its AWSServiceRoleForConfig, for each account that has it; `<IAM action>: <why>` of each
    account not read). GetRole answers the role's tags and description (IAM API reference, GetRole, Role), which
    the provider reads into the import's inputs (terraform-provider-aws iam/service_linked_role.go, Read)."""
    found, unreadable = {}, []
    for account_id in account_ids:
        assumed = assume_read_only(session, account_id, DEFAULT_ACCESS_ROLE, region, opened)
        if assumed is None:
            unreadable.append(
                f"sts:AssumeRole ({DEFAULT_ACCESS_ROLE} in {account_id}): AccessDenied, so {CONFIG_SERVICE_LINKED_ROLE.name} was not read there "
                "(the plan creates it; `lzctl doctor` checks it)"
            )
            continue
        try:
            role = client(assumed, "iam", region).get_role(RoleName=CONFIG_SERVICE_LINKED_ROLE.name)["Role"]
        except ClientError as err:
            if error_code(err) == "NoSuchEntity":
                continue
            if not is_denied(err):
                raise
            unreadable.append(f"iam:GetRole ({CONFIG_SERVICE_LINKED_ROLE.name} in {account_id}): {error_code(err)}")
            continue
        found[account_id] = ServiceRole({t["Key"]: t["Value"] for t in role.get("Tags", [])}, role.get("Description", ""))
    return found, unreadable
