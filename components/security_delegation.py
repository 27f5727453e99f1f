"""The audit account as delegated administrator of the security services (log account for CloudTrail).

Runs in the management account after trusted access is enabled. GuardDuty and Inspector are
delegated per region; Security Hub in the home region, where its central configuration lives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from security.services import CONFIG_DELEGATIONS, ORGANIZATION_DELEGATIONS


@dataclass(frozen=True)
class SecurityDelegationArgs:
    audit_account_id: pulumi.Input[str]
    """Delegated administrator of GuardDuty, Security Hub, Inspector, Access Analyzer and Config."""
    log_account_id: pulumi.Input[str]
    """Delegated administrator of CloudTrail, when this program (not Control Tower) owns the trail."""
    home_region: str
    """Where Security Hub's central configuration is administered."""
    providers: Mapping[str, aws.Provider]
    """Governed region -> management-account provider."""
    delegate_config: bool
    """False when Control Tower's Config integration already registers its own administrator."""
    delegate_cloudtrail: bool
    """True with Control Tower off: the log stack then creates the organisation trail."""
    after: Sequence[pulumi.Resource] = ()
    """The organisation, whose trusted access must be enabled first."""
    config_after: Sequence[pulumi.Resource] = ()
    """With Control Tower on, the landing zone: Config's delegations wait for it (see below)."""
    existing: Mapping[str, str] = field(default_factory=dict)
    """Service principal -> the import id (`<audit account id>/<principal>`, pulumi_aws organizations/delegated_administrator.py
    "## Import") of an Organizations delegation that exists already (security_services.existing_delegations)."""


class SecurityDelegation(pulumi.ComponentResource):
    def __init__(self, name: str, args: SecurityDelegationArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:security_delegation:SecurityDelegation", name, None, opts)

        def in_region(region: str, *depends: pulumi.Resource) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, provider=args.providers[region], depends_on=[*args.after, *depends])

        for region in args.providers:
            aws.guardduty.OrganizationAdminAccount(f"{name}-{region}-guardduty", admin_account_id=args.audit_account_id, opts=in_region(region))
            aws.inspector2.DelegatedAdminAccount(f"{name}-{region}-inspector", account_id=args.audit_account_id, opts=in_region(region))
        # Security Hub must be on in the management account before it can delegate.
        hub = aws.securityhub.Account(
            f"{name}-management-securityhub", enable_default_standards=False, auto_enable_controls=True, opts=in_region(args.home_region)
        )
        aws.securityhub.OrganizationAdminAccount(f"{name}-securityhub", admin_account_id=args.audit_account_id, opts=in_region(args.home_region, hub))
        for key, principal in ORGANIZATION_DELEGATIONS.items():
            # Organisation conformance packs always need config-multiaccountsetup delegated.
            if key == "config" and not args.delegate_config:
                continue
            # Landing zone 4.0's Config integration "automatically configures the delegated admin
            # settings" of AWS Config for its integration account (user guide, config.html); which
            # principals it registers is not listed. Config's delegations wait for CreateLandingZone,
            # so they never race it, and one it has made already fails plainly (docs/limitations.md says how to adopt it).
            after = args.config_after if key in CONFIG_DELEGATIONS else ()
            adopt = pulumi.ResourceOptions(import_=args.existing[principal]) if principal in args.existing else None
            aws.organizations.DelegatedAdministrator(
                f"{name}-{key}",
                account_id=args.audit_account_id,
                service_principal=principal,
                opts=pulumi.ResourceOptions.merge(in_region(args.home_region, *after), adopt),
            )
        if args.delegate_cloudtrail:
            aws.cloudtrail.OrganizationDelegatedAdminAccount(f"{name}-cloudtrail", account_id=args.log_account_id, opts=in_region(args.home_region))
        self.register_outputs({})
