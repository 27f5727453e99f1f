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

# The one place that names the landing zone version, checked 2026-12.
LANDING_ZONE_VERSION = "4.0"
"""The only version CreateLandingZone accepts: it answers "must be latest available version" for any
other (https://docs.aws.amazon.com/controltower/latest/APIReference/API_CreateLandingZone.html; the
refusal as a review of the plan recorded it, shared/reference/facts.md). UpdateLandingZone and
ResetLandingZone need the latest version too (Landing Zone Accelerator v1.15.5,
IControlTowerLandingZoneConfig.version: "Most recent version required for landing zone updates or
resets"). Raise it here, with its baseline version, when AWS publishes a new one."""
BASELINE_VERSION = "5.0"
"""The AWSControlTowerBaseline version landing zone 4.0 registers OUs with: Landing Zone Accelerator
v1.15.5, source/packages/@aws-lza/lib/control-tower/register-organizational-unit/index.ts
getBaselineVersion (3.2 and 3.3 -> 4.0, newer -> 5.0), checked 2026-12."""
AUTO_ENROLMENT = ("INHERITANCE_DRIFT",)
"""CreateLandingZone `remediationTypes`: Control Tower enrols an account moved into a registered OU
(the inheritance drift it would otherwise report until the OU's baseline is reset). The API takes
this one value (API_CreateLandingZone.html, remediationTypes); the Landing Zone Accelerator sets it
for its `accountAutoEnrollment` ("accounts moved into or between registered OUs automatically receive
baseline resources and control configurations from the destination OU"), checked 2026-12."""
CONTROL_OPERATIONS = 100
"""Control operations (EnableControl, DisableControl, one control on one OU each) Control Tower runs
at once: "Up to one hundred (100) control-related operations at a time can be in progress, in total,
no matter if they are called from the console or from an API. Of these 100 operations, up to 20 at
a time can be proactive control operations" (user guide, Limitations and quotas,
https://docs.aws.amazon.com/controltower/latest/userguide/limits.html, checked 2026-12). Earlier
revisions of that page said ten (10), and the Landing Zone Accelerator still repeats ten
(ControlTowerControlConfig: "AWS Control Tower is limited to 10 concurrent operations, where enabling
a control for one Organizational Unit constitutes a single operation"); the current page is the one
followed. The catalogue (`guardrails.controls`) holds no proactive control, so the 20 does not arise.
An operation over the limit is refused with ServiceQuotaExceededException (API Reference,
EnableControl), which the provider does not retry (inferred: the AWS SDK retries throttling only)."""


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
    governed_regions: Sequence[str]
    """Regions Control Tower governs (home region included)."""
    logging_retention_days: int
    """Retention of the log archive's logging bucket."""
    access_logging_retention_days: int
    """Retention of its access-logging bucket."""
    kms_key_arn: Optional[str]
    """Key the logs are encrypted with; None for S3's own."""
    config_account: str = "audit"
    """Which shared account hosts the Config integration (aggregator and its buckets)."""
    config_kms_key_arn: Optional[str] = None
    """Key the Config integration's logs are encrypted with; None for S3's own (manifest `config.configurations.kmsKeyArn`)."""


def manifest(settings: ManifestSettings, audit_account_id: str, log_account_id: str) -> dict:
    """The CreateLandingZone manifest of `LANDING_ZONE_VERSION`.

    4.0 creates no OU, states every integration's `enabled` flag, and integrates AWS Config, which
    detective controls need. Access management stays off: this program manages Identity Center
    itself, and an OU registration would then need a baseline parameter the provider cannot send
    (config/guardrail_checks.py).
    """
    retention = {
        "loggingBucket": {"retentionDays": settings.logging_retention_days},
        "accessLoggingBucket": {"retentionDays": settings.access_logging_retention_days},
    }
    logging = {**retention, **({"kmsKeyArn": settings.kms_key_arn} if settings.kms_key_arn else {})}
    config = {**retention, **({"kmsKeyArn": settings.config_kms_key_arn} if settings.config_kms_key_arn else {})}
    config_account_id = audit_account_id if settings.config_account == "audit" else log_account_id
    return {
        "governedRegions": list(settings.governed_regions),
        "centralizedLogging": {"accountId": log_account_id, "enabled": True, "configurations": logging},
        "securityRoles": {"accountId": audit_account_id, "enabled": True},
        "accessManagement": {"enabled": False},
        "backup": {"enabled": False},
        "config": {"accountId": config_account_id, "enabled": True, "configurations": config},
    }
