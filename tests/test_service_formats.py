"""The pure checks of what services accept: cron expressions (Pulumi Deployments), git branch names
(cross-checked against git itself), conformance pack templates (AWS Config, cfn-lint)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from pydantic import TypeAdapter, ValidationError

import disk_cache
from config import conformance_pack, inline_policy
from config.conformance_pack import MAX_TEMPLATE_BYTES, check_template
from config.cron import check_cron
from config.types import BranchName
from guardrails import iam_actions
from tests.helpers import EXAMPLE_DIR
from workflows.branches import filter_literal
from workflows.spec import AppWorkflowSpec

CRONS = [
    ("0 21 * * *", None),
    ("*/30 1-5 * * MON-FRI", None),
    ("0 0 29 2 *", None),
    ("0 0 1 jan,jul *", None),
    ("99 21 * * *", "minute 99 is out of range 0-59"),
    ("0 24 * * *", "hour 24 is out of range 0-23"),
    ("0 21 0 * *", "day of month 0 is out of range 1-31"),
    ("0 21 * 13 *", "month 13 is out of range 1-12"),
    ("0 21 * * 7", "day of week 7 is out of range 0-6"),
    ("0 21 * * FUN", "day of week 'FUN' is not a number or one of SUN, MON, TUE, WED, THU, FRI, SAT"),
    ("*/0 * * * *", "minute step /0 never advances"),
    ("5-1 * * * *", "minute range 5-1 runs backwards"),
    ("0 21 L * *", "day of month 'L' is not a number"),
    ("0 21 ? * *", "day of month '?' is not a value, a range a-b, * or a step /n"),
    ("@daily", "not a 5-field cron expression (minute hour day-of-month month day-of-week): it has 1 fields"),
    ("0 0 21 * * *", "not a 5-field cron expression (minute hour day-of-month month day-of-week): it has 6 fields"),
    ("0 21 31 2 *", "the schedule never fires (no such day in that month)"),
    ("0 0 31 4,6 *", "the schedule never fires (no such day in that month)"),
    ("\u00b2 21 * * *", "minute '\u00b2' is not a value, a range a-b, * or a step /n"),
    ("\u0663 21 * * *", "minute '\u0663' is not a value, a range a-b, * or a step /n"),
    ("0 21 * * */\u0663", "day of week '*/\u0663' is not a value, a range a-b, * or a step /n"),
]


@pytest.mark.parametrize("expression, error", CRONS, ids=[c[0] for c in CRONS])
def test_cron_expressions_as_pulumi_deployments_reads_them(expression, error):
    if error is None:
        assert check_cron(expression) == expression
    else:
        with pytest.raises(ValueError) as caught:
            check_cron(expression)
        assert str(caught.value) == error


GIT = "not a git branch name: it has {} (git check-ref-format)"
BRANCHES = [
    ("main", None),
    ("release/v1.2", None),
    ("fix/a-b_c", None),
    ("release+1", None),
    ("feat!x", None),
    ("it's", None),
    ("na\u00efve", None),
    ("feature..x", GIT.format("'..'")),
    ("main.lock", GIT.format("a part starting with '.' or ending with '.lock'")),
    ("a.lock/b", GIT.format("a part starting with '.' or ending with '.lock'")),
    ("a/.b", GIT.format("a part starting with '.' or ending with '.lock'")),
    (".hidden", GIT.format("a part starting with '.' or ending with '.lock'")),
    ("release/", GIT.format("a leading, trailing or doubled '/'")),
    ("/release", GIT.format("a leading, trailing or doubled '/'")),
    ("a//b", GIT.format("a leading, trailing or doubled '/'")),
    ("trailing.", GIT.format("a trailing '.'")),
    ("-dash", GIT.format("a leading '-'")),
    ("HEAD", GIT.format("the name HEAD")),
    ("a b", GIT.format("a space, a control character or one of ~ ^ : ? * [ \\")),
    ("a~1", GIT.format("a space, a control character or one of ~ ^ : ? * [ \\")),
    ("a:b", GIT.format("a space, a control character or one of ~ ^ : ? * [ \\")),
    ("a\tb", GIT.format("a space, a control character or one of ~ ^ : ? * [ \\")),
    ("x@{1}", GIT.format("'@{'")),
]
# git takes these; GitHub's patterns might not, or no file system stores them.
NOT_HERE = [
    ("@", "only '@', which git takes as a branch but reads as HEAD everywhere else; rename the branch"),
    ("x{y}", "a brace: GitHub's environment and ruleset branch patterns may read { } as alternatives; rename the branch"),
    ("b" * 256, "over 255 bytes, the longest file name a branch can be stored as"),
]


@pytest.mark.parametrize("name, problem", BRANCHES + NOT_HERE, ids=[c[0][:20] for c in BRANCHES + NOT_HERE])
def test_branch_names_follow_git_check_ref_format(name, problem):
    adapter = TypeAdapter(BranchName)
    if problem is None:
        assert adapter.validate_python(name) == name
    else:
        with pytest.raises(ValidationError) as caught:
            adapter.validate_python(name)
        assert caught.value.errors()[0]["msg"] == f"Value error, {problem}"


@pytest.mark.slow  # a git process per name
@pytest.mark.parametrize("name, problem", BRANCHES + NOT_HERE, ids=[c[0][:20] for c in BRANCHES + NOT_HERE])
def test_git_check_ref_format_agrees_with_the_branch_names(name, problem):
    # git itself agrees (https://git-scm.com/docs/git-check-ref-format, --branch): it takes what the
    # config takes and refuses what the config refuses, but for NOT_HERE, which git takes.
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    checked = subprocess.run(["git", "check-ref-format", "--branch", name], capture_output=True, text=True)
    assert (checked.returncode == 0) == (problem is None or (name, problem) in NOT_HERE), checked.stderr


FILTERS = [("main", "main"), ("release+1", "release\\+1"), ("feat!x", "feat\\!x"), ("a]b", "a\\]b"), ("release/v1.2", "release/v1.2")]


@pytest.mark.parametrize("branch, literal", FILTERS, ids=[c[0] for c in FILTERS])
def test_a_branch_is_a_literal_in_github_actions_filters(branch, literal):
    assert filter_literal(branch) == literal


RULE = "  R:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: {name}\n      Source: {{Owner: {owner}, SourceIdentifier: ROOT_ACCOUNT_MFA_ENABLED}}\n"
PACKS = [
    ("the example", (EXAMPLE_DIR / "conformance-packs" / "landing-zone.yaml").read_text(), ()),
    ("no Resources (cfn-lint)", "Description: nothing\n", ("line 1: E1001 'Resources' is a required property",)),
    (
        "a bucket",
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n",
        (
            "resource B is 'AWS::S3::Bucket': a conformance pack holds only AWS::Config::ConfigRule and AWS::Config::RemediationConfiguration",
            "the template has no AWS::Config::ConfigRule: a conformance pack without a rule evaluates nothing",
        ),
    ),
    ("no resource", "Resources: {}\n", ("the template has no AWS::Config::ConfigRule: a conformance pack without a rule evaluates nothing",)),
    (
        "an unknown Source.Owner",
        "Resources:\n" + RULE.format(name="r", owner="ME"),
        ("resource R: Source.Owner 'ME' is not one of AWS, CUSTOM_LAMBDA, CUSTOM_POLICY",),
    ),
    (
        "a property CloudFormation does not know (cfn-lint)",
        "Resources:\n" + RULE.format(name="r", owner="AWS") + "      Colour: red\n",
        ("line 7: E3002 Additional properties are not allowed ('Colour' was unexpected)",),
    ),
    (
        "two rules of one name (cfn-lint)",
        "Resources:\n" + RULE.format(name="r", owner="AWS") + RULE.replace("  R:", "  S:").format(name="r", owner="AWS"),
        (
            "line 10: E3019 Primary identifiers {'ConfigRuleName': 'r'} should have unique values across the resources {'R', 'S'}",
            "line 5: E3019 Primary identifiers {'ConfigRuleName': 'r'} should have unique values across the resources {'R', 'S'}",
        ),
    ),
    (
        "an alias bomb",
        "Metadata:\n  l0: &l0 [x, x, x, x, x, x, x, x, x]\n" + "".join(f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 8)),
        ("not valid YAML: line 7: its aliases expand to more than 200000 nodes (an alias bomb?)",),
    ),
    ("not YAML", "Resources: [unclosed\n", ("not valid YAML: line 2: expected ',' or ']', but got '<stream end>'",)),
]


@pytest.mark.parametrize("text, errors", [c[1:] for c in PACKS], ids=[c[0] for c in PACKS])
def test_conformance_pack_templates_aws_config_would_refuse(text, errors):
    assert check_template(text)[0] == errors


def test_a_conformance_pack_over_the_template_body_limit_is_refused():
    body = "Resources:\n" + "".join(RULE.replace("  R:", f"  R{i}:").format(name=f"rule-{i}", owner="AWS") for i in range(400))
    assert len(body.encode()) > MAX_TEMPLATE_BYTES
    assert check_template(body) == ((f"the template is {len(body.encode())} bytes, over the 51200 AWS Config accepts (TemplateBody)",), ())


def test_cfn_lint_results_are_kept_between_runs_and_a_damaged_entry_is_linted_again(tmp_path, monkeypatch):
    text = "Resources:\n" + RULE.format(name="r", owner="NOBODY")
    # The verdict through the suite's own cache (conftest.py: cfn-lint runs once per cache, not
    # every run); then an empty cache, where each lint of the text must give that verdict.
    verdict = check_template.__wrapped__(text)
    monkeypatch.setenv(disk_cache.CACHE_DIR_ENV, str(tmp_path))
    linted = []
    monkeypatch.setattr(conformance_pack, "_lint", lambda t: linted.append(t) or verdict)
    first = check_template.__wrapped__(text)
    assert first == verdict
    assert first[0] == ("resource R: Source.Owner 'NOBODY' is not one of AWS, CUSTOM_LAMBDA, CUSTOM_POLICY",)
    assert check_template.__wrapped__(text) == first
    assert linted == [text]
    [entry] = (tmp_path / "cfn-lint").iterdir()
    entry.write_text('{"errors": "not a pair of lists"}', encoding="utf-8")
    assert check_template.__wrapped__(text) == first
    assert linted == [text, text]
    assert json.loads(entry.read_text(encoding="utf-8")) == [list(first[0]), list(first[1])]


def test_parliament_findings_are_kept_between_runs_per_policy_text(tmp_path, monkeypatch):
    monkeypatch.setenv(disk_cache.CACHE_DIR_ENV, str(tmp_path))
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjct", "Resource": "*"}]}
    analyzed = []
    analyze = inline_policy._analyze
    monkeypatch.setattr(inline_policy, "_analyze", lambda t: analyzed.append(t) or analyze(t))
    first = inline_policy.check_identity_policy(document)
    assert first == ([], ["parliament UNKNOWN_ACTION: Unknown action s3:GetObjct"])
    assert inline_policy.check_identity_policy(document) == first
    assert analyzed == [json.dumps(document)]
    assert [entry.parent.name for entry in tmp_path.glob("*/*.json")] == ["parliament"]


def test_the_index_of_the_iam_definition_is_kept_between_runs_and_a_damaged_entry_is_worked_out_again(tmp_path, monkeypatch):
    monkeypatch.setenv(disk_cache.CACHE_DIR_ENV, str(tmp_path))
    worked_out = []
    work_out = iam_actions._work_out_index
    monkeypatch.setattr(iam_actions, "_work_out_index", lambda: worked_out.append(1) or work_out())
    iam_actions._index.cache_clear()
    iam_actions._arn_services.cache_clear()
    try:
        assert (iam_actions.canonical("s3:getobject"), iam_actions.authorizes_resource("s3:ListAllMyBuckets")) == ("s3:GetObject", False)
        [entry] = (tmp_path / "parliament").iterdir()
        iam_actions._index.cache_clear()
        assert iam_actions.arn_services("sts") == {"iam", "sts"}
        assert worked_out == [1]
        entry.write_text('{"actions": {"s3": {"getobject": "not a pair"}}, "arn_services": {}}', encoding="utf-8")
        iam_actions._index.cache_clear()
        assert iam_actions.canonical("s3:getobject") == "s3:GetObject"
        assert worked_out == [1, 1]
        assert json.loads(entry.read_text(encoding="utf-8"))["actions"]["s3"]["getobject"] == ["GetObject", True]
    finally:
        iam_actions._index.cache_clear()
        iam_actions._arn_services.cache_clear()


def test_a_process_with_no_home_folder_and_no_cache_folder_set_checks_without_the_cache(monkeypatch):
    monkeypatch.delenv(disk_cache.CACHE_DIR_ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home():
        raise RuntimeError("Could not determine home directory.")  # Path.home() with no $HOME and no passwd entry

    monkeypatch.setattr(disk_cache.Path, "home", no_home)
    checked = []
    assert disk_cache.cached("parliament", ("text",), inline_policy.__file__, lambda: checked.append(1) or (("e",), ())) == (("e",), ())
    assert checked == [1]


def test_the_workflow_spec_refuses_a_branch_the_config_refuses():
    with pytest.raises(ValueError) as caught:
        AppWorkflowSpec(app="a", repository="r", kind="go", branches={"a b": "prod"})
    assert (
        str(caught.value)
        == "branch 'a b' is not allowed: not a git branch name: it has a space, a control character or one of ~ ^ : ? * [ \\ (git check-ref-format)"
    )
