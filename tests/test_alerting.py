"""Security alerts: each documented sample finding pages the channel through exactly one rule, or none."""

from __future__ import annotations

import copy
import json

import pytest

import config
from security.alerting import alert_patterns, guardduty_labels
from tests.helpers import event_matches, sample_event, setter

DEFAULTS = (("HIGH", "CRITICAL"), 7, True)


def finding(name: str, **changes) -> dict:
    """A sample Security Hub event with its one finding changed (e.g. Severity={"Label": "HIGH"})."""
    event = copy.deepcopy(sample_event(name))
    event["detail"]["findings"][0].update(changes)
    return event


def rules_matching(event: dict, patterns: dict[str, dict]) -> list[str]:
    return [key for key, pattern in patterns.items() if event_matches(pattern, event)]


@pytest.mark.parametrize(
    "event, settings, rules",
    [
        (finding("securityhub-guardduty"), DEFAULTS, []),
        (finding("securityhub-guardduty", Severity={"Label": "HIGH"}), DEFAULTS, ["guardduty"]),
        (finding("securityhub-guardduty", Severity={"Label": "CRITICAL"}), DEFAULTS, ["guardduty"]),
        (finding("securityhub-guardduty", Severity={"Label": "HIGH"}, RecordState="ARCHIVED"), DEFAULTS, []),
        (finding("securityhub-guardduty", Severity={"Label": "HIGH"}, Workflow={"Status": "NOTIFIED"}), DEFAULTS, []),
        (finding("securityhub-guardduty"), (("HIGH", "CRITICAL"), 4, True), ["guardduty"]),
        (finding("securityhub-guardduty", Severity={"Label": "HIGH"}), (("HIGH", "CRITICAL"), 9, True), []),
        (finding("securityhub-guardduty", Severity={"Label": "HIGH"}), (("LOW",), 9, True), []),
        # GuardDuty's own event of the same finding: only Security Hub's copy alerts.
        (sample_event("guardduty"), DEFAULTS, []),
        (finding("securityhub-access-analyzer"), DEFAULTS, ["access-analyzer"]),
        (finding("securityhub-access-analyzer"), (("HIGH", "CRITICAL"), 7, False), []),
        (finding("securityhub-access-analyzer", Severity={"Label": "HIGH"}), (("HIGH", "CRITICAL"), 7, False), ["securityhub"]),
        (finding("securityhub-control"), DEFAULTS, ["securityhub"]),
        (finding("securityhub-control", Severity={"Label": "LOW"}), DEFAULTS, []),
        (finding("securityhub-control", Severity={"Label": "LOW"}), (("LOW", "HIGH"), 7, True), ["securityhub"]),
    ],
    ids=[
        "guardduty medium",
        "guardduty high",
        "guardduty critical",
        "guardduty archived",
        "guardduty already notified",
        "guardduty from 4",
        "guardduty high, from 9",
        "guardduty keeps its own threshold",
        "guardduty's own event",
        "access analyzer",
        "access analyzer off",
        "access analyzer off, high",
        "control high",
        "control low",
        "control low, labels from config",
    ],
)
def test_each_sample_finding_alerts_through_one_rule_at_most(event, settings, rules):
    assert rules_matching(event, alert_patterns(*settings)) == rules


@pytest.mark.parametrize(
    "minimum, labels",
    [
        (1, ("LOW", "MEDIUM", "HIGH", "CRITICAL")),
        (4, ("MEDIUM", "HIGH", "CRITICAL")),
        (6.9, ("MEDIUM", "HIGH", "CRITICAL")),
        (7, ("HIGH", "CRITICAL")),
        (8.5, ("HIGH", "CRITICAL")),
        (9, ("CRITICAL",)),
        (10, ("CRITICAL",)),
    ],
)
def test_guardduty_severity_becomes_the_labels_of_its_levels(minimum, labels):
    assert guardduty_labels(minimum) == labels


@pytest.mark.integration
def test_the_audit_stack_plans_these_patterns(audit_plan):
    planned = {r.inputs["name"]: json.loads(r.inputs["eventPattern"]) for r in audit_plan.of_type("aws:cloudwatch/eventRule:EventRule")}
    expected = alert_patterns(*DEFAULTS)
    assert planned == {f"landing-zone-{key}-findings": pattern for key, pattern in expected.items()}
    assert [key for key, pattern in expected.items() if event_matches(pattern, finding("securityhub-guardduty", Severity={"Label": "HIGH"}))] == ["guardduty"]


def test_a_threshold_inside_a_guardduty_level_warns_that_the_whole_level_alerts(config_dir):
    warnings = config.load(config_dir(setter("security_services.alerts.guardduty_min_severity", 8.5)), refuse_example_domains=False).warnings
    assert (
        "security_services.alerts.guardduty_min_severity 8.5 lies inside GuardDuty's HIGH level: GuardDuty findings alert through "
        "Security Hub, which labels them by level, so every HIGH finding alerts, from 7; use a level's start "
        "(1 LOW, 4 MEDIUM, 7 HIGH, 9 CRITICAL) to say so"
    ) in warnings
    assert not [
        w
        for w in config.load(config_dir(setter("security_services.alerts.guardduty_min_severity", 9)), refuse_example_domains=False).warnings
        if "guardduty" in w
    ]
