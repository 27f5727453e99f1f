"""The AWS organisation: all features, trusted access for the security services, every OU from config."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

import names
from config.model import parents_first

# Services the landing zone integrates organisation-wide. Control Tower enables several of these
# for itself; leaving one out here would make the next `pulumi up` switch it off under it.
TRUSTED_SERVICES = (
    "access-analyzer.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "config-multiaccountsetup.amazonaws.com",
    "config.amazonaws.com",
    "controltower.amazonaws.com",
    "guardduty.amazonaws.com",
    "inspector2.amazonaws.com",
    "member.org.stacksets.cloudformation.amazonaws.com",
    "securityhub.amazonaws.com",
    "sso.amazonaws.com",
)
POLICY_TYPES = ("SERVICE_CONTROL_POLICY", "TAG_POLICY")


@dataclass(frozen=True)
class OrganizationalUnitSpec:
    name: str
    """The OU's name in AWS Organizations."""
    parent: Optional[str]
    """Key of the parent OU; None for an OU directly under the root."""


@dataclass(frozen=True)
class OrganizationArgs:
    organizational_units: Mapping[str, OrganizationalUnitSpec]
    """OU key -> spec. Keys name the OU resources and are what other config sections refer to."""
    trusted_services: Sequence[str] = TRUSTED_SERVICES
    """Service principals granted trusted access to the organisation."""
    policy_types: Sequence[str] = POLICY_TYPES
    """Organisation policy types enabled on the root."""


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
            aws_service_access_principals=sorted(args.trusted_services),
            enabled_policy_types=sorted(args.policy_types),
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        self.root_id = self.organization.roots[0].id
        units: dict[str, aws.organizations.OrganizationalUnit] = {}
        for key in parents_first({key: spec.parent for key, spec in args.organizational_units.items()}):
            spec = args.organizational_units[key]
            units[key] = aws.organizations.OrganizationalUnit(
                f"{name}-{key}-ou",
                name=spec.name,
                parent_id=self.root_id if spec.parent is None else units[spec.parent].id,
                tags={**names.MANAGED_BY_TAG, names.OU_TAG: key},
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.organizational_units = units
        self.ou_ids = {key: unit.id for key, unit in units.items()}
        self.ou_arns = {key: unit.arn for key, unit in units.items()}
        self.register_outputs({"organizationId": self.organization.id, "rootId": self.root_id, "ouIds": self.ou_ids})
