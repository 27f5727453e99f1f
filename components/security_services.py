"""Security services administered from the audit account for the whole organisation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws

import names
from config.model import SecurityServicesSpec
from iam import minify, service_trust
from security.services import RUNTIME_MONITORING, UNRECORDED_DISABLED_CONTROLS, standard_arn


@dataclass(frozen=True)
class SecurityServicesArgs:
    settings: SecurityServicesSpec
    """Protection plans, standards, scanned resource types, the conformance pack and its template."""
    providers: Mapping[str, aws.Provider]
    """Governed region -> audit-account provider; the home region's aggregates the others."""
    home_region: str
    """Security Hub's central configuration, the Config aggregator and the conformance pack live here."""
    audit_account_id: pulumi.Input[str]
    """This account, which the services also enable for itself."""
    member_account_ids: Mapping[str, pulumi.Input[str]]
    """Account key -> id of every other active member account: Inspector's auto-enable covers only
    accounts that join later, so these are associated and enabled here."""
    unrecorded_account_ids: Mapping[str, pulumi.Input[str]]
    """Account key -> id of the accounts where AWS Config records nothing (the management account,
    suspended ones): an organisation conformance pack fails in an account without a recorder, so it
    skips these, and their Security Hub policy turns off the controls that only say so (Config.1)."""
    root_id: pulumi.Input[str]
    """Organisation root: the Security Hub configuration policy is associated to it."""
    config_aggregator: bool
    """False when Control Tower 4.0's Config integration already aggregates the organisation."""


class SecurityServices(pulumi.ComponentResource):
    def __init__(self, name: str, args: SecurityServicesArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:security_services:SecurityServices", name, None, opts)
        settings = args.settings
        for region, provider in args.providers.items():
            here = pulumi.ResourceOptions(parent=self, provider=provider)
            # Being made delegated administrator enables GuardDuty in this account in every region
            # the management stack delegated; creating a detector here would collide with it.
            detector = aws.guardduty.get_detector_output(opts=pulumi.InvokeOutputOptions(parent=self, provider=provider))
            organization = aws.guardduty.OrganizationConfiguration(
                f"{name}-{region}-guardduty-organization", detector_id=detector.id, auto_enable_organization_members="ALL", opts=here
            )
            # UpdateOrganizationConfiguration carries both the members' auto-enable and the features; the
            # provider's feature resource sends back the auto-enable it reads (TF
            # internal/service/guardduty/organization_configuration_feature.go), so the features come after it.
            after_organization = pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[organization])
            for plan in settings.protection_plans:
                agents = settings.runtime_agents if plan == RUNTIME_MONITORING else ()
                aws.guardduty.OrganizationConfigurationFeature(
                    f"{name}-{region}-{plan}-members",
                    detector_id=detector.id,
                    name=plan,
                    auto_enable="ALL",
                    additional_configurations=[
                        aws.guardduty.OrganizationConfigurationFeatureAdditionalConfigurationArgs(name=agent, auto_enable="ALL") for agent in agents
                    ]
                    or None,
                    opts=after_organization,
                )
                aws.guardduty.DetectorFeature(
                    f"{name}-{region}-{plan}",
                    detector_id=detector.id,
                    name=plan,
                    status="ENABLED",
                    additional_configurations=[aws.guardduty.DetectorFeatureAdditionalConfigurationArgs(name=agent, status="ENABLED") for agent in agents]
                    or None,
                    opts=here,
                )
            types = set(settings.inspector_resource_types)
            aws.inspector2.OrganizationConfiguration(
                f"{name}-{region}-inspector-organization",
                auto_enable=aws.inspector2.OrganizationConfigurationAutoEnableArgs(
                    ec2="EC2" in types, ecr="ECR" in types, lambda_="LAMBDA" in types, lambda_code="LAMBDA_CODE" in types
                ),
                opts=here,
            )
            admin = aws.inspector2.Enabler(f"{name}-{region}-inspector", account_ids=[args.audit_account_id], resource_types=sorted(types), opts=here)
            # "The delegated administrator must add and enable scans for members in each Region"
            # (Inspector user guide, designating-admin); one Enabler may not mix the administrator
            # and members (the provider refuses it), so members have their own.
            associations = [
                aws.inspector2.MemberAssociation(f"{name}-{region}-{key}-inspector-member", account_id=account_id, opts=here)
                for key, account_id in args.member_account_ids.items()
            ]
            if associations:
                aws.inspector2.Enabler(
                    f"{name}-{region}-inspector-members",
                    account_ids=list(args.member_account_ids.values()),
                    resource_types=sorted(types),
                    opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[admin, *associations]),
                )
            aws.accessanalyzer.Analyzer(f"{name}-{region}-access-analyzer", analyzer_name=names.ORGANIZATION_ANALYZER, type="ORGANIZATION", opts=here)

        home = pulumi.ResourceOptions(parent=self, provider=args.providers[args.home_region])
        others = [region for region in args.providers if region != args.home_region]
        aggregator = aws.securityhub.FindingAggregator(
            f"{name}-findings-aggregator",
            linking_mode="SPECIFIED_REGIONS" if others else "NO_REGIONS",
            specified_regions=others or None,
            opts=home,
        )
        central = aws.securityhub.OrganizationConfiguration(
            f"{name}-securityhub-organization",
            auto_enable=False,
            auto_enable_standards="NONE",
            organization_configuration=aws.securityhub.OrganizationConfigurationOrganizationConfigurationArgs(configuration_type="CENTRAL"),
            # Central configuration needs the aggregator that defines the linked regions.
            opts=pulumi.ResourceOptions(parent=self, provider=args.providers[args.home_region], depends_on=[aggregator]),
        )
        after_central = pulumi.ResourceOptions(parent=self, provider=args.providers[args.home_region], depends_on=[central])
        standards = [standard_arn(args.home_region, s) for s in settings.standards]
        policy = aws.securityhub.ConfigurationPolicy(
            f"{name}-securityhub-policy",
            name=names.SECURITY_HUB_POLICY,
            description="Security Hub everywhere, with the configured standards",
            configuration_policy=_policy(standards, disabled=()),
            opts=after_central,
        )
        aws.securityhub.ConfigurationPolicyAssociation(f"{name}-securityhub-root", target_id=args.root_id, policy_id=policy.id, opts=home)
        if args.unrecorded_account_ids:
            # An account's own association wins over the one it inherits from the root ("How
            # associations work": https://docs.aws.amazon.com/securityhub/latest/userguide/configuration-policies-overview.html,
            # checked 2026-12); StartConfigurationPolicyAssociation takes an account id as target.
            unrecorded = aws.securityhub.ConfigurationPolicy(
                f"{name}-securityhub-unrecorded-policy",
                name=names.SECURITY_HUB_UNRECORDED_POLICY,
                description="Accounts that record nothing with AWS Config: the configured standards without Config.1",
                configuration_policy=_policy(standards, disabled=UNRECORDED_DISABLED_CONTROLS),
                opts=after_central,
            )
            for key, account_id in args.unrecorded_account_ids.items():
                aws.securityhub.ConfigurationPolicyAssociation(f"{name}-securityhub-{key}-unrecorded", target_id=account_id, policy_id=unrecorded.id, opts=home)

        if args.config_aggregator:
            role = aws.iam.Role(
                f"{name}-config-aggregator-role",
                name=names.CONFIG_AGGREGATOR_ROLE.name,
                assume_role_policy=minify(service_trust("config.amazonaws.com")),
                opts=home,
            )
            attachment = aws.iam.RolePolicyAttachment(
                f"{name}-config-aggregator-policy", role=role.name, policy_arn=names.CONFIG_ROLE_FOR_ORGANIZATIONS, opts=home
            )
            aws.cfg.ConfigurationAggregator(
                f"{name}-config-aggregator",
                name=names.ORGANIZATION_AGGREGATOR,
                organization_aggregation_source=aws.cfg.ConfigurationAggregatorOrganizationAggregationSourceArgs(all_regions=True, role_arn=role.arn),
                opts=pulumi.ResourceOptions(parent=self, provider=args.providers[args.home_region], depends_on=[attachment]),
            )
        aws.cfg.OrganizationConformancePack(
            f"{name}-conformance-pack",
            name=settings.conformance_pack,
            template_body=settings.conformance_pack_template,
            excluded_accounts=pulumi.Output.all(*args.unrecorded_account_ids.values()).apply(sorted),
            opts=home,
        )
        self.register_outputs({})


def _policy(standards: list[str], disabled: tuple[str, ...]) -> aws.securityhub.ConfigurationPolicyConfigurationPolicyArgs:
    return aws.securityhub.ConfigurationPolicyConfigurationPolicyArgs(
        service_enabled=True,
        enabled_standard_arns=standards,
        security_controls_configuration=aws.securityhub.ConfigurationPolicyConfigurationPolicySecurityControlsConfigurationArgs(
            disabled_control_identifiers=list(disabled)
        ),
    )
