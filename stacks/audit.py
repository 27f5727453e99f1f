"""The audit stack (audit account): security services aggregated for the organisation, alerts."""

from __future__ import annotations

from typing import Mapping

import pulumi

from components.security_alerts import SecurityAlerts, SecurityAlertsArgs
from components.security_services import SecurityServices, SecurityServicesArgs
from config import LandingZone
from config.model import AUDIT, STACK_ACCOUNTS
from names import MANAGEMENT_STACK, SECURITY_ALERTS
from security.alerting import CHATBOT_REGION
from stacks.shared import account_providers, management_values


def build(landing_zone: LandingZone, secrets: Mapping[str, pulumi.Output[str]]) -> dict[str, object]:
    home_region = landing_zone.organization.home_region
    management = management_values(landing_zone, AUDIT)
    audit_id = management.account_id(AUDIT)
    members = {a.key: management.account_id(a.key) for a in landing_zone.accounts if not a.suspended and a.key != AUDIT}
    # Neither Control Tower nor this program records with AWS Config there (stacks/management_security.py).
    unrecorded = {STACK_ACCOUNTS[MANAGEMENT_STACK]: landing_zone.organization.management_account_id} | {
        a.key: management.account_id(a.key) for a in landing_zone.accounts if a.suspended
    }
    providers = account_providers(AUDIT, audit_id, landing_zone.governed_regions)
    SecurityServices(
        "security",
        SecurityServicesArgs(
            settings=landing_zone.security_services,
            providers=providers,
            home_region=home_region,
            audit_account_id=audit_id,
            member_account_ids=members,
            unrecorded_account_ids=unrecorded,
            root_id=management.root_id,
            config_aggregator=not landing_zone.control_tower_config_integration,
        ),
    )
    team_id = landing_zone.chatbot_team_id
    chatbot = account_providers("audit-chatbot", audit_id, [CHATBOT_REGION])[CHATBOT_REGION] if team_id else None
    alerts = SecurityAlerts(
        "security-alerts",
        SecurityAlertsArgs(
            settings=landing_zone.security_services.alerts,
            account_id=audit_id,
            provider=providers[home_region],
            chatbot_provider=chatbot,
            slack_team_id=team_id,
            channel_id=management.slack_channel_ids.apply(lambda ids: ids.get(SECURITY_ALERTS)) if team_id else None,
        ),
    )
    return {"securityAlertsTopicArn": alerts.topic_arn, "regions": list(providers)}
