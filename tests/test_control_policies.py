"""Control Tower's controls as data: every catalogued control classified, artifacts rendered as the reference does."""

from __future__ import annotations

import json

import pytest
from parliament import analyze_policy_string

from guardrails.control_policies import BEHAVIOUR, MANDATORY, PREVENTIVE, control_statements, mandatory_controls
from guardrails.controls import CATALOGUE
from guardrails.simulator import SCP, parse_policy

PREVENTIVE_CONTROLS = sorted(c for c, b in BEHAVIOUR.items() if b.behaviour == PREVENTIVE)


def test_every_catalogued_control_is_classified_with_its_source():
    assert set(BEHAVIOUR) == set(CATALOGUE)
    assert PREVENTIVE_CONTROLS == [
        "AWS-GR_AUDIT_BUCKET_RETENTION_POLICY",
        "AWS-GR_RESTRICT_ROOT_USER",
        "AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS",
        "AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA",
    ]
    assert all(b.source.startswith("https://docs.aws.amazon.com/controltower/latest/controlreference/") for b in BEHAVIOUR.values())
    assert all(b.exempted_principal_arns and b.statements for c, b in BEHAVIOUR.items() if c in PREVENTIVE_CONTROLS)
    assert not any(b.statements or b.exempted_principal_arns for c, b in BEHAVIOUR.items() if c not in PREVENTIVE_CONTROLS)


@pytest.mark.parametrize(
    "control, condition",
    [
        (
            "AWS-GR_AUDIT_BUCKET_RETENTION_POLICY",
            {"ArnNotLike": {"aws:PrincipalARN": ["arn:aws:iam::*:role/github/pulumi-deploy-*", "arn:*:iam::*:role/AWSControlTowerExecution"]}},
        ),
        (
            "AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA",
            {"BoolIfExists": {"aws:MultiFactorAuthPresent": ["false"]}, "ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/github/pulumi-deploy-*"]}},
        ),
    ],
)
def test_exempted_principal_arns_render_as_the_artifact_template_does(control, condition):
    [statement] = control_statements(control, ["arn:aws:iam::*:role/github/pulumi-deploy-*"])
    assert statement["Condition"] == condition
    assert control_statements(control) == list(BEHAVIOUR[control].statements)


def _for_parliament(statements: list[dict]) -> list[dict]:
    """parliament 1.6.4 crashes on a list under a Bool operator (the MFA control's ["false"]); same meaning as a scalar."""

    def scalar(condition: dict) -> dict:
        return {
            op: {k: v[0] if op.startswith("Bool") and isinstance(v, list) and len(v) == 1 else v for k, v in keys.items()} for op, keys in condition.items()
        }

    return [{**s, "Condition": scalar(s["Condition"])} if "Condition" in s else s for s in statements]


def test_every_artifact_parses_and_is_lint_clean():
    documents = [control_statements(c) for c in PREVENTIVE_CONTROLS] + [list(m.statements) for m in MANDATORY]
    for statements in documents:
        document = {"Version": "2012-10-17", "Statement": statements}
        parse_policy("control", SCP, document)
        linted = json.dumps({**document, "Statement": _for_parliament(statements)})
        findings = analyze_policy_string(linted).findings
        assert findings == [], f"{statements}: {[(f.issue, f.detail) for f in findings]}"


@pytest.mark.parametrize(
    "version, sections, scope, sids",
    [
        (
            "4.0",
            {"config", "centralizedLogging"},
            "all",
            [
                "GRLOGGROUPPOLICY",
                "GRCLOUDWATCHEVENTPOLICY",
                "GRCONFIGENABLED",
                "GRCONFIGENABLED",
                "GRIAMROLEPOLICY",
                "GRLAMBDAFUNCTIONPOLICY",
                "GRSNSTOPICPOLICY",
                "GRSNSSUBSCRIPTIONPOLICY",
                "CTSNSPV1",
                "CTS3PV8",
                "CTS3PV7",
            ],
        ),
        ("4.0", {"config", "centralizedLogging"}, "security", []),
        (
            "4.0",
            {"centralizedLogging"},
            "all",
            [
                "GRLOGGROUPPOLICY",
                "GRCONFIGAGGREGATIONAUTHORIZATIONPOLICY",
                "GRCLOUDWATCHEVENTPOLICY",
                "GRCONFIGRULETAGSPOLICY",
                "GRCONFIGENABLED",
                "GRCONFIGENABLED",
                "GRCONFIGRULEPOLICY",
                "GRIAMROLEPOLICY",
                "GRLAMBDAFUNCTIONPOLICY",
                "GRSNSTOPICPOLICY",
                "GRSNSSUBSCRIPTIONPOLICY",
                "CTSNSPV1",
                "CTS3PV8",
            ],
        ),
        (
            "3.3",
            {"config", "centralizedLogging"},
            "security",
            [
                "GRCTAUDITBUCKETENCRYPTIONCHANGESPROHIBITED",
                "GRCTAUDITBUCKETLOGGINGCONFIGURATIONCHANGESPROHIBITED",
                "GRCTAUDITBUCKETPOLICYCHANGESPROHIBITED",
                "GRCTAUDITBUCKETLIFECYCLECONFIGURATIONCHANGESPROHIBITED",
                "GRAUDITBUCKETDELETIONPROHIBITED",
            ],
        ),
    ],
)
def test_mandatory_controls_follow_the_landing_zone_version_and_manifest(version, sections, scope, sids):
    chosen = mandatory_controls(version, frozenset(sections), scope)
    assert [s["Sid"] for control in chosen for s in control.statements] == sids


def test_landing_zone_3_3_keeps_the_four_cloudtrail_controls():
    chosen = mandatory_controls("3.3", frozenset({"config", "centralizedLogging"}), "all")
    assert sum(s["Sid"] == "GRCLOUDTRAILENABLED" for c in chosen for s in c.statements) == 4
