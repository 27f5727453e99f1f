"""Control Tower in `lzctl adopt`: the landing zone, its OU baselines and enabled controls, read and mapped.

Read with the controltower API (GetLandingZone, ListEnabledBaselines, GetEnabledBaseline,
ListEnabledControls per OU, GetEnabledControl, ListTagsForResource; shapes: botocore's
controltower/2018-05-10 model) and mapped onto `guardrails.control_tower` (the manifest's settings,
`registered_ous`, the `existing_*` ids) and `guardrails.controls`; what the config cannot hold goes
to `Adoption.left_alone`. The comparison with the plan is lzctl/adopt/control_tower_report.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import unquote

from botocore.exceptions import ClientError

from guardrails.control_policies import BEHAVIOUR, PREVENTIVE
from guardrails.control_tower import CONTROL_TOWER_BASELINE_ID, PREREQUISITE_ROLES, baseline_arn
from guardrails.controls import GLOBAL_IDS, control_arn
from lzctl.adopt.clients import client
from lzctl.migrate.aws import error_code, pages


@dataclass
class EnabledBaseline:
    arn: str
    baseline_identifier: str
    version: str
    target: str
    status: str
    drift: dict[str, str]
    """Drift type (inheritance, source) -> status, as EnabledBaselineDriftStatusSummary gives them."""
    parameters: list[dict] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class EnabledControl:
    arn: str
    control_identifier: str
    target: str
    status: str
    drift: str
    parameters: list[dict] = field(default_factory=list)
    """key and value (a JSON document) as GetEnabledControl returns them."""
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def import_id(self) -> str:
        return f"{self.target},{self.control_identifier}"


@dataclass
class ExistingRole:
    """A prerequisite role (guardrails/control_tower.py PREREQUISITE_ROLES) that exists, as IAM describes it."""

    key: str
    name: str
    path: str
    trust_policy: dict
    description: str
    max_session_duration: int
    managed_policies: list[str]
    inline_policies: dict[str, dict]
    """Name -> document."""
    tags: dict[str, str]


@dataclass
class LandingZone:
    """The landing zone as Control Tower describes it."""

    arn: str
    version: str
    latest_version: str
    status: str
    drift: str
    manifest: dict
    remediation_types: list[str]
    tags: dict[str, str]
    baselines: list[EnabledBaseline] = field(default_factory=list)
    controls: list[EnabledControl] = field(default_factory=list)
    roles: list[ExistingRole] = field(default_factory=list)
    """The prerequisite roles that exist."""

    @property
    def id(self) -> str:
        """The provider's id: the ARN's `landingzone/<id>` (terraform-provider-aws landing_zone.go, landingZoneIDFromARN)."""
        return self.arn.rsplit("landingzone/", 1)[-1]


def read_landing_zone(reader, arn: str, ou_arns: list[str]) -> LandingZone:
    """`reader`: adopt's `_Reader` (its session, region and `optional` for reads AWS may deny)."""
    api = client(reader.session, "controltower", reader.region)

    def tags(resource_arn: str) -> dict[str, str]:
        return reader.optional(f"controltower:ListTagsForResource ({resource_arn})", lambda: api.list_tags_for_resource(resourceArn=resource_arn)["tags"], {})

    detail = api.get_landing_zone(landingZoneIdentifier=arn)["landingZone"]
    zone = LandingZone(
        arn,
        detail["version"],
        detail.get("latestAvailableVersion", ""),
        detail.get("status", ""),
        detail.get("driftStatus", {}).get("status", ""),
        detail.get("manifest") or {},
        list(detail.get("remediationTypes") or []),
        tags(arn),
    )
    for listed in pages(api, "list_enabled_baselines", "enabledBaselines"):
        found = api.get_enabled_baseline(enabledBaselineIdentifier=listed["arn"])["enabledBaselineDetails"]
        drift = {kind: value.get("status", "") for kind, value in found.get("driftStatusSummary", {}).get("types", {}).items()}
        zone.baselines.append(
            EnabledBaseline(
                found["arn"],
                found["baselineIdentifier"],
                found.get("baselineVersion", ""),
                found["targetIdentifier"],
                found["statusSummary"].get("status", ""),
                drift,
                list(found.get("parameters") or []),
                tags(found["arn"]),
            )
        )
    for target in ou_arns:
        for listed in pages(api, "list_enabled_controls", "enabledControls", targetIdentifier=target):
            found = api.get_enabled_control(enabledControlIdentifier=listed["arn"])["enabledControlDetails"]
            zone.controls.append(
                EnabledControl(
                    found["arn"],
                    found["controlIdentifier"],
                    found["targetIdentifier"],
                    found.get("statusSummary", {}).get("status", ""),
                    found.get("driftStatusSummary", {}).get("driftStatus", ""),
                    list(found.get("parameters") or []),
                    tags(found["arn"]),
                )
            )
    zone.roles = reader.optional("IAM (iam:GetRole, ListAttachedRolePolicies, ListRolePolicies, GetRolePolicy, ListRoleTags)", lambda: _roles(reader), [])
    return zone


def _roles(reader) -> list[ExistingRole]:
    iam = client(reader.session, "iam", reader.region)
    found = []
    for spec in PREREQUISITE_ROLES:
        try:
            role = iam.get_role(RoleName=spec.role.name)["Role"]
        except ClientError as err:
            if error_code(err) == "NoSuchEntity":
                continue
            raise
        name = spec.role.name
        inline = {
            policy: _document(iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"])
            for policy in pages(iam, "list_role_policies", "PolicyNames", RoleName=name)
        }
        found.append(
            ExistingRole(
                spec.key,
                name,
                role.get("Path", "/"),
                _document(role.get("AssumeRolePolicyDocument", {})),
                role.get("Description", ""),
                role.get("MaxSessionDuration", 3600),
                [p["PolicyArn"] for p in pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)],
                inline,
                {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name).get("Tags", [])},
            )
        )
    return found


def _document(document) -> dict:
    """IAM's policy documents: boto3 decodes the URL-encoded JSON into a dict; moto may leave it a string."""
    return json.loads(unquote(document)) if isinstance(document, str) else document


CATALOGUE_BY_ARN = {control_arn(control_id): control_id for control_id in GLOBAL_IDS}


def _regional_name(identifier: str) -> Optional[str]:
    """`arn:aws:controltower:<region>::control/AWS-GR_...` -> `AWS-GR_...` (the older, regional form)."""
    head, _, name = identifier.partition("::control/")
    return name if head.startswith("arn:aws:controltower:") and name in GLOBAL_IDS else None


def adopt_control_tower(zone: LandingZone, units, ou_keys: dict[str, str], account_keys: dict[str, str], home_region: str, done) -> None:
    """Write `guardrails.control_tower`, `guardrails.controls` and the governed regions into `done.config`.

    `units`: the OUs as read (id, arn); `ou_keys`: OU id -> key; `account_keys`: account id -> key.
    """
    config = done.config
    guardrails, organization = config["guardrails"], config["organization"]
    keys_by_arn = {u.arn: ou_keys[u.id] for u in units if u.arn and u.id in ou_keys}
    never = {config["security"]["ou"], organization["suspended_ou"]}
    manifest = zone.manifest
    settings: dict[str, Any] = {"enabled": True}
    logging = manifest.get("centralizedLogging", {}).get("configurations", {})
    for name, value in (
        ("logging_retention_days", logging.get("loggingBucket", {}).get("retentionDays")),
        ("access_logging_retention_days", logging.get("accessLoggingBucket", {}).get("retentionDays")),
        ("kms_key_arn", logging.get("kmsKeyArn")),
        ("config_kms_key_arn", manifest.get("config", {}).get("configurations", {}).get("kmsKeyArn")),
        ("config_account", account_keys.get(manifest.get("config", {}).get("accountId", ""))),
    ):
        if value is not None and (name != "config_account" or value in ("audit", "log")):
            settings[name] = int(value) if name.endswith("_days") else value
    if manifest.get("governedRegions"):
        # In AWS's order: the provider compares the manifest's lists as they are (landing_zone.go normalises keys, not lists).
        organization["governed_regions"] = list(manifest["governedRegions"])

    registered, baselines = [], {}
    for baseline in zone.baselines:
        key = keys_by_arn.get(baseline.target)
        what = f"enabled baseline {baseline.baseline_identifier} on {baseline.target} ({baseline.arn})"
        if not baseline.baseline_identifier.endswith(f"/{CONTROL_TOWER_BASELINE_ID}"):
            done.left_alone.append((what, "a baseline the landing zone manages itself (the program registers OUs with AWSControlTowerBaseline only)"))
        elif key is None:
            done.left_alone.append((what, "its target is not an OU the config holds"))
        elif key in never:
            done.left_alone.append((what, "the config never registers the Security or suspended OU (landing zone 4.0 refuses the Security OU)"))
        elif baseline.baseline_identifier != baseline_arn(home_region):
            done.left_alone.append((what, f"not the home region's baseline ARN {baseline_arn(home_region)}, which the program names"))
        else:
            registered.append(key)
            baselines[key] = baseline.arn
    settings["registered_ous"] = registered

    controls: dict[str, list[str]] = {}
    for control in zone.controls:
        key = keys_by_arn.get(control.target)
        control_id = CATALOGUE_BY_ARN.get(control.control_identifier)
        what = f"control {control.control_identifier} on {control.target}"
        if key is None:
            done.left_alone.append((what, "its target is not an OU the config holds"))
        elif control_id is None and _regional_name(control.control_identifier):
            done.left_alone.append(
                (
                    what,
                    f"enabled by its regional ARN; the program names {_regional_name(control.control_identifier)} by its global ARN, and another "
                    "control_identifier replaces the control (disable, then enable): to manage it, disable it and add it to guardrails.controls",
                )
            )
        elif control_id is None:
            done.left_alone.append((what, "not in the program's catalogue (guardrails/controls.py): a mandatory control, or one the program does not know"))
        elif key not in registered and BEHAVIOUR[control_id].behaviour != PREVENTIVE:
            done.left_alone.append((what, f"a {BEHAVIOUR[control_id].behaviour} control on an OU the config does not register"))
        else:
            controls.setdefault(key, []).append(control_id)
    settings["existing_landing_zone_id"] = zone.id
    programs = {spec.key: spec for spec in PREREQUISITE_ROLES}
    roles = {}
    for role in zone.roles:
        spec = programs[role.key]
        roles[role.key] = [p for p in spec.managed_policies if p in role.managed_policies] + [p for p in spec.inline_policies if p in role.inline_policies]
        for policy in (p for p in role.managed_policies if p not in spec.managed_policies):
            done.left_alone.append((f"attachment of {policy} to role {role.name}", "the program does not attach it; it stays attached"))
        for policy in (p for p in role.inline_policies if p not in spec.inline_policies):
            done.left_alone.append((f"inline policy {policy} of role {role.name}", "the program does not define it; it stays"))
    if roles:
        settings["existing_roles"] = roles
    if baselines:
        settings["existing_baselines"] = baselines
    if controls:
        settings["existing_controls"] = {key: list(ids) for key, ids in controls.items()}
    guardrails["control_tower"] = settings
    # Only what is enabled: an OU without controls gets none, so the first `pulumi up` enables nothing new.
    guardrails["controls"] = controls
