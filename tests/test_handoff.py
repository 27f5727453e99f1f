"""What the management stack hands to the audit and log stacks: SSM parameters in their accounts, not a StackReference."""

from __future__ import annotations

import json

import pulumi
import pytest

from delivery import handoff
from delivery.handoff import HandoffError, ManagementValues
from lzctl.plan import handoff_parameters
from stacks.shared import read_handoff

PATH = "/landing-zone/management"


def test_parameter_names_sit_under_the_handoff_path():
    assert handoff.parameter_name("organization") == f"{PATH}/organization"
    assert handoff.parameter_name("accounts", 2) == f"{PATH}/accounts/2"


@pytest.mark.parametrize(
    "keys, sizes",
    [
        ([], []),
        (["management", "audit", "log"], [3]),
        # Typical keys: 300 accounts take three standard parameters.
        ([f"app{i:03d}-{env}" for i in range(100) for env in ("dev", "stg", "prod")], [144, 144, 12]),
        # The longest keys a config allows (32-character app and environment keys): fewer per parameter.
        ([f"{'a' * 29}{i:03d}-{'e' * 32}" for i in range(100)], [49, 49, 2]),
    ],
    ids=["none", "security", "300 accounts", "longest keys"],
)
def test_account_ids_are_split_to_fit_standard_parameters(keys, sizes):
    parts = handoff.account_parts(keys)
    assert [len(part) for part in parts] == sizes and [key for part in parts for key in part] == keys
    for part in parts:
        value = handoff.accounts_value({key: "123456789012" for key in part})
        assert len(value.encode()) <= handoff.PARAMETER_MAX_BYTES
    if len(parts) > 1:  # each part is as full as it can be: one more key would not fit
        overfull = {key: "123456789012" for key in parts[0] + parts[1][:1]}
        assert len(json.dumps(overfull, separators=(",", ":")).encode()) > handoff.PARAMETER_MAX_BYTES


def test_a_value_over_the_limit_is_refused_not_written():
    with pytest.raises(ValueError, match="over a standard parameter's 4096: split them with account_parts"):
        handoff.accounts_value({f"app{i:03d}-prod": "123456789012" for i in range(300)})


def written(accounts: dict, channels: dict | None = None) -> dict:
    parameters = {handoff.parameter_name("organization"): handoff.organization_value("o-a1b2c3d4e5", "r-a1b2")}
    keys = list(accounts)
    for index, part in enumerate(handoff.account_parts(keys)):
        parameters[handoff.parameter_name("accounts", index)] = handoff.accounts_value({key: accounts[key] for key in part})
    if channels:
        parameters[handoff.parameter_name("slack-channels")] = handoff.channels_value(channels)
    return parameters


def test_reading_what_was_written_gives_the_values_back():
    accounts = {f"app{i:03d}-prod": f"{100000000000 + i}" for i in range(300)}
    assert handoff.read(written(accounts, {"security-alerts": "C0123"})) == ManagementValues("o-a1b2c3d4e5", "r-a1b2", accounts, {"security-alerts": "C0123"})
    # Parts are read in their number's order, not the text's (10 after 9).
    many = {f"{'a' * 29}{i:03d}-{'e' * 32}": f"{100000000000 + i}" for i in range(600)}
    assert list(handoff.read(written(many)).account_ids) == list(many)


@pytest.mark.parametrize(
    "parameters, words",
    [
        ({}, f"no {PATH}/organization or {PATH}/accounts/* parameter in this account and region: run `pulumi up --stack management` first"),
        ({f"{PATH}/organization": '{"organizationId": "o-1", "rootId": "r-1"}'}, "no /landing-zone/management/organization or"),
        ({f"{PATH}/organization": "not json", f"{PATH}/accounts/0": "{}"}, "are not what the management stack writes"),
        ({f"{PATH}/organization": '{"rootId": "r-1"}', f"{PATH}/accounts/0": "{}"}, "are not what the management stack writes ('organizationId')"),
    ],
    ids=["nothing written", "no accounts", "not JSON", "a field missing"],
)
def test_a_missing_or_foreign_handoff_is_a_clear_error(parameters, words):
    with pytest.raises(HandoffError, match=words.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")):
        handoff.read(parameters)


@pytest.mark.integration
def test_management_writes_the_same_parameters_into_the_audit_and_log_accounts(management_plan):
    ids = management_plan.outputs["accountIds"]
    parameters = management_plan.of_type("aws:ssm/parameter:Parameter")
    by_account = {}
    for parameter in parameters:
        provider = parameter.provider.rsplit("::", 1)[0].rsplit("::", 1)[-1]
        by_account.setdefault(provider, {})[parameter.inputs["name"]] = parameter.inputs
    assert set(by_account) == {"security-audit-provider", "security-log-provider"}
    assert by_account["security-audit-provider"] == by_account["security-log-provider"]
    written_values = {name: json.loads(inputs["insecureValue"]) for name, inputs in by_account["security-audit-provider"].items()}
    assert written_values == {
        f"{PATH}/organization": {"organizationId": management_plan.outputs["organizationId"], "rootId": management_plan.outputs["rootId"]},
        f"{PATH}/accounts/0": ids,
        f"{PATH}/slack-channels": {"security-alerts": management_plan.outputs["slackChannelIds"]["security-alerts"]},
    }
    # Standard tier, plain String: no secret, nothing the preview's read-only role cannot read.
    assert {(p.inputs["type"], p.inputs["tier"]) for p in parameters} == {("String", "Standard")}


@pytest.mark.integration
@pytest.mark.parametrize("stack", ["audit", "log"])
def test_audit_and_log_read_the_parameters_with_their_own_provider_and_no_stack_reference(stack, request):
    plan = request.getfixturevalue(f"{stack}_plan")
    assert not [r for r in plan.resources if r.type == "pulumi:pulumi:StackReference"]
    reader = plan.named(f"{stack}-handoff-reader")
    assert reader.type == "pulumi:providers:aws" and "allowedAccountIds" not in reader.inputs


@pytest.mark.integration
def test_the_offline_plan_answers_the_read_with_the_management_plan_values(management_plan, audit_plan, log_plan):
    ids = management_plan.outputs["accountIds"]
    [audit_provider] = [r for r in audit_plan.of_type("pulumi:providers:aws") if r.name == "audit-ap-northeast-1"]
    assert json.loads(audit_provider.inputs["allowedAccountIds"]) == [ids["audit"]]
    [log_provider] = [r for r in log_plan.of_type("pulumi:providers:aws") if r.name == "log-ap-northeast-1"]
    assert json.loads(log_provider.inputs["allowedAccountIds"]) == [ids["log"]]
    assert handoff_parameters(management_plan) == {r.inputs["name"]: r.inputs["insecureValue"] for r in management_plan.of_type("aws:ssm/parameter:Parameter")}


def test_a_missing_handoff_stops_the_stack_with_the_message_alone():
    # A RunError: the Pulumi CLI prints it without a traceback, also from inside an apply.
    with pytest.raises(pulumi.RunError) as caught:
        read_handoff("audit", {})
    assert str(caught.value) == (
        f"the audit stack cannot read the management stack's values: no {PATH}/organization or {PATH}/accounts/* parameter in this account "
        "and region: run `pulumi up --stack management` first (it writes them into the audit and log accounts), and run this stack with "
        "that account's credentials"
    )


@pytest.mark.parametrize(
    "keys, parts",
    [([f"app{i:03d}-prod" for i in range(300)], 3), ([f"{'a' * 29}{i:03d}-{'e' * 32}" for i in range(300)], 7)],
    ids=["short keys", "longest keys"],
)
def test_300_accounts_take_three_to_seven_parameters_as_the_docstring_says(keys, parts):
    assert len(handoff.account_parts(keys)) == parts
