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
    ControlTowerRoles,
    ControlTowerRolesArgs,
    Organization,
    OrganizationalUnitSpec,
    OrganizationArgs,
    SecurityOU,
    SecurityOUArgs,
    SSOAccess,
    SSOAccessArgs,
)
from components.management_handoff import ManagementHandoff, ManagementHandoffArgs
from config import LandingZone
from config.model import AUDIT, LOG
from config.schema import SCOPE_MANAGEMENT
from guardrails.control_tower import ManifestSettings
from stacks.delivery import Delivery, build_delivery
from stacks.management_guardrails import build_guardrails
from stacks.management_security import build_security_administration
from stacks.settings import BOOTSTRAP_PHASE, PHASE


def management_provider(landing_zone: LandingZone) -> aws.Provider:
    """The only provider with the caller's own credentials; it refuses any account but management."""
    org = landing_zone.organization
    return aws.Provider(
        "management",
        region=org.home_region,
        allowed_account_ids=[org.management_account_id],
        default_tags=aws.ProviderDefaultTagsArgs(tags=names.MANAGED_BY_TAG),
    )


CONTROL_TOWER = "control-tower"


def build(landing_zone: LandingZone, secrets: Mapping[str, pulumi.Output[str]]) -> dict[str, object]:
    org = landing_zone.organization
    control_tower = landing_zone.config.guardrails.control_tower
    management = management_provider(landing_zone)
    in_management = pulumi.ResourceOptions(providers=[management])

    organization = Organization(
        "organization",
        OrganizationArgs(
            organizational_units={
                key: OrganizationalUnitSpec(name=ou.name, parent=ou.parent, existing_id=ou.existing_id) for key, ou in org.organizational_units.items()
            },
            policy_types=landing_zone.policy_types,
            guardrail_services=landing_zone.trusted_services,
            root_access=landing_zone.guardrails.root_access,
            existing_id=org.existing_organization_id,
        ),
        opts=in_management,
    )
    roles = (
        ControlTowerRoles(CONTROL_TOWER, ControlTowerRolesArgs(previous_parent=CONTROL_TOWER, imports=landing_zone.control_tower_imports), opts=in_management)
        if control_tower.enabled
        else None
    )
    if pulumi.Config().get(PHASE) == BOOTSTRAP_PHASE:
        return {"organizationId": organization.organization.id, "rootId": organization.root_id, "organizationalUnitIds": organization.ou_ids}
    # Where member accounts go and how they are reached: the same for security and workload accounts.
    placement = AccountPlacement(ou_ids=organization.ou_ids, access_role_names=landing_zone.access_role_names, region=org.home_region)
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
            imports=landing_zone.identity_center_imports,
        ),
        opts=in_management,
    )

    guardrails = landing_zone.guardrails
    providers = {AUDIT: security.audit.provider, LOG: security.log.provider}
    for app, account_set in applications.items():
        providers.update({f"{app}-{env}": provider for env, provider in account_set.providers.items()})
    # Made before the guardrails: the GitHub tenant RCP names the owner id and login its lookup answers.
    delivery = Delivery(landing_zone, secrets) if landing_zone.delivery is not None else None
    build_guardrails(
        landing_zone,
        management,
        organization,
        providers,
        account_ids,
        delivery.owner_id if delivery is not None else "",
        delivery.owner_login if delivery is not None else "",
    )

    outputs: dict[str, object] = {}
    landing_zone_resource: Optional[pulumi.Resource] = None
    if roles is not None:
        members = {AUDIT: security.audit.account, LOG: security.log.account}
        for app, account_set in applications.items():
            members.update({f"{app}-{env}": account for env, account in account_set.accounts.items()})
        ou_accounts: dict[str, list[pulumi.Resource]] = {}
        for account in landing_zone.accounts:
            ou_accounts.setdefault(account.ou, []).append(members[account.key])
        landing = ControlTower(
            CONTROL_TOWER,
            ControlTowerArgs(
                region=org.home_region,
                manifest=ManifestSettings(
                    governed_regions=org.governed_regions,
                    logging_retention_days=control_tower.logging_retention_days,
                    access_logging_retention_days=control_tower.access_logging_retention_days,
                    kms_key_arn=control_tower.kms_key_arn,
                    config_account=control_tower.config_account,
                    config_kms_key_arn=control_tower.config_kms_key_arn,
                ),
                audit_account_id=security.audit.account.id,
                log_account_id=security.log.account.id,
                prerequisites=[*roles.resources, members[AUDIT], members[LOG]],
                registered_ous=guardrails.registered_ous,
                ou_arns=organization.ou_arns,
                ou_accounts=ou_accounts,
                controls=guardrails.controls,
                exempted=guardrails.control_exemptions,
                account_ids=account_ids,
                exempt_assume_root=guardrails.root_access,
                imports=landing_zone.control_tower_imports,
            ),
            opts=in_management,
        )
        landing_zone_resource = landing.landing_zone
        outputs["landingZoneArn"] = landing.landing_zone.arn
        # The handles of an in-place baseline upgrade: `aws controltower update-enabled-baseline` (docs/operations.md, "Upgrade the landing zone").
        outputs["controlTowerBaselineArns"] = {key: baseline.arn for key, baseline in landing.baselines.items()}

    delivery_outputs, channels = build_delivery(delivery, landing_zone, management, security, applications)
    build_security_administration(landing_zone, management, organization, security, applications, channels, account_ids, landing_zone_resource)
    # What the audit and log stacks read, in their own accounts: no right on this stack's secrets needed.
    ManagementHandoff(
        "handoff",
        ManagementHandoffArgs(
            providers={AUDIT: security.audit.provider, LOG: security.log.provider},
            organization_id=organization.organization.id,
            root_id=organization.root_id,
            account_keys=list(account_ids),
            account_ids=account_ids,
            channel_ids={key: channels[key] for key in (names.SECURITY_ALERTS,) if key in channels},
        ),
    )

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
        # Per account: the audit and log stacks' first run assumes its account's (docs/deploying.md, "Deploy for real": "Audit and log stacks").
        "accessRoleNames": landing_zone.access_role_names,
        **outputs,
        **delivery_outputs,
    }
