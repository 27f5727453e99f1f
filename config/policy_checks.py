"""Validation phase 2 for the Organizations policies: each type's targets, templates, values and limits.

Every type (guardrails/policy_types.py) is handled the same way: `guardrails.<type>.targets` (or
the type's defaults) names templates per target; they are filled with the values below, packed
within the type's size limit and counted against its per-target slots, before any resource is
registered. A template that needs a section the config lacks (the GitHub tenant RCP without
`github`) is refused naming it.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Mapping, Optional, Sequence

import names
from config.files import FileProblem, inside, read_text
from config.issues import path_of
from config.model import AccountSpec, BackupSpec
from config.schema import SCP_ROOT, LandingZoneConfig
from delivery.policies import GITHUB_OIDC_HOST, PULUMI_OIDC_HOST
from guardrails import perimeter, policies
from guardrails.controls import STRICT_ENVIRONMENT
from guardrails.iam_matching import PolicyError
from guardrails.policies import GITHUB_LOGIN_SLOT, GITHUB_OWNER_SLOT, ORGANIZATION_SLOT, PolicyDocument, TemplateError, Unavailable
from guardrails.policy_types import POLICY_TYPES, RCP, SCP, STATEMENTS, PolicyType, template_names
from guardrails.scp import ScpParameters
from guardrails.simulator import parse_statement
from guardrails.tag_policy import required_tags

Fail = Callable[..., None]
CONTROL_TOWER_SLOT = "Control Tower's guardrail SCP"
BACKUP_SCPS = ("protect-backups", "protect-backup-role")
"""SCPs on the backup policy's targets by default (guardrails/templates/scp/SOURCE.md)."""


def _suggest(value: str, known) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return f"did you mean {close[0]}?" if close else f"known: {', '.join(sorted(known))}"


def default_targets(cfg: LandingZoneConfig) -> dict[str, dict[str, list[str]]]:
    """Type key -> target -> templates, where the config names none (docs/guardrails.md)."""
    guardrails = cfg.guardrails
    rcps = ["enforce-org-identities", "enforce-confused-deputy-protection", "enforce-secure-transport"]
    if github_of(cfg) is not None:
        rcps.append("enforce-github-tenant")
    if cfg.deployments is not None and cfg.deployments.enabled:
        rcps.append("enforce-pulumi-tenant")
    prod = cfg.environments.get(STRICT_ENVIRONMENT)
    backup = {prod.ou: ["daily"]} if guardrails.backup_policy is not None and prod is not None else {}
    scps = {
        SCP_ROOT: ["deny-leaving-organization", "deny-root-user", "deny-iam-users", "protect-security-services", "deny-ungoverned-regions"],
        cfg.security.ou: ["protect-log-buckets"],
        cfg.organization.suspended_ou: ["deny-all"],
    }
    # Where the backups are, only the landing zone's roles may delete them or loosen the vault and the role that makes them.
    backup_targets = backup if guardrails.backup_policy is None or guardrails.backup_policy.targets is None else guardrails.backup_policy.targets
    for target in backup_targets:
        scps[target] = [*scps.get(target, []), *BACKUP_SCPS]
    return {
        SCP.key: scps,
        RCP.key: {SCP_ROOT: rcps},
        "tag_policy": {"member": ["required-tags"]},
        "declarative_ec2": {SCP_ROOT: ["instance-metadata-v2", "block-public-sharing", "serial-console-off"]},
        "s3_policy": {SCP_ROOT: ["block-public-access"]},
        "ai_opt_out": {SCP_ROOT: ["opt-out-all"]},
        "backup_policy": backup,
    }


def github_of(cfg: LandingZoneConfig):
    return cfg.github if cfg.github is not None and cfg.github.enabled else None


def backup_values(cfg: LandingZoneConfig) -> dict[str, object]:
    settings = cfg.guardrails.backup_policy
    if settings is None:
        return dict.fromkeys(
            ("BACKUP_PLAN", "BACKUP_REGIONS", "BACKUP_SCHEDULE", "BACKUP_VAULT", "BACKUP_RETENTION_DAYS", "BACKUP_COLD_STORAGE_AFTER_DAYS")
            + ("BACKUP_ROLE_ARN", "BACKUP_TAG_KEY", "BACKUP_TAG_VALUES"),
            Unavailable("guardrails.backup_policy (its schedule, retention and the vault and role it creates)"),
        )
    cold = settings.cold_storage_after_days
    return {
        "BACKUP_PLAN": names.BACKUP_PLAN,
        "BACKUP_REGIONS": list(backup_regions(cfg)),
        "BACKUP_SCHEDULE": settings.schedule,
        "BACKUP_VAULT": names.BACKUP_VAULT,
        # The syntax page's examples give every number as a string.
        "BACKUP_RETENTION_DAYS": str(settings.retention_days),
        "BACKUP_COLD_STORAGE_AFTER_DAYS": None if cold is None else str(cold),
        # `$account` is the backup policy's own variable: each account's id where the plan runs.
        "BACKUP_ROLE_ARN": names.BACKUP_ROLE.arn("$account"),
        "BACKUP_TAG_KEY": settings.tag_key,
        "BACKUP_TAG_VALUES": list(settings.tag_values),
    }


def backup_regions(cfg: LandingZoneConfig) -> tuple[str, ...]:
    settings = cfg.guardrails.backup_policy
    return tuple(settings.regions) if settings is not None and settings.regions else (cfg.organization.home_region,)


def template_values(cfg: LandingZoneConfig, scp_parameters: ScpParameters) -> dict[str, object]:
    """What every type's templates are filled with (guardrails/templates/<type>/SOURCE.md names each)."""
    github = github_of(cfg)
    deployments = cfg.deployments if cfg.deployments is not None and cfg.deployments.enabled else None
    trusted = list(cfg.guardrails.rcp.trusted_accounts)
    return {
        **scp_parameters.values(),
        "ORGANIZATION_ID": ORGANIZATION_SLOT,
        "TRUSTED_ACCOUNTS": trusted or None,
        "GITHUB_SUBJECT_KEY": f"{GITHUB_OIDC_HOST}:sub",
        # Both from the organisation lookup at deploy: the owner's login as GitHub spells it, not github.owner's spelling.
        "GITHUB_SUBJECTS": list(perimeter.github_subjects(GITHUB_LOGIN_SLOT, GITHUB_OWNER_SLOT)) if github else Unavailable("the github section (its owner)"),
        "PULUMI_SUBJECT_KEY": f"{PULUMI_OIDC_HOST}:sub",
        "PULUMI_SUBJECTS": list(perimeter.pulumi_subjects(deployments.organization)) if deployments else Unavailable("the deployments section"),
        "REQUIRED_TAGS": required_tags(cfg.guardrails.tag_policy.required_tags, cfg.guardrails.tag_policy.resource_types),
        **backup_values(cfg),
    }


def reserved_slots(policy_type: PolicyType, target: str, governed: set[str]) -> list[str]:
    """What else takes a slot of the target: the type's AWS managed default, and on an OU Control
    Tower governs its own guardrail SCP."""
    reserved = [policy_type.default_policy] if policy_type.default_policy else []
    if policy_type is SCP and target in governed:
        reserved.append(CONTROL_TOWER_SLOT)
    return reserved


POLICY_TEMPLATES = "policy-templates"
"""The config folder's own templates: `policy-templates/<type>/<name>.json` adds a template or
replaces the shipped one of that name (guardrails/templates/<type>/)."""


def template_overrides(folder: Optional[Path], policy_type: PolicyType, wanted: Iterable[str], fail: Fail) -> dict[str, str]:
    """Template name -> text, of the config folder's own templates of `policy_type` among `wanted`
    (the names the targets give). Looked up by name, never listed: what the folder holds besides
    is not read, so the work is bounded by the config, and each file by read_text's cap."""
    if folder is None:
        return {}
    found = {}
    for name in dict.fromkeys(wanted):
        relative = f"{POLICY_TEMPLATES}/{policy_type.key}/{name}.json"
        if not os.path.lexists(folder / relative):
            continue
        try:
            found[name] = read_text(inside(folder, relative))
        except FileProblem as err:
            fail(f"guardrails.{policy_type.key}", f"{relative}: {err.message}", None, err.hint or f"keep policy templates as regular files inside {folder}")
    return found


def malformed_statements(policy_type: PolicyType, overrides: Mapping[str, str], values: Mapping[str, object]) -> dict[str, str]:
    """Template name -> why its statement is malformed, of the config folder's own templates of a
    statements type (a template is one statement: guardrails/templates/scp/SOURCE.md). Organizations
    refuses a malformed document (MalformedPolicyDocumentException, Organizations API reference,
    CreatePolicy; the SCP and RCP syntax pages give the statement's elements), and the plan's rules
    parse every statement with the same parser; the shipped templates are tested."""
    refused = {}
    for name, text in overrides.items():
        try:
            statement = policies.render(policy_type, name, values, text)
        except TemplateError:
            continue  # pack reports it, for each target that names the template
        try:
            parse_statement(statement, f"{POLICY_TEMPLATES}/{policy_type.key}/{name}.json")
        except PolicyError as err:
            refused[name] = str(err)
    return refused


FOLDER_LISTING_CAP = 1000
"""Entries of the folder's policy-templates/ looked at for the warnings below: the listing is
only advice, so a folder of many files costs a bounded look, never a read."""


def unused_templates(folder: Optional[Path], used: Mapping[str, set[str]]) -> list[str]:
    """Warnings for what the folder's policy-templates/ holds that no target takes (`used`: type key
    -> template names the targets give): a misspelt file would otherwise leave the shipped template
    in force with nobody told."""
    base = folder / POLICY_TEMPLATES if folder is not None else None
    if base is None or not base.is_dir() or base.is_symlink():
        return []
    warnings: list[str] = []
    for kind in _listed(base, POLICY_TEMPLATES, warnings):
        if kind not in used:
            warnings.append(f"{POLICY_TEMPLATES}/{kind}: not a policy type ({', '.join(sorted(used))}), so nothing in it is used")
            continue
        if not (base / kind).is_dir() or (base / kind).is_symlink():
            continue
        names = _listed(base / kind, f"{POLICY_TEMPLATES}/{kind}", warnings)
        warnings += [
            f"{POLICY_TEMPLATES}/{kind}/{name}: no guardrails.{kind} target names {name.removesuffix('.json')}, so it is not used"
            for name in names
            if name.removesuffix(".json") not in used[kind]
        ]
    return warnings


def _listed(folder: Path, relative: str, warnings: list[str]) -> list[str]:
    """At most FOLDER_LISTING_CAP entry names of `folder`, sorted; a folder holding more is told
    (which ones are looked at is then the file system's order), never silently cut."""
    # Closed when cut short, not at its deallocation (a ResourceWarning: "unclosed scandir iterator").
    with os.scandir(folder) as entries:
        names = list(islice((entry.name for entry in entries), FOLDER_LISTING_CAP + 1))
    if len(names) > FOLDER_LISTING_CAP:
        warnings.append(f"{relative}: more than {FOLDER_LISTING_CAP:,} entries, so only {FOLDER_LISTING_CAP:,} were looked at for unused templates")
    return sorted(names[:FOLDER_LISTING_CAP])


def check_policies(
    cfg: LandingZoneConfig,
    values: Mapping[str, object],
    governed: set[str],
    known_account_ids: Mapping[str, str],
    fail: Fail,
    folder: Optional[Path] = None,
    warn: Callable[[str], None] = lambda message: None,
) -> tuple[PolicyDocument, ...]:
    """Every type's documents, packed and within limits; each problem reported through `fail`.
    `folder`: the config folder, whose policy-templates/ add to and override the shipped templates;
    what it holds that no target takes is reported through `warn`."""
    ous = cfg.organization.organizational_units
    limits = cfg.guardrails.limits
    defaults = default_targets(cfg)
    documents: list[PolicyDocument] = []
    used: dict[str, set[str]] = {}
    for policy_type in POLICY_TYPES.values():
        settings = getattr(cfg.guardrails, policy_type.key)
        configured = settings.targets if settings is not None else None
        targets = configured if configured is not None else defaults[policy_type.key]
        used[policy_type.key] = {name for chosen in targets.values() for name in chosen}
        max_chars, per_target = getattr(limits, policy_type.max_chars_field), getattr(limits, policy_type.per_target_field)
        overrides = template_overrides(folder, policy_type, (name for chosen in targets.values() for name in chosen), fail)
        known = set(template_names(policy_type)) | set(overrides)
        malformed = malformed_statements(policy_type, overrides, values) if policy_type.kind == STATEMENTS else {}
        for target, chosen in targets.items():
            path = path_of(f"guardrails.{policy_type.key}.targets", target)
            if target != SCP_ROOT and target not in ous:
                fail(path, f"no such {policy_type.label} target", target, f"use root or an OU key ({', '.join(ous)})")
                continue
            unknown = [name for name in chosen if name not in known]
            for name in unknown:
                fail(
                    path,
                    f"no such {policy_type.label} template",
                    name,
                    _suggest(name, known)
                    + f" (guardrails/templates/{policy_type.key}/<name>.json, or {POLICY_TEMPLATES}/{policy_type.key}/<name>.json in the config folder)",
                )
            for name in chosen:
                if name in malformed:
                    fail(
                        path,
                        malformed[name],
                        name,
                        f"a template is one statement, a JSON object with Effect, Action or NotAction and Resource "
                        f"(guardrails/templates/{policy_type.key}/ shows the form)",
                    )
            if unknown or not chosen or any(name in malformed for name in chosen):
                continue
            try:
                packed = policies.pack(policy_type, target, chosen, values, max_chars, overrides)
            except TemplateError as err:
                fail(path, str(err), None, "configure what it needs, or leave the template out of this target")
                continue
            packed = [replace(doc, content=doc.render(known_account_ids)) for doc in packed]
            for breach in policies.check_limits(packed, max_chars, per_target, reserved_slots(policy_type, target, governed)):
                fail(path, breach.message, None, "raise guardrails.limits if AWS raised your quota, or move templates to another target")
            documents += packed
    for warning in unused_templates(folder, used):
        warn(warning)
    return tuple(documents)


def below(cfg: LandingZoneConfig, ou: str) -> set[str]:
    """`ou` and every OU nested under it: a policy on an OU applies to all of them."""
    parents = {key: spec.parent for key, spec in cfg.organization.organizational_units.items()}
    found = {ou}
    while True:
        more = {key for key, parent in parents.items() if parent in found} - found
        if not more:
            return found
        found |= more


def check_backup(cfg: LandingZoneConfig, documents: Sequence[PolicyDocument], accounts: Sequence[AccountSpec], fail: Fail) -> Optional[BackupSpec]:
    """The accounts and regions the backup policy covers, which get its vault and role; None without one."""
    settings = cfg.guardrails.backup_policy
    if settings is None:
        return None
    governed = set(cfg.organization.governed_regions)
    for index, region in enumerate(settings.regions or ()):
        if region not in governed:
            fail(path_of("guardrails.backup_policy.regions", index), "not a governed region: the region deny would stop the backups there", region)
    cold = settings.cold_storage_after_days
    if cold is not None and settings.retention_days < cold + 90:
        fail(
            "guardrails.backup_policy.retention_days",
            f"AWS Backup keeps a recovery point in cold storage for at least 90 days, so retention must be at least {cold + 90} "
            f"with cold_storage_after_days {cold} (Backup Developer Guide, plan-options-and-configuration.html)",
            settings.retention_days,
        )
    targets = {doc.target for doc in documents if doc.policy_type.key == "backup_policy"}
    if not targets:
        fail(
            "guardrails.backup_policy.targets",
            f"no OU to attach the backup policy to: there is no {STRICT_ENVIRONMENT} environment and no targets are given",
            None,
            "name the OUs, e.g. targets: {prod: [daily]}",
        )
        return None
    inside = set().union(*(below(cfg, target) for target in targets if target != SCP_ROOT))
    covered = tuple(a.key for a in accounts if not a.suspended and (SCP_ROOT in targets or a.ou in inside))
    return BackupSpec(accounts=covered, regions=backup_regions(cfg), management=SCP_ROOT in targets)
