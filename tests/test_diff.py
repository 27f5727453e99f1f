"""`lzctl diff`: what changes between two plans, which changes replace, and the data behind that."""

from __future__ import annotations

import importlib
import inspect
import json
import re

import pytest

from lzctl import diff, replacements
from lzctl.cli import main
from lzctl.render import to_json
from tests.helpers import example_data, plan_document, plan_step, shared_plan, write_config

STACK = "urn:pulumi:test::landing-zone::pulumi:pulumi:Stack::lz"
SET = "urn:pulumi:test::landing-zone::pulumi:pulumi:Stack$landingzone:app_account_set:AppAccountSet::shop"
ACCOUNT = "aws:organizations/account:Account"
ROLE = "aws:iam/role:Role"


def step(type_=ROLE, name="r", parent=STACK, inputs=None, **state):
    return plan_step(type_, name, parent, dict(inputs or {"name": "x"}), **state)


def compare(old_steps, new_steps):
    return diff.compare(plan_document(*old_steps), plan_document(*new_steps))


def kinds(result):
    return [(w.kind, w.message) for w in result.warnings]


def test_a_new_resource_is_created_under_its_component():
    result = compare([], [step(name="new", parent=SET)])
    assert [(c.label, [r.name for r in c.creates]) for c in result.components] == [("shop", ["new"])]
    assert (result.count("creates"), result.count("deletes"), result.count("updates"), result.warnings) == (1, 0, 0, ())


def test_a_missing_resource_is_deleted():
    result = compare([step(name="gone")], [])
    assert [r.name for r in result.components[0].deletes] == ["gone"] and result.components[0].label == "(stack root)"


def test_an_in_place_update_lists_its_paths_and_no_warning():
    result = compare([step(inputs={"name": "x", "maxSessionDuration": 3600})], [step(inputs={"name": "x", "maxSessionDuration": 7200})])
    (update,) = result.components[0].updates
    assert update.changes == (diff.Change("maxSessionDuration", 3600, 7200),) and update.replaced_by == () and result.warnings == ()


def test_a_replace_forcing_field_warns_and_names_the_protection():
    old = step(ACCOUNT, "shop-prod-account", inputs={"email": "a@acme.jp", "name": "shop-prod"}, protect=True)
    new = step(ACCOUNT, "shop-prod-account", inputs={"email": "b@acme.jp", "name": "shop-prod"}, protect=True)
    result = compare([old], [new])
    assert result.components[0].updates[0].replaced_by == ("email",) and result.replaced == 1
    ((kind, message),) = kinds(result)
    assert kind == "replace"
    assert message == (
        "aws:organizations/account:Account shop-prod-account is replaced: email cannot change in place "
        "(hashicorp/terraform-provider-aws internal/service/organizations/account.go @ 01f431114674); "
        "it is protected, so `pulumi up` stops there"
    )


def test_a_conditional_field_may_replace():
    org = "aws:organizations/organization:Organization"
    result = compare([step(org, "o", inputs={"featureSet": "ALL"})], [step(org, "o", inputs={"featureSet": "CONSOLIDATED_BILLING"})])
    assert result.components[0].updates[0].maybe_replaced_by == ("featureSet",) and result.replaced == 0
    assert kinds(result)[0][0] == "maybe-replace" and "when it changes from ALL to CONSOLIDATED_BILLING" in kinds(result)[0][1]


def test_a_new_provider_reference_replaces_the_resource():
    old = step(provider=f"{STACK}$pulumi:providers:aws::a::id1")
    new = step(provider=f"{STACK}$pulumi:providers:aws::b::id1")
    result = compare([old], [new])
    assert result.components[0].updates[0].replaced_by == ("[provider]",)
    assert "pulumi/pulumi pkg/resource/deploy/step_generator.go" in kinds(result)[0][1]


def test_a_provider_region_change_replaces_everything_it_manages():
    aws = "pulumi:providers:aws"
    old_p, new_p = step(aws, "p", inputs={"region": "ap-northeast-1"}), step(aws, "p", inputs={"region": "us-east-1"})
    managed = step(name="role", provider=new_p["urn"] + "::id")
    result = compare([old_p, managed], [new_p, managed])
    assert [k for k, _ in kinds(result)] == ["replace", "provider"]
    assert kinds(result)[1][1] == "pulumi:providers:aws p is replaced, and with it the 1 resources it manages: role"


def test_a_resource_under_a_new_parent_type_is_a_move_that_needs_an_alias():
    result = compare([step(name="shop-dev-account", parent=STACK)], [step(name="shop-dev-account", parent=SET)])
    assert (result.count("creates"), result.count("deletes")) == (1, 1)
    assert kinds(result) == [
        (
            "alias",
            "aws:iam/role:Role shop-dev-account moved from the stack to landingzone:app_account_set:AppAccountSet: "
            "without `opts=ResourceOptions(aliases=[Alias(parent=...)])` naming its old parent, `pulumi up` deletes and re-creates it",
        )
    ]


def test_an_update_of_a_type_without_data_is_flagged_but_components_are_not():
    result = compare(
        [step("aws:new/thing:Thing", "t"), step("landingzone:x:X", "c", custom=False)],
        [step("aws:new/thing:Thing", "t", inputs={"name": "y"}), step("landingzone:x:X", "c", inputs={"name": "y"}, custom=False)],
    )
    assert [k for k, _ in kinds(result)] == ["unknown-type"]


def test_protection_changes_show_without_replacing():
    result = compare([step(protect=False)], [step(protect=True)])
    assert result.components[0].updates[0].changes == (diff.Change("[protect]", False, True),) and result.replaced == 0


def policy(sub):
    return json.dumps({"Statement": [{"Condition": {"StringEquals": {"token.actions.githubusercontent.com:sub": sub}}}]})


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ({"a": {"b": 1}}, {"a": {"b": 2}}, [("a.b", 1, 2)]),
        ({"a": 1}, {}, [("a", 1, diff.MISSING)]),
        ({}, {"a": 1}, [("a", diff.MISSING, 1)]),
        (  # policy documents are JSON text: the path goes inside, keys with dots are quoted
            {"assumeRolePolicy": policy("repo:o/r:environment:dev")},
            {"assumeRolePolicy": policy("repo:o/r:environment:prod")},
            [
                (
                    'assumeRolePolicy.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]',
                    "repo:o/r:environment:dev",
                    "repo:o/r:environment:prod",
                )
            ],
        ),
        ({"l": [{"x": 1}, {"x": 2}]}, {"l": [{"x": 1}, {"x": 3}]}, [("l[1].x", 2, 3)]),
        ({"l": ["a", "b"]}, {"l": ["a", "c"]}, [("l", ["a", "b"], ["a", "c"])]),  # plain lists compare whole
        ({"tags": {"managed-by": "lz"}}, {"tags": {"managed-by": "lz"}}, []),
    ],
)
def test_changes_name_each_differing_leaf(old, new, expected):
    assert [(c.path, c.old, c.new) for c in diff.changes(old, new)] == expected


@pytest.mark.parametrize(
    ("change", "text"),
    [
        (diff.Change("p", "[secret]", "[secret]"), "[secret] -> [secret]"),
        (diff.Change("p", diff.MISSING, "x"), '(none) -> "x"'),
        (diff.Change("p", "a" * 70, "b"), f'"{"a" * 40}... (70 chars)" -> "b"'),
        (diff.Change("p", 1, True), "1 -> true"),
        (diff.Change("p", ["a", "b"], ["b", "c"]), '+ ["c"] - ["a"]'),
        (diff.Change("p", '["1"]', '["2"]'), '+ ["2"] - ["1"]'),  # provider settings are JSON text
        (diff.Change("p", "開発", "本番"), '"開発" -> "本番"'),
    ],
)
def test_values_are_shown_masked_short_and_readable(change, text):
    assert diff.describe(change) == text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read it: file not found"),
        ("{", "not JSON (Expecting property name enclosed in double quotes at line 1, column 2)"),
        ("[]", "not a plan of `lzctl plan --json`: no `steps` list at the top"),
        ('{"steps": [{"op": "create"}]}', "steps[0] has no newState object"),
        ('{"steps": [{"newState": {"urn": "u"}}]}', "steps[0].newState has no type"),
        ('{"steps": [{"newState": {"urn": "u", "type": "t"}}, {"newState": {"urn": "u", "type": "t"}}]}', "steps[1]: URN u appears twice"),
    ],
)
def test_files_that_are_not_plans_are_refused_by_name(tmp_path, content, message):
    path = tmp_path / "plan.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(diff.PlanFileError) as err:
        diff.load(path)
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value)
    assert str(err.value).endswith("Hint: write one with `python -m lzctl plan --stack STACK --json --out FILE`.")


def test_the_cli_names_every_bad_file_and_exits_2(tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(plan_document()))
    assert main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and f"{tmp_path / 'old.json'}: cannot read it" in err and f"{tmp_path / 'new.json'}: cannot read it" in err
    assert main(["diff", str(good), str(good)]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == ["0 to create, 0 to delete, 0 to update (0 of them replaced)", "No changes."]


@pytest.fixture(scope="module")
def shop_prod_email_changed(tmp_path_factory):
    data = example_data()
    data["applications"]["shop"]["accounts"] = {"prod": {"email": "shop-prod@acme-corp.co.jp"}}
    data["organization"]["organizational_units"]["dev"]["name"] = "開発"
    return to_json(shared_plan("management", write_config(tmp_path_factory.mktemp("changed"), data)))


@pytest.fixture(scope="module")
def search_added(tmp_path_factory):
    data = example_data()
    data["applications"]["search"] = {"description": "Search API (Go).", "kind": "container", "reviewers": {"teams": ["platform-admins"]}}
    return to_json(shared_plan("management", write_config(tmp_path_factory.mktemp("search"), data)))


@pytest.mark.integration
def test_adding_an_application_only_creates(example_documents, search_added):
    result = diff.compare(example_documents["management"], search_added)
    created = {r.name for c in result.components for r in c.creates}
    assert {"search-dev-account", "search-stg-account", "search-prod-account", "search-repository"} <= created
    assert result.count("deletes") == 0 and result.replaced == 0
    assert not [w for w in result.warnings if w.kind in ("replace", "alias", "unknown-type")]


@pytest.mark.integration
def test_a_new_root_email_replaces_the_protected_account(example_documents, shop_prod_email_changed):
    result = diff.compare(example_documents["management"], shop_prod_email_changed)
    replaced = [(u.resource.name, u.replaced_by) for c in result.components for u in c.updates if u.replaced_by]
    assert replaced == [("shop-prod-account", ("email",))]
    assert any(w.kind == "replace" and w.message.endswith("it is protected, so `pulumi up` stops there") for w in result.warnings)
    text = diff.to_text(result, "main.json", "pr.json")
    assert '      email: "aws+shop-prod@example.com" -> "shop-prod@acme-corp.co.jp"' in text.splitlines()
    assert max(len(line) for line in text.splitlines()) <= diff.WIDTH


@pytest.mark.integration
def test_json_output_keeps_non_ascii_text(tmp_path, capsys, example_documents, shop_prod_email_changed):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(example_documents["management"]))
    new.write_text(json.dumps(shop_prod_email_changed))
    assert main(["diff", str(old), str(new), "--json"]) == 0
    out = capsys.readouterr().out
    document = json.loads(out)
    assert document["summary"] == {"create": 0, "delete": 0, "update": document["summary"]["update"], "replace": 1}
    assert '"new": "開発"' in out and "\\u" not in out


@pytest.mark.integration
def test_plan_json_keeps_non_ascii_text(tmp_path, capsys):
    data = example_data()
    data["organization"]["organizational_units"]["dev"]["name"] = "開発"
    assert main(["plan", "--stack", "management", "--config", str(write_config(tmp_path / "c", data)), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"name": "開発"' in out and "\\u958b" not in out


@pytest.fixture(scope="module")
def control_tower_off_documents(without_control_tower_plans):
    return [to_json(plan) for plan in without_control_tower_plans.values()]


@pytest.mark.integration
def test_every_planned_type_has_replacement_data(example_documents, control_tower_off_documents):
    planned = {
        s["newState"]["type"] for document in [*example_documents.values(), *control_tower_off_documents] for s in document["steps"] if s["newState"]["custom"]
    }
    assert "aws:cloudtrail/trail:Trail" in planned and "aws:controltower/landingZone:LandingZone" in planned  # both modes
    assert sorted(planned - set(replacements.TABLE)) == []


SDKS = {"aws": "pulumi_aws", "github": "pulumi_github", "slack": "pulumi_slack", "pulumiservice": "pulumi_pulumiservice"}


def sdk_inputs(type_: str) -> set[str]:
    """Engine names of a resource type's inputs, from the installed SDK's constructor."""
    package, module, name = type_.split(":")
    if package == "pulumi":
        resource = importlib.import_module(SDKS[name]).Provider
    else:
        sub = module.split("/")[0]
        resource = getattr(importlib.import_module(SDKS[package] if sub == "index" else f"{SDKS[package]}.{sub}"), name)
    python_names = set(inspect.signature(resource._internal_init).parameters) - {"__self__", "resource_name", "opts", "__props__"}
    return {re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), n) for n in python_names}


@pytest.mark.parametrize("type_", sorted(t for t in replacements.TABLE if not t.startswith("pulumi:pulumi:")))
def test_replacement_fields_are_inputs_of_the_installed_sdk(type_):
    entry = replacements.TABLE[type_]
    assert {f.split(".")[0] for f in (*entry.fields, *entry.when)} <= sdk_inputs(type_)


ORG = "urn:pulumi:management::landing-zone::landingzone:organization:Organization$aws:organizations/organization:Organization::organization-organization"


@pytest.mark.integration
def test_a_policy_type_or_trusted_service_leaving_warns_to_deploy_twice(tmp_path, example_documents):
    data = example_data()
    data["guardrails"]["backup_policy"] = None
    data["guardrails"]["root_access"] = {"enabled": False}
    result = diff.compare(example_documents["management"], to_json(shared_plan("management", write_config(tmp_path / "config", data))))
    found = [w for w in result.warnings if w.kind == "removal-order"]
    assert [w.urn for w in found] == [ORG, ORG, ORG]
    backup, backup_service, iam = (w.message for w in found)
    guardrails = "urn:pulumi:management::landing-zone::landingzone:guardrails:Guardrails$aws:organizations/"
    assert backup == (
        "BACKUP_POLICY leaves the organisation: Pulumi updates the Organization before its deletes, so DisablePolicyType first detaches "
        "every BACKUP_POLICY in the organisation, those this program does not manage included; deploy twice: `pulumi destroy --stack "
        f"management --target '{guardrails}policyAttachment:PolicyAttachment::guardrails-backup-prod-daily-attachment' "
        f"--target '{guardrails}policy:Policy::guardrails-backup-prod-daily-policy'`, then `pulumi up` with this change"
    )
    assert backup_service.startswith("trusted access for backup.amazonaws.com ends with the Organization update, before the deployment's deletes;")
    assert iam.startswith("trusted access for iam.amazonaws.com ends with the Organization update, before the deployment's deletes; centralised root ")
    assert iam.endswith("::organization-root-access'`, then `pulumi up` with this change")


@pytest.mark.integration
def test_keeping_the_types_and_services_gives_no_removal_warning(example_documents, search_added):
    assert not [w for w in diff.compare(example_documents["management"], search_added).warnings if w.kind == "removal-order"]
