"""`plan --timeline`: the list schedule on small graphs with known answers, the duration data, the example."""

from __future__ import annotations

import json
import re

import pytest

from delivery.policies import PULUMI_SESSION_SECONDS
from lzctl import cli, durations, render, timeline
from lzctl.durations import DURATIONS, FAST_TYPES, PACKAGE_DEFAULTS, POOLS, UNKNOWN, Pool, duration_of
from lzctl.timeline import Node
from tests.helpers import shared_plan

ONE = {"one": Pool(1, "estimate", "test", "2026-12")}
TWO = {"two": Pool(2, "estimate", "test", "2026-12")}


def node(urn: str, minutes: float, *waits: str, pool: str = "") -> Node:
    return Node(urn, f"test:index:{urn}", minutes, "estimate" if minutes else "", pool, waits)


def path_of(result: timeline.Timeline) -> list[tuple[str, float, str]]:
    return [(entry.urn, entry.start, entry.waited_for) for entry in result.critical_path]


@pytest.mark.parametrize(
    "graph, parallel, pools, total, path",
    [
        pytest.param([node("a", 2), node("b", 3, "a"), node("c", 1, "b")], None, {}, 6, [("a", 0, ""), ("b", 2, ""), ("c", 5, "")], id="chain"),
        pytest.param(
            [node("a", 1), node("b", 5, "a"), node("c", 2, "a"), node("d", 1, "b", "c")], None, {}, 7, [("a", 0, ""), ("b", 1, ""), ("d", 6, "")], id="diamond"
        ),
        pytest.param(
            [node(k, 10, pool="one") for k in "xyz"], None, ONE, 30, [("x", 0, ""), ("y", 10, "pool one"), ("z", 20, "pool one")], id="pool-of-one-serialises"
        ),
        pytest.param([node(k, 10, pool="two") for k in "xyz"], None, TWO, 20, [("y", 0, ""), ("z", 10, "pool two")], id="pool-of-two"),
        pytest.param([node(k, 1) for k in "abcd"], 2, {}, 2, [("b", 0, ""), ("c", 1, "--parallel 2")], id="parallel-bound"),
        pytest.param([node(k, 1) for k in "abcd"], None, {}, 1, [("a", 0, "")], id="unbounded"),
        pytest.param(
            [node("slow", 30, pool="one"), node("fast", 1), node("queued", 5, "fast", pool="one")],
            None,
            ONE,
            35,
            [("slow", 0, ""), ("queued", 30, "pool one")],
            id="ready-early-but-pool-held",
        ),
        pytest.param(
            [node("a", 5), node("component", 0, "a"), node("child", 1, "component")],
            None,
            {},
            6,
            [("a", 0, ""), ("child", 5, "")],
            id="component-dependency-holds-children",
        ),
        pytest.param(
            [node("component", 0), node("child", 1, "component"), node("other", 4)],
            None,
            {},
            4,
            [("other", 0, "")],
            id="children-of-free-component-start-at-once",
        ),
        pytest.param([], None, {}, 0, [], id="empty"),
    ],
)
def test_schedule_on_small_graphs(graph, parallel, pools, total, path):
    result = timeline.schedule(graph, parallel, pools)
    assert result.total_minutes == pytest.approx(total)
    assert path_of(result) == path


def test_a_cycle_is_a_bug_not_a_silent_zero():
    with pytest.raises(ValueError, match="cycle through 2 resources"):
        timeline.schedule([node("a", 1, "b"), node("b", 1, "a")])


def step(name: str, type_: str, *, deps=(), parent="", provider="", custom=True, inputs=None, op="create") -> dict:
    urn = f"urn:pulumi:s::p::{type_}::{name}"
    state = {"type": type_, "urn": urn, "custom": custom, "parent": parent, "provider": provider, "inputs": inputs or {}, "dependencies": list(deps)}
    return {"op": op, "urn": urn, "newState": state}


ACCOUNT = "aws:organizations/account:Account"
BASELINE = "aws:controltower/baseline:Baseline"
ROLE = "aws:iam/role:Role"
PROVIDER = "pulumi:providers:aws"


def small_plan() -> list[dict]:
    stack = step("stack", "pulumi:pulumi:Stack", custom=False)
    component = step("apps", "landingzone:app_account_set:AppAccountSet", custom=False, parent=stack["urn"])
    dev = step("dev", ACCOUNT, parent=component["urn"], inputs={"parentId": "ou-dev"})
    stg = step("stg", ACCOUNT, parent=component["urn"], inputs={"parentId": "ou-dev"})
    provider = step("dev-provider", PROVIDER, parent=component["urn"], deps=[dev["urn"]])
    role = step("dev-role", ROLE, parent=component["urn"], provider=f"{provider['urn']}::4dabf181", inputs={"name": "r"})
    baseline = step("dev-baseline", BASELINE, deps=[role["urn"]], inputs={"targetIdentifier": "arn:aws:organizations::1:ou/o-1/ou-dev"})
    adopted = step("prod", ACCOUNT, op="import", inputs={"parentId": "ou-prod"})
    return [stack, component, dev, stg, provider, role, baseline, adopted]


def test_nodes_take_their_edges_from_dependencies_provider_and_parent():
    by_name = {n.urn.rsplit("::", 1)[1]: n for n in timeline.nodes(small_plan())}
    assert by_name["dev"].waits_for == (by_name["apps"].urn,)
    assert by_name["dev-role"].waits_for == tuple(sorted((by_name["apps"].urn, by_name["dev-provider"].urn)))
    assert (by_name["apps"].minutes, by_name["stack"].minutes) == (0, 0)
    assert (by_name["dev"].minutes, by_name["dev"].pool) == (4, durations.ORGANIZATIONS_ACCOUNTS)
    # An OU registration: 10 minutes plus 2 per account placed in the OU (two here); imports only read.
    assert (by_name["dev-baseline"].minutes, by_name["dev-baseline"].pool) == (14, durations.CONTROL_TOWER_LOCK)
    assert (by_name["prod"].minutes, by_name["prod"].pool) == (durations.READ.minutes, "")


def test_first_up_of_the_small_plan():
    result = timeline.estimate(small_plan())
    # account 4, provider 0.05, role 0.2, registration 14; the second account runs beside the first.
    assert result.total_minutes == pytest.approx(18.25)
    assert [e.urn.rsplit("::", 1)[1] for e in result.critical_path] == ["dev", "dev-provider", "dev-role", "dev-baseline"]
    assert (result.timed, result.unchanged) == (6, 0)


def test_the_text_names_the_total_and_each_resource_of_the_critical_path():
    # One at a time, in the order resources become ready: the import and both accounts go first.
    text = timeline.to_text(timeline.estimate(small_plan(), parallel=1), "first `pulumi up` of p/s")
    assert text.splitlines() == [
        "Estimated first `pulumi up` of p/s: 22.3 minutes, --parallel 1; 6 resources take time",
        "Critical path (start minute, minutes, resource):",
        "      0.0   4.00  urn:pulumi:s::p::aws:organizations/account:Account::dev",
        "      4.0   4.00  urn:pulumi:s::p::aws:organizations/account:Account::stg  (waited 4.0 min for --parallel 1)",
        "      8.0   0.05  urn:pulumi:s::p::aws:organizations/account:Account::prod  (waited 8.0 min for --parallel 1)",
        "      8.1   0.05  urn:pulumi:s::p::pulumi:providers:aws::dev-provider  (waited 4.1 min for --parallel 1)",
        "      8.1   0.20  urn:pulumi:s::p::aws:iam/role:Role::dev-role",
        "      8.3  14.00  urn:pulumi:s::p::aws:controltower/baseline:Baseline::dev-baseline",
        "Durations are estimates (lzctl/durations.py gives each one's source); nothing here was measured on AWS.",
    ]


def test_since_times_only_new_and_changed_resources():
    previous = small_plan()
    current = small_plan()
    role = next(s for s in current if s["urn"].endswith("::dev-role"))
    role["newState"]["inputs"] = {"name": "renamed"}
    current.append(step("new", ACCOUNT, inputs={"parentId": "ou-dev"}))
    assert timeline.changed(current, previous) == {role["urn"], current[-1]["urn"]}
    result = timeline.estimate(current, previous)
    # The new account (4 minutes) sets the total; the renamed role (0.2) runs beside it, and the
    # registration is unchanged although its OU now holds three accounts.
    assert result.total_minutes == pytest.approx(4)
    assert [e.urn.rsplit("::", 1)[1] for e in result.critical_path] == ["new"]
    assert (result.timed, result.unchanged) == (2, 5)


@pytest.mark.parametrize(
    "text, problem",
    [
        (None, "cannot read it: file not found"),
        ("{", "not JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
        ("[]", 'not a plan: no "steps" list at the top level'),
        (
            '{"steps": [{"urn": "u", "newState": {"inputs": {}}}, {"urn": 1}]}',
            'not a plan: steps[1]: needs "urn" (a string) and "newState" with "inputs" (an object)',
        ),
    ],
)
def test_an_unreadable_previous_plan_says_what_is_wrong(tmp_path, text, problem):
    path = tmp_path / "old.json"
    if text is not None:
        path.write_text(text)
    with pytest.raises(timeline.PlanFileError) as raised:
        timeline.read_plan(path)
    hint = "Hint: write one with `python -m lzctl plan --stack STACK --json --out FILE`."
    assert str(raised.value) == f"--since {path}: {problem}. {hint}"


def test_every_duration_and_pool_has_its_source():
    entries = [*DURATIONS.values(), *PACKAGE_DEFAULTS.values(), durations.FAST, durations.PROVIDER, durations.READ, UNKNOWN]
    for entry in [*entries, *POOLS.values()]:
        assert entry.basis in {"documented", "provider", "estimate"} and len(entry.source) > 20
        assert re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", entry.checked)
    assert {d.pool for d in DURATIONS.values()} - {""} == set(POOLS)
    assert not FAST_TYPES & set(DURATIONS)


@pytest.mark.parametrize(
    "type_, expected",
    [
        ("aws:controltower/landingZone:LandingZone", DURATIONS["aws:controltower/landingZone:LandingZone"]),
        ("aws:s3/bucket:Bucket", durations.FAST),
        ("github:index/repository:Repository", PACKAGE_DEFAULTS["github"]),
        ("pulumi:providers:github", durations.PROVIDER),
        ("aws:ec2/vpc:Vpc", UNKNOWN),
        ("random:index/randomId:RandomId", UNKNOWN),
    ],
)
def test_duration_of_a_type(type_, expected):
    assert duration_of(type_) is expected


@pytest.mark.integration
@pytest.mark.parametrize("stack, off", [("management", False), ("management", True), ("audit", True), ("log", True)])
def test_every_type_of_the_example_has_a_duration(stack, off, management_plan, without_control_tower_plans):
    # With Control Tower off the audit and log stacks build a superset of their types.
    plan = without_control_tower_plans[stack] if off else management_plan
    unknown = sorted({r.type for r in plan.resources if r.custom and not r.read and duration_of(r.type) is UNKNOWN})
    assert unknown == []


@pytest.mark.integration
def test_the_example_registers_its_ous_one_after_another_after_the_landing_zone(management_plan):
    result = timeline.estimate(render.to_json(management_plan)["steps"])
    path = [(e.urn.rsplit("::", 1)[1], e.minutes) for e in result.critical_path]
    names = [name for name, _ in path]
    first = names.index("control-tower-landing-zone")
    # Two accounts in each environment OU, none directly in Member; the Security OU is not registered.
    assert path[first : first + 5] == [
        ("control-tower-landing-zone", 60),
        ("control-tower-member-baseline", 10),
        ("control-tower-dev-baseline", 14),
        ("control-tower-stg-baseline", 14),
        ("control-tower-prod-baseline", 14),
    ]
    assert result.critical_path[-1].type == "aws:controltower/controlTowerControl:ControlTowerControl"
    assert result.total_minutes == pytest.approx(result.critical_path[-1].start + 3)
    assert 110 < result.total_minutes < 130


@pytest.mark.integration
def test_adding_an_application_waits_only_for_its_own_accounts(config_dir, management_plan):
    def add_search(data):
        data["applications"]["search"] = {"description": "Search API.", "kind": "go", "reviewers": {"teams": ["search-developers"]}}
        data["identity_center"]["groups"]["search-developers"] = {"description": "Search.", "members": ["taro", "jiro"], "repositories": {"search": "push"}}
        data["identity_center"]["assignments"].append(
            {
                "group": "search-developers",
                "applications": ["search"],
                "permission_sets": {"dev": "PowerUserAccess", "stg": "DeveloperAccess", "prod": "ReadOnlyAccess"},
            }
        )

    before = render.to_json(management_plan)["steps"]
    after = render.to_json(shared_plan("management", config_dir(add_search)))["steps"]
    result = timeline.estimate(after, before)
    new = {s["urn"] for s in after} - {s["urn"] for s in before}
    # The account ids the management stack hands to the audit and log stacks name the new accounts too.
    handoff = {s["urn"] for s in after if s["urn"].endswith(("::handoff-audit-accounts-0", "::handoff-log-accounts-0"))}
    assert timeline.changed(after, before) == new | handoff
    # An account (4 minutes), then an Identity Center assignment into it: no Control Tower operation,
    # nothing of another application.
    assert [(e.type, e.minutes) for e in result.critical_path] == [(ACCOUNT, 4), ("aws:ssoadmin/accountAssignment:AccountAssignment", 0.5)]
    assert result.total_minutes == pytest.approx(4.5)
    assert result.unchanged == sum(1 for s in before if s["newState"]["custom"]) - len(handoff)


@pytest.mark.integration
def test_cli_prints_the_timeline_as_one_json_document(capsys, monkeypatch, management_plan):
    monkeypatch.setattr(cli, "plan_stack", lambda stack, config: management_plan)
    assert cli.main(["plan", "--stack", "management", "--timeline", "--json", "--parallel", "10"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"total_minutes", "critical_path", "parallel", "resources_timed", "resources_unchanged"}
    expected = timeline.estimate(render.to_json(management_plan)["steps"], parallel=10)
    assert document["parallel"] == 10 and document["total_minutes"] == round(expected.total_minutes, 1) > 60
    assert {"urn", "type", "minutes", "start_minute", "basis"} <= set(document["critical_path"][0])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--timeline", "--since", "/nonexistent/old.json"], "--since /nonexistent/old.json: cannot read it: file not found."),
        (["--since", "old.json"], "--since and --parallel shape the estimate of --timeline: add --timeline"),
        (["--parallel", "3"], "--since and --parallel shape the estimate of --timeline: add --timeline"),
    ],
)
def test_cli_bad_timeline_input_exits_2_before_planning(capsys, args, message):
    assert cli.main(["plan", "--stack", "management", *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_cli_refuses_a_parallel_below_one(capsys, value):
    with pytest.raises(SystemExit) as exited:
        cli.main(["plan", "--stack", "management", "--timeline", "--parallel", value])
    out, err = capsys.readouterr()
    assert exited.value.code == 2 and out == ""
    assert f"argument --parallel: must be a whole number of at least 1, as for `pulumi up --parallel` (got '{value}')" in err


@pytest.mark.integration
def test_the_longest_first_update_fits_in_the_deployments_session(management_plan):
    # delivery.policies.PULUMI_SESSION_SECONDS sizes the Deployments session and the roles' maximum: 12 h.
    estimate = timeline.estimate(render.to_json(management_plan)["steps"])
    assert 120 < estimate.total_minutes < PULUMI_SESSION_SECONDS / 60
    assert timeline.beyond_session(estimate, PULUMI_SESSION_SECONDS / 60) is None


def test_an_update_longer_than_the_session_is_a_warning():
    estimate = timeline.schedule([timeline.Node("urn:a", "t", 800, "estimate", "", ())])
    assert timeline.beyond_session(estimate, 720) == (
        "the estimated 800 minutes outlast Pulumi Deployments' 12-hour AWS session (IAM's ceiling): credentials would expire "
        "mid-update; run this update from a laptop with the stack's own role, or in steps (e.g. fewer new accounts or OUs at a time)"
    )
