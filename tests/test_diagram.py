"""`lzctl diagram`: the organisation read from plan documents, drawn as Mermaid and as draw.io."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from lzctl import drawio, mermaid
from lzctl.cli import main
from lzctl.diagram import ACCOUNT, DiagramError, build, node_id
from tests.helpers import REPO, plan_document, plan_step

STACK = "urn:pulumi:test::landing-zone::pulumi:pulumi:Stack::lz"
MANAGEMENT_ID, AUDIT_ID, LOG_ID, SHOP_ID = "123456789012", "222222222222", "333333333333", "444444444444"


def provider(name: str, account_id: str, account: dict | None = None) -> dict:
    deps = [account["urn"]] if account else []
    return plan_step("pulumi:providers:aws", name, STACK, {"allowedAccountIds": json.dumps([account_id])}, dependencies=deps)


def on(step: dict, provider_step: dict) -> dict:
    step["newState"]["provider"] = provider_step["urn"] + "::mock-id"
    return step


def ou(name: str, label: str, parent: dict) -> dict:
    return plan_step("aws:organizations/organizationalUnit:OrganizationalUnit", name, STACK, {"name": label}, dependencies=[parent["urn"]])


def account(name: str, label: str, parent_ou: dict, **state) -> dict:
    return plan_step(ACCOUNT, name, STACK, {"name": label}, dependencies=[parent_ou["urn"]], **state)


def trust(subject: str) -> str:
    claim = "token.actions.githubusercontent.com"
    return json.dumps(
        {
            "Statement": [
                {
                    "Principal": {"Federated": f"arn:aws:iam::1:oidc-provider/{claim}"},
                    "Condition": {"StringEquals": {f"{claim}:aud": "sts.amazonaws.com", f"{claim}:sub": subject}},
                }
            ]
        }
    )


@pytest.fixture
def small_org():
    """Root > Security (audit, log) and Member > Dev (shop-dev); a GitHub repo and a Slack channel."""
    management = provider("management", MANAGEMENT_ID)
    org = on(plan_step("aws:organizations/organization:Organization", "org", STACK), management)
    security = ou("security-ou", "Security", org)
    member = ou("member-ou", "Member", org)
    dev = ou("dev-ou", "開発", member)
    audit = account("audit-account", "Audit", security)
    log = account("log-account", "Log Archive", security)
    shop = account("shop-dev-account", "shop-dev", dev)
    audit_provider, log_provider, shop_provider = provider("audit-p", AUDIT_ID, audit), provider("log-p", LOG_ID, log), provider("shop-p", SHOP_ID, shop)
    github = plan_step("pulumi:providers:github", "github", STACK, {"owner": "acme"})
    channel = plan_step("slack:index/conversation:Conversation", "shop-channel", STACK, {"name": "deploy-shop"})
    steps = [
        management,
        org,
        security,
        member,
        dev,
        audit,
        log,
        shop,
        audit_provider,
        log_provider,
        shop_provider,
        github,
        channel,
        on(plan_step("github:index/repository:Repository", "shop-repo", STACK, {"name": "shop"}), github),
        on(plan_step("aws:iam/role:Role", "deploy", STACK, {"assumeRolePolicy": trust("repo:acme/shop:environment:dev")}), shop_provider),
        on(plan_step("aws:iam/role:Role", "plan", STACK, {"assumeRolePolicy": trust("repo:acme/shop:pull_request")}), shop_provider),
        on(
            plan_step(
                "github:index/actionsVariable:ActionsVariable",
                "shop-channel-var",
                STACK,
                {"repository": "shop", "variableName": "SLACK_CHANNEL_ID", "value": "C0SHOP00001"},
                dependencies=[channel["urn"]],
            ),
            github,
        ),
        on(
            plan_step(
                "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount",
                "gd-admin",
                STACK,
                {"adminAccountId": AUDIT_ID},
            ),
            management,
        ),
        on(
            plan_step(
                "aws:controltower/landingZone:LandingZone",
                "lz",
                STACK,
                {
                    "manifestJson": json.dumps(
                        {
                            "centralizedLogging": {"accountId": LOG_ID, "enabled": True},
                            "securityRoles": {"accountId": AUDIT_ID, "enabled": True},
                        }
                    )
                },
            ),
            management,
        ),
    ]
    return plan_document(*steps)


def audit_stack_document() -> dict:
    """The audit stack: its own provider in the audit account, a detector, alerts to the shop channel id."""
    audit_provider = provider("audit-stack-p", AUDIT_ID)
    return plan_document(
        audit_provider,
        on(plan_step("aws:guardduty/detector:Detector", "detector", STACK), audit_provider),
        on(plan_step("aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration", "alerts", STACK, {"slackChannelId": "C0SHOP00001"}), audit_provider),
    )


def groups_of(diagram) -> dict[str, tuple[str, list[str], list[str]]]:
    """Group id -> (label, its node labels, its child group ids)."""
    out = {}
    for top in diagram.groups:
        for group in top.walk():
            out[group.id] = (group.label, [n.label for n in group.nodes], [g.id for g in group.groups])
    return out


def edges_of(diagram) -> set[tuple[str, str, str]]:
    return {(e.source, e.target, e.label) for e in diagram.edges}


def test_ous_nest_and_accounts_sit_in_their_ou(small_org):
    groups = groups_of(build([small_org]))
    assert groups["org_root"] == ("Root", ["Management account"], ["ou_member_ou", "ou_security_ou"])
    assert groups["ou_member_ou"] == ("Member OU", [], ["ou_dev_ou"])
    assert groups["ou_dev_ou"] == ("開発 OU", ["shop-dev"], [])
    assert groups["ou_security_ou"] == ("Security OU", ["Audit", "Log Archive"], [])
    assert groups["github"] == ("GitHub: acme", ["shop"], []) and groups["slack"] == ("Slack", ["#deploy-shop"], [])


@pytest.mark.parametrize(
    "edge",
    [
        ("repo_acme_shop", "acct_shop_dev_account", "OIDC: dev, PR"),  # the role's provider names the account
        ("repo_acme_shop", "slack_deploy_shop", "deploy notifications"),
        ("management_account", "acct_audit_account", "findings"),  # GuardDuty delegated to audit
        ("ou_member_ou", "acct_audit_account", "findings"),  # the top-level OUs with accounts, not Security itself
        ("management_account", "acct_log_account", "CloudTrail + Config logs"),  # Control Tower's log archive
        ("ou_member_ou", "acct_log_account", "CloudTrail + Config logs"),
    ],
)
def test_links_come_from_trusts_dependencies_and_delegations(small_org, edge):
    assert edge in edges_of(build([small_org]))


def test_no_flow_starts_inside_the_ou_that_holds_its_target(small_org):
    assert not {e for e in edges_of(build([small_org])) if e[0] == "ou_security_ou"}


def test_services_are_named_on_the_account_that_runs_them(small_org):
    nodes = {n.id: n for n in build([small_org], "t").nodes()}
    assert nodes["management_account"].details == ("Organizations", "Control Tower")
    assert nodes["acct_audit_account"].details == ("GuardDuty",)
    assert nodes["acct_log_account"].details == ("CloudTrail + Config logs",)


def test_other_stacks_add_their_services_and_alerts_to_the_organisations_accounts(small_org):
    diagram = build([small_org, audit_stack_document()])
    assert ("acct_audit_account", "slack_deploy_shop", "alerts (Chatbot)") in edges_of(diagram)
    assert {n.id: n.details for n in diagram.nodes()}["acct_audit_account"] == ("GuardDuty",)


def test_an_adopted_account_shows_the_id_it_imports(small_org):
    small_org["steps"][7]["newState"]["importID"] = "210987654321"
    assert {n.id: n.details for n in build([small_org]).nodes()}["acct_shop_dev_account"] == ("import 210987654321",)


def test_plans_without_an_organisation_cannot_be_drawn():
    with pytest.raises(DiagramError, match="no organisation in these plans: the management stack builds it"):
        build([audit_stack_document()])


@pytest.mark.parametrize(
    ("prefix", "name", "taken", "expected"),
    [
        ("acct", "shop-dev-account", set(), "acct_shop_dev_account"),
        ("repo", "acme-inc/landing-zone", set(), "repo_acme_inc_landing_zone"),
        ("ou", "開発", set(), "ou_x"),  # Mermaid ids are ASCII; the label keeps the name
        ("ou", "a-b", {"ou_a_b"}, "ou_a_b_2"),
    ],
)
def test_node_ids_are_mermaid_safe_and_unique(prefix, name, taken, expected):
    assert node_id(prefix, name, taken) == expected and expected in taken


@pytest.mark.parametrize(
    ("text", "escaped"),
    [('say "hi"', "say #quot;hi#quot;"), ("#deploy-shop", "#35;deploy-shop"), ("<b>&", "#lt;b#gt;#amp;"), ("開発", "開発")],
)
def test_mermaid_labels_use_entity_codes(text, escaped):
    assert mermaid.escape(text) == escaped


def test_mermaid_draws_subgraphs_nodes_and_labelled_edges(small_org):
    chart = mermaid.render(build([small_org]))
    lines = chart.splitlines()
    assert lines[1] == "flowchart TB"
    assert '    subgraph ou_security_ou["Security OU"]' in lines
    assert '        acct_shop_dev_account["<b>shop-dev</b>"]' in lines
    assert '  repo_acme_shop -->|"OIDC: dev, PR"| acct_shop_dev_account' in lines
    assert '    slack_deploy_shop["<b>#35;deploy-shop</b>"]' in lines


def test_the_same_plans_draw_the_same_bytes(small_org):
    assert mermaid.render(build([small_org])) == mermaid.render(build([small_org]))
    assert drawio.render(build([small_org])) == drawio.render(build([small_org]))


def test_markdown_gets_the_chart_between_its_markers_only():
    text = f"intro\n{mermaid.BEGIN}\nold\n{mermaid.END}\nrest\n"
    assert mermaid.embed(text, "flowchart TB\n") == f"intro\n{mermaid.BEGIN}\n```mermaid\nflowchart TB\n```\n{mermaid.END}\nrest\n"
    with pytest.raises(ValueError, match="no <!-- diagram:begin --> ... <!-- diagram:end --> markers"):
        mermaid.embed("no markers", "flowchart TB\n")


def _boxes_overlap(a, b) -> bool:
    return a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.height and b.y < a.y + a.height


@pytest.mark.integration
def test_drawio_layout_keeps_siblings_apart_and_children_inside(example_documents):
    boxes = drawio.layout(build(list(example_documents.values())))
    by_parent: dict[str, list] = {}
    for box in boxes.values():
        by_parent.setdefault(box.parent, []).append(box)
    for parent, children in by_parent.items():
        for i, a in enumerate(children):
            assert not any(_boxes_overlap(a, b) for b in children[i + 1 :]), parent
            if parent != "1":
                assert a.x + a.width <= boxes[parent].width and a.y + a.height <= boxes[parent].height


@pytest.mark.integration
def test_drawio_file_is_well_formed_and_holds_every_account(example_documents):
    document = ET.fromstring(drawio.render(build(list(example_documents.values()))))
    assert document.tag == "mxfile" and document.find("diagram/mxGraphModel/root") is not None  # not compressed
    cells = document.findall("diagram/mxGraphModel/root/mxCell")
    ids = {c.get("id") for c in cells}
    values = " ".join(c.get("value", "") for c in cells)
    accounts = [s["newState"]["inputs"]["name"] for s in example_documents["management"]["steps"] if s["newState"]["type"] == ACCOUNT]
    assert len(accounts) == 8 and all(f"<b>{name}</b>" in values for name in accounts)
    assert all(c.get("parent") in ids for c in cells if c.get("parent"))
    assert all({c.get("source"), c.get("target")} <= ids for c in cells if c.get("edge") == "1")


@pytest.mark.integration
@pytest.mark.parametrize("name", ["README.md", "README.ja.md"])
def test_readme_shows_the_current_diagram(example_documents, name):
    chart = mermaid.render(build(list(example_documents.values()), "landing zone (management, audit, log)"))
    readme = (REPO / name).read_text(encoding="utf-8")
    assert mermaid.embed(readme, chart) == readme, f"{name}'s diagram is stale: run `python -m lzctl diagram --into {name}`"


@pytest.mark.integration
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--stack", "audit"], "cannot draw the stacks audit: no organisation in these plans: the management stack builds it. Hint: add --stack management."),
        (["--stack", "staging"], "unknown stack 'staging'"),
        (["--out", "/no/such/folder/x.drawio"], "cannot write the diagram to /no/such/folder/x.drawio: no such folder /no/such/folder"),
        (["--into", "README.md", "--format", "drawio"], "--into puts a Mermaid chart into a Markdown file"),
    ],
)
def test_bad_input_exits_2_with_nothing_on_stdout(capsys, cli_shared_plans, argv, message):
    assert main(["diagram", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err and "Traceback" not in err
