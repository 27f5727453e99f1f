"""Validation phase 2 for `guardrails`: Control Tower, control ids, exemptions and AWS limits.

Everything a guardrail would be refused for at deploy time (an SCP over the size or slot limit, a
control id with a typo, a target OU that does not exist) is found here, before any resource; the
Organizations policies of every type are checked in config/policy_checks.py.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

import names
from config.issues import path_of
from config.model import SHARED_ACCOUNTS, STACK_ACCOUNTS, AccountSpec, DeliveryPlan, GuardrailPlan, access_role_name, workload_access_role_name
from config.policy_checks import below, check_backup, check_policies, template_values
from config.regions import PARTITION
from config.schema import LandingZoneConfig
from guardrails import scp
from guardrails.control_policies import BEHAVIOUR, PREVENTIVE, exempts_deployers
from guardrails.control_tower import BASELINE_VERSION, LANDING_ZONE_VERSION, PREREQUISITE_ROLES
from guardrails.controls import CATALOGUE, default_controls
from iam import minify

BASELINE_PARAMETER_QUOTED = (
    "terraform-provider-aws internal/service/controltower/baseline.go at 03fb37bf sends each parameter as "
    "document.NewLazyDocument(param.Value.String()), and the framework's String() is the quoted form "
    "(terraform-plugin-framework types/basetypes/string_value.go); a later upstream commit (3279a24b) may "
    "have fixed it, and which upstream version pulumi-aws 7.51.1 bridges is not verified"
)
"""Why access management is refused: every OU registration would then need the
IdentityCenterEnabledBaselineArn parameter, and the provider version read sends its value with
literal quotes. Refused until a run against AWS shows the bridged provider sends it bare."""

Fail = Callable[..., None]
Warn = Callable[[str], None]


def _suggest(value: str, known) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return f"did you mean {close[0]}?" if close else f"known: {', '.join(sorted(known))}"


CONTROL_TOWER_LOG_BUCKETS = tuple(map(names.bucket_pattern, (names.CONTROL_TOWER_LOGS, names.CONTROL_TOWER_ACCESS_LOGS)))
TRAIL_LOG_BUCKETS = (names.bucket_pattern(names.TRAIL_LOGS), names.bucket_pattern(names.CONFIG_LOGS))
"""With Control Tower off, the log stack's trail bucket and the Config recorders' bucket (one each per log account and home region)."""


def protected_log_buckets(cfg: LandingZoneConfig) -> list[str]:
    configured = cfg.guardrails.scp.protected_log_buckets
    if configured is not None:
        return list(configured)
    return list(CONTROL_TOWER_LOG_BUCKETS if cfg.guardrails.control_tower.enabled else TRAIL_LOG_BUCKETS)


def deploy_roles(cfg: LandingZoneConfig) -> dict[str, str]:
    """Stack -> key of its account, for the stacks Pulumi Deployments runs with their own role."""
    deployments = cfg.deployments if cfg.deployments is not None and cfg.deployments.enabled else None
    return {stack: STACK_ACCOUNTS[stack] for stack in deployments.stacks} if deployments else {}


def exemptions(cfg: LandingZoneConfig) -> tuple[scp.Exemption, ...]:
    """Whom every deny exempts: each account's access role, where that account has it. With Control
    Tower on, AWSControlTowerExecution everywhere (the workload accounts' access role; Control Tower
    creates it in the shared accounts at set-up) and the shared accounts' own access role
    (`organization.access_role_name`) in the audit and log accounts only, the one pair of accounts
    created with it. The roles Pulumi Deployments runs the stacks with change the guarded services,
    so each is exempt, in its own stack's account only."""
    control_tower = cfg.guardrails.control_tower.enabled
    workload = workload_access_role_name(cfg)
    shared = {key: role for key in SHARED_ACCOUNTS if (role := access_role_name(cfg, key)) != workload}
    return scp.exemptions(workload, cfg.guardrails.scp.privileged_roles, control_tower, deploy_roles(cfg), shared)


def registered_ous(cfg: LandingZoneConfig, parents_first: list[str]) -> tuple[str, ...]:
    """OUs this program registers with Control Tower, parents first.

    Neither the suspended OU (outside governance, deny-all) nor the Security OU: with landing zone
    4.0 "the AWS Control Tower Baseline and the AWS Config Baseline are not applicable to the
    Security OU" (user guide, key changes of 4.0; EnableBaseline on it fails), and "there is no
    longer a Security OU managed by AWS Control Tower"
    (https://docs.aws.amazon.com/controltower/latest/controlreference/exception-to-controls-security-ou.html).
    """
    if not cfg.guardrails.control_tower.enabled:
        return ()
    skip = {cfg.organization.suspended_ou, cfg.security.ou}
    chosen = cfg.guardrails.control_tower.registered_ous
    return tuple(key for key in parents_first if key not in skip and (chosen is None or key in chosen))


def check_registered_ous(cfg: LandingZoneConfig, fail: Fail) -> None:
    """`guardrails.control_tower.registered_ous`: OUs of the config, neither the Security nor the suspended OU."""
    chosen = cfg.guardrails.control_tower.registered_ous or []
    ous = cfg.organization.organizational_units
    for index, key in enumerate(chosen):
        path = path_of("guardrails.control_tower.registered_ous", index)
        if key not in ous:
            fail(path, "no such organizational unit", key, f"known: {', '.join(ous)}")
        elif key in (cfg.security.ou, cfg.organization.suspended_ou):
            fail(path, "the Security and suspended OUs are never registered (see registered_ous in config/guardrail_checks.py)", key, "remove it")


def control_exemptions(
    cfg: LandingZoneConfig, controls: Mapping[str, tuple[str, ...]], accounts: Sequence[AccountSpec], delivery: Optional[DeliveryPlan]
) -> dict[str, tuple[scp.Exemption, ...]]:
    """OU key -> the roles the landing zone deploys with in the active accounts below it: the
    account's access role (its provider's, and the first run of the audit and log stacks, docs/deploying.md
    "Deploy for real": "Audit and log stacks"), the stack's Pulumi Deployments role in its account, each application's
    deploy role in its environment's account. Only OUs with a control that could deny them."""
    stack_roles = {account: names.pulumi_deploy_role(stack) for stack, account in deploy_roles(cfg).items()}
    app_roles = {key: names.github_deploy_role(env) for pipeline in (delivery.pipelines if delivery else ()) for env, key in pipeline.accounts.items()}
    found: dict[str, tuple[scp.Exemption, ...]] = {}
    for ou, ids in controls.items():
        if not any(exempts_deployers(control) for control in ids if control in BEHAVIOUR):
            continue
        inside = below(cfg, ou)
        roles = []
        for account in (a for a in accounts if a.ou in inside and not a.suspended):
            roles += [scp.Exemption(names.Role(access_role_name(cfg, account.key)), account.key)] + [
                scp.Exemption(r, account.key) for r in (stack_roles.get(account.key), app_roles.get(account.key)) if r
            ]
        found[ou] = tuple(roles)
    return found


def check_partition(path: str, arn: str, what: str, hint: str, fail: Fail) -> None:
    """An ARN (shape-checked) of something the landing zone adopts or uses: in its partition, as every ARN it writes is."""
    partition = arn.split(":")[1]
    if partition != PARTITION:
        fail(path, f"{what} in the {partition} partition, but the landing zone's regions are all in {PARTITION} (config/regions.py)", arn, hint)


def check_home_arn(cfg: LandingZoneConfig, path: str, arn: str, what: str, hint: str, fail: Fail) -> None:
    """An ARN (shape-checked) of something Control Tower keeps: in the landing zone's partition, the home region
    and the management account. One problem for each part that differs."""
    _, _, _, region, account = arn.split(":")[:5]
    check_partition(path, arn, what, hint, fail)
    home = cfg.organization.home_region
    if region != home:
        fail(path, f"{what} in {region}, but Control Tower's home region is {home} (organization.home_region)", arn, hint)
    management = cfg.organization.management_account_id
    if account != management:
        fail(path, f"{what} of account {account}, but Control Tower takes only the management account's ({management})", arn, hint)


def check_control_tower(cfg: LandingZoneConfig, fail: Fail, warn: Warn) -> None:
    """The landing zone settings AWS or the provider would refuse."""
    control_tower = cfg.guardrails.control_tower
    if not control_tower.enabled:
        for name in ("registered_ous", "kms_key_arn", "config_kms_key_arn"):
            if getattr(control_tower, name) is not None:
                warn(f"guardrails.control_tower.{name}: no effect with Control Tower off (guardrails.control_tower.enabled: false); remove it")
        return
    check_registered_ous(cfg, fail)
    for name in ("kms_key_arn", "config_kms_key_arn"):
        arn = getattr(control_tower, name)
        # Control Tower user guide, "Optionally configure AWS KMS keys": its pre-check wants the key "in the management account".
        # The home region too: the logs go to Control Tower's buckets there (aws-controltower-logs-<account>-<home region>),
        # and CloudTrail refuses a key of another region than its bucket (botocore 1.44.8 data/cloudtrail/2013-11-01
        # KmsKeyNotFoundException: "when the S3 bucket and the KMS key are not in the same Region"), as Config does
        # (data/config/2014-11-12 DeliveryChannel s3KmsKeyArn: "Must belong to the same Region as the destination S3 bucket").
        if arn is not None:
            check_home_arn(
                cfg,
                f"guardrails.control_tower.{name}",
                arn,
                "a KMS key",
                "create the key in the management account, in the home region (Control Tower user guide, 'Optionally configure AWS KMS keys')",
                fail,
            )
    if control_tower.landing_zone_version not in (None, LANDING_ZONE_VERSION):
        fail(
            "guardrails.control_tower.landing_zone_version",
            f'Control Tower creates only the latest landing zone version, {LANDING_ZONE_VERSION} (CreateLandingZone: "must be latest available version")',
            control_tower.landing_zone_version,
            f'remove the key or set {LANDING_ZONE_VERSION}; an existing older landing zone is updated in place to it (docs/operations.md, "Upgrade the landing zone")',
        )
    if control_tower.baseline_version not in (None, BASELINE_VERSION):
        fail(
            "guardrails.control_tower.baseline_version",
            f"landing zone {LANDING_ZONE_VERSION} registers OUs with AWSControlTowerBaseline {BASELINE_VERSION}",
            control_tower.baseline_version,
            f"remove the key or set {BASELINE_VERSION}",
        )
    if control_tower.access_management:
        fail(
            "guardrails.control_tower.access_management",
            "Control Tower cannot manage Identity Center here: every OU registration would then need the IdentityCenterEnabledBaselineArn "
            f"parameter, which the provider source read sends as a quoted string Control Tower refuses, and the bridged version is "
            f"unverified ({BASELINE_PARAMETER_QUOTED})",
            True,
            "leave it off: this program manages Identity Center itself (identity_center)",
        )
    shared_role = cfg.organization.access_role_name
    if shared_role == names.CONTROL_TOWER_EXECUTION_ROLE.name:
        fail(
            "organization.access_role_name",
            "with Control Tower on, the audit and log accounts are created with this role before the landing zone, and CreateLandingZone "
            f"creates {shared_role} in them itself (Control Tower user guide, awscontroltowerexecution.html), so they must not already have it",
            shared_role,
            f"remove the key (default {names.DEFAULT_ACCESS_ROLE}, what Control Tower's API walkthrough creates them with); workload "
            f"accounts get {shared_role} regardless",
        )
    elif shared_role != names.DEFAULT_ACCESS_ROLE:
        warn(
            f"organization.access_role_name ({shared_role}): with Control Tower on it is the role of the audit and log accounts only "
            f"(workload accounts get {names.CONTROL_TOWER_EXECUTION_ROLE.name}); Control Tower's API walkthrough creates those two with "
            f"the default {names.DEFAULT_ACCESS_ROLE}, and no AWS page says CreateLandingZone sets them up through another role name"
        )


def check_guardrails(
    cfg: LandingZoneConfig,
    parents_first: list[str],
    known_account_ids: Mapping[str, str],
    fail: Fail,
    warn: Warn,
    accounts: Sequence[AccountSpec] = (),
    delivery: Optional[DeliveryPlan] = None,
    folder: Optional[Path] = None,
) -> GuardrailPlan:
    """`known_account_ids`: account key -> id, for the accounts whose id the config gives (the
    management account, adopted accounts); the SCPs name the others' ids once they exist.
    `accounts` and `delivery` name the roles controls exempt."""
    guardrails = cfg.guardrails
    limits = guardrails.limits
    ous = cfg.organization.organizational_units
    registered = registered_ous(cfg, parents_first)
    check_control_tower(cfg, fail, warn)
    # OUs under Control Tower: each carries Control Tower's own SCP. The Security OU holds the
    # accounts the landing zone's integrations name, so it is counted as governed for the SCP slots.
    governed = set(registered) | ({cfg.security.ou} if guardrails.control_tower.enabled else set())

    exempted = exemptions(cfg)
    parameters = scp.ScpParameters(
        governed_regions=tuple(cfg.organization.governed_regions),
        privileged_role_arns=tuple(exemption.arn for exemption in exempted),
        protected_bucket_resources=scp.bucket_resources(protected_log_buckets(cfg)),
    )
    documents = check_policies(cfg, template_values(cfg, parameters), governed, known_account_ids, fail, folder, warn)

    if guardrails.control_tower.enabled:
        trusts = {role.role.name: role.trust_policy for role in PREREQUISITE_ROLES}
        for role, trust in trusts.items():
            size = len(minify(trust))
            if size > limits.trust_policy_max_chars:
                fail(
                    "guardrails.limits.trust_policy_max_chars",
                    f"trust policy of {role} is {size} characters, over the limit of {limits.trust_policy_max_chars}",
                    limits.trust_policy_max_chars,
                    "IAM's default quota is 2048",
                )

    # An environment whose OU does not exist is already reported; defaults must not echo it.
    environment_ous = {env: spec.ou for env, spec in cfg.environments.items() if spec.ou in ous}
    controls: dict[str, tuple[str, ...]] = {}
    if guardrails.control_tower.enabled:
        chosen = {ou: tuple(ids) for ou, ids in guardrails.controls.items()} if guardrails.controls is not None else default_controls(environment_ous)
        for ou, ids in chosen.items():
            path = path_of("guardrails.controls", ou)
            if ou not in ous:
                fail(path, "no such organizational unit", ou, f"known: {', '.join(ous)}")
                continue
            for index, control_id in enumerate(ids):
                if control_id not in CATALOGUE:
                    fail(path_of(path, index), "unknown control id", control_id, _suggest(control_id, CATALOGUE))
                elif ou not in registered and BEHAVIOUR[control_id].behaviour != PREVENTIVE:
                    # controlreference/control-considerations.html: "Detective controls can be applied to an
                    # OU that has either the ConfigBaseline enabled or the AWSControlTowerBaseline."
                    fail(
                        path_of(path, index),
                        f"a {BEHAVIOUR[control_id].behaviour} control needs an OU registered with Control Tower, and {ou} is not",
                        control_id,
                        f"registered OUs: {', '.join(registered) or 'none'}; preventive controls (SCPs) can target any OU",
                    )
        controls = chosen

    # A deploy must not create or reshape an exempted role in any account: the boundary names them all so.
    privileged = tuple(dict.fromkeys(exemption.role.arn() for exemption in exempted))
    return GuardrailPlan(
        documents,
        privileged,
        registered,
        controls,
        control_exemptions(cfg, controls, accounts, delivery),
        root_access=guardrails.root_access.enabled,
        backup=check_backup(cfg, documents, accounts, fail),
    )
