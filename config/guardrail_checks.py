"""Validation phase 2 for `guardrails`: targets, templates, control ids and AWS limits.

Everything a guardrail would be refused for at deploy time (an SCP over the size or slot limit, a
control id with a typo, a target OU that does not exist) is found here, before any resource.
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from typing import Callable, Mapping, Optional

import names
from config.issues import path_of
from config.model import STACK_ACCOUNTS, GuardrailPlan
from config.schema import SCP_ROOT, LandingZoneConfig
from guardrails import scp
from guardrails.control_tower import PREREQUISITE_ROLES
from guardrails.controls import CATALOGUE, default_controls
from guardrails.tag_policy import tag_policy
from iam import account_trust, minify

Fail = Callable[..., None]
Warn = Callable[[str], None]


def _suggest(value: str, known) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return f"did you mean {close[0]}?" if close else f"known: {', '.join(sorted(known))}"


def default_scp_targets(cfg: LandingZoneConfig) -> dict[str, list[str]]:
    return {
        SCP_ROOT: ["deny-leaving-organization", "deny-root-user", "deny-iam-users", "protect-security-services", "deny-ungoverned-regions"],
        cfg.security.ou: ["protect-log-buckets"],
        cfg.organization.suspended_ou: ["deny-all"],
    }


CONTROL_TOWER_LOG_BUCKETS = tuple(map(names.bucket_pattern, (names.CONTROL_TOWER_LOGS, names.CONTROL_TOWER_ACCESS_LOGS)))
TRAIL_LOG_BUCKETS = (names.bucket_pattern(names.TRAIL_LOGS),)
"""With Control Tower off, the log stack's trail bucket (one per log account and home region)."""


def protected_log_buckets(cfg: LandingZoneConfig) -> list[str]:
    configured = cfg.guardrails.scp.protected_log_buckets
    if configured is not None:
        return list(configured)
    return list(CONTROL_TOWER_LOG_BUCKETS if cfg.guardrails.control_tower.enabled else TRAIL_LOG_BUCKETS)


def exemptions(cfg: LandingZoneConfig) -> tuple[scp.Exemption, ...]:
    """Whom every deny exempts. The roles Pulumi Deployments runs the stacks with change the guarded
    services, so each is exempt, in its own stack's account only."""
    deployments = cfg.deployments if cfg.deployments is not None and cfg.deployments.enabled else None
    deploy_roles = {stack: STACK_ACCOUNTS[stack] for stack in deployments.stacks} if deployments else {}
    control_tower = cfg.guardrails.control_tower.enabled
    return scp.exemptions(cfg.organization.access_role_name, cfg.guardrails.scp.privileged_roles, control_tower, deploy_roles)


def registered_ous(cfg: LandingZoneConfig, parents_first: list[str]) -> tuple[str, ...]:
    """OUs this program registers with Control Tower, parents first.

    The suspended OU stays outside governance. Landing zone 3.3 creates and registers the Security
    OU itself (its manifest names it); from 4.0 on it is an ordinary OU that we register.
    """
    control_tower = cfg.guardrails.control_tower
    if not control_tower.enabled:
        return ()
    skip = {cfg.organization.suspended_ou} | ({cfg.security.ou} if control_tower.landing_zone_version == "3.3" else set())
    return tuple(key for key in parents_first if key not in skip)


def check_guardrails(cfg: LandingZoneConfig, parents_first: list[str], known_account_ids: Mapping[str, str], fail: Fail, warn: Warn) -> GuardrailPlan:
    """`known_account_ids`: account key -> id, for the accounts whose id the config gives (the
    management account, adopted accounts); the SCPs name the others' ids once they exist."""
    guardrails = cfg.guardrails
    limits = guardrails.limits
    ous = cfg.organization.organizational_units
    registered = registered_ous(cfg, parents_first)
    control_tower = guardrails.control_tower
    waiting_for_identity_center = control_tower.enabled and control_tower.access_management and not control_tower.identity_center_baseline_arn
    if waiting_for_identity_center:
        warn(
            "Control Tower manages Identity Center (guardrails.control_tower.access_management), so OU registration "
            "and controls wait for guardrails.control_tower.identity_center_baseline_arn: set it after the first "
            "`pulumi up` (README, deployment step 9)"
        )
    # OUs under Control Tower: each carries Control Tower's own SCP and can take controls.
    governed = set(registered) | ({cfg.security.ou} if guardrails.control_tower.enabled else set())

    exempted = exemptions(cfg)
    parameters = scp.ScpParameters(
        governed_regions=tuple(cfg.organization.governed_regions),
        privileged_role_arns=tuple(exemption.arn for exemption in exempted),
        protected_bucket_resources=scp.bucket_resources(protected_log_buckets(cfg)),
    )
    templates = scp.template_names()
    targets = guardrails.scp.targets if guardrails.scp.targets is not None else default_scp_targets(cfg)
    documents: list[scp.ScpDocument] = []
    for target, chosen in targets.items():
        path = path_of("guardrails.scp.targets", target)
        if target != SCP_ROOT and target not in ous:
            fail(path, "no such SCP target", target, f"use root or an OU key ({', '.join(ous)})")
            continue
        unknown = [name for name in chosen if name not in templates]
        for name in unknown:
            fail(path, "no such SCP template", name, _suggest(name, templates) + " (guardrails/templates/scp/<name>.json)")
        if unknown:
            continue
        packed = [replace(doc, content=doc.render(known_account_ids)) for doc in scp.pack(target, chosen, parameters, limits.scp_max_chars)]
        for breach in scp.check_limits(packed, limits.scp_max_chars, limits.scps_per_target, target in governed):
            fail(path, breach.message, None, "raise guardrails.limits if AWS raised your quota, or move templates to another target")
        documents += packed

    if control_tower.enabled:
        trusts = {role.role.name: role.trust_policy for role in PREREQUISITE_ROLES}
        trusts[names.CONTROL_TOWER_EXECUTION_ROLE.name] = account_trust(cfg.organization.management_account_id)
        for role, trust in trusts.items():
            size = len(minify(trust))
            if size > limits.trust_policy_max_chars:
                fail(
                    "guardrails.limits.trust_policy_max_chars",
                    f"trust policy of {role} is {size} characters, over the limit of {limits.trust_policy_max_chars}",
                    limits.trust_policy_max_chars,
                    "IAM's default quota is 2048",
                )

    # An environment whose OU does not exist is already reported; defaults must not echo it.
    environment_ous = {env: spec.ou for env, spec in cfg.environments.items() if spec.ou in ous}
    controls: dict[str, tuple[str, ...]] = {}
    if guardrails.control_tower.enabled:
        chosen = (
            {ou: tuple(ids) for ou, ids in guardrails.controls.items()}
            if guardrails.controls is not None
            else default_controls(environment_ous, cfg.security.ou)
        )
        for ou, ids in chosen.items():
            path = path_of("guardrails.controls", ou)
            if ou not in governed:
                fail(path, "controls need an OU governed by Control Tower", ou, f"governed OUs: {', '.join(sorted(governed))}")
            for index, control_id in enumerate(ids):
                if control_id not in CATALOGUE:
                    fail(path_of(path, index), "unknown control id", control_id, _suggest(control_id, CATALOGUE))
        controls = chosen

    tags: Optional[str] = None
    settings = guardrails.tag_policy
    if settings.enabled:
        if settings.target not in ous:
            fail("guardrails.tag_policy.target", "no such organizational unit", settings.target)
        tags = minify(tag_policy(settings.required_tags, settings.resource_types))
        if len(tags) > limits.tag_policy_max_chars:
            fail(
                "guardrails.tag_policy",
                f"tag policy is {len(tags)} characters, over the limit of {limits.tag_policy_max_chars}",
                None,
                "list fewer tags or resource types",
            )
    if waiting_for_identity_center:
        registered, controls = (), {}
    # A deploy must not create or reshape an exempted role in any account: the boundary names them all so.
    privileged = tuple(dict.fromkeys(exemption.role.arn() for exemption in exempted))
    return GuardrailPlan(tuple(documents), privileged, registered, controls, tags)
