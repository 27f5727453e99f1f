"""The security services' organisation set-up as data: delegations and Security Hub standards."""

from __future__ import annotations

ORGANIZATION_DELEGATIONS = {
    "access-analyzer": "access-analyzer.amazonaws.com",
    "config": "config.amazonaws.com",
    "config-multiaccountsetup": "config-multiaccountsetup.amazonaws.com",
}
"""Key -> service principal delegated to the audit account through Organizations' DelegatedAdministrator
(GuardDuty, Inspector, Security Hub and CloudTrail have their own delegation APIs)."""


def standard_arn(region: str, standard: str) -> str:
    """A Security Hub standard, e.g. `aws-foundational-security-best-practices/v/1.0.0`, in `region`."""
    return f"arn:aws:securityhub:{region}::standards/{standard}"
