"""Control Tower's API set-up as data: prerequisite roles, the execution role, the manifest.

Role definitions follow AWS's "walkthrough: set up Control Tower with the API" (landing zone 4.0
uses the managed CloudTrail role policy instead of the older inline one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

import names
from iam import allow, policy, service_trust

CONTROL_TOWER_BASELINE_ID = "17BSJV3IGJ2QSGA2"
"""AWSControlTowerBaseline, the baseline that registers an OU and enrols its accounts."""
BASELINE_VERSION_FOR = {"3.3": "4.0", "4.0": "5.0"}
"""Landing zone version -> the AWSControlTowerBaseline version it works with."""
IDENTITY_CENTER_BASELINE_PARAMETER = "IdentityCenterEnabledBaselineArn"


@dataclass(frozen=True)
class ServiceRole:
    key: str
    """Names the Pulumi resources: `<component>-<key>-role`."""
    role: names.Role
    service: str
    managed_policies: tuple[str, ...] = ()
    inline_policies: dict[str, dict] = field(default_factory=dict)

    @property
    def trust_policy(self) -> dict:
        return service_trust(self.service)


PREREQUISITE_ROLES = (
    ServiceRole(
        "admin",
        names.CONTROL_TOWER_ADMIN_ROLE,
        "controltower.amazonaws.com",
        (names.CONTROL_TOWER_SERVICE_ROLE_POLICY,),
        {"AWSControlTowerAdminPolicy": policy(allow("ec2:DescribeAvailabilityZones", "*"))},
    ),
    ServiceRole(
        "cloudtrail",
        names.CONTROL_TOWER_CLOUDTRAIL_ROLE,
        "cloudtrail.amazonaws.com",
        (names.CONTROL_TOWER_CLOUDTRAIL_ROLE_POLICY,),
    ),
    ServiceRole(
        "stackset",
        names.CONTROL_TOWER_STACKSET_ROLE,
        "cloudformation.amazonaws.com",
        inline_policies={"AWSControlTowerStackSetRolePolicy": policy(allow("sts:AssumeRole", names.CONTROL_TOWER_EXECUTION_ROLE.arn()))},
    ),
    ServiceRole(
        "config-aggregator",
        names.CONTROL_TOWER_CONFIG_AGGREGATOR_ROLE,
        "config.amazonaws.com",
        (names.CONFIG_ROLE_FOR_ORGANIZATIONS,),
    ),
)


def baseline_arn(region: str, baseline_id: str = CONTROL_TOWER_BASELINE_ID) -> str:
    return f"arn:aws:controltower:{region}::baseline/{baseline_id}"


@dataclass(frozen=True)
class ManifestSettings:
    version: str
    governed_regions: Sequence[str]
    security_ou_name: str
    logging_retention_days: int
    access_logging_retention_days: int
    kms_key_arn: Optional[str]
    access_management: bool
    config_account: str = "audit"
    """Which shared account hosts the 4.0 Config integration (aggregator and its buckets)."""


def manifest(settings: ManifestSettings, audit_account_id: str, log_account_id: str) -> dict:
    """The CreateLandingZone manifest for `settings.version`.

    3.3 names the Security OU it creates; 4.0 creates no OU and adds the Config integration, which
    detective controls need.
    """
    retention = {
        "loggingBucket": {"retentionDays": settings.logging_retention_days},
        "accessLoggingBucket": {"retentionDays": settings.access_logging_retention_days},
    }
    logging = {**retention, **({"kmsKeyArn": settings.kms_key_arn} if settings.kms_key_arn else {})}
    document = {
        "governedRegions": list(settings.governed_regions),
        "centralizedLogging": {"accountId": log_account_id, "enabled": True, "configurations": logging},
        "securityRoles": {"accountId": audit_account_id},
        "accessManagement": {"enabled": settings.access_management},
    }
    if settings.version == "3.3":
        document["organizationStructure"] = {"security": {"name": settings.security_ou_name}}
    else:
        # 4.0 requires every integration's `enabled` flag to be stated.
        document["securityRoles"]["enabled"] = True
        document["backup"] = {"enabled": False}
        config_account_id = audit_account_id if settings.config_account == "audit" else log_account_id
        document["config"] = {"accountId": config_account_id, "enabled": True, "configurations": retention}
    return document
