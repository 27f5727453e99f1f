"""From what adopt read to a `landing-zone.yaml`: friendly keys, the config model's places, and what has none.

Pure: no AWS, no Pulumi. Keys come from AWS names (lowercase, runs of anything else as one `-`),
made unique by a numeric suffix in the order of (name, id), so the same organisation always gives
the same keys. Every existing thing is either written with its id (imported) or listed in
`Adoption.left_alone` with why the config model cannot hold it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from config.schema import Guardrails, PolicyTargets
from lzctl.adopt.control_tower import adopt_control_tower
from lzctl.adopt.read import IdentityCenter, Inventory, Member, OrgPolicy, User
from security.services import ORGANIZATION_DELEGATIONS

KEY_MAX = 32
"""config/types.py `Key`: 1-32 characters, a letter first."""
RESERVED_KEYS = ("root", "management", "audit", "log", "all")
"""Keys with a meaning of their own in target and scope lists (config/schema.py, config/model.py)."""
SECURITY_OU_NAME = "Security"
SUSPENDED_OU_NAME = "Suspended"
AUDIT_NAMES = ("audit",)
LOG_NAMES = ("log archive", "log-archive", "logarchive", "log")
"""Control Tower's default names of the shared accounts (Audit, Log Archive), matched case-insensitively."""
POLICY_DIR = "policies"
POLICY_SECTIONS = tuple(
    name for name, spec in Guardrails.model_fields.items() if isinstance(spec.annotation, type) and issubclass(spec.annotation, PolicyTargets)
)
"""The `guardrails` sections of the program's own policies, one per type (`{}` attaches none); the
optional backup policy is simply not written."""
TEMPLATE_EMAIL = "aws+{account}@example.com"
"""Only for accounts the program will create (audit or log when they do not exist): a placeholder
the offline plan warns about and a real `pulumi up` refuses, so nobody creates one by accident."""


def slug(name: str, fallback: str) -> str:
    """A config key from an AWS name: `Log Archive` -> `log-archive`, `123 Corp` -> `x-123-corp`."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not text:
        text = fallback
    if not text[0].isalpha():
        text = f"x-{text}"
    return text[:KEY_MAX].rstrip("-")


class Keys:
    """Unique keys within one namespace, suffixing `-2`, `-3`... on a clash."""

    def __init__(self, taken: Iterable[str] = ()):
        self.taken = set(taken)

    def claim(self, wanted: str) -> str:
        key, n = wanted, 1
        while key in self.taken:
            n += 1
            suffix = f"-{n}"
            key = wanted[: KEY_MAX - len(suffix)].rstrip("-") + suffix
        self.taken.add(key)
        return key


def application_key(account_name: str, environment: str, ou_name: str) -> str:
    """`shop-dev` in OU Dev -> `shop`: the account name without the environment's words."""
    words = slug(account_name, "account").split("-")
    drop = {environment, *slug(ou_name, environment).split("-")}
    kept = [w for w in words if w not in drop]
    return "-".join(kept) if kept and kept[0][0].isalpha() else slug(account_name, "account")


@dataclass
class Adoption:
    config: dict
    files: dict[str, str]
    """Path relative to the config dir -> text (the adopted policies' documents)."""
    left_alone: list[tuple[str, str]] = field(default_factory=list)
    """(what exists, why the config does not hold it): the program never touches these."""
    notes: list[str] = field(default_factory=list)
    """Choices adopt made that the reader should confirm."""


def _find(candidates: list[Member], names: tuple[str, ...]):
    return next((a for n in names for a in candidates if a.name.lower() == n), None)


def adopt(inventory: Inventory, home_region: str) -> Adoption:
    mgmt = inventory.management_account_id
    done = Adoption(config={}, files={})
    by_id = {u.id: u for u in inventory.units}

    # OUs: every one, with its parent; keys from names, parents first so keys are stable.
    ou_keys: dict[str, str] = {}
    keys = Keys(RESERVED_KEYS)
    depth = {}
    for unit in inventory.units:
        d, parent = 0, unit.parent_id
        while parent in by_id:
            d, parent = d + 1, by_id[parent].parent_id
        depth[unit.id] = d
    for unit in sorted(inventory.units, key=lambda u: (depth[u.id], u.name.lower(), u.id)):
        ou_keys[unit.id] = keys.claim(slug(unit.name, "ou"))
    units: dict[str, dict] = {}
    for unit in sorted(inventory.units, key=lambda u: (depth[u.id], u.name.lower(), u.id)):
        entry = {"name": unit.name}
        if unit.parent_id in ou_keys:
            entry["parent"] = ou_keys[unit.parent_id]
        entry["existing_id"] = unit.id
        units[ou_keys[unit.id]] = entry

    def top_level(name: str):
        return next((u for u in inventory.units if u.parent_id == inventory.root_id and u.name.lower() == name.lower()), None)

    # A landing zone names its shared accounts (manifest securityRoles.accountId, centralizedLogging.accountId) and
    # cannot change them: those are the audit and log accounts, and their OU the Security OU, whatever their names
    # (landing zones set up before 2021 call that OU "Core"). Without a landing zone, names decide.
    manifest = inventory.landing_zone.manifest if inventory.landing_zone else {}
    accounts_by_id = {a.id: a for a in inventory.accounts if a.status == "ACTIVE"}
    named = {
        key: accounts_by_id.get(str(manifest.get(part, {}).get("accountId", ""))) for key, part in (("audit", "securityRoles"), ("log", "centralizedLogging"))
    }
    parents = {a.parent_id for a in named.values() if a is not None}
    named_unit = by_id.get(parents.pop()) if len(parents) == 1 else None
    security_unit = named_unit if named_unit is not None and named_unit.parent_id == inventory.root_id else top_level(SECURITY_OU_NAME)
    suspended_unit = top_level(SUSPENDED_OU_NAME)
    if security_unit:
        security_key = ou_keys[security_unit.id]
    else:
        security_key = keys.claim("security")
        units[security_key] = {"name": SECURITY_OU_NAME}
    if suspended_unit:
        suspended_key = ou_keys[suspended_unit.id]
    else:
        suspended_key = keys.claim("suspended")
        units[suspended_key] = {"name": SUSPENDED_OU_NAME}

    members = sorted((a for a in inventory.accounts if a.id != mgmt), key=lambda a: (a.name.lower(), a.id))
    in_security = [a for a in members if security_unit and a.parent_id == security_unit.id and a.status == "ACTIVE"]
    shared = {key: named[key] if named[key] in in_security else _find(in_security, names) for key, names in (("audit", AUDIT_NAMES), ("log", LOG_NAMES))}
    security: dict = {"ou": security_key}
    needs_template = False
    account_keys: dict[str, str] = {mgmt: "management"}
    for key, default in (("audit", "Audit"), ("log", "Log Archive")):
        found = shared[key]
        if found:
            security[key] = {"name": found.name, "email": found.email, "existing_account_id": found.id, **_config_role(inventory, found.id)}
            account_keys[found.id] = key
        else:
            security[key] = {"name": default}
            needs_template = True

    environments: dict[str, dict] = {}
    applications: dict[str, dict] = {}
    app_keys = Keys(RESERVED_KEYS)
    unmanaged = 0  # still members, so they count against the account quota (AWS-ORG-ACCOUNT-QUOTA)
    for account in members:
        if account.id in account_keys:
            continue
        unit = by_id.get(account.parent_id)
        why = None
        if account.status != "ACTIVE":
            why = f"its state is {account.status} (closed or closing): nothing to manage"
        elif unit is None:
            why = "it sits at the root; the config places every member account in an OU (move it into one and adopt again)"
        elif unit is security_unit:
            why = "the Security OU holds only the audit and log accounts in the config model"
        elif unit is suspended_unit:
            why = "the config model holds suspended accounts as an application's environment; mark it by hand if it should be managed"
        if why:
            done.left_alone.append((f"account {account.name} ({account.id})", why))
            unmanaged += 1
            continue
        env = ou_keys[unit.id]
        environments.setdefault(env, {"ou": env})
        wanted = application_key(account.name, env, unit.name)[: KEY_MAX - len(env) - 1].rstrip("-")
        app = wanted if wanted in applications and env not in applications[wanted]["accounts"] else app_keys.claim(wanted)
        while f"{app}-{env}" in units:  # an account key must not name an OU too (a policy target would be ambiguous)
            app = app_keys.claim(wanted)
        application = applications.setdefault(app, {"environments": [], "accounts": {}})
        application["environments"].append(env)
        application["accounts"][env] = {"name": account.name, "email": account.email, "existing_account_id": account.id, **_config_role(inventory, account.id)}
        account_keys[account.id] = f"{app}-{env}"
    for env in sorted(environments):
        held = [
            f"{a['name']} ({a['existing_account_id']}) as `{app}.{env}`"
            for app, spec in sorted(applications.items())
            for e, a in spec["accounts"].items()
            if e == env
        ]
        done.notes.append(
            f"OU `{env}` became an environment and its accounts application environments: {', '.join(held)}. Each gets what the program "
            "builds for one (a provider, a monthly budget, AWS Config recording with Control Tower off, delivery roles with GitHub on). "
            "A shared-services, network or other account that is no application's: drop it from `applications` and wherever the "
            "config names it (policy `targets` and `existing_targets`, assignments), and add 1 to organization.unmanaged_accounts; "
            "the program then leaves it alone"
        )
    if not environments:
        workload = next((k for k in units if k not in (security_key, suspended_key)), None)
        if workload is None:
            workload = keys.claim("workloads")
            units[workload] = {"name": "Workloads"}
        environments[workload] = {"ou": workload}
        done.notes.append(f"no OU holds workload accounts; the config needs one environment, so `{workload}` is one (it has no accounts yet)")

    policies: dict[str, dict] = {}
    policy_keys = Keys()
    target_keys = {inventory.root_id: "root", **ou_keys, **account_keys}
    for policy in sorted(inventory.policies, key=lambda p: (p.type, p.name.lower(), p.id)):
        if policy.aws_managed:
            done.left_alone.append((f"{policy.type} {policy.name} ({policy.id})", "AWS manages it (it cannot be changed); its attachments stay as they are"))
            continue
        key = policy_keys.claim(slug(policy.name, "policy"))
        path = f"{POLICY_DIR}/{key}.json"
        done.files[path] = policy.content
        targets = [target_keys[t] for t in policy.target_ids if t in target_keys]
        for lost in (t for t in policy.target_ids if t not in target_keys):
            done.left_alone.append((f"attachment of {policy.name} ({policy.id}) to {lost}", "its target is an account the config does not hold (above)"))
        policies[key] = _policy_entry(policy, path, sorted(targets))

    organization = {
        "management_account_id": mgmt,
        "home_region": home_region,
        "governed_regions": [home_region],
        "organizational_units": units,
        "suspended_ou": suspended_key,
        "existing_organization_id": inventory.organization_id,
        "existing_root_id": inventory.root_id,
    }
    # Kept as they are: the program sets the whole lists, so whatever is enabled and not listed
    # would be disabled by the first `pulumi up` (a policy type with every policy of it detached).
    if inventory.trusted_services:
        organization["extra_trusted_services"] = sorted(inventory.trusted_services)
    if inventory.enabled_policy_types:
        organization["extra_policy_types"] = sorted(inventory.enabled_policy_types)
    if needs_template:
        organization["account_email_template"] = TEMPLATE_EMAIL
    if unmanaged:
        organization["unmanaged_accounts"] = unmanaged
    done.config = {
        "version": 1,
        "organization": organization,
        "security": security,
        "environments": environments,
        "applications": applications,
        "guardrails": {
            "control_tower": {"enabled": bool(inventory.landing_zones)},
            # Adopted as they are: no policy of the program's own on the first `pulumi up`, and
            # no organisation feature switched on by it (centralised root access).
            **{section: {"targets": {}} for section in POLICY_SECTIONS},
            "root_access": {"enabled": False},
            "adopted_policies": policies,
        },
    }
    done.notes.append(
        "the program's own policies (guardrails.scp, rcp, tag_policy, ...) and centralised root access are off, so the first "
        "`pulumi up` changes nothing it adopts; turn them on one at a time afterwards (docs/guardrails.md)"
    )
    if inventory.landing_zone is not None:
        adopt_control_tower(inventory.landing_zone, inventory.units, ou_keys, account_keys, home_region, done)
    audit = shared["audit"]
    existing = sorted(
        d.service_principal
        for d in inventory.delegations or ()
        if audit and d.account_id == audit.id and d.service_principal in ORGANIZATION_DELEGATIONS.values()
    )
    config_principal = ORGANIZATION_DELEGATIONS["config"]
    if inventory.landing_zones and config_principal in existing:
        # The config refuses it (config/adoption_checks.py): with Control Tower on the program creates no such delegation.
        existing.remove(config_principal)
        done.notes.append(
            f"security_services.existing_delegations leaves out {config_principal}: with Control Tower on the program creates no delegation "
            "of AWS Config (the landing zone registers it itself), so there is nothing to import; the delegation stays as it is"
        )
    if existing:
        # Imported, not registered again: RegisterDelegatedAdministrator refuses an account registered already.
        done.config["security_services"] = {"existing_delegations": existing}
    if inventory.identity_center is not None:
        done.config["identity_center"] = adopt_identity_center(inventory.identity_center, account_keys, applications, done)
    else:
        done.notes.append(f"Identity Center has no instance in {home_region} (or it could not be read): the config has no people, groups or permission sets")
    # ListAccounts returns SUSPENDED (closed within 90 days) accounts too, and they count against the quota.
    held = len(inventory.accounts)
    if held + needs_template * 2 > 10:
        done.config["guardrails"]["limits"] = {"accounts": held + (2 if needs_template else 0)}
        done.notes.append(
            f"guardrails.limits.accounts is {held} accounts plus the ones the program creates: the organisation holds that many "
            "already, so its quota is at least that; `lzctl doctor` checks the real quota"
        )
    return done


def _config_role(inventory: Inventory, account_id: str) -> dict:
    """Import AWS Config's service-linked role only where adopt read it (lzctl/adopt/member_reads.py)."""
    return {"existing_config_service_role": True} if account_id in inventory.config_service_roles else {}


def _policy_entry(policy: OrgPolicy, path: str, targets: list[str]) -> dict:
    entry = {"existing_id": policy.id, "type": policy.type, "name": policy.name}
    if policy.description:
        entry["description"] = policy.description
    return {**entry, "content": path, "targets": targets, "existing_targets": list(targets)}


def _targets(policy: OrgPolicy, target_keys: dict[str, str]) -> list[tuple[str, str]]:
    return [(target_keys[t], t) for t in policy.target_ids if t in target_keys]


AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"
PERMISSION_SET_DIR = "permission-sets"
PERMISSION_SET_NAME = re.compile(r"^[\w+=,.@-]{1,32}$")
SESSION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?$")


def _session_ok(duration: str) -> bool:
    """config/types.py SessionDuration: PT1H to PT12H in hours and minutes."""
    match = SESSION.match(duration)
    return bool(match and any(match.groups()) and 60 <= int(match.group(1) or 0) * 60 + int(match.group(2) or 0) <= 720)


def _primary_email(user: User) -> str:
    emails = user.emails
    return next((e["Value"] for e in emails if e.get("Primary")), emails[0]["Value"] if emails else "")


def _owned_by_idp(external_ids: list[dict]) -> str:
    issuers = ", ".join(sorted({e.get("Issuer", "") for e in external_ids}))
    return f"owned by your IdP (ExternalIds from {issuers}): it is provisioned by SCIM, and managing it here too would fight the sync"


def adopt_identity_center(center: IdentityCenter, account_keys: dict[str, str], applications: dict, done: Adoption) -> dict:
    """The `identity_center` section: what exists, with the ids the import needs; the rest in `done.left_alone`."""
    section: dict = {"existing_instance_arn": center.instance_arn, "existing_identity_store_id": center.identity_store_id}

    permission_sets: dict[str, dict] = {}
    for ps in sorted(center.permission_sets, key=lambda p: p.name):
        why = None
        if not PERMISSION_SET_NAME.match(ps.name):
            why = "its name is not one the config accepts"
        elif not ps.description:
            why = "it has no description, which the config requires (add one in AWS and adopt again)"
        elif not _session_ok(ps.session_duration):
            why = f"its session duration {ps.session_duration} is outside PT1H-PT12H in hours and minutes"
        elif len(ps.managed_policy_arns) > 20 or any(not a.startswith(AWS_MANAGED_PREFIX) for a in ps.managed_policy_arns):
            why = "its managed policies are not AWS managed policies the config can name"
        if why:
            done.left_alone.append((f"permission set {ps.name} ({ps.arn})", why))
            continue
        entry: dict = {"description": ps.description, "session_duration": ps.session_duration}
        if ps.managed_policy_arns:
            entry["managed_policies"] = sorted(a.removeprefix(AWS_MANAGED_PREFIX) for a in ps.managed_policy_arns)
        if ps.inline_policy:
            path = f"{PERMISSION_SET_DIR}/{ps.name}.json"
            done.files[path] = ps.inline_policy
            entry["inline_policy"] = path
        entry["existing_arn"] = ps.arn
        # What exists, apart from what the config wants: only these are imported, a later addition is created.
        if ps.managed_policy_arns:
            entry["existing_managed_policies"] = list(entry["managed_policies"])
        if ps.inline_policy:
            entry["existing_inline_policy"] = True
        permission_sets[ps.name] = entry
        for reference in ps.customer_managed:
            done.left_alone.append(
                (
                    f"customer managed policy {reference} of permission set {ps.name}",
                    "the config names AWS managed policies only; the attachment stays as it is",
                )
            )
        if ps.boundary:
            done.left_alone.append(
                (
                    f"permissions boundary {ps.boundary} of permission set {ps.name}",
                    "the config has no field for it; it is a resource of its own (ssoadmin.PermissionsBoundaryAttachment), which the "
                    "set's import does not touch, so it stays as it is",
                )
            )
        if ps.relay_state:
            done.notes.append(f"permission set {ps.name} has relay state {ps.relay_state}, which the config cannot set: the import shows it removed")

    people: dict[str, dict] = {}
    person_of: dict[str, str] = {}
    person_keys = Keys()
    for user in sorted(center.users, key=lambda u: (u.user_name.lower(), u.id)):
        if user.external_ids:
            done.left_alone.append((f"user {user.user_name} ({user.id})", _owned_by_idp(user.external_ids)))
            continue
        email = _primary_email(user)
        if not (user.given_name and user.family_name and email):
            done.left_alone.append((f"user {user.user_name} ({user.id})", "it lacks a given name, family name or e-mail, which the config requires"))
            continue
        key = person_keys.claim(slug(user.user_name.split("@")[0], "person"))
        entry = {"given_name": user.given_name, "family_name": user.family_name, "email": email}
        if user.user_name != email:
            entry["user_name"] = user.user_name
        if user.display_name != f"{user.given_name} {user.family_name}":
            entry["display_name"] = user.display_name
        entry["existing_id"] = user.id
        people[key] = entry
        person_of[user.id] = key

    groups: dict[str, dict] = {}
    group_of: dict[str, str] = {}
    group_keys = Keys()
    for group in sorted(center.groups, key=lambda g: (g.display_name.lower(), g.id)):
        if group.external_ids:
            done.left_alone.append((f"group {group.display_name} ({group.id})", f"{_owned_by_idp(group.external_ids)}; its memberships stay as they are"))
            continue
        key = group_keys.claim(slug(group.display_name, "group"))
        members = {person_of[u]: m for u, m in group.memberships.items() if u in person_of}
        entry: dict = {}
        if group.description:
            entry["description"] = group.description
        entry["members"] = sorted(members)
        if group.display_name != key:
            entry["display_name"] = group.display_name
        entry["existing_id"] = group.id
        if members:
            entry["existing_membership_ids"] = dict(sorted(members.items()))
        groups[key] = entry
        group_of[group.id] = key
        for user in (u for u in group.memberships if u not in person_of):
            done.left_alone.append((f"membership of user {user} in {group.display_name}", "the user is not adopted (above)"))

    section.update(people=people, groups=groups, permission_sets=permission_sets)
    section["assignments"] = _assignments(center, account_keys, applications, group_of, permission_sets, groups, done)
    return section


def _assignments(
    center: IdentityCenter, account_keys: dict[str, str], applications: dict, group_of: dict, permission_sets: dict, groups_section: dict, done: Adoption
) -> list[dict]:
    """Group x account x permission set as the config's scopes: one application's environment, management, security (both accounts)."""
    name_of = {ps.arn: ps.name for ps in center.permission_sets}
    principal = {**{u.id: f"user {u.user_name}" for u in center.users}, **{g.id: f"group {g.display_name}" for g in center.groups}}
    env_of = {f"{app}-{env}": (app, env) for app, spec in applications.items() for env in spec["accounts"]}
    found: dict[str, dict[tuple, set[str]]] = {}
    for assignment in center.assignments:
        who = principal.get(assignment.principal_id, f"{assignment.principal_type} {assignment.principal_id}")
        what = f"assignment of {name_of.get(assignment.permission_set_arn, assignment.permission_set_arn)} to {who} on {assignment.account_id}"
        account = account_keys.get(assignment.account_id)
        name = name_of.get(assignment.permission_set_arn)
        why = None
        if assignment.principal_type != "GROUP":
            why = "the config assigns permission sets to groups (direct user assignments only as dated migration access)"
        elif assignment.principal_id not in group_of:
            why = "its group is not adopted"
        elif name not in permission_sets:
            why = "its permission set is not adopted (above)"
        elif account is None:
            why = "its account is not adopted (above)"
        if why:
            done.left_alone.append((what, why))
            continue
        found.setdefault(group_of[assignment.principal_id], {}).setdefault(("account", account), set()).add(name)
    for group, scopes in found.items():
        # Only those the config holds (a lone audit or log one is left alone below).
        held = {a: n for (_, a), n in scopes.items() if a not in ("audit", "log")}
        held.update({a: scopes.get(("account", "audit"), set()) & scopes.get(("account", "log"), set()) for a in ("audit", "log")})
        existing = {a: sorted(n) for a, n in sorted(held.items()) if n}
        if existing:
            groups_section[group]["existing_assignments"] = existing
    entries = []
    for group, scopes in sorted(found.items()):
        audit, log = scopes.pop(("account", "audit"), set()), scopes.pop(("account", "log"), set())
        management = scopes.pop(("account", "management"), set())
        for lone, account in ((audit - log, "audit"), (log - audit, "log")):
            for name in sorted(lone):
                done.left_alone.append(
                    (f"assignment of {name} to group {group} on the {account} account alone", "the config's `security` scope covers both audit and log")
                )
        shared = {**({"management": _one_or_many(management)} if management else {}), **({"security": _one_or_many(audit & log)} if audit & log else {})}
        if shared:
            entries.append({"group": group, "permission_sets": shared})
        by_app: dict[str, dict[str, set[str]]] = {}
        for (_, account), names in scopes.items():
            app, env = env_of[account]
            by_app.setdefault(app, {})[env] = names
        for app, envs in sorted(by_app.items()):
            entries.append({"group": group, "applications": [app], "permission_sets": {env: _one_or_many(n) for env, n in sorted(envs.items())}})
    return entries


def _one_or_many(names: set[str]):
    ordered = sorted(names)
    return ordered[0] if len(ordered) == 1 else ordered
