"""Validation phase 2 for an adopted landing zone: its import ids (`lzctl adopt`).

Beside config/adoption_checks.py (the organisation and Identity Center): the same rule, that only
what adopt read is imported and anything added later is created, for the landing zone, its OU
baselines and enabled controls. The resolved OU registrations and controls come from
config/guardrail_checks.py, so this runs after it.
"""

from __future__ import annotations

from typing import Callable

from config.guardrail_checks import check_home_arn
from config.issues import path_of
from config.model import ControlTowerImports, GuardrailPlan
from config.schema import LandingZoneConfig
from guardrails.control_tower import PREREQUISITE_ROLES
from guardrails.controls import control_arn

Fail = Callable[..., None]
SETTINGS = "guardrails.control_tower"
BASELINE_HINT = (
    "give the ARN ListEnabledBaselines returns in the home region of the management account, as lzctl adopt writes it "
    "(Control Tower user guide, 'Examples for baseline API usage')"
)


def ou_arn(management_account_id: str, organization_id: str, ou_id: str) -> str:
    """Organizations user guide, "ARN formats": arn:aws:organizations::<management account>:ou/<org id>/<ou id>."""
    return f"arn:aws:organizations::{management_account_id}:ou/{organization_id}/{ou_id}"


def check_baseline_arns(cfg: LandingZoneConfig, fail: Fail) -> None:
    """Each existing baseline's ARN against the landing zone. Apart from control_tower_imports, which needs the resolved
    guardrails, so that a guardrail problem elsewhere does not hide these: every problem at once."""
    settings = cfg.guardrails.control_tower
    if not settings.enabled:
        return  # control_tower_imports says the existing_* keys are out of place
    for key, arn in settings.existing_baselines.items():
        # Control Tower user guide, "Examples for baseline API usage": an enabled baseline's ARN names the home region the
        # call went to and the management account that made it; the program imports it there (its management provider).
        check_home_arn(cfg, path_of(SETTINGS, "existing_baselines", key), arn, "an enabled baseline", BASELINE_HINT, fail)


def control_tower_imports(cfg: LandingZoneConfig, guardrails: GuardrailPlan, fail: Fail) -> ControlTowerImports:
    """The import ids of the landing zone, baselines and controls the config records as existing."""
    settings = cfg.guardrails.control_tower
    org = cfg.organization
    named = [
        path_of(SETTINGS, name) for name in ("existing_landing_zone_id", "existing_baselines", "existing_controls", "existing_roles") if getattr(settings, name)
    ]
    if not named:
        return ControlTowerImports()
    if not settings.enabled:
        fail(named[0], "an existing landing zone, baseline or control with Control Tower off", None, f"set {SETTINGS}.enabled, or drop the existing_* keys")
        return ControlTowerImports()
    # Without the organisation nothing can be imported, but every entry is still checked: all problems at once.
    if not org.existing_organization_id:
        fail(named[0], "Control Tower can only be adopted with the organisation it governs", None, "set organization.existing_organization_id")
    ous = org.organizational_units
    arns = (
        {key: ou_arn(org.management_account_id, org.existing_organization_id, ou.existing_id) for key, ou in ous.items() if ou.existing_id}
        if org.existing_organization_id
        else {}
    )

    for key in settings.existing_baselines:
        path = path_of(SETTINGS, "existing_baselines", key)
        if key not in ous:
            fail(path, "no such organizational unit", key, f"known: {', '.join(ous)}")
        elif key not in guardrails.registered_ous:
            fail(path, "an existing baseline on an OU the config does not register", key, f"add it to {SETTINGS}.registered_ous, or drop it here")
        elif org.existing_organization_id and key not in arns:
            fail(path, "an existing baseline on an OU that does not exist yet", key, f"set organization.organizational_units.{key}.existing_id")
    for key, ids in settings.existing_controls.items():
        if key not in ous:
            fail(path_of(SETTINGS, "existing_controls", key), "no such organizational unit", key, f"known: {', '.join(ous)}")
            continue
        for index, control_id in enumerate(ids):
            path = f"{path_of(SETTINGS, 'existing_controls', key)}[{index}]"
            if control_id not in guardrails.controls.get(key, ()):
                fail(path, "an existing control guardrails.controls does not enable", control_id, "add it to guardrails.controls or drop it here")
            elif org.existing_organization_id and key not in arns:
                fail(path, "an existing control on an OU that does not exist yet", control_id, f"set organization.organizational_units.{key}.existing_id")
    roles = {spec.key: spec for spec in PREREQUISITE_ROLES}
    role_policies = {}
    for key, policies in settings.existing_roles.items():
        spec = roles[key]
        for index, policy in enumerate(policies):
            if policy in spec.managed_policies:
                role_policies[(key, policy)] = f"{spec.role.name}/{policy}"
            elif policy in spec.inline_policies:
                role_policies[(key, policy)] = f"{spec.role.name}:{policy}"
            else:
                fail(
                    f"{path_of(SETTINGS, 'existing_roles', key)}[{index}]",
                    "not a policy the program attaches to this role",
                    policy,
                    f"the program's: {', '.join([*spec.managed_policies, *spec.inline_policies])}",
                )
    return ControlTowerImports(
        roles={key: roles[key].role.name for key in settings.existing_roles},
        role_policies=role_policies,
        landing_zone=settings.existing_landing_zone_id,
        baselines={key: arn for key, arn in settings.existing_baselines.items() if key in guardrails.registered_ous and key in arns},
        controls={
            (key, control_id): f"{arns[key]},{control_arn(control_id)}"
            for key, ids in settings.existing_controls.items()
            if key in arns
            for control_id in ids
            if control_id in guardrails.controls.get(key, ())
        },
    )
