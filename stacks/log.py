"""The log stack (log archive account): the log-analysis environment; the organisation trail when
Control Tower is off (with Control Tower on, the trail and its bucket are Control Tower's)."""

from __future__ import annotations

from typing import Mapping

import pulumi

from components.log_analysis import LogAnalysis, LogAnalysisArgs
from components.organization_trail import OrganizationTrail, OrganizationTrailArgs
from config import LandingZone
from config.model import LOG
from config.regions import AWS_REGIONS
from logs.cloudtrail import trail_location
from names import CONTROL_TOWER_LOGS, regional_bucket
from stacks.shared import account_providers, management_values


def build(landing_zone: LandingZone, secrets: Mapping[str, pulumi.Output[str]]) -> dict[str, object]:
    org = landing_zone.organization
    settings = landing_zone.config.log_archive
    home_region = org.home_region
    management = management_values(landing_zone, LOG)
    account_ids = management.account_ids
    log_id = management.account_id(LOG)
    organization_id = management.organization_id
    # Everything here lives in the home region; the trail itself is multi-region.
    in_log = pulumi.ResourceOptions(providers=[account_providers(LOG, log_id, [home_region])[home_region]])

    outputs: dict[str, object] = {}
    if landing_zone.config.guardrails.control_tower.enabled:
        location = pulumi.Output.all(log_id, organization_id).apply(
            lambda v: trail_location(regional_bucket(CONTROL_TOWER_LOGS, v[0], home_region), v[1], key_prefix=v[1])
        )
    else:
        trail = OrganizationTrail(
            "organization-trail",
            OrganizationTrailArgs(
                account_id=log_id,
                management_account_id=org.management_account_id,
                organization_id=organization_id,
                region=home_region,
                object_lock_days=settings.object_lock_days,
                glacier_after_days=settings.glacier_after_days,
            ),
            opts=in_log,
        )
        location = trail.log_location
        outputs = {"trailArn": trail.trail_arn, "trailBucket": trail.bucket_name}

    analysis = LogAnalysis(
        "log-analysis",
        LogAnalysisArgs(
            account_id=log_id,
            region=home_region,
            trail_location=location,
            account_ids=account_ids.apply(lambda ids: sorted(ids.values())),
            trail_regions=sorted(AWS_REGIONS),
            results_expiry_days=settings.athena_results_expiry_days,
        ),
        opts=in_log,
    )
    return {
        "athenaWorkgroup": analysis.workgroup.name,
        "glueDatabase": analysis.database.name,
        "cloudTrailTable": analysis.table.name,
        "athenaResultsBucket": analysis.results.name,
        **outputs,
    }
