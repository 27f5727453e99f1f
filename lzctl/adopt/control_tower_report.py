"""The adopt report's Control Tower part: what the plan sets on an imported landing zone, baseline or control
against what AWS has, and the section that shows what exists.

Every difference matters: Pulumi imports and then updates a resource whose inputs differ
(pulumi/pulumi#19339), and for the landing zone an update is UpdateLandingZone (an hour, every
baseline re-applied). The provider's own comparisons are followed where they normalise
(terraform-provider-aws internal/service/controltower: landing_zone.go for the manifest, control.go
for parameter values).
"""

from __future__ import annotations

import json
from typing import Any, Optional

from guardrails.control_tower import BASELINE_VERSION
from lzctl.adopt.control_tower import ExistingRole, LandingZone
from lzctl.adopt.report import Difference, _default_tags
from lzctl.runtime import Plan, PlannedResource

LANDING_ZONE = "aws:controltower/landingZone:LandingZone"
BASELINE = "aws:controltower/baseline:Baseline"
CONTROL = "aws:controltower/controlTowerControl:ControlTowerControl"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
DEFAULT_SESSION = 3600
"""The provider's default max_session_duration (seconds), which it sets when the program gives none."""
TERMINAL = "ACTIVE"
"""GetLandingZone `status`: ACTIVE, PROCESSING (an operation runs) or FAILED."""
SUCCEEDED = "SUCCEEDED"
"""EnablementStatusSummary `status` of a baseline or control: SUCCEEDED, FAILED or UNDER_CHANGE."""


def normalised_manifest(manifest: Any) -> Any:
    """The manifest as the provider compares it: JSON with `retentionDays` as a number (landing_zone.go,
    resourceLandingZoneNormalizeManifest: Go's json.Marshal of a map, so key order and spacing do not count; list order does)."""
    if isinstance(manifest, dict):
        return {k: int(v) if k == "retentionDays" and isinstance(v, str) and v.isdigit() else normalised_manifest(v) for k, v in manifest.items()}
    if isinstance(manifest, list):
        return [normalised_manifest(v) for v in manifest]
    return manifest


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        return {k: v for key, item in value.items() for k, v in _leaves(item, f"{path}.{key}" if path else key).items()}
    return {path: value}


def _compact(value: Any) -> str:
    """A parameter value as the provider reads it back: Go's json.Marshal, compact, keys sorted (control.go, flattenControlParameters)."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _tags(plan: Plan, resource: PlannedResource, arn: str, existing: dict[str, str]) -> list[Difference]:
    wanted = {**_default_tags(plan, resource), **(resource.inputs.get("tags") or {})}
    missing = {k: v for k, v in sorted(wanted.items()) if existing.get(k) != v}
    found = []
    if missing:
        pairs = ",".join(f"{k}={v}" for k, v in missing.items())
        found.append(Difference(resource.urn, f"tags: the program sets {pairs}", f"aws controltower tag-resource --resource-arn {arn} --tags {pairs}"))
    extra = sorted(set(existing) - set(wanted))
    if extra:
        found.append(
            Difference(
                resource.urn,
                f"tags: it has {', '.join(extra)}, which the program does not set",
                f"aws controltower untag-resource --resource-arn {arn} --tag-keys {' '.join(extra)} (the config has no field for them)",
            )
        )
    return found


def _status(resource: PlannedResource, what: str, status: str, drift: str) -> list[Difference]:
    found = []
    if status != SUCCEEDED:
        found.append(
            Difference(
                resource.urn,
                f"{what} status {status or 'unknown'}: not SUCCEEDED",
                "wait for its operation to end (or fix it in Control Tower), then adopt again",
            )
        )
    if drift not in ("", "IN_SYNC"):
        found.append(
            Difference(resource.urn, f"{what} drift {drift}", "repair it in Control Tower (re-enable or reset it) before `pulumi up`, then adopt again")
        )
    return found


def _landing_zone_differences(plan: Plan, resource: PlannedResource, zone: LandingZone) -> list[Difference]:
    found = []
    if zone.status != TERMINAL:
        fix = (
            "wait until it is ACTIVE, then adopt again"
            if zone.status == "PROCESSING"
            else "repair it (console: Landing zone settings, Repair), then adopt again"
        )
        found.append(Difference(resource.urn, f"landing zone status {zone.status}: not ACTIVE", fix))
    if zone.drift == "DRIFTED":
        found.append(
            Difference(
                resource.urn,
                "landing zone drift DRIFTED",
                f"repair it before `pulumi up` (console: Landing zone settings, Repair; or `aws controltower reset-landing-zone --landing-zone-identifier {zone.arn}`), then adopt again",
            )
        )
    version = resource.inputs.get("version")
    if version != zone.version:
        found.append(
            Difference(
                resource.urn,
                f"version: the program sets {version}, AWS has {zone.version}; the import would be followed by UpdateLandingZone, an upgrade",
                'decide: upgrade the landing zone first (docs/operations.md, "Upgrade the landing zone"), then adopt again: the config model '
                f"holds only the {version} manifest",
            )
        )
    wanted, existing = _leaves(normalised_manifest(json.loads(resource.inputs.get("manifestJson") or "{}"))), _leaves(normalised_manifest(zone.manifest))
    for path in sorted(set(wanted) | set(existing)):
        if wanted.get(path) != existing.get(path):
            found.append(
                Difference(
                    resource.urn,
                    f"manifest {path}: the program sets {json.dumps(wanted.get(path))}, AWS has {json.dumps(existing.get(path))}",
                    "decide: where guardrails.control_tower or organization.governed_regions can say it, change the config; otherwise the config "
                    "model cannot express it: update the landing zone to the program's manifest first (`aws controltower update-landing-zone`), "
                    "or keep Control Tower out of the program",
                )
            )
    wanted_types = list(resource.inputs.get("remediationTypes") or [])
    if sorted(wanted_types) != sorted(zone.remediation_types):
        found.append(
            Difference(
                resource.urn,
                f"remediation types: the program sets {wanted_types}, AWS has {zone.remediation_types}",
                "decide: the program always sets INHERITANCE_DRIFT (auto-enrolment, guardrails/control_tower.py AUTO_ENROLMENT): set it first "
                f"(`aws controltower update-landing-zone --landing-zone-identifier {zone.arn} --version {zone.version} --manifest file://<the manifest> "
                "--remediation-types INHERITANCE_DRIFT`), or accept that the first `pulumi up` updates the landing zone",
            )
        )
    return found + _tags(plan, resource, zone.arn, zone.tags)


def _role_differences(plan: Plan, resource: PlannedResource, role: ExistingRole) -> list[Difference]:
    found = []
    if resource.inputs.get("path") != role.path:
        found.append(
            Difference(
                resource.urn,
                f"path: the program sets {resource.inputs.get('path')}, AWS has {role.path}; a new path replaces the role Control Tower assumes",
                "decide: the config cannot change the path (guardrails/control_tower.py, the API walkthrough's); keep Control Tower out of the program",
            )
        )
    if json.loads(resource.inputs.get("assumeRolePolicy") or "{}") != role.trust_policy:
        statements = role.trust_policy.get("Statement", [])
        if any("Condition" in statement for statement in (statements if isinstance(statements, list) else [statements])):
            # Control Tower user guide, "Optional conditions for your role trust relationships": aws:SourceArn /
            # aws:SourceAccount conditions guard these roles against the confused deputy; the program's trust has none.
            found.append(
                Difference(
                    resource.urn,
                    'trust policy: AWS\'s has conditions (Control Tower user guide, "Optional conditions for your role trust relationships"), '
                    "which the first `pulumi up` would remove: the program's has none",
                    "decide: removing them weakens the role against the confused deputy; keep the conditions (add them to the program's trust "
                    "policy, guardrails/control_tower.py) or accept their removal",
                )
            )
        else:
            found.append(
                Difference(
                    resource.urn,
                    "trust policy: the program's is not the one in AWS",
                    f"`aws iam update-assume-role-policy --role-name {role.name} --policy-document file://<the program's>` (guardrails/control_tower.py)",
                )
            )
    if (resource.inputs.get("description") or "") != role.description:
        found.append(
            Difference(
                resource.urn,
                f"description: AWS has {role.description!r}, the program sets none",
                f"`aws iam update-role --role-name {role.name} --description ''`",
            )
        )
    if role.max_session_duration != (resource.inputs.get("maxSessionDuration") or DEFAULT_SESSION):
        found.append(
            Difference(
                resource.urn,
                f"max session duration: AWS has {role.max_session_duration}, the program sets {DEFAULT_SESSION}",
                f"`aws iam update-role --role-name {role.name} --max-session-duration {DEFAULT_SESSION}`",
            )
        )
    wanted = {**_default_tags(plan, resource), **(resource.inputs.get("tags") or {})}
    missing = {k: v for k, v in sorted(wanted.items()) if role.tags.get(k) != v}
    if missing:
        pairs = " ".join(f"Key={k},Value={v}" for k, v in missing.items())
        found.append(
            Difference(
                resource.urn,
                f"tags: the program sets {', '.join(f'{k}={v}' for k, v in missing.items())}",
                f"aws iam tag-role --role-name {role.name} --tags {pairs}",
            )
        )
    return found


UPDATED_BY = ("version:", "manifest ", "remediation types:")
"""The landing zone's differences the provider sends as UpdateLandingZone (landing_zone.go: any change but tags)."""


def updates_landing_zone(plan: Plan, found: list[Difference]) -> bool:
    """Whether the first `pulumi up` would run UpdateLandingZone on the imported landing zone."""
    zones = {r.urn for r in plan.resources if r.type == LANDING_ZONE}
    return any(d.urn in zones and d.what.startswith(UPDATED_BY) for d in found)


def control_tower_differences(plan: Plan, zone: Optional[LandingZone]) -> list[Difference]:
    """Every input of an imported landing zone, baseline or control that differs from what AWS has, and drift."""
    if zone is None:
        return []
    baselines = {b.arn: b for b in zone.baselines}
    controls = {c.import_id: c for c in zone.controls}
    roles = {r.name: r for r in zone.roles}
    inline = {f"{r.name}:{name}": document for r in zone.roles for name, document in r.inline_policies.items()}
    found: list[Difference] = []
    for resource in (r for r in plan.resources if r.import_id):
        if resource.type == LANDING_ZONE and resource.import_id == zone.id:
            found += _landing_zone_differences(plan, resource, zone)
        elif resource.type == BASELINE and resource.import_id in baselines:
            baseline = baselines[resource.import_id]
            found += _status(resource, "baseline", baseline.status, "DRIFTED" if "DRIFTED" in baseline.drift.values() else "")
            if resource.inputs.get("baselineIdentifier") != baseline.baseline_identifier:
                found.append(
                    Difference(
                        resource.urn,
                        f"baseline identifier: the program sets {resource.inputs.get('baselineIdentifier')}, AWS has {baseline.baseline_identifier}",
                        "a bug of adopt: report it with this line",
                    )
                )
            if baseline.version != BASELINE_VERSION:
                found.append(
                    Difference(
                        resource.urn,
                        f"baseline version: AWS has {baseline.version}, the program names {BASELINE_VERSION} and ignores changes to it "
                        "(components/control_tower.py), which an import honours (pulumi/pulumi#5878, fixed by #5976 in 2.16): AWS's version stays, no replacement",
                        f"`aws controltower update-enabled-baseline --enabled-baseline-identifier {baseline.arn} --baseline-version {BASELINE_VERSION}` "
                        '(docs/operations.md, "Upgrade the landing zone")',
                    )
                )
            if baseline.parameters:
                found.append(
                    Difference(
                        resource.urn,
                        f"parameters: AWS has {[p.get('key') for p in baseline.parameters]}, the program sets none",
                        "decide: the config model cannot set baseline parameters (config/guardrail_checks.py, access_management); keep this OU out of registered_ous",
                    )
                )
            found += _tags(plan, resource, baseline.arn, baseline.tags)
        elif resource.type == ROLE and resource.import_id in roles:
            found += _role_differences(plan, resource, roles[resource.import_id])
        elif resource.type == ROLE_POLICY and resource.import_id in inline:
            if json.loads(resource.inputs.get("policy") or "{}") != inline[resource.import_id]:
                role, _, name = resource.import_id.partition(":")
                found.append(
                    Difference(
                        resource.urn,
                        "inline policy: the program's document is not the one in AWS",
                        f"`aws iam put-role-policy --role-name {role} --policy-name {name} --policy-document file://<the program's>` (guardrails/control_tower.py)",
                    )
                )
        elif resource.type == CONTROL and resource.import_id in controls:
            control = controls[resource.import_id]
            found += _status(resource, "control", control.status, control.drift)
            wanted = {p["key"]: p.get("value") for p in resource.inputs.get("parameters") or []}
            existing = {p["key"]: _compact(p.get("value")) for p in control.parameters}
            for key in sorted(set(wanted) | set(existing)):
                if wanted.get(key) != existing.get(key):
                    found.append(
                        Difference(
                            resource.urn,
                            f"parameter {key}: the program sets {wanted.get(key)}, AWS has {existing.get(key)}",
                            "decide: the program's value comes from the config (exempted roles, root access); "
                            f"`aws controltower update-enabled-control --enabled-control-identifier {control.arn} --parameters ...` makes AWS match",
                        )
                    )
            found += _tags(plan, resource, control.arn, control.tags)
    return found


def section(zone: Optional[LandingZone], arns: list[str], names: dict[str, str]) -> list[str]:
    """The report's Control Tower section: what exists, as read. `names`: OU ARN -> name."""
    if zone is None:
        if not arns:
            return []
        return [
            "",
            "## Control Tower",
            "",
            f"A landing zone exists ({', '.join(arns)}), and AWS denied reading it: the config cannot adopt it, and the plan",
            "shows it as a create, which CreateLandingZone refuses. Grant the controltower reads and adopt again.",
        ]
    lines = [
        "",
        "## Control Tower",
        "",
        f"Landing zone {zone.arn}: version {zone.version} (latest available {zone.latest_version or 'unknown'}), status {zone.status}, "
        f"drift {zone.drift or 'unknown'}. Imported with its OU baselines and the enabled controls of the catalogue (guardrails/controls.py);",
        f'the rest is under "Left alone". Prerequisite roles that exist, imported: {", ".join(r.name for r in zone.roles) or "none"}.',
        "",
        "| target | baseline (version) | enabled controls |",
        "|---|---|---|",
    ]
    targets = sorted({*(b.target for b in zone.baselines), *(c.target for c in zone.controls)}, key=lambda t: names.get(t, t))
    for target in targets:
        baseline = ", ".join(f"{b.baseline_identifier.rsplit('/', 1)[-1]} ({b.version})" for b in zone.baselines if b.target == target)
        enabled = ", ".join(sorted(c.control_identifier for c in zone.controls if c.target == target))
        lines.append(f"| {names.get(target, target)} | {baseline} | {enabled} |")
    return lines
