"""Policy rules over a planned stack: `lzctl plan/validate` run them, and so does the Pulumi policy
pack in this folder (`pulumi preview --policy-pack rules`, through adapter.py)."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from rules import core
from rules.core import ADVISORY, MANDATORY, ResourceView, Rule, Violation
from rules.landing_zone import RULES as LANDING_ZONE_RULES
from rules.service import RULES as SERVICE_RULES

RULES: tuple[Rule, ...] = (*LANDING_ZONE_RULES, *SERVICE_RULES)
"""Every rule, in report order: the landing zone's own, then what AWS enforces (rules/service.py)."""


def evaluate(
    resources: list[ResourceView],
    settings: Optional[Mapping[str, Mapping[str, Any]]] = None,
    rules: Iterable[Rule] = RULES,
    organization: Optional[list[ResourceView]] = None,
) -> list[Violation]:
    return core.evaluate(resources, rules, settings, organization)


def is_blocking(violations: Iterable[Violation], rules: Iterable[Rule] = RULES) -> bool:
    return core.is_blocking(violations, rules)


__all__ = ["ADVISORY", "MANDATORY", "RULES", "ResourceView", "Rule", "Violation", "evaluate", "is_blocking"]
