"""Joining the organisation: `invite` (management side), `accept` (existing account), `place-account`.

`place-account` exists because Pulumi's import refuses a resource whose real state differs from the
program's inputs: before `pulumi up` can adopt the account, it must already sit in its configured OU
with the tags the program gives it, under the name and root e-mail the config states.
"""

from __future__ import annotations

from typing import Optional

from botocore.exceptions import ClientError

from config import AccountSpec, LandingZone
from lzctl.migrate.aws import MigrationError, client, error_code, organization_of, pages
from lzctl.migrate.context import Context, identity_mismatches

OPEN_STATES = ("OPEN", "REQUESTED")
EXISTING_PROFILE = "<profile of the existing account>"


def member(api, account_id: str) -> Optional[dict]:
    """The account as the organisation knows it, or None when it is not a member."""
    try:
        return api.describe_account(AccountId=account_id)["Account"]
    except ClientError as err:
        if error_code(err) == "AccountNotFoundException":
            return None
        raise


def sender(handshake: dict) -> str:
    """Management account that sent a handshake: its ARN is arn:aws:organizations::<sender>:handshake/..."""
    return handshake["Arn"].split(":")[4]


def is_for(handshake: dict, account_id: str) -> bool:
    return any(p["Type"] == "ACCOUNT" and p["Id"] == account_id for p in handshake.get("Parties", []))


def ou_path(landing_zone: LandingZone, ou: str) -> list[str]:
    """OU names from the root down to `ou`, as the organisation shows them."""
    units = landing_zone.organization.organizational_units
    names = []
    while ou is not None:
        names.insert(0, units[ou].name)
        ou = units[ou].parent
    return names


def ou_id(api, names: list[str]) -> Optional[str]:
    """Id of the OU at `names` under the root, or None while it does not exist."""
    parent = api.list_roots()["Roots"][0]["Id"]
    for name in names:
        found = [ou["Id"] for ou in pages(api, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent) if ou["Name"] == name]
        if not found:
            return None
        parent = found[0]
    return parent


def invite(ctx: Context, args) -> int:
    spec = ctx.adopted_by_id(args.account_id)
    account_id = spec.existing_account_id
    session = ctx.management(args.management_profile)
    api = client(session, "organizations", ctx.region)
    organization = organization_of(session, ctx.region)
    if organization is None:
        raise MigrationError(
            f"the management account {ctx.management_id} has no organisation yet, so it cannot invite {account_id}. "
            f"Fix: do step 1 first (the targeted `pulumi up` that `{ctx.command('runbook')}` prints), then run this again."
        )
    accept = ctx.command("accept", "--profile", EXISTING_PROFILE)
    known = member(api, account_id)
    if known is not None:
        print(f"already done: account {account_id} ({known['Name']}) is a member of {organization['Id']}.")
        print(f"next: {ctx.command('place-account', '--account-id', account_id, '--management-profile', args.management_profile)}")
        return 0
    waiting = [
        h
        for h in pages(api, "list_handshakes_for_organization", "Handshakes", Filter={"ActionType": "INVITE"})
        if h["State"] in OPEN_STATES and is_for(h, account_id)
    ]
    if waiting:
        print(f"already done: invitation {waiting[0]['Id']} to account {account_id} is open until {waiting[0]['ExpirationTimestamp']:%Y-%m-%d}.")
    else:
        handshake = api.invite_account_to_organization(
            Target={"Type": "ACCOUNT", "Id": account_id},
            Notes=f"Landing zone: {account_id} becomes {spec.key}.",
        )["Handshake"]
        print(
            f"invited account {account_id} ({spec.key}) to {organization['Id']}: invitation {handshake['Id']}, open until {handshake['ExpirationTimestamp']:%Y-%m-%d}."
        )
    print(f"next: accept it from the existing account: {accept}")
    return 0


def accept(ctx: Context, args) -> int:
    session, spec = ctx.existing(args.profile)
    account_id = spec.existing_account_id
    following = (
        f"{ctx.command('place-account', '--account-id', account_id, '--management-profile', '<management profile>')}, "
        f"then {ctx.command('prepare-account', '--profile', args.profile)}"
    )
    organization = ctx.require_not_elsewhere(session, spec)
    if organization is not None:
        print(f"already done: account {account_id} is a member of {organization['Id']} (management account {ctx.management_id}).")
        print(f"next: {following}")
        return 0
    api = client(session, "organizations", ctx.region)
    invitations = [h for h in pages(api, "list_handshakes_for_account", "Handshakes", Filter={"ActionType": "INVITE"}) if h["State"] in OPEN_STATES]
    ours = [h for h in invitations if sender(h) == ctx.management_id]
    if not ours:
        others = "; ".join(f"{h['Id']} from management account {sender(h)}" for h in invitations)
        refused = f" The open invitations come from other organisations ({others}); they are not accepted." if others else ""
        raise MigrationError(
            f"account {account_id} has no open invitation from the management account {ctx.management_id}.{refused} "
            f"Fix: send one with `{ctx.command('invite', '--account-id', account_id, '--management-profile', '<management profile>')}`, "
            "then run this again."
        )
    handshake = api.accept_handshake(HandshakeId=ours[0]["Id"])["Handshake"]
    print(f"accepted invitation {handshake['Id']}: account {account_id} joined the organisation of {ctx.management_id}.")
    print(f"next: {following}")
    return 0


def _check_identity(spec: AccountSpec, known: dict, source) -> None:
    """The import adopts the account as the config describes it; AWS's name and e-mail must already match."""
    wrong = identity_mismatches({"name": known["Name"], "email": known["Email"]}, {"name": spec.name, "email": spec.email})
    if wrong:
        fixes = "; ".join(f"set {field}: {actual!r} (the config gives {wanted!r})" for field, actual, wanted in wrong)
        raise MigrationError(
            f"account {spec.existing_account_id} is named {known['Name']!r} with root e-mail {known['Email']} in AWS, which the "
            f"config does not match, so `pulumi up` could not import it. Fix: under the {spec.key} account in {source}, {fixes}; then run this again."
        )


def place_account(ctx: Context, args) -> int:
    spec = ctx.adopted_by_id(args.account_id)
    account_id = spec.existing_account_id
    api = client(ctx.management(args.management_profile), "organizations", ctx.region)
    known = member(api, account_id)
    if known is None:
        raise MigrationError(
            f"account {account_id} is not a member of the organisation yet. Fix: "
            f"`{ctx.command('invite', '--account-id', account_id, '--management-profile', args.management_profile)}`, "
            f"then `{ctx.command('accept', '--profile', EXISTING_PROFILE)}`, then run this again."
        )
    _check_identity(spec, known, ctx.landing_zone.source)
    names = ou_path(ctx.landing_zone, spec.ou)
    target = ou_id(api, names)
    if target is None:
        raise MigrationError(
            f"OU {' / '.join(names)} does not exist yet. Fix: do step 1 (the targeted `pulumi up` that "
            f"`{ctx.command('runbook')}` prints, which creates the organisation and its OUs), then run this again."
        )
    current = api.list_parents(ChildId=account_id)["Parents"][0]["Id"]
    if current == target:
        print(f"already done: account {account_id} is in OU {' / '.join(names)} ({target}).")
    else:
        api.move_account(AccountId=account_id, SourceParentId=current, DestinationParentId=target)
        print(f"moved account {account_id} from {current} to OU {' / '.join(names)} ({target}).")
    tags = {t["Key"]: t["Value"] for t in pages(api, "list_tags_for_resource", "Tags", ResourceId=account_id)}
    missing = {k: v for k, v in spec.tags.items() if tags.get(k) != v}
    if missing:
        api.tag_resource(ResourceId=account_id, Tags=[{"Key": k, "Value": v} for k, v in sorted(missing.items())])
        print(f"tagged account {account_id}: {', '.join(f'{k}={v}' for k, v in sorted(missing.items()))}.")
    else:
        print(f"already done: account {account_id} has the tags the program gives it.")
    extra = sorted(set(tags) - set(spec.tags))
    if extra:
        print(
            f"note: the account also has tags the program does not set ({', '.join(extra)}); the import would remove them, "
            f"so keep them in mind when `pulumi preview` shows a diff (`aws organizations untag-resource --resource-id {account_id} --tag-keys {' '.join(extra)}`)."
        )
    print(
        f"next: {ctx.command('prepare-account', '--profile', EXISTING_PROFILE)} if not done, then "
        f"{ctx.command('preflight', '--profile', EXISTING_PROFILE)}, then `pulumi preview` shows {spec.key} as an import."
    )
    return 0
