"""The management stack: organisation, accounts, Identity Center, Control Tower and guardrails."""

from __future__ import annotations

from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws

import names
from components import (
    AccountPlacement,
    AppAccountSet,
    AppAccountSetArgs,
    ControlTower,
    ControlTowerArgs,
    Guardrails,
    GuardrailsArgs,
    Organization,
    OrganizationalUnitSpec,
    OrganizationArgs,
    SecurityOU,
    SecurityOUArgs,
    SSOAccess,
    SSOAccessArgs,
)
from config import LandingZone
from config.model import AUDIT, LOG
from config.schema import SCOPE_MANAGEMENT, SCP_ROOT
from guardrails.control_tower import BASELINE_VERSION_FOR, ManifestSettings
from stacks.delivery import build_delivery
from stacks.management_security import build_security_administration


def management_provider(landing_zone: LandingZone) -> aws.Provider:
    """The only provider with the caller's own credentials; it refuses any account but management."""
    org = landing_zone.organization
    return aws.Provider(
        "management",
        region=org.home_region,
        allowed_account_ids=[org.management_account_id],
        default_tags=aws.ProviderDefaultTagsArgs(tags=names.MANAGED_BY_TAG),
    )


BOOTSTRAP_PHASE = "organization"
"""`landing-zone:phase=organization`: only the organisation, so Identity Center can then be enabled in it."""


def build(landing_zone: LandingZone, secrets: Mapping[str, pulumi.Output[str]]) -> dict[str, object]:
    org = landing_zone.organization
    control_tower = landing_zone.config.guardrails.control_tower
    trusts: Optional[str] = org.management_account_id if control_tower.enabled else None
    management = management_provider(landing_zone)
    in_management = pulumi.ResourceOptions(providers=[management])

    organization = Organization(
        "organization",
        OrganizationArgs(organizational_units={key: OrganizationalUnitSpec(name=ou.name, parent=ou.parent) for key, ou in org.organizational_units.items()}),
        opts=in_management,
    )
    if pulumi.Config().get("phase") == BOOTSTRAP_PHASE:
        return {"organizationId": organization.organization.id, "rootId": organization.root_id, "organizationalUnitIds": organization.ou_ids}
    # Where member accounts go and how they are reached: the same for security and workload accounts.
    placement = AccountPlacement(ou_ids=organization.ou_ids, access_role_name=org.access_role_name, region=org.home_region, control_tower_trusts=trusts)
    security = SecurityOU(
        "security",
        SecurityOUArgs(audit=landing_zone.account(AUDIT), log=landing_zone.account(LOG), placement=placement),
        opts=in_management,
    )
    applications = {
        app: AppAccountSet(app, AppAccountSetArgs(accounts=landing_zone.application_accounts(app), placement=placement), opts=in_management)
        for app in landing_zone.config.applications
    }
    account_ids: dict[str, pulumi.Input[str]] = {SCOPE_MANAGEMENT: org.management_account_id, **security.account_ids}
    for app, account_set in applications.items():
        account_ids.update({f"{app}-{env}": account_id for env, account_id in account_set.account_ids.items()})

    sso = SSOAccess(
        "sso",
        SSOAccessArgs(
            region=org.home_region,
            people=landing_zone.people,
            groups=landing_zone.groups,
            permission_sets=landing_zone.permission_sets,
            assignments=landing_zone.assignments,
            account_ids=account_ids,
            user_assignments=landing_zone.migration_assignments,
        ),
        opts=in_management,
    )

    guardrails = landing_zone.guardrails
    Guardrails(
        "guardrails",
        GuardrailsArgs(
            scps=guardrails.scps,
            target_ids={SCP_ROOT: organization.root_id, **organization.ou_ids},
            tag_policy=guardrails.tag_policy,
            tag_policy_target=landing_zone.config.guardrails.tag_policy.target,
            account_ids=account_ids,
            after=[organization.organization],
        ),
        opts=in_management,
    )

    delivery_outputs, channels = build_delivery(landing_zone, secrets, management, security, applications)
    build_security_administration(landing_zone, management, organization, security, channels, account_ids)

    outputs: dict[str, object] = {}
    if control_tower.enabled:
        execution_roles = {AUDIT: security.audit.execution_role, LOG: security.log.execution_role}
        for app, account_set in applications.items():
            execution_roles.update({f"{app}-{env}": role for env, role in account_set.execution_roles.items()})
        enrolment_roles: dict[str, list[pulumi.Resource]] = {}
        for account in landing_zone.accounts:
            if account.key in execution_roles:
                enrolment_roles.setdefault(account.ou, []).append(execution_roles[account.key])
        landing = ControlTower(
            "control-tower",
            ControlTowerArgs(
                region=org.home_region,
                manifest=ManifestSettings(
                    version=control_tower.landing_zone_version,
                    governed_regions=org.governed_regions,
                    security_ou_name=org.organizational_units[landing_zone.config.security.ou].name,
                    logging_retention_days=control_tower.logging_retention_days,
                    access_logging_retention_days=control_tower.access_logging_retention_days,
                    kms_key_arn=control_tower.kms_key_arn,
                    access_management=control_tower.access_management,
                    config_account=control_tower.config_account,
                ),
                audit_account_id=security.audit.account.id,
                log_account_id=security.log.account.id,
                shared_account_roles=[execution_roles[AUDIT], execution_roles[LOG]],
                baseline_version=control_tower.baseline_version or BASELINE_VERSION_FOR[control_tower.landing_zone_version],
                identity_center_baseline_arn=control_tower.identity_center_baseline_arn,
                registered_ous=guardrails.registered_ous,
                ou_arns=organization.ou_arns,
                enrolment_roles=enrolment_roles,
                controls=guardrails.controls,
            ),
            opts=in_management,
        )
        outputs["landingZoneArn"] = landing.landing_zone.arn
        # The handle for enrolling accounts added later: `aws controltower reset-enabled-baseline`.
        outputs["controlTowerBaselineArns"] = {key: baseline.arn for key, baseline in landing.baselines.items()}

    return {
        "organizationId": organization.organization.id,
        "rootId": organization.root_id,
        "organizationalUnitIds": organization.ou_ids,
        "accountIds": account_ids,
        "applicationAccountIds": {app: s.account_ids for app, s in applications.items()},
        "ssoInstanceArn": sso.instance_arn,
        "identityStoreId": sso.identity_store_id,
        "homeRegion": org.home_region,
        "governedRegions": org.governed_regions,
        "accessRoleName": org.access_role_name,
        **outputs,
        **delivery_outputs,
    }
