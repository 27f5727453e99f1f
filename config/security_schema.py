"""Shape of the audit and log sections: security services, alerts, budgets, log archive."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

import names
from config.types import Key, Model
from security.services import ORGANIZATION_DELEGATIONS, RUNTIME_AGENTS

GuardDutyPlan = Literal["S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS", "RUNTIME_MONITORING"]
SecurityHubStandard = Literal[
    "aws-foundational-security-best-practices/v/1.0.0",
    "cis-aws-foundations-benchmark/v/3.0.0",
    "nist-800-53/v/5.0.0",
    "pci-dss/v/4.0.1",
]
Severity = Literal["LOW", "MEDIUM", "HIGH", "CRITICAL"]
DelegatedService = Literal[tuple(ORGANIZATION_DELEGATIONS.values())]
Days = Annotated[int, Field(ge=1, le=36500)]


class GuardDutySettings(Model):
    protection_plans: list[GuardDutyPlan] = Field(
        default_factory=lambda: ["S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS", "RUNTIME_MONITORING"],
        description="Protection plans auto-enabled on every member account.",
    )
    runtime_agents: list[Literal[RUNTIME_AGENTS]] = Field(
        default_factory=lambda: list(RUNTIME_AGENTS),
        description="With RUNTIME_MONITORING: where GuardDuty manages its security agent (EKS add-on, Fargate sidecar, EC2 through SSM).",
    )


class SecurityHubSettings(Model):
    standards: list[SecurityHubStandard] = Field(
        default_factory=lambda: ["aws-foundational-security-best-practices/v/1.0.0", "cis-aws-foundations-benchmark/v/3.0.0"],
        description="Standards the central configuration policy enables everywhere.",
    )


class InspectorSettings(Model):
    resource_types: list[Literal["EC2", "ECR", "LAMBDA", "LAMBDA_CODE"]] = Field(default_factory=lambda: ["EC2", "ECR", "LAMBDA"])


class ConfigRulesSettings(Model):
    # AWS Config: a letter, then letters, digits and hyphens, at most 128 (botocore 1.44.8 data:
    # config OrganizationConformancePackName [a-zA-Z][-a-zA-Z0-9]*); lowercase and 64 here, since the
    # name is also the template's file stem and part of the pack's physical names.
    conformance_pack: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,63}$")] = Field(
        names.DEFAULT_CONFORMANCE_PACK,
        description="The config folder's conformance-packs/<name>.yaml, else the shipped config/conformance-packs/<name>.yaml; deployed to every account as an organisation pack.",
    )


class AlertSettings(Model):
    security_hub_severities: list[Severity] = Field(
        default_factory=lambda: ["HIGH", "CRITICAL"], min_length=1, description="Labels that alert, for every product but GuardDuty and Access Analyzer."
    )
    guardduty_min_severity: Annotated[float, Field(ge=1, le=10)] = Field(
        7,
        description="GuardDuty findings alert from the severity level holding this value (1 LOW, 4 MEDIUM, 7 HIGH, 9 CRITICAL), through Security Hub.",
    )
    access_analyzer: bool = Field(True, description="Alert on every new active IAM Access Analyzer finding (otherwise they alert at security_hub_severities).")


class SecurityServices(Model):
    guardduty: GuardDutySettings = Field(default_factory=GuardDutySettings)
    security_hub: SecurityHubSettings = Field(default_factory=SecurityHubSettings)
    inspector: InspectorSettings = Field(default_factory=InspectorSettings)
    config: ConfigRulesSettings = Field(default_factory=ConfigRulesSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    existing_delegations: list[DelegatedService] = Field(
        default_factory=list,
        description="Service principals Organizations already lists the adopted audit account as delegated administrator for: "
        "imported instead of registered, which fails for an account registered already (AccountAlreadyRegisteredException); "
        "`lzctl adopt` writes what ListDelegatedAdministrators shows. Not config.amazonaws.com with Control Tower on "
        "(the landing zone registers AWS Config's administrator and the program creates no such delegation).",
    )


class Budgets(Model):
    monthly_usd: Annotated[float, Field(gt=0)] = Field(300, description="Monthly cost budget of every account.")
    accounts: dict[Key, Annotated[float, Field(gt=0)]] = Field(default_factory=dict, description="Account key -> its own amount.")
    thresholds: list[Annotated[int, Field(ge=1, le=1000)]] = Field(
        default_factory=lambda: [80, 100], min_length=1, max_length=5, description="AWS Budgets allows five notifications per budget."
    )


class LogArchive(Model):
    athena_results_expiry_days: Days = Field(30, description="Athena query results are deleted after this.")
    object_lock_days: Days = Field(365, description="Control Tower off: Object Lock retention of the trail bucket.")
    glacier_after_days: Days = Field(90, description="Control Tower off: trail logs move to Glacier after this.")
