"""The log stack (log archive account): the log-analysis environment; the organisation trail when
Control Tower is off. Filled in by the log-stack work."""

from __future__ import annotations

from typing import Mapping

import pulumi

from config import LandingZone


def build(landing_zone: LandingZone, secrets: Mapping[str, pulumi.Output[str]]) -> dict[str, object]:
    return {}
