"""The management stack: organisation, OUs, Security OU accounts, application accounts, Identity Center."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components import (
    AppAccountSet,
    AppAccountSetArgs,
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
from config.schema import SCOPE_MANAGEMENT


def management_provider(landing_zone: LandingZone) -> aws.Provider:
    """The only provider with the caller's own credentials; it refuses any account but management."""
    org = landing_zone.organization
    return aws.Provider(
        "management",
        region=org.home_region,
        allowed_account_ids=[org.management_account_id],
        default_tags=aws.ProviderDefaultTagsArgs(tags={"managed-by": "landing-zone"}),
    )


def build(landing_zone: LandingZone) -> dict[str, object]:
    org = landing_zone.organization
    in_management = pulumi.ResourceOptions(providers=[management_provider(landing_zone)])

    organization = Organization(
        "organization",
        OrganizationArgs(
            organizational_units={
                key: OrganizationalUnitSpec(name=ou.name, parent=ou.parent)
                for key, ou in org.organizational_units.items()
            }
        ),
        opts=in_management,
    )
    security = SecurityOU(
        "security",
        SecurityOUArgs(
            audit=landing_zone.account(AUDIT),
            log=landing_zone.account(LOG),
            ou_ids=organization.ou_ids,
            access_role_name=org.access_role_name,
            region=org.home_region,
        ),
        opts=in_management,
    )
    applications = {
        app: AppAccountSet(
            app,
            AppAccountSetArgs(
                accounts=landing_zone.application_accounts(app),
                ou_ids=organization.ou_ids,
                access_role_name=org.access_role_name,
                region=org.home_region,
            ),
            opts=in_management,
        )
        for app in landing_zone.config.applications
    }
    account_ids: dict[str, pulumi.Input[str]] = {SCOPE_MANAGEMENT: org.management_account_id, **security.account_ids}
    for app, account_set in applications.items():
        account_ids.update({f"{app}-{env}": account_id for env, account_id in account_set.account_ids.items()})

    identity_center = landing_zone.config.identity_center
    sso = SSOAccess(
        "sso",
        SSOAccessArgs(
            region=org.home_region,
            people=identity_center.people,
            groups=identity_center.groups,
            permission_sets=identity_center.permission_sets,
            inline_policies=landing_zone.inline_policies,
            assignments=landing_zone.assignments,
            account_ids=account_ids,
        ),
        opts=in_management,
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
        "accessRoleName": org.access_role_name,
    }
