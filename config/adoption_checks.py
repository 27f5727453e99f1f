"""Validation phase 2 for what `lzctl adopt` writes: existing ids, import ids, the policies kept as they are.

An import only succeeds when the program's inputs equal what exists (Pulumi, "Importing resources":
the import fails when the inputs do not match), so the ids must be consistent with each other and
an adopted policy's document is read verbatim, byte for byte, from its file.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Callable, Optional

from config.guardrail_checks import check_partition
from config.issues import path_of
from config.model import AccountSpec, AdoptedAttachment, AdoptedPolicySpec, AssignmentSpec, IdentityCenterImports, attachment_key, membership_key
from config.schema import SCOPE_MANAGEMENT, SCP_ROOT, LandingZoneConfig
from names import managed_policy_arn
from security.services import ORGANIZATION_DELEGATIONS

Fail = Callable[..., None]


def target_ids(cfg: LandingZoneConfig, accounts: list[AccountSpec]) -> dict[str, Optional[str]]:
    """Every attachable target key -> its id in AWS when it exists already, else None."""
    org = cfg.organization
    return {
        SCP_ROOT: org.existing_root_id,
        **{key: ou.existing_id for key, ou in org.organizational_units.items()},
        SCOPE_MANAGEMENT: org.management_account_id,
        **{a.key: a.existing_account_id for a in accounts},
    }


def check_existing_ids(cfg: LandingZoneConfig, fail: Fail) -> None:
    org = cfg.organization
    if org.existing_root_id and not org.existing_organization_id:
        fail(
            "organization.existing_root_id",
            "a root id without the organisation it belongs to",
            org.existing_root_id,
            "set organization.existing_organization_id too",
        )
    adopted = [(key, ou) for key, ou in org.organizational_units.items() if ou.existing_id]
    if adopted and not org.existing_organization_id:
        fail(
            path_of("organization.organizational_units", adopted[0][0], "existing_id"),
            "existing OUs can only be adopted with the organisation they belong to",
            adopted[0][1].existing_id,
            "set organization.existing_organization_id (lzctl adopt writes both)",
        )
    twice = Counter(ou.existing_id for _, ou in adopted)
    for key, ou in adopted:
        if twice[ou.existing_id] > 1:
            fail(path_of("organization.organizational_units", key, "existing_id"), "OU id adopted twice", ou.existing_id)
    delegations = cfg.security_services.existing_delegations
    if delegations and not cfg.security.audit.existing_account_id:
        fail(
            "security_services.existing_delegations",
            "only an adopted audit account can be a delegated administrator already",
            delegations,
            "set security.audit.existing_account_id, or remove the list (lzctl adopt writes both)",
        )
    for principal, n in Counter(delegations).items():
        if n > 1:
            fail("security_services.existing_delegations", "service principal listed twice", principal)
    config_principal = ORGANIZATION_DELEGATIONS["config"]
    if cfg.guardrails.control_tower.enabled and config_principal in delegations:
        # The program creates this delegation only with Control Tower off (LandingZone.control_tower_config_integration,
        # components/security_delegation.py): the landing zone's AWS Config integration registers the Config
        # administrator itself (security/services.py, CONFIG_DELEGATIONS: Control Tower user guide, config.html), so the
        # entry names no import, like any existing_* entry the config no longer holds.
        fail(
            "security_services.existing_delegations",
            "with Control Tower on the program creates no delegation of AWS Config to import (the landing zone registers it itself)",
            config_principal,
            "remove it from the list (lzctl adopt leaves it out); the delegation stays as it is",
        )


def adopted_policies(cfg: LandingZoneConfig, config_dir: Path, accounts: list[AccountSpec], fail: Fail) -> tuple[AdoptedPolicySpec, ...]:
    """The adopted policies as records, every problem reported through `fail`."""
    known = target_ids(cfg, accounts)
    # A key naming both an OU and an account would attach to whichever the lookup happened to keep.
    ambiguous = set(cfg.organization.organizational_units) & {SCOPE_MANAGEMENT, *(a.key for a in accounts)}
    twice = Counter(p.existing_id for p in cfg.guardrails.adopted_policies.values())
    specs = []
    for key, policy in cfg.guardrails.adopted_policies.items():
        path = path_of("guardrails.adopted_policies", key)
        if twice[policy.existing_id] > 1:
            fail(path_of(path, "existing_id"), "policy id adopted twice", policy.existing_id)
        if not cfg.organization.existing_organization_id:
            fail(path, "policies can only be adopted with the organisation they belong to", policy.existing_id, "set organization.existing_organization_id")
        try:
            # Verbatim: the provider compares the document as JSON, but nothing here reformats it.
            content = (config_dir / policy.content).read_text(encoding="utf-8")
        except FileNotFoundError:
            fail(path_of(path, "content"), "policy file not found", policy.content, f"paths are relative to {config_dir}")
            continue
        except OSError as err:
            fail(path_of(path, "content"), f"policy file cannot be read: {err.strerror}", policy.content)
            continue
        attachments = []
        for index, target in enumerate(policy.targets):
            if target not in known:
                fail(f"{path}.targets[{index}]", "unknown target", target, f"use `root`, `{SCOPE_MANAGEMENT}`, an OU key or an account key")
                continue
            if target in ambiguous:
                fail(f"{path}.targets[{index}]", "the key names both an OU and an account", target, "rename the OU key")
                continue
            target_id = known[target]
            # Only an attachment adopt read exists: a target added later is attached, not imported.
            existed = target_id and target in policy.existing_targets
            attachments.append(AdoptedAttachment(target, f"{target_id}:{policy.existing_id}" if existed else None))
        for target, count in Counter(policy.targets).items():
            if count > 1:
                fail(path_of(path, "targets"), "target listed twice", target)
        for index, target in enumerate(policy.existing_targets):
            if target not in policy.targets:
                fail(f"{path}.existing_targets[{index}]", "an existing attachment to a target not among targets", target, "add it to targets or drop it here")
        specs.append(AdoptedPolicySpec(key, policy.existing_id, policy.type, policy.name, policy.description, content, tuple(attachments)))
    return tuple(specs)


def identity_center_imports(cfg: LandingZoneConfig, accounts: list[AccountSpec], assignments: list[AssignmentSpec], fail: Fail) -> IdentityCenterImports:
    """The import id of every Identity Center resource whose existing ids the config names.

    A membership, policy attachment, inline policy or assignment is imported only when the config
    records that it existed (`existing_*`, written by adopt from what it read) and everything it
    joins exists; anything added later is created (importing an id that does not exist fails).
    """
    ic = cfg.identity_center
    instance, store = ic.existing_instance_arn, ic.existing_identity_store_id
    named = [path_of("identity_center.people", k, "existing_id") for k, p in ic.people.items() if p.existing_id]
    named += [path_of("identity_center.groups", k, "existing_id") for k, g in ic.groups.items() if g.existing_id or g.existing_membership_ids]
    named += [path_of("identity_center.permission_sets", k, "existing_arn") for k, p in ic.permission_sets.items() if p.existing_arn]
    if named and not (instance and store):
        fail(
            named[0],
            "adopted Identity Center resources need the instance they belong to",
            None,
            "set identity_center.existing_instance_arn and existing_identity_store_id",
        )
        return IdentityCenterImports()
    # The shapes take any partition, as the sso-admin model's InstanceArn and PermissionSetArn do; the program's are aws's.
    hint = "give the ARN ListInstances or ListPermissionSets returns in the management account, as lzctl adopt writes it"
    if instance:
        check_partition("identity_center.existing_instance_arn", instance, "an Identity Center instance", hint, fail)
    for name, permission_set in ic.permission_sets.items():
        if permission_set.existing_arn:
            path = path_of("identity_center.permission_sets", name, "existing_arn")
            check_partition(path, permission_set.existing_arn, "a permission set", hint, fail)
            # arn:...:permissionSet/<instance id>/ps-...: the import id pairs it with the instance ARN, which must be its own.
            own = permission_set.existing_arn.split("/")[1]
            if instance and own != instance.split("/")[1]:
                fail(path, f"a permission set of instance {own}, but identity_center.existing_instance_arn is {instance}", permission_set.existing_arn, hint)
    for key, group in ic.groups.items():
        for person in group.existing_membership_ids:
            if person not in group.members:
                fail(
                    path_of("identity_center.groups", key, "existing_membership_ids", person),
                    "a membership of someone not among the group's members",
                    person,
                    "add them to members",
                )
    for name, permission_set in ic.permission_sets.items():
        path = path_of("identity_center.permission_sets", name)
        for index, policy in enumerate(permission_set.existing_managed_policies):
            if policy not in permission_set.managed_policies:
                fail(
                    f"{path}.existing_managed_policies[{index}]",
                    "an existing attachment of a policy not among managed_policies",
                    policy,
                    "add it to managed_policies or drop it here",
                )
        if permission_set.existing_inline_policy and permission_set.inline_policy is None:
            fail(path_of(path, "existing_inline_policy"), "an existing inline policy the config does not name", True, "set inline_policy or drop this")
    wanted = {(a.group, a.account, a.permission_set) for a in assignments}
    for key, group in ic.groups.items():
        for account, names in group.existing_assignments.items():
            for name in names:
                if (key, account, name) not in wanted:
                    fail(
                        path_of("identity_center.groups", key, "existing_assignments", account),
                        "an existing assignment identity_center.assignments does not make",
                        name,
                        "assign it or drop it here",
                    )
    users = {key: p.existing_id for key, p in ic.people.items() if p.existing_id}
    groups = {key: g.existing_id for key, g in ic.groups.items() if g.existing_id}
    sets = {name: p.existing_arn for name, p in ic.permission_sets.items() if p.existing_arn}
    account_ids = {SCOPE_MANAGEMENT: cfg.organization.management_account_id, **{a.key: a.existing_account_id for a in accounts if a.existing_account_id}}
    memberships = {
        membership_key(key, person): f"{store}/{membership}"
        for key, group in ic.groups.items()
        for person, membership in group.existing_membership_ids.items()
        if key in groups and person in users
    }
    managed = {
        attachment_key(name, policy): f"{managed_policy_arn(policy)},{sets[name]},{instance}"
        for name, permission_set in ic.permission_sets.items()
        if name in sets
        for policy in permission_set.managed_policies
        if policy in permission_set.existing_managed_policies
    }
    assigned = {
        a.key: f"{groups[a.group]},GROUP,{account_ids[a.account]},AWS_ACCOUNT,{sets[a.permission_set]},{instance}"
        for a in assignments
        if a.group in groups
        and a.account in account_ids
        and a.permission_set in sets
        and a.permission_set in ic.groups[a.group].existing_assignments.get(a.account, ())
    }
    return IdentityCenterImports(
        users={key: f"{store}/{user}" for key, user in users.items()},
        groups={key: f"{store}/{group}" for key, group in groups.items()},
        memberships=memberships,
        permission_sets={name: f"{arn},{instance}" for name, arn in sets.items()},
        # The inline policy's import id is its permission set's.
        inline_policies={name: f"{arn},{instance}" for name, arn in sets.items() if ic.permission_sets[name].existing_inline_policy},
        managed_policies=managed,
        assignments=assigned,
    )
