"""Control Tower through its API: the landing zone, OU registration, controls.

The order is Control Tower's own rule: one landing-zone or OU operation at a time, so the landing
zone comes first and each OU registration waits for the previous one (parents first); a control
waits for its OU's registration, or for the landing zone on an OU that is not registered
(preventive controls can target any OU once the landing zone exists, controlreference/
control-considerations.html), in chained batches of Control Tower's limit of control operations.
`rules/service.py` checks the planned graph for exactly this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from config.model import ControlTowerImports
from guardrails.control_policies import BEHAVIOUR, exempts_deployers
from guardrails.control_tower import AUTO_ENROLMENT, BASELINE_VERSION, CONTROL_OPERATIONS, LANDING_ZONE_VERSION, ManifestSettings, baseline_arn, manifest
from guardrails.controls import control_arn
from guardrails.plan_policies import EXEMPT_ASSUME_ROOT, EXEMPTED_PRINCIPAL_ARNS
from guardrails.scp import Exemption
from iam import minify


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
    prerequisites: Sequence[pulumi.Resource]
    """The roles CreateLandingZone needs, and the audit and log accounts (created with the
    organisation's access role; CreateLandingZone creates AWSControlTowerExecution in them)."""
    registered_ous: Sequence[str]
    """OU keys to register, parents first (Control Tower needs a parent registered before its child)."""
    ou_arns: Mapping[str, pulumi.Input[str]]
    """OU key -> OU ARN."""
    ou_accounts: Mapping[str, Sequence[pulumi.Resource]]
    """OU key -> the accounts it holds: its registration enrols them, so it waits for them."""
    controls: Mapping[str, Sequence[str]]
    """OU key -> control ids to enable there."""
    exempted: Mapping[str, Sequence[Exemption]]
    """OU key -> the landing zone's roles in the accounts below it, which controls that deny more
    than the root user exempt through `ExemptedPrincipalArns`."""
    account_ids: Mapping[str, pulumi.Input[str]]
    """Account key -> id, to name the exempted roles by exact ARN."""
    exempt_assume_root: bool = False
    """Centralised root access is on: controls that take `ExemptAssumeRoot` get it, so they let the
    management account's root sessions (sts:AssumeRoot) through."""
    imports: ControlTowerImports = ControlTowerImports()
    """Import ids of what exists already (an adopted landing zone): imported instead of created."""


def _exempted_arns(exemptions: Sequence[Exemption], account_ids: Mapping[str, pulumi.Input[str]]) -> pulumi.Output[str]:
    """The parameter value as the provider needs it: a JSON document (a JSON list here), compact.

    terraform-provider-aws internal/service/controltower/control.go (a856ac75): expandControlParameters
    `json.Unmarshal`s the value (a bare ARN is not JSON and is refused); flattenControlParameters
    reads it back with `json.Marshal`, which writes no white space, into a hashed set with no diff
    suppression. Only the compact form (and the order AWS returns, assumed to be the order sent)
    reads back equal; any other spelling would show a diff on every `pulumi up`. ARNs hold no
    character `json.Marshal` escapes differently (`<`, `>`, `&`, non-ASCII).
    """
    arns = [pulumi.Output.from_input(account_ids[e.account]).apply(e.role.arn) for e in exemptions]
    return pulumi.Output.all(*arns).apply(lambda values: minify(sorted(values)))


class ControlTower(pulumi.ComponentResource):
    landing_zone: aws.controltower.LandingZone
    baselines: dict[str, aws.controltower.Baseline]
    controls: dict[tuple[str, str], aws.controltower.ControlTowerControl]

    def __init__(self, name: str, args: ControlTowerArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:control_tower:ControlTower", name, None, opts)
        settings = args.manifest
        self.landing_zone = aws.controltower.LandingZone(
            f"{name}-landing-zone",
            version=LANDING_ZONE_VERSION,
            manifest_json=pulumi.Output.all(args.audit_account_id, args.log_account_id).apply(lambda ids: minify(manifest(settings, ids[0], ids[1]))),
            remediation_types=list(AUTO_ENROLMENT),
            # An adopted landing zone is protected like the adopted policies: deleting it decommissions Control Tower.
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=list(args.prerequisites), import_=args.imports.landing_zone, protect=args.imports.landing_zone is not None
            ),
        )

        self.baselines = {}
        previous: pulumi.Resource = self.landing_zone
        for key in args.registered_ous:
            previous = self.baselines[key] = aws.controltower.Baseline(
                f"{name}-{key}-baseline",
                baseline_identifier=baseline_arn(args.region),
                baseline_version=BASELINE_VERSION,
                target_identifier=args.ou_arns[key],
                # The provider replaces a baseline whose version changes (baseline.go: RequiresReplace),
                # which disables it first and un-registers the OU: upgrades run in place instead, with
                # `aws controltower update-enabled-baseline` (docs/operations.md, "Upgrade the landing zone").
                # A replacement that remains (new baseline identifier or target) must disable first:
                # a target takes one enabled baseline, so EnableBaseline beside it would be refused.
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=[previous, *args.ou_accounts.get(key, ())],
                    ignore_changes=["baselineVersion"],
                    delete_before_replace=True,
                    import_=args.imports.baselines.get(key),
                ),
            )

        self.controls = {}
        # Control Tower runs at most CONTROL_OPERATIONS control operations at once, and Pulumi
        # Deployments sets no --parallel (its OperationContextOptions have none): each batch of that many
        # waits for the one before.
        batch: list[pulumi.Resource] = []
        previous_batch: list[pulumi.Resource] = []
        for ou, control_ids in args.controls.items():
            governed_after = self.baselines.get(ou, self.landing_zone)
            for control_id in control_ids:
                if len(batch) == CONTROL_OPERATIONS:
                    previous_batch, batch = batch, []
                parameters = []
                if exempts_deployers(control_id) and args.exempted.get(ou):
                    parameters.append(
                        aws.controltower.ControlTowerControlParameterArgs(
                            key=EXEMPTED_PRINCIPAL_ARNS, value=_exempted_arns(args.exempted[ou], args.account_ids)
                        )
                    )
                if args.exempt_assume_root and BEHAVIOUR[control_id].exempts_assume_root:
                    # A JSON document like every parameter value (see _exempted_arns): `true`.
                    parameters.append(aws.controltower.ControlTowerControlParameterArgs(key=EXEMPT_ASSUME_ROOT, value="true"))
                self.controls[(ou, control_id)] = control = aws.controltower.ControlTowerControl(
                    f"{name}-{ou}-{control_id}-control",
                    control_identifier=control_arn(control_id),
                    target_identifier=args.ou_arns[ou],
                    parameters=parameters or None,
                    # control_identifier and target_identifier force replacement (control.go): moving a
                    # control from its regional to its global ARN, say, replaces it on the same OU,
                    # where EnableControl of the still-enabled control would be refused; so disable first.
                    opts=pulumi.ResourceOptions(
                        parent=self,
                        depends_on=[governed_after, *previous_batch],
                        delete_before_replace=True,
                        import_=args.imports.controls.get((ou, control_id)),
                    ),
                )
                batch.append(control)
        self.register_outputs(
            {
                "landingZoneArn": self.landing_zone.arn,
                "baselineArns": {key: baseline.arn for key, baseline in self.baselines.items()},
            }
        )
