"""`python -m lzctl plan`: exit codes, streams and the pulumi-preview-shaped JSON contract.

Two tests run the process as a user does (its streams, its exit code, a bug's traceback); the rest
call `lzctl.cli.main` in-process, which is what the process runs."""

from __future__ import annotations

import json

import pytest

from lzctl import cli
from tests.helpers import golden_file, lzctl, write_config

GOLDEN = json.loads(golden_file("management").read_text())
EXAMPLE_RESOURCES = len(GOLDEN["steps"])
COMPONENTS = sum(not step["newState"]["custom"] for step in GOLDEN["steps"]) - 1  # the stack itself

STEP_STATE_KEYS = {"type", "urn", "custom", "parent", "provider", "protect", "inputs", "dependencies"}


@pytest.mark.slow  # the process a user runs
def test_json_plan_has_the_preview_shape(tmp_path):
    out = tmp_path / "plan.json"
    result = lzctl("plan", "--stack", "management", "--json", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and f"wrote the plan of management to {out}" in result.stderr
    document = json.loads(out.read_text())
    assert set(document) == {"steps", "changeSummary", "outputs"}
    assert document["changeSummary"] == {"create": len(document["steps"])} == {"create": EXAMPLE_RESOURCES}
    for step in document["steps"]:
        assert step["op"] == "create" and step["urn"] == step["newState"]["urn"]
        assert set(step["newState"]) - {"retainOnDelete"} == STEP_STATE_KEYS
    # Preview's newState has retainOnDelete only when set: here the created repositories' branches
    # (components/github_repository.py).
    retained = {s["urn"].rsplit("::", 1)[-1] for s in document["steps"] if s["newState"].get("retainOnDelete") is True}
    assert retained == {f"{app}-{branch}-branch" for app in ("shop", "booking") for branch in ("develop", "staging")}
    components = [s["newState"] for s in document["steps"] if s["newState"]["type"].startswith("landingzone:")]
    assert len(components) == COMPONENTS and not any(c["custom"] for c in components)
    account = next(s["newState"] for s in document["steps"] if s["urn"].endswith("::shop-dev-account"))
    assert account["inputs"]["parentId"].startswith("ou-") and account["protect"] is True
    assert "warning: root e-mails of 8 accounts" in result.stderr


def main(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.integration
def test_tree_plan_groups_resources_by_component(capsys, cli_shared_plans):
    code, out, err = main(capsys, "plan", "--stack", "management", "--resources")
    assert code == 0 and "warning: root e-mails of 8 accounts" in err
    assert "landingzone:app_account_set:AppAccountSet shop" in out
    assert "aws:ssoadmin/accountAssignment:AccountAssignment × 24" in out
    assert out.startswith(f"Plan of landing-zone/management (offline, mocked outputs): {EXAMPLE_RESOURCES} to create")


@pytest.mark.integration
def test_unknown_stack_exits_2_with_nothing_on_stdout(capsys, cli_shared_plans):
    code, out, err = main(capsys, "plan", "--stack", "staging")
    assert (code, out) == (2, "")
    assert "unknown stack 'staging'" in err and "stacks in this project: audit, log, management" in err
    assert "Traceback" not in err


@pytest.mark.integration
def test_invalid_config_exits_2_listing_every_problem(tmp_path, capsys):
    bad = write_config(tmp_path, "organization:\n  home_region: mars-1\nsecurity: {ou: sec, extra: 1}\n")
    code, out, err = main(capsys, "plan", "--stack", "management", "--config", str(bad))
    assert (code, out) == (2, "")
    # Shape errors and, on the parts whose shape is valid, the checks of phase 2, in one run.
    assert err.startswith("invalid landing-zone config: 9 problems")
    assert "organization.home_region: not an AWS region" in err
    assert "security.extra: Extra inputs are not permitted" in err
    assert "security.audit.email: account has no e-mail and there is no template" in err
    assert "Traceback" not in err


@pytest.mark.slow  # the process's own exit code and traceback
def test_a_bug_exits_1_with_its_traceback():
    code = "import sys, lzctl.cli as cli; cli.plan_stack = lambda *a, **k: 1 / 0; sys.exit(cli.main(['plan', '--stack', 'management']))"
    result = lzctl(code=code)
    assert result.returncode == 1
    assert "ZeroDivisionError" in result.stderr and result.stdout == ""


def test_unwritable_out_exits_2(capsys):
    code, out, err = main(capsys, "plan", "--stack", "management", "--out", "/nonexistent/dir/plan.json")
    assert code == 2 and "cannot write the plan to /nonexistent/dir/plan.json: no such folder" in err
    assert "Traceback" not in err
