"""Control Tower through its API: prerequisite roles, the landing zone, OU registration, controls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from guardrails.control_tower import IDENTITY_CENTER_BASELINE_PARAMETER, PREREQUISITE_ROLES, ManifestSettings, baseline_arn, manifest
from guardrails.controls import control_arn
from iam import minify
from names import managed_policy_key


@dataclass(frozen=True)
class ControlTowerArgs:
    region: str
    """Home region: where the landing zone, baselines and controls are managed."""
    manifest: ManifestSettings
    """Everything of the manifest but the shared account ids."""
    audit_account_id: pulumi.Input[str]
    """The audit account (security roles; Config integration by default)."""
    log_account_id: pulumi.Input[str]
    """The log archive account (centralised logging)."""
    shared_account_roles: Sequence[pulumi.Resource]
    """Execution roles in the audit and log accounts; the landing zone needs them first."""
    baseline_version: str
    """AWSControlTowerBaseline version matching the landing zone version."""
    identity_center_baseline_arn: Optional[str]
    """With access management on: the enabled IdentityCenterBaseline the OU baselines point at."""
    registered_ous: Sequence[str]
    """OU keys to register, parents first (Control Tower needs a parent registered before its child)."""
    ou_arns: Mapping[str, pulumi.Input[str]]
    """OU key -> OU ARN."""
    enrolment_roles: Mapping[str, Sequence[pulumi.Resource]]
    """OU key -> execution roles of the accounts it holds; registering enrols them."""
    controls: Mapping[str, Sequence[str]]
    """OU key -> control ids to enable there."""


class ControlTower(pulumi.ComponentResource):
    landing_zone: aws.controltower.LandingZone
    baselines: dict[str, aws.controltower.Baseline]
    controls: dict[tuple[str, str], aws.controltower.ControlTowerControl]

    def __init__(self, name: str, args: ControlTowerArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:control_tower:ControlTower", name, None, opts)
        prerequisites = self._prerequisite_roles(name)
        settings = args.manifest
        self.landing_zone = aws.controltower.LandingZone(
            f"{name}-landing-zone",
            version=settings.version,
            manifest_json=pulumi.Output.all(args.audit_account_id, args.log_account_id).apply(lambda ids: minify(manifest(settings, ids[0], ids[1]))),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*prerequisites, *args.shared_account_roles]),
        )

        parameters = None
        if settings.access_management:
            parameters = aws.controltower.BaselineParametersArgs(key=IDENTITY_CENTER_BASELINE_PARAMETER, value=args.identity_center_baseline_arn)
        self.baselines = {}
        previous: pulumi.Resource = self.landing_zone
        for key in args.registered_ous:
            # Control Tower runs one OU operation at a time: each registration waits for the last.
            previous = self.baselines[key] = aws.controltower.Baseline(
                f"{name}-{key}-baseline",
                baseline_identifier=baseline_arn(args.region),
                baseline_version=args.baseline_version,
                target_identifier=args.ou_arns[key],
                parameters=parameters,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[previous, *args.enrolment_roles.get(key, ())]),
            )

        self.controls = {}
        for ou, control_ids in args.controls.items():
            governed_after = self.baselines.get(ou, self.landing_zone)
            for control_id in control_ids:
                self.controls[(ou, control_id)] = aws.controltower.ControlTowerControl(
                    f"{name}-{ou}-{control_id}-control",
                    control_identifier=control_arn(args.region, control_id),
                    target_identifier=args.ou_arns[ou],
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[governed_after]),
                )
        self.register_outputs(
            {
                "landingZoneArn": self.landing_zone.arn,
                "baselineArns": {key: baseline.arn for key, baseline in self.baselines.items()},
            }
        )

    def _prerequisite_roles(self, name: str) -> list[pulumi.Resource]:
        """The four roles CreateLandingZone expects, with the trust and policies AWS documents."""
        created: list[pulumi.Resource] = []
        child = pulumi.ResourceOptions(parent=self)
        for spec in PREREQUISITE_ROLES:
            role = aws.iam.Role(
                f"{name}-{spec.key}-role",
                name=spec.role.name,
                path=spec.role.path,
                assume_role_policy=minify(spec.trust_policy),
                opts=child,
            )
            created.append(role)
            for policy_arn in spec.managed_policies:
                created.append(
                    aws.iam.RolePolicyAttachment(
                        f"{name}-{spec.key}-{managed_policy_key(policy_arn)}-attachment",
                        role=role.name,
                        policy_arn=policy_arn,
                        opts=child,
                    )
                )
            for policy_name, document in spec.inline_policies.items():
                created.append(
                    aws.iam.RolePolicy(
                        f"{name}-{spec.key}-{policy_name}",
                        name=policy_name,
                        role=role.id,
                        policy=minify(document),
                        opts=child,
                    )
                )
        return created
