"""`prepare-account`: the role an invited account lacks, so the management account can reach it.

Organizations creates the access role only in accounts it creates; an invited account needs it
made by hand, trusting the management account and holding AdministratorAccess, as AWS documents.
With Control Tower on, a workload account's access role is `AWSControlTowerExecution`
(config/model.py `access_role_name`), the role AWS documents for enrolling invited accounts: the one
role made here serves both. An audit or log account gets `organization.access_role_name`: Control
Tower creates its own role in those at set-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from botocore.exceptions import ClientError

from iam import account_trust, minify
from lzctl.migrate.aws import MigrationError, client, error_code, pages, policy_document
from lzctl.migrate.context import Context
from names import ADMINISTRATOR_ACCESS, CONTROL_TOWER_EXECUTION_ROLE, MANAGED_BY_TAG, account_root

MISSING = "missing"
READY = "ready"
FOREIGN_TRUST = "foreign trust"
NO_ADMIN = "without AdministratorAccess"


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def trusted_principals(document: dict) -> list[str]:
    """Every principal a trust policy lets assume the role, conditions aside, for reports."""
    principals = []
    for statement in _listed(document.get("Statement", [])):
        principal = statement.get("Principal")
        if isinstance(principal, dict):
            principals += [f"{kind} {value}" for kind, values in principal.items() for value in _listed(values)]
        elif principal is not None:
            principals.append(str(principal))
    return principals


def trusts_only(document: dict, account_id: str) -> bool:
    """True when the trust policy lets only `account_id` (its root) assume the role, unconditionally."""
    statements = _listed(document.get("Statement", []))
    accepted = {account_root(account_id), account_id}
    return bool(statements) and all(
        s.get("Effect") == "Allow"
        and _listed(s.get("Action")) == ["sts:AssumeRole"]
        and isinstance(s.get("Principal"), dict)
        and set(s["Principal"]) == {"AWS"}
        and set(_listed(s["Principal"]["AWS"])) <= accepted
        and not (set(s) - {"Sid", "Effect", "Action", "Principal"})
        for s in statements
    )


@dataclass(frozen=True)
class RoleState:
    name: str
    state: str
    trust: Optional[dict] = None


def role_state(iam, name: str, management_id: str) -> RoleState:
    try:
        role = iam.get_role(RoleName=name)["Role"]
    except ClientError as err:
        if error_code(err) == "NoSuchEntity":
            return RoleState(name, MISSING)
        raise
    trust = policy_document(role["AssumeRolePolicyDocument"])
    if not trusts_only(trust, management_id):
        return RoleState(name, FOREIGN_TRUST, trust)
    attached = {p["PolicyArn"] for p in pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)}
    return RoleState(name, READY if ADMINISTRATOR_ACCESS in attached else NO_ADMIN, trust)


def trust_json(management_id: str) -> str:
    return minify(account_trust(management_id))


def foreign_trust_fix(state: RoleState, management_id: str, profile: str) -> str:
    return (
        f"role {state.name} exists but trusts {', '.join(trusted_principals(state.trust)) or 'nobody'}, not only the management "
        f"account {management_id}; it is not overwritten, since something else may rely on it. Fix: if the role is yours to "
        f"change, `aws iam update-assume-role-policy --role-name {state.name} --policy-document '{trust_json(management_id)}' "
        f"--profile {profile}`, or choose another organization.access_role_name"
    )


def execution_role_note(ctx: Context, access_role: str, state: RoleState) -> str:
    if not ctx.control_tower:
        return f"{CONTROL_TOWER_EXECUTION_ROLE.name}: not needed (guardrails.control_tower.enabled is false)."
    if access_role != CONTROL_TOWER_EXECUTION_ROLE.name:
        return f"{CONTROL_TOWER_EXECUTION_ROLE.name}: Control Tower creates it in the audit and log accounts at set-up ({state.state})."
    return f"{CONTROL_TOWER_EXECUTION_ROLE.name} is the access role with Control Tower on: Control Tower enrols the account through it ({state.state})."


def prepare_account(ctx: Context, args) -> int:
    session, spec = ctx.existing(args.profile)
    ctx.require_not_elsewhere(session, spec)
    iam = client(session, "iam", ctx.region)
    name = ctx.access_role(spec)
    state = role_state(iam, name, ctx.management_id)
    if state.state == FOREIGN_TRUST:
        raise MigrationError(f"in account {spec.existing_account_id}, {foreign_trust_fix(state, ctx.management_id, args.profile)}; then run this again.")
    if state.state == MISSING:
        iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=trust_json(ctx.management_id),
            Description="The landing zone's management account administers this account through this role.",
            Tags=[{"Key": key, "Value": value} for key, value in MANAGED_BY_TAG.items()],
        )
        print(f"created role {name} in account {spec.existing_account_id}, trusting only {account_root(ctx.management_id)}.")
    if state.state in (MISSING, NO_ADMIN):
        # A run cut short between the two calls leaves the role without its policy; this completes it.
        iam.attach_role_policy(RoleName=name, PolicyArn=ADMINISTRATOR_ACCESS)
        print(f"attached AdministratorAccess to {name}.")
    else:
        print(f"already done: role {name} exists, trusts only the management account and has AdministratorAccess.")
    print(execution_role_note(ctx, name, role_state(iam, CONTROL_TOWER_EXECUTION_ROLE.name, ctx.management_id)))
    print(f"next: {ctx.command('preflight', '--profile', args.profile)}")
    return 0
