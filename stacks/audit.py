"""The audit stack (audit account): security services aggregated for the organisation, alerts."""

from __future__ import annotations

from typing import Mapping

import pulumi

from config import LandingZone


def build(landing_zone: LandingZone, secrets: Mapping[str, pulumi.Output[str]]) -> dict[str, object]:
    return {}
