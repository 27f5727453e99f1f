"""Policy rules over a planned stack: `lzctl plan/validate` run them, and so does the Pulumi policy
pack in this folder (`pulumi preview --policy-pack rules`, through adapter.py)."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from rules import core
from rules.core import ADVISORY, MANDATORY, ResourceView, Rule, Violation
from rules.landing_zone import RULES as LANDING_ZONE_RULES
from rules.landing_zone import settings_from

RULES: tuple[Rule, ...] = LANDING_ZONE_RULES
"""Every rule, in report order."""


def evaluate(resources: list[ResourceView], settings: Optional[Mapping[str, Mapping[str, Any]]] = None, rules: Iterable[Rule] = RULES) -> list[Violation]:
    return core.evaluate(resources, rules, settings)


def is_blocking(violations: Iterable[Violation], rules: Iterable[Rule] = RULES) -> bool:
    return core.is_blocking(violations, rules)


__all__ = ["ADVISORY", "MANDATORY", "RULES", "ResourceView", "Rule", "Violation", "evaluate", "is_blocking", "settings_from"]
