"""The security services' organisation set-up as data: delegations and Security Hub standards."""

from __future__ import annotations

ORGANIZATION_DELEGATIONS = {
    "access-analyzer": "access-analyzer.amazonaws.com",
    "config": "config.amazonaws.com",
    "config-multiaccountsetup": "config-multiaccountsetup.amazonaws.com",
}
"""Key -> service principal delegated to the audit account through Organizations' DelegatedAdministrator
(GuardDuty, Inspector, Security Hub and CloudTrail have their own delegation APIs)."""
CONFIG_DELEGATIONS = ("config", "config-multiaccountsetup")
"""AWS Config's two delegations: aggregation (config) and organisation rules and conformance packs
(config-multiaccountsetup), as the Config developer guide registers them
(https://docs.aws.amazon.com/config/latest/developerguide/aggregated-register-delegated-administrator.html).
Landing zone 4.0's Config integration makes its integration account "the delegated administrator for
AWS Config" itself (https://docs.aws.amazon.com/controltower/latest/userguide/config.html, checked
2026-12), so with it these wait for the landing zone."""


RUNTIME_MONITORING = "RUNTIME_MONITORING"
RUNTIME_AGENTS = ("EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT")
"""Runtime Monitoring's additional configurations: GuardDuty installs and updates its security agent
on EKS clusters, Fargate tasks and EC2 instances. Runtime Monitoring only accepts the events the agent
sends, so without one it collects nothing, and Fargate has no manual option (GuardDuty user guide,
"How Runtime Monitoring works": https://docs.aws.amazon.com/guardduty/latest/ug/how-does-runtime-monitoring-work.html;
names as the provider's DetectorFeature and OrganizationConfigurationFeature accept them; checked 2026-12)."""


UNRECORDED_DISABLED_CONTROLS = ("Config.1",)
"""Controls the Security Hub policy for accounts that record nothing with AWS Config turns off.
"[Config.1] AWS Config should be enabled and use the service-linked role" is a Critical periodic
control (Security Hub controls reference, https://docs.aws.amazon.com/securityhub/latest/userguide/config-controls.html#config-1,
checked 2026-12): in the management account and suspended accounts, where neither Control Tower nor
this program records, it fails for good and would page security-alerts in every governed region."""


def standard_arn(region: str, standard: str) -> str:
    """A Security Hub standard, e.g. `aws-foundational-security-best-practices/v/1.0.0`, in `region`."""
    return f"arn:aws:securityhub:{region}::standards/{standard}"
