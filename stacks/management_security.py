"""Management-stack side of the Security OU: delegated administrators, per-account budgets and, with
Control Tower off, AWS Config recording in every member account."""

from __future__ import annotations

from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws

from components import AppAccountSet, Organization, SecurityOU
from components.account_budgets import AccountBudgets, AccountBudgetsArgs, BudgetSpec
from components.config_recording import ConfigRecording, ConfigRecordingArgs, RecordedAccount
from components.security_delegation import SecurityDelegation, SecurityDelegationArgs
from components.slack_alerts import SlackAlerts, SlackAlertsArgs
from config import LandingZone
from config.model import AUDIT, LOG
from names import SECURITY_ALERTS
from security.alerting import BUDGETS, CHATBOT_REGION


def regional_providers(landing_zone: LandingZone, home: aws.Provider) -> dict[str, aws.Provider]:
    """The management account in every governed region (the home region's provider is `home`)."""
    org = landing_zone.organization
    return {
        region: home if region == org.home_region else aws.Provider(f"management-{region}", region=region, allowed_account_ids=[org.management_account_id])
        for region in landing_zone.governed_regions
    }


def build_security_administration(
    landing_zone: LandingZone,
    management: aws.Provider,
    organization: Organization,
    security: SecurityOU,
    applications: Mapping[str, AppAccountSet],
    channels: Mapping[str, pulumi.Output[str]],
    account_ids: Mapping[str, pulumi.Input[str]],
    landing_zone_resource: Optional[pulumi.Resource] = None,
) -> None:
    cfg = landing_zone.config
    org = landing_zone.organization
    control_tower = cfg.guardrails.control_tower
    in_management = pulumi.ResourceOptions(providers=[management])
    SecurityDelegation(
        "security-admin",
        SecurityDelegationArgs(
            audit_account_id=security.audit.account.id,
            log_account_id=security.log.account.id,
            home_region=org.home_region,
            providers=regional_providers(landing_zone, management),
            delegate_config=not landing_zone.control_tower_config_integration,
            delegate_cloudtrail=not control_tower.enabled,
            after=[organization.organization],
            config_after=[landing_zone_resource] if landing_zone_resource is not None else [],
            existing={p: f"{landing_zone.account(AUDIT).existing_account_id}/{p}" for p in cfg.security_services.existing_delegations},
        ),
        opts=in_management,
    )

    active = [a for a in landing_zone.accounts if not a.suspended]
    topic_of = {a.key: a.application or SECURITY_ALERTS for a in active}
    team_id = landing_zone.chatbot_team_id
    chatbot = aws.Provider("management-chatbot", region=CHATBOT_REGION, allowed_account_ids=[org.management_account_id]) if team_id else None
    alerts = SlackAlerts(
        "budgets",
        SlackAlertsArgs(
            account_id=org.management_account_id,
            publishers=[BUDGETS],
            topics=sorted(set(topic_of.values())),
            channels={topic: channels[topic] for topic in set(topic_of.values()) if topic in channels},
            slack_team_id=team_id,
            chatbot_provider=chatbot,
        ),
        opts=in_management,
    )
    AccountBudgets(
        "budgets",
        AccountBudgetsArgs(
            budgets=[BudgetSpec(a.key, account_ids[a.key], cfg.budgets.accounts.get(a.key, cfg.budgets.monthly_usd), topic_of[a.key]) for a in active],
            thresholds=cfg.budgets.thresholds,
            topic_arns=alerts.topic_arns,
        ),
        opts=in_management,
    )
    if not control_tower.enabled:
        # Control Tower records with AWS Config in the accounts it enrols; without it, the program does.
        providers = {AUDIT: security.audit.provider, LOG: security.log.provider}
        for app, account_set in applications.items():
            providers.update({f"{app}-{env}": provider for env, provider in account_set.providers.items()})
        ConfigRecording(
            "config-recording",
            ConfigRecordingArgs(
                accounts=[
                    RecordedAccount(a.key, account_ids[a.key], providers[a.key], a.existing_account_id if a.existing_config_service_role else None)
                    for a in active
                ],
                regions=landing_zone.governed_regions,
                home_region=org.home_region,
                log_account_id=security.log.account.id,
                log_provider=security.log.provider,
                glacier_after_days=cfg.log_archive.glacier_after_days,
            ),
        )
