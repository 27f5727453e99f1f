"""What the management stack will create, read from its offline plan and its config.

The plan (`pulumi preview --json` shape, stable across refactors) says which resources exist and
with which provider and names; the config says which accounts are adopted and where everything
lives. This module is the doctor's only reader of config fields, so the checks need nothing else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

import names
from config import AccountSpec, LandingZone
from config.model import AUDIT, LOG
from logs.cloudtrail import trail_location
from lzctl.adopt.report import wanted_tags
from lzctl.doctor.repositories import AdoptedRepository, adopted_repositories
from lzctl.doctor.subjects import TrustedRepository, trusted_repositories
from lzctl.migrate.organization import ou_path
from lzctl.runtime import Plan, PlannedResource

ACCOUNT = "aws:organizations/account:Account"
ROLE = "aws:iam/role:Role"
OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
LANDING_ZONE = "aws:controltower/landingZone:LandingZone"
SLACK_CHANNEL = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"
AWS_PROVIDER = "pulumi:providers:aws"
SERVICE_LINKED_ROLE = "aws:iam/serviceLinkedRole:ServiceLinkedRole"
CONFIG_SERVICE = "config.amazonaws.com"


@dataclass(frozen=True)
class NamedResource:
    """A resource whose physical name is fixed offline, so AWS can be asked whether it already exists."""

    resource: str
    """The Pulumi resource name (`control-tower-admin-role`), for `pulumi import`."""
    type: str
    name: str
    """Role name, OIDC provider URL or bucket name."""
    path: str = "/"
    tags: tuple[tuple[str, str], ...] = ()
    """Tags the program gives it (its provider's default tags and its own): a copy of AWS's that has them all is ours."""


@dataclass(frozen=True)
class PlannedRoleInputs:
    """What an import of AWSServiceRoleForConfig compares with the role (lzctl/adopt/report.py, config_role_differences)."""

    urn: str
    tags: Mapping[str, str]
    """The provider's default tags and the role's own (adopt's `wanted_tags`)."""
    description: str
    """The description the program sets ("": none)."""


@dataclass(frozen=True)
class Intent:
    management_id: str
    home_region: str
    governed_regions: tuple[str, ...]
    """Control Tower's governed regions when it is on (the manifest's), else the config's."""
    access_roles: Mapping[str, str]
    """Account key -> the role its provider assumes, which the doctor reads the account through."""
    accounts: tuple[AccountSpec, ...]
    planned_accounts: int
    """Member accounts the plan creates or imports."""
    landing_zone_version: Optional[str]
    """None when Control Tower is off."""
    management_team_ids: tuple[str, ...]
    """Slack workspaces the management stack's Chatbot channels use."""
    audit_team_id: Optional[str]
    """Slack workspace of the audit stack's security alerts (slack.team_id)."""
    roles: tuple[NamedResource, ...]
    """IAM roles the plan creates in the management account."""
    oidc_providers: tuple[NamedResource, ...]
    buckets: tuple[NamedResource, ...]
    """S3 buckets with a name known offline, whichever account they go to (bucket names are global)."""
    suspended_ou_path: tuple[str, ...]
    """OU names from the root down to the suspended OU."""
    config_roles: Mapping[str, str]
    """Account id -> the import id of the AWS Config service-linked role the plan has there ("": it creates it)."""
    config_role_inputs: Mapping[str, PlannedRoleInputs]
    """Account id -> what the import of the role there compares, for each account whose plan imports it."""
    source: str
    """The config file, for messages."""
    github_owner: Optional[str] = None
    """github.owner; None without a github section."""
    automation_login: Optional[str] = None
    """github.automation_login: the account whose token the program's GitHub provider uses."""
    adopted_repositories: tuple[AdoptedRepository, ...] = ()
    """Repositories the plan imports, with the environments and branches it manages in them."""
    trusted_repositories: tuple[TrustedRepository, ...] = ()
    """Repositories whose jobs the plan's roles trust, created and adopted, with the `sub` form the trusts expect."""

    @property
    def control_tower(self) -> bool:
        return self.landing_zone_version is not None

    def account(self, key: str) -> Optional[AccountSpec]:
        return next((a for a in self.accounts if a.key == key), None)

    @property
    def audit(self) -> Optional[AccountSpec]:
        return self.account(AUDIT)

    @property
    def log(self) -> Optional[AccountSpec]:
        return self.account(LOG)

    def log_location(self, log_account_id: str, organization_id: str) -> tuple[str, str]:
        """(bucket, key prefix up to `AWSLogs/<org id>/`) of the organisation trail in the log archive, as the log stack reads it."""
        if self.control_tower:
            bucket = names.regional_bucket(names.CONTROL_TOWER_LOGS, log_account_id, self.home_region)
            location = trail_location(bucket, organization_id, key_prefix=organization_id)
        else:
            location = trail_location(names.regional_bucket(names.TRAIL_LOGS, log_account_id, self.home_region), organization_id)
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        return bucket, prefix

    def migrate_command(self, verb: str, key: str) -> str:
        """The `lzctl migrate` verb that checks an account with its own credentials."""
        return f"python -m lzctl migrate {verb} --profile <profile of {key}> --config {Path(self.source).parent}"


def _decoded(value):
    """Provider inputs arrive JSON-encoded, as the engine passes them."""
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def management_providers(plan: Plan, management_id: str) -> dict[str, dict[str, str]]:
    """The explicit AWS providers acting in the management account itself (no role assumed): URN -> default tags."""
    return {
        r.urn: (_decoded(r.inputs.get("defaultTags")) or {}).get("tags", {})
        for r in plan.of_type(AWS_PROVIDER)
        if _decoded(r.inputs.get("allowedAccountIds")) == [management_id] and not r.inputs.get("assumeRoles")
    }


def _provider_urn(resource: PlannedResource) -> str:
    return resource.provider.rsplit("::", 1)[0]


def _literal(value) -> Optional[str]:
    """A name the plan knows offline; computed or secret values are not names AWS can be asked about."""
    return value if isinstance(value, str) and not value.startswith("[") else None


def intent_of(plan: Plan, landing_zone: LandingZone) -> Intent:
    org = landing_zone.organization
    ours = management_providers(plan, org.management_account_id)
    in_management = [r for r in plan.resources if _provider_urn(r) in ours]

    def tags(r: PlannedResource) -> tuple[tuple[str, str], ...]:
        return tuple(sorted({**ours[_provider_urn(r)], **(r.inputs.get("tags") or {})}.items()))

    roles = tuple(
        NamedResource(r.name, r.type, r.inputs["name"], r.inputs.get("path", "/"), tags(r))
        for r in in_management
        if r.type == ROLE and _literal(r.inputs.get("name"))
    )
    oidc = tuple(
        NamedResource(r.name, r.type, r.inputs["url"], tags=tags(r)) for r in in_management if r.type == OIDC_PROVIDER and _literal(r.inputs.get("url"))
    )
    buckets = tuple(NamedResource(r.name, r.type, r.inputs["bucket"]) for r in plan.resources if r.type in BUCKETS and _literal(r.inputs.get("bucket")))
    landing_zones = plan.of_type(LANDING_ZONE)
    governed = tuple(org.governed_regions)
    if landing_zones:
        governed = tuple(json.loads(landing_zones[0].inputs["manifestJson"]).get("governedRegions", governed))
    slack, github = landing_zone.config.slack, landing_zone.config.github
    providers = {r.urn: r for r in plan.of_type(AWS_PROVIDER)}
    config_roles, config_role_inputs = {}, {}
    for role in (r for r in plan.of_type(SERVICE_LINKED_ROLE) if r.inputs.get("awsServiceName") == CONFIG_SERVICE):
        provider = providers.get(_provider_urn(role))
        allowed = _decoded(provider.inputs.get("allowedAccountIds")) if provider else None
        if allowed:
            config_roles[allowed[0]] = role.import_id
            if role.import_id:
                config_role_inputs[allowed[0]] = PlannedRoleInputs(role.urn, wanted_tags(plan, role), role.inputs.get("description") or "")
    return Intent(
        management_id=org.management_account_id,
        home_region=org.home_region,
        governed_regions=governed,
        access_roles=landing_zone.access_role_names,
        accounts=landing_zone.accounts,
        planned_accounts=len(plan.of_type(ACCOUNT)),
        landing_zone_version=landing_zones[0].inputs["version"] if landing_zones else None,
        management_team_ids=tuple(sorted({r.inputs["slackTeamId"] for r in plan.of_type(SLACK_CHANNEL) if _provider_urn(r) in ours})),
        audit_team_id=slack.team_id if slack is not None else None,
        roles=roles,
        oidc_providers=oidc,
        buckets=buckets,
        suspended_ou_path=tuple(ou_path(landing_zone, org.suspended_ou)),
        config_roles=config_roles,
        config_role_inputs=config_role_inputs,
        source=str(landing_zone.source),
        github_owner=github.owner if github is not None else None,
        automation_login=github.automation_login if github is not None else None,
        adopted_repositories=adopted_repositories(plan),
        trusted_repositories=trusted_repositories(plan, _subject_settings(landing_zone)),
    )


def _subject_settings(landing_zone: LandingZone) -> dict[str, tuple[str, str]]:
    """Repository -> (the config field of its OIDC subject form, the one that adopts it)."""
    delivery = landing_zone.delivery
    if delivery is None:
        return {}
    settings = {p.repository: (f"applications.{p.application}.oidc_subject", f"applications.{p.application}.existing_repository") for p in delivery.pipelines}
    if delivery.infrastructure_repository:
        settings[delivery.infrastructure_repository] = ("github.infrastructure_oidc_subject", "github.existing_infrastructure_repository")
    return settings
