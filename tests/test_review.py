"""`lzctl plan`'s default output, the review (issue 12.1): what a newcomer must be able to answer
from it alone, and the layout rules (100 columns, names never cut)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from lzctl import cli, review
from lzctl.plan import resolved_config
from tests.helpers import EXISTING, golden_file, shared_plan

GOLDEN_STEPS = len(json.loads(golden_file("management").read_text())["steps"])


@pytest.fixture(scope="module")
def example_review(management_plan, example) -> list[str]:
    return review.review(management_plan, example, management_plan.warnings, []).splitlines()


def _section(lines: list[str], title: str) -> list[str]:
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 1, len(lines)) if lines[i] == ""), len(lines))
    return lines[start:end]


@pytest.mark.integration
def test_where_shop_prod_sits(example_review):
    organisation = _section(example_review, "Organisation")
    assert organisation[:2] == ["Organisation", "  root  (management account 123456789012, home region ap-northeast-1)"]
    prod = organisation.index("  │  └─ Prod (prod)")
    assert organisation[prod + 1] == "  │     · shop-prod  'shop-prod'  aws+shop-prod@example.com"
    # Prod is a child of Member: the lines above it, at the outer level, name Member.
    assert "  ├─ Member (member)" in organisation[:prod]


@pytest.mark.integration
def test_who_can_administer_shop_prod(example_review):
    access = _section(example_review, "Access")
    header = access[1].split()
    assert header == ["platform-admins", "shop-developers", "booking-developers", "auditors"]
    assert access[[line.split()[0] for line in access].index("shop-prod")].split() == [
        "shop-prod",
        "AdministratorAccess",
        "ReadOnlyAccess",
        "–",
        "SecurityAudit",
    ]
    assert "    platform-admins: hanako, kenji" in access


@pytest.mark.integration
def test_which_guardrails_apply_to_shop_prod(example_review):
    guardrails = _section(example_review, "Guardrails")
    root = guardrails.index("  root")
    assert guardrails[root + 1].startswith("    SCP: deny-leaving-organization, deny-root-user, deny-iam-users,")
    assert guardrails[guardrails.index("  member") + 1] == "    tag policy: required-tags"
    prod = guardrails.index("  prod")
    assert guardrails[prod + 1 : prod + 3] == ["    SCP: protect-backups, protect-backup-role", "    backup policy: daily"]
    controls = " ".join(line.strip() for line in guardrails[prod + 3 : guardrails.index("  suspended")])
    assert controls.startswith("controls (16): AWS-GR_RESTRICT_ROOT_USER,") and controls.endswith("AWS-GR_MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS")


@pytest.mark.integration
def test_which_repository_deploys_to_shop_prod_and_what_its_roles_may_do(example_review):
    delivery = _section(example_review, "Delivery")
    shop = delivery.index("  shop (rails): acme-inc/shop")
    assert delivery[shop + 1 : shop + 6] == [
        "    develop → dev → shop-dev",
        "    staging → stg → shop-stg",
        "    main → prod → shop-prod  (reviewers: team shop-developers)",
        "    deploy role (dev, stg, prod): PowerUserAccess, boundary landing-zone-deploy-boundary",
        "    Slack: #deploy-shop",
    ]
    # Container: prod's role also reads the staging registry (image promotion), inline.
    booking = delivery.index("  booking (container): acme-inc/booking")
    assert delivery[booking + 4 : booking + 7] == [
        "    deploy role (dev, stg): PowerUserAccess, boundary landing-zone-deploy-boundary",
        "    deploy role (prod): PowerUserAccess, inline landing-zone-image-promotion,",
        "                        boundary landing-zone-deploy-boundary",
    ]
    # The landing zone's own stacks run as administrators (Organizations, IAM, Control Tower);
    # the management stack's preview is offline only, so it has no preview role.
    assert delivery[-4:] == [
        "  this landing zone: acme-inc/landing-zone → stacks management, audit, log",
        "    (reviewers: team platform-admins)",
        "    Pulumi Deployments role (management, audit, log): AdministratorAccess, no boundary",
        "    pull-request preview role (audit, log): ReadOnlyAccess, no boundary",
    ]


@pytest.mark.integration
def test_it_closes_with_the_total_and_the_warnings_and_fits_100_columns(example_review):
    assert example_review[0] == "Review of landing-zone/management (offline plan, mocked outputs)"
    total = example_review.index(f"Total: {GOLDEN_STEPS - 1} to create")  # the stack itself is not a change
    assert example_review[total + 1].startswith("warning: root e-mails of 8 accounts")
    assert example_review[-1] == "2 warnings, 0 rule violations"
    assert max(len(line) for line in example_review) <= review.WIDTH


@pytest.mark.integration
def test_adopted_and_suspended_accounts_and_migration_access(config_dir):
    until = date.today() + timedelta(days=30)

    def mutate(data):
        data["applications"]["shop"]["accounts"] = {"prod": {"existing_account_id": EXISTING, "name": "Acme Production"}, "dev": {"suspended": True}}
        data["identity_center"]["migration_access"] = [{"people": ["taro"], "account": "shop-prod", "permission_set": "AdministratorAccess", "until": until}]

    folder = config_dir(mutate)
    plan = shared_plan("management", folder)
    lines = review.review(plan, resolved_config("management", folder), plan.warnings, ["policy mandatory X: urn: y"]).splitlines()
    assert f"  │     · shop-prod  'Acme Production'  aws+shop-prod@example.com  [import {EXISTING}]" in lines
    suspended = lines.index("  └─ Suspended (suspended)")
    assert lines[suspended + 1] == "     · shop-dev  'shop-dev'  aws+shop-dev@example.com  [suspended]"
    assert f"  migration access: taro → shop-prod as AdministratorAccess until {until}" in lines
    assert "rule: policy mandatory X: urn: y" in lines and lines[-1].endswith(", 1 rule violations")
    assert next(line for line in lines if line.startswith("Total: ")).endswith(" to create, 1 to import")


@pytest.mark.parametrize(
    "head, items, expected",
    [
        ("SCP:", ["a", "b"], ["  SCP: a, b"]),
        ("none:", [], ["  none:"]),
        # A name longer than the line stays whole, on a line of its own.
        ("x:", ["short", "n" * 120], ["  x: short,", "     " + "n" * 120]),
        ("", ["a" * 60, "b" * 60], ["  " + "a" * 60 + ",", "  " + "b" * 60]),
    ],
)
def test_wrapping_never_cuts_a_name(head, items, expected):
    assert review._wrapped(head, items) == expected


def test_an_access_matrix_too_wide_becomes_a_line_per_account(example):
    groups = {f"group-with-a-rather-long-name-{n}": example.groups["auditors"] for n in range(5)}
    assignments = tuple(
        type(example.assignments[0])(group=group, permission_set="SecurityAudit", account=account) for group in groups for account in ("audit", "log")
    )
    wide = type(example)(**{**example.__dict__, "groups": groups, "assignments": assignments})
    lines = review.access(wide)
    assert lines[1:3] == ["  audit: group-with-a-rather-long-name-0 SecurityAudit;", "         group-with-a-rather-long-name-1 SecurityAudit;"]
    assert all(len(line) <= review.WIDTH for line in lines)


@pytest.mark.integration
def test_the_cli_prints_the_review_by_default_with_its_warnings_in_it(capsys, cli_shared_plans):
    """`--resources` (test_cli) keeps today's tree, with the warnings on stderr."""
    assert cli.main(["plan", "--stack", "management"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("Review of landing-zone/management") and "warning: root e-mails of 8 accounts" in out
    with pytest.raises(SystemExit) as both:
        cli.main(["plan", "--stack", "management", "--json", "--resources"])
    assert both.value.code == 2 and "not allowed with argument --json" in capsys.readouterr().err
    assert cli.main(["plan", "--stack", "audit"]) == 0
    assert "What audit builds, and where" in capsys.readouterr().out


@pytest.mark.integration
def test_long_account_lines_wrap_under_their_key(example, management_plan):
    import dataclasses

    long = dataclasses.replace(example.account("shop-prod"), name="N" * 50, email=f"{'e' * 40}@{'d' * 20}.example.co.jp", existing_account_id="210987654321")
    accounts = tuple(long if a.key == "shop-prod" else a for a in example.accounts)
    lines = review.organisation(dataclasses.replace(example, accounts=accounts), management_plan)
    start = lines.index(f"  │     · shop-prod  '{'N' * 50}'")
    indent = " " * len("  │     · shop-prod  ")
    assert lines[start + 1 : start + 3] == [f"{indent}{'e' * 40}@{'d' * 20}.example.co.jp", f"{indent}[import 210987654321]"]
    assert max(len(line) for line in lines) <= review.WIDTH


def test_adopted_policies_show_under_each_target_accounts_included(example):
    import dataclasses

    from config.model import AdoptedAttachment, AdoptedPolicySpec

    adopted = AdoptedPolicySpec(
        key="legacy",
        existing_id="p-abcd1234",
        type="SERVICE_CONTROL_POLICY",
        name="LegacyDeny",
        description="",
        content="{}",
        attachments=(AdoptedAttachment("prod", "ou-1:p-abcd1234"), AdoptedAttachment("shop-prod", None)),
    )
    lines = review.guardrails(dataclasses.replace(example, adopted_policies=(adopted,)))
    assert "    SCP (adopted): LegacyDeny [p-abcd1234]" in lines[lines.index("  prod") :]
    assert lines[lines.index("  shop-prod") + 1] == "    SCP (adopted): LegacyDeny [p-abcd1234]"
    assert lines[-2:] == ["  Control Tower adds its mandatory controls and its own SCP on every registered OU:", "    member, dev, stg, prod"]


@pytest.mark.integration
@pytest.mark.parametrize("stack", ["audit", "log"])
def test_the_audit_and_log_reviews_name_their_account_never_a_mocked_id(stack, request):
    """Their providers are pinned to the id read from the management stack's parameters, which
    offline is the mock's answer: the review names the account, not the id."""
    plan = request.getfixturevalue(f"{stack}_plan")
    # Provider inputs are JSON text, as the engine sends them.
    pinned = {r.inputs["allowedAccountIds"] for r in plan.resources if r.type == "pulumi:providers:aws" and r.inputs.get("allowedAccountIds")}
    assert len(pinned) == 1  # one account per stack: what the review's wording relies on
    lines = review.review(plan, None, [], []).splitlines()
    assert lines[2:4] == [
        f"What {stack} builds, and where (in the {stack} account, whose id it reads at deploy from the",
        "  management stack's parameters there: docs/deploying.md, 'Three stacks, deployed in order')",
    ]
    [mocked] = json.loads(pinned.pop())
    assert not [line for line in lines if mocked in line]
    first = "security" if stack == "audit" else "log-analysis"
    assert lines[4] == f"  {first} (the {stack} account in ap-northeast-1{', us-east-1' if stack == 'audit' else ''})"
    assert max(len(line) for line in lines) <= review.WIDTH


@pytest.mark.integration
def test_a_terraform_apps_plan_role_is_shown_beside_its_deploy_role(config_dir):
    """Its release environment's plan before the review runs with a read-only role of its own."""
    folder = config_dir(
        lambda data: data["applications"].update(
            network={"description": "Shared networking (Terraform).", "kind": "terraform", "reviewers": {"teams": ["platform-admins"]}}
        )
    )
    lines = review.delivery(resolved_config("management", folder), shared_plan("management", folder))
    network = lines.index("  network (terraform): acme-inc/network")
    assert lines[network + 4 : network + 8] == [
        "    deploy role (dev, stg, prod): PowerUserAccess, boundary landing-zone-deploy-boundary",
        # The inline policy has no name input (Pulumi names it), so the review shows its resource name.
        "    plan role (prod): ReadOnlyAccess, inline network-prod-plan-state,",
        "                      boundary landing-zone-deploy-boundary",
        "    Slack: #deploy-network",
    ]
