"""The AWS organisation: all features, trusted access, the policy types in use, centralised root access, every OU."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

import names
from config.model import parents_first

# Services the landing zone integrates organisation-wide. Control Tower enables several of these
# for itself; leaving one out here would make the next `pulumi up` switch it off under it. Control
# Tower's own access comes with it (config/model.py LandingZone.trusted_services).
TRUSTED_SERVICES = (
    "access-analyzer.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "config-multiaccountsetup.amazonaws.com",
    "config.amazonaws.com",
    "guardduty.amazonaws.com",
    "inspector2.amazonaws.com",
    "member.org.stacksets.cloudformation.amazonaws.com",
    "securityhub.amazonaws.com",
    "sso.amazonaws.com",
)


@dataclass(frozen=True)
class OrganizationalUnitSpec:
    name: str
    """The OU's name in AWS Organizations."""
    parent: Optional[str]
    """Key of the parent OU; None for an OU directly under the root."""
    existing_id: Optional[str] = None
    """Adopted with Pulumi's import (ou-...) instead of created."""


@dataclass(frozen=True)
class OrganizationArgs:
    organizational_units: Mapping[str, OrganizationalUnitSpec]
    """OU key -> spec. Keys name the OU resources and are what other config sections refer to."""
    policy_types: Sequence[str] = ()
    """Organisation policy types enabled on the root: those the guardrails attach
    (`GuardrailPlan.policy_types`); enabling a type attaches its AWS default policy everywhere."""
    guardrail_services: Sequence[str] = ()
    """Trusted access the guardrails need beside the integrations (`GuardrailPlan.trusted_services`)."""
    root_access: bool = False
    """Centralised root access: IAM's RootCredentialsManagement and RootSessions for member accounts
    (needs `iam.amazonaws.com` among `guardrail_services`)."""
    existing_id: Optional[str] = None
    """Adopt this organisation (o-...) with Pulumi's import instead of creating one."""


class Organization(pulumi.ComponentResource):
    organization: aws.organizations.Organization
    root_id: pulumi.Output[str]
    ou_ids: dict[str, pulumi.Output[str]]
    ou_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: OrganizationArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:organization:Organization", name, None, opts)
        self.organization = aws.organizations.Organization(
            f"{name}-organization",
            feature_set="ALL",
            aws_service_access_principals=sorted({*TRUSTED_SERVICES, *args.guardrail_services}),
            enabled_policy_types=sorted(args.policy_types),
            opts=pulumi.ResourceOptions(parent=self, protect=True, import_=args.existing_id),
        )
        self.root_id = self.organization.roots[0].id
        if args.root_access:
            # The provider's note: "you must enable trusted access for AWS Identity and Access
            # Management in AWS Organizations" first (iam/organizations_features.py), which the
            # organisation does, hence the dependency.
            aws.iam.OrganizationsFeatures(
                f"{name}-root-access",
                enabled_features=list(names.ROOT_ACCESS_FEATURES),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.organization]),
            )
        units: dict[str, aws.organizations.OrganizationalUnit] = {}
        for key in parents_first({key: spec.parent for key, spec in args.organizational_units.items()}):
            spec = args.organizational_units[key]
            units[key] = aws.organizations.OrganizationalUnit(
                f"{name}-{key}-ou",
                name=spec.name,
                parent_id=self.root_id if spec.parent is None else units[spec.parent].id,
                tags={**names.MANAGED_BY_TAG, names.OU_TAG: key},
                opts=pulumi.ResourceOptions(parent=self, import_=spec.existing_id),
            )
        self.organizational_units = units
        self.ou_ids = {key: unit.id for key, unit in units.items()}
        self.ou_arns = {key: unit.arn for key, unit in units.items()}
        self.register_outputs({"organizationId": self.organization.id, "rootId": self.root_id, "ouIds": self.ou_ids})
