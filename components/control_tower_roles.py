"""The four roles Control Tower's API set-up needs before CreateLandingZone, built in the bootstrap phase.

IAM is eventually consistent: a role just created may not yet be assumable by the service. The
Landing Zone Accelerator creates these roles and then waits five minutes before CreateLandingZone,
"otherwise ValidationException - CUSTOMER_ASSUME_ROLE_FAILED error occurs"
(awslabs/landing-zone-accelerator-on-aws v1.15.5, source/packages/@aws-lza/lib/control-tower/
setup-landing-zone/index.ts), and the provider retries neither CreateLandingZone nor that error
(terraform-provider-aws internal/service/controltower/landing_zone.go: one call, then it waits for
the operation). So the management stack builds them in its bootstrap phase
(`landing-zone:phase=organization`, docs/deploying.md, "Deploy for real": "Create the organisation first"), before enabling Identity Center by
hand: by the next `pulumi up` they have long propagated. A `pulumi up` that still meets the error
has created nothing in Control Tower (the error is the synchronous answer); run it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from config.model import ControlTowerImports
from guardrails.control_tower import PREREQUISITE_ROLES
from iam import minify
from names import managed_policy_key

CONTROL_TOWER_TYPE = "landingzone:control_tower:ControlTower"
"""The component these roles were children of before they moved here."""


@dataclass(frozen=True)
class ControlTowerRolesArgs:
    previous_parent: str
    """Name of the ControlTower component the roles were created under (their alias)."""
    imports: ControlTowerImports = ControlTowerImports()
    """Import ids of the roles and policies that exist already (an adopted landing zone)."""


class ControlTowerRoles(pulumi.ComponentResource):
    resources: list[pulumi.Resource]
    """The roles and their policies: the landing zone waits for all of them."""

    def __init__(self, name: str, args: ControlTowerRolesArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:control_tower_roles:ControlTowerRoles", name, None, opts)
        moved = [pulumi.Alias(parent=pulumi.create_urn(args.previous_parent, CONTROL_TOWER_TYPE))]
        imports = args.imports

        def child(import_id: Optional[str]) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, aliases=moved, import_=import_id)

        self.resources = []
        for spec in PREREQUISITE_ROLES:
            role = aws.iam.Role(
                f"{name}-{spec.key}-role",
                name=spec.role.name,
                path=spec.role.path,
                assume_role_policy=minify(spec.trust_policy),
                opts=child(imports.roles.get(spec.key)),
            )
            self.resources.append(role)
            for policy_arn in spec.managed_policies:
                self.resources.append(
                    aws.iam.RolePolicyAttachment(
                        f"{name}-{spec.key}-{managed_policy_key(policy_arn)}-attachment",
                        role=role.name,
                        policy_arn=policy_arn,
                        opts=child(imports.role_policies.get((spec.key, policy_arn))),
                    )
                )
            for policy_name, document in spec.inline_policies.items():
                self.resources.append(
                    aws.iam.RolePolicy(
                        f"{name}-{spec.key}-{policy_name}",
                        name=policy_name,
                        role=role.id,
                        policy=minify(document),
                        opts=child(imports.role_policies.get((spec.key, policy_name))),
                    )
                )
        self.register_outputs({"roleNames": [spec.role.name for spec in PREREQUISITE_ROLES]})
