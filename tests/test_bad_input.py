"""Issue 13, config side: every problem at once across phases, referenced files kept inside the config
folder, what AWS, GitHub and Slack would refuse, and refusals that say what is wrong. Each case
asserts the exact, complete list of problems printed (`<dir>` is the config folder)."""

from __future__ import annotations

import datetime
import json
import os
import re
from pathlib import Path
from typing import Callable

import pytest

from tests.helpers import REPO, both, edit_text, example_data, problems, setter, write_config

F = "<dir>/landing-zone.yaml"
PS = "identity_center.permission_sets"
POLICY = "permission-sets/developer-access.json"
DEV_POLICY = f"{PS}.DeveloperAccess.inline_policy"
PACK = "conformance-packs/landing-zone.yaml"
SOON = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()


class Files:
    """A change to the written config folder (its text, its files), not to the config's data."""

    def __init__(self, change: Callable[[Path], object]):
        self.change = change


def make(tmp_path: Path, *changes: Callable[[dict], None] | Files) -> Path:
    data = example_data()
    for change in changes:
        if not isinstance(change, Files):
            change(data)
    directory = write_config(tmp_path / "config", data)
    for change in changes:
        if isinstance(change, Files):
            change.change(directory)
    return directory


def text(edit: Callable[[str], str]) -> Files:
    return Files(lambda directory: edit_text(directory, edit))


def policy(document) -> Files:
    def apply(directory: Path) -> None:
        path = directory / POLICY
        path.unlink()
        path.write_text(document if isinstance(document, str) else json.dumps(document))

    return Files(apply)


def migration(until: str) -> Files:
    entry = f"  migration_access:\n    - {{people: [hanako], account: shop-prod, permission_set: AdministratorAccess, until: {until}}}\n  assignments:\n"
    return text(lambda t: t.replace("  assignments:\n", entry, 1))


STMT = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


# --- 1. every problem at once, across phases -----------------------------------------------------

ACROSS_PHASES = [
    (
        "shape error in identity_center, bad OU reference in environments",
        both(setter("identity_center.people.taro.email", "taro@"), setter("environments.dev.ou", "nope")),
        [
            f"{F}: identity_center.people.taro.email: value is not a valid email address: There must be something after the @-sign. (got 'taro@')",
            f"{F}: environments.dev.ou: no such organizational unit (got 'nope'). Hint: define it under organization.organizational_units "
            "(security, member, dev, stg, prod, suspended)",
        ],
    ),
    (
        "a shape error inside a section keeps that section's references checked",
        both(
            setter(f"{PS}.ReadOnlyAccess.session_duration", "4h"),
            setter("identity_center.assignments.0.group", "admins"),
            setter("organization.organizational_units.dev.parent", "members"),
        ),
        [
            f"{F}: {PS}.ReadOnlyAccess.session_duration: not an ISO-8601 duration of hours, minutes and seconds such as PT1H, PT8H, PT1H30M or PT3600S (got '4h')",
            f"{F}: organization.organizational_units.dev.parent: no such organizational unit (got 'members'). Hint: define it under "
            "organization.organizational_units (security, member, dev, stg, prod, suspended)",
            f"{F}: identity_center.assignments[0].group: no such group (got 'admins'). Hint: define it under identity_center.groups",
        ],
    ),
    (
        "an application with a shape error is still an application others may name",
        both(setter("applications.shop.kind", "java"), setter("identity_center.groups.auditors.members", ["nobody"])),
        [
            f"{F}: applications.shop.kind: Input should be 'rails', 'go', 'nuxt', 'container' or 'terraform' (got 'java')",
            f"{F}: identity_center.groups.auditors.members[0]: no such person (got 'nobody'). Hint: add them under identity_center.people",
        ],
    ),
    (
        "shape errors in three sections, references in two more",
        both(
            setter("slack.team_id", "bad"),
            setter("guardrails", {"limits": {"scp_max_chars": 0}}),
            setter("budgets.accounts", {"shop-qa": 1}),
            setter("applications.shop.environments", ["qa"]),
        ),
        [
            f"{F}: guardrails.limits.scp_max_chars: Input should be greater than or equal to 1 (got 0)",
            f"{F}: slack.team_id: String should match pattern '^T[A-Z0-9]{{6,12}}$' (got 'bad'). Hint: a Slack workspace (team) id is T and 6-12 "
            "capitals or digits, e.g. T0ACME1234",
            f"{F}: applications.shop.environments[0]: no such environment (got 'qa'). Hint: defined environments: dev, stg, prod",
            f"{F}: budgets.accounts.shop-qa: no such account (got 'shop-qa'). Hint: accounts: audit, booking-dev, booking-prod, booking-stg, log",
        ],
    ),
]


@pytest.mark.parametrize("mutate, expected", [c[1:] for c in ACROSS_PHASES], ids=[c[0] for c in ACROSS_PHASES])
def test_shape_errors_do_not_hide_the_reference_problems_of_valid_parts(tmp_path, mutate, expected):
    assert problems(make(tmp_path, mutate)) == expected


@pytest.mark.integration
def test_the_readme_sample_is_what_the_tool_prints(tmp_path, monkeypatch, capsys):
    readme = (REPO / "docs" / "deploying.md").read_text()
    sample = re.search(r"A bad config is refused before any resource is registered, with every problem at once:\n\n```\n(.*?)```", readme, re.S)
    assert sample, "docs/deploying.md's sample error output is missing"
    command, printed = sample.group(1).split("\n", 1)
    assert command == "$ python -m lzctl plan --stack management"
    make(tmp_path, both(setter("organization.home_regoin", "ap-northeast-1"), setter("identity_center.assignments.2.permission_sets.dev", "PowerUser")))
    from lzctl.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["plan", "--stack", "management", "--config", "config"]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", printed)


# --- 2. referenced files stay inside the config folder; their content is checked ----------------


def outside(directory: Path) -> None:
    (directory.parent / "outside.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [STMT]}))


def replaced(make_file: Callable[[Path], object]) -> Files:
    """The inline policy file replaced by what `make_file(path)` puts there."""
    return Files(lambda directory: ((directory / POLICY).unlink(), outside(directory), make_file(directory / POLICY)))


REFERENCED_FILES = [
    ("..", setter(DEV_POLICY, "../outside.json"), "path leaves the config folder (..) (got '../outside.json'). Hint: keep referenced files inside <dir>"),
    ("absolute", setter(DEV_POLICY, "/etc/passwd"), "absolute path (got '/etc/passwd'). Hint: paths are relative to the config folder <dir>"),
    (
        "symbolic link out",
        replaced(lambda path: path.symlink_to(path.parent.parent.parent / "outside.json")),
        f"path resolves outside the config folder (a symbolic link to {{parent}}/outside.json) (got '{POLICY}'). Hint: copy the file into <dir> instead of linking to it",
    ),
    ("folder", setter(DEV_POLICY, "permission-sets"), "not a regular file: it is a folder (got 'permission-sets'). Hint: point to a regular file"),
    ("FIFO", replaced(os.mkfifo), f"not a regular file: it is a named pipe (got '{POLICY}'). Hint: point to a regular file"),
    (
        "device",
        replaced(lambda path: path.symlink_to("/dev/zero")),
        f"path resolves outside the config folder (a symbolic link to /dev/zero) (got '{POLICY}'). Hint: copy the file into <dir> instead of linking to it",
    ),
    (
        "too large",
        policy(json.dumps({"Version": "2012-10-17", "Statement": [STMT]}) + " " * (1 << 20)),
        f"the file is over 1048576 bytes (got '{POLICY}'). Hint: nothing this program reads is that large; is it the right file?",
    ),
    ("missing", setter(DEV_POLICY, "permission-sets/none.json"), "file not found (got 'permission-sets/none.json'). Hint: paths are relative to <dir>"),
    ("empty path", setter(DEV_POLICY, ""), "empty path (got ''). Hint: give a path relative to the config folder <dir>"),
]


@pytest.mark.parametrize("change, message", [c[1:] for c in REFERENCED_FILES], ids=[c[0] for c in REFERENCED_FILES])
def test_an_inline_policy_must_be_a_regular_file_inside_the_config_folder(tmp_path, change, message):
    directory = make(tmp_path, change)
    assert problems(directory) == [f"{F}: {DEV_POLICY}: inline policy: {message.format(parent=directory.parent)}"]


INLINE_POLICIES = [
    (
        "not JSON",
        "{nope",
        [
            "inline policy is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
            '|an inline policy is one JSON object, {"Version": "2012-10-17", "Statement": [...]}, with double-quoted names and no trailing commas'
        ],
    ),
    ("a list", [1], ["inline policy must be a JSON object, not list"]),
    (
        "Effect",
        {"Version": "2012-10-17", "Statement": [{**STMT, "Effect": "Allowed"}]},
        ["inline policy Statement[0].Effect must be Allow or Deny (got 'Allowed')"],
    ),
    (
        "no Action",
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]},
        ["inline policy Statement[0] needs exactly one of Action or NotAction"],
    ),
    ("both Resource forms", {"Statement": [{**STMT, "NotResource": "x"}]}, ["inline policy Statement[0] needs exactly one of Resource or NotResource"]),
    ("Version", {"Version": "2012-10-18", "Statement": [STMT]}, ["inline policy Version must be 2012-10-17 or 2008-10-17 (got '2012-10-18')"]),
    (
        "Principal",
        {"Version": "2012-10-17", "Statement": [{**STMT, "Principal": "*"}]},
        ["inline policy Statement[0] names a Principal: identity policies (a permission set's) cannot; the principal is whoever holds the permission set"],
    ),
    ("no statement", {"Version": "2012-10-17", "Statement": []}, ["inline policy needs a Statement: an object or a non-empty list of them"]),
    (
        "action without service",
        {"Version": "2012-10-17", "Statement": [{**STMT, "Action": "GetObject"}]},
        ["inline policy Statement[0].Action: 'GetObject' is not service:action (e.g. s3:GetObject)"],
    ),
    (
        "unknown element",
        {"Version": "2012-10-17", "Statement": [STMT], "Comment": "x"},
        ["inline policy has the unknown top-level element 'Comment' (allowed: Id, Statement, Version)"],
    ),
    (
        "duplicate Sid",
        {"Version": "2012-10-17", "Statement": [{**STMT, "Sid": "A"}, {**STMT, "Sid": "A"}]},
        ["inline policy Sid 'A' is used by more than one statement; IAM requires them unique"],
    ),
    (
        "unknown operator (parliament)",
        {"Version": "2012-10-17", "Statement": [{**STMT, "Condition": {"StringEqualz": {"aws:username": "x"}}}]},
        ["inline policy parliament UNKNOWN_OPERATOR: StringEqualz"],
    ),
    (
        "invalid ARN (parliament)",
        {"Version": "2012-10-17", "Statement": [{**STMT, "Resource": "bucket"}]},
        ["inline policy parliament INVALID_ARN: Does not have 6 parts"],
    ),
]


@pytest.mark.parametrize("document, messages", [c[1:] for c in INLINE_POLICIES], ids=[c[0] for c in INLINE_POLICIES])
def test_an_inline_policy_aws_would_refuse_is_refused(tmp_path, document, messages):
    directory = make(tmp_path, policy(document))
    # "message|hint": the hint follows the value.
    shown = [(message.split("|") + [""])[:2] for message in messages]
    assert problems(directory) == [f"<dir>/{POLICY}: {DEV_POLICY}: {message} (got '{POLICY}')" + (f". Hint: {hint}" if hint else "") for message, hint in shown]


def test_findings_aws_accepts_but_that_grant_nothing_are_warnings(tmp_path):
    import config

    directory = make(
        tmp_path,
        policy({"Version": "2012-10-17", "Statement": [{**STMT, "Action": "s3:GetObjct"}]}),
        setter(f"{PS}.ReadOnlyAccess.managed_policies", []),
    )
    warnings = config.load(directory, refuse_example_domains=False).warnings
    assert f"{directory / POLICY}: parliament UNKNOWN_ACTION: Unknown action s3:GetObjct" in warnings
    assert f"{PS}.ReadOnlyAccess grants nothing: it has no managed policy and no inline policy" in warnings


def check(name: str) -> str:
    return f"Check with `aws iam get-policy --policy-arn arn:aws:iam::aws:policy/{name}`"


# AWS adds managed policies every week: a name the bundled list lacks is a warning that says how to check it.
MANAGED_POLICY_WARNINGS = [
    (
        "a policy the GuardDuty guide offers that the list lacks",
        setter("applications.shop.deploy_policies", {"prod": ["AmazonGuardDutyFullAccess"]}),
        "applications.shop.deploy_policies.prod[0]: AmazonGuardDutyFullAccess is not in the list of AWS managed policies of 2026-09-30 "
        f"(did you mean AmazonGuardDutyFullAccess_v2?); if AWS added it since, ignore this. {check('AmazonGuardDutyFullAccess')}",
    ),
    (
        "a typo",
        setter(f"{PS}.ReadOnlyAccess.managed_policies", ["ReadOnlyAcess"]),
        f"{PS}.ReadOnlyAccess.managed_policies[0]: ReadOnlyAcess is not in the list of AWS managed policies of 2026-09-30 "
        f"(did you mean ReadOnlyAccess?); if AWS added it since, ignore this. {check('ReadOnlyAcess')}",
    ),
    (
        "a root session's task policy on a permission set",
        setter(f"{PS}.ReadOnlyAccess.managed_policies", ["root-task/IAMAuditRootUserCredentials"]),
        f"{PS}.ReadOnlyAccess.managed_policies[0]: root-task/IAMAuditRootUserCredentials is a task policy of sts:AssumeRoot root sessions, "
        "not one for a role: it grants a role nothing useful",
    ),
]


@pytest.mark.parametrize("mutate, warning", [c[1:] for c in MANAGED_POLICY_WARNINGS], ids=[c[0] for c in MANAGED_POLICY_WARNINGS])
def test_a_managed_policy_the_bundled_list_lacks_is_a_warning(tmp_path, mutate, warning):
    import config

    warnings = config.load(make(tmp_path, mutate), refuse_example_domains=False).warnings
    assert [w for w in warnings if "managed_policies[" in w or "deploy_policies." in w] == [warning]


def test_the_example_names_only_managed_policies_the_list_knows(tmp_path):
    import config

    assert not [w for w in config.load(make(tmp_path), refuse_example_domains=False).warnings if "AWS managed policies" in w]


# --- 4. what AWS, GitHub and Slack would refuse --------------------------------------------------

ELEVEN_POLICIES = [
    "ReadOnlyAccess",
    "PowerUserAccess",
    "SecurityAudit",
    "AmazonS3FullAccess",
    "AmazonEC2FullAccess",
    "AWSLambda_FullAccess",
    "AmazonRDSFullAccess",
    "AmazonSQSFullAccess",
    "AmazonSNSFullAccess",
    "AmazonDynamoDBFullAccess",
    "CloudWatchFullAccess",
]
LONG = "mail.platform-engineering.corporate-example.co.jp"
SERVICE_LIMITS = [
    (
        "root e-mail over 64 after templating",
        setter("organization.account_email_template", "aws+{account}@" + LONG),
        [
            f"{F}: applications.booking.accounts.{env}.email: root e-mail is {len(env) + 13 + len(LONG)} characters, over the 64 Organizations accepts "
            f"(CreateAccount Email) (got 'aws+booking-{env}@{LONG}'). Hint: use a shorter address or organization.account_email_template"
            for env in ("dev", "stg", "prod")
        ],
    ),
    (
        "an explicit root e-mail over 64",
        setter("security.audit.email", "a" * 30 + "@" + "b" * 30 + ".co.jp"),
        [
            f"{F}: security.audit.email: root e-mail is 67 characters, over the 64 Organizations accepts (CreateAccount Email) "
            f"(got '{'a' * 30}@{'b' * 30}.co.jp'). Hint: use a shorter address or organization.account_email_template"
        ],
    ),
    (
        "managed policy without its path",
        setter("applications.shop.deploy_policies", {"prod": ["ViewOnlyAccess"]}),
        [
            f"{F}: applications.shop.deploy_policies.prod[0]: no such AWS managed policy: IAM names are unique whatever their case and path, "
            "so this can only be job-function/ViewOnlyAccess; write that (got 'ViewOnlyAccess')"
        ],
    ),
    (
        "managed policy ARN in the wrong case",
        setter(f"{PS}.ReadOnlyAccess.managed_policies", ["arn:aws:iam::aws:policy/readonlyaccess"]),
        [
            f"{F}: {PS}.ReadOnlyAccess.managed_policies[0]: no such AWS managed policy: IAM names are unique whatever their case and path, "
            "so this can only be ReadOnlyAccess; write that (got 'arn:aws:iam::aws:policy/readonlyaccess')"
        ],
    ),
    (
        "a service role policy on a deploy role",
        setter("applications.shop.deploy_policies", {"prod": ["aws-service-role/AmazonGuardDutyServiceRolePolicy"]}),
        [
            f"{F}: applications.shop.deploy_policies.prod[0]: an AWS service role policy: IAM attaches it only to its service's service-linked role "
            "(PolicyNotAttachableException) (got 'aws-service-role/AmazonGuardDutyServiceRolePolicy')"
        ],
    ),
    (
        "a service role policy by ARN on a permission set",
        setter(f"{PS}.ReadOnlyAccess.managed_policies", ["arn:aws:iam::aws:policy/aws-service-role/AmazonGuardDutyServiceRolePolicy"]),
        [
            f"{F}: {PS}.ReadOnlyAccess.managed_policies[0]: an AWS service role policy: IAM attaches it only to its service's service-linked role "
            "(PolicyNotAttachableException) (got 'arn:aws:iam::aws:policy/aws-service-role/AmazonGuardDutyServiceRolePolicy')"
        ],
    ),
    (
        "Slack channel with a brace left",
        setter("slack.deploy_channel", "deploy-{app}-{env}"),
        [
            f"{F}: slack.deploy_channel: Slack channel of application {app} has a brace left after templating (only {{app}}, in deploy_channel, is filled) "
            f"(got 'deploy-{app}-{{env}}')"
            for app in ("shop", "booking")
        ],
    ),
    (
        "Slack channel over 80 after templating",
        setter("slack.deploy_channel", "d" * 74 + "-{app}"),
        [f"{F}: slack.deploy_channel: Slack channel of application booking is 82 characters, over Slack's 80 (got '{'d' * 74}-booking')"],
    ),
    (
        "an app's channel is a shared one",
        setter("slack.security_alerts_channel", "deploy-shop"),
        [
            f"{F}: slack.deploy_channel: Slack channel of application shop is also the channel of security alerts (got 'deploy-shop'). "
            "Hint: every channel needs its own name",
            f"{F}: slack.security_alerts_channel: Slack channel of security alerts is also the channel of application shop (got 'deploy-shop'). "
            "Hint: every channel needs its own name",
        ],
    ),
    (
        "Slack channel of punctuation only",
        setter("slack.approvals_channel", "--"),
        [f"{F}: slack.approvals_channel: Slack channel of deploy approvals is only punctuation, which Slack refuses (got '--')"],
    ),
    ("repository .", setter("applications.shop.repository", "."), [f"{F}: applications.shop.repository: GitHub reserves the repository name . (got '.')"]),
    (
        "repository ending in .git",
        setter("applications.shop.repository", "shop.git"),
        [f"{F}: applications.shop.repository: GitHub does not create repositories whose name ends in .git; drop it (got 'shop.git')"],
    ),
    (
        "repository description over 350",
        setter("applications.shop.description", "d" * 351),
        [f"{F}: applications.shop.description: 351 characters: it becomes the repository's description, which GitHub caps at 350. Hint: shorten it"],
    ),
    (
        "cron field out of range",
        setter("deployments.drift_schedule", "99 21 * * *"),
        [f"{F}: deployments.drift_schedule: minute 99 is out of range 0-59 (got '99 21 * * *')"],
    ),
    (
        "cron that never fires",
        setter("deployments.drift_schedule", "0 21 31 2 *"),
        [f"{F}: deployments.drift_schedule: the schedule never fires (no such day in that month) (got '0 21 31 2 *')"],
    ),
    (
        "budget .inf",
        text(lambda t: t.replace("monthly_usd: 300", "monthly_usd: .inf")),
        [f"{F}: budgets.monthly_usd: Input should be a finite number (got inf)"],
    ),
    (
        "budget .nan",
        text(lambda t: t.replace("shop-prod: 1500", "shop-prod: .nan")),
        [f"{F}: budgets.accounts.shop-prod: Input should be a finite number (got nan)"],
    ),
    (
        "a control listed twice",
        setter("guardrails.controls", {"prod": ["AWS-GR_ROOT_ACCOUNT_MFA_ENABLED", "AWS-GR_ROOT_ACCOUNT_MFA_ENABLED"]}),
        [f"{F}: guardrails.controls.prod: listed twice (got 'AWS-GR_ROOT_ACCOUNT_MFA_ENABLED'). Hint: keep one: each list names a thing once"],
    ),
    (
        "a required tag in two spellings",
        setter("guardrails.tag_policy", {"required_tags": ["app", "App"]}),
        [f"{F}: guardrails.tag_policy.required_tags: one tag key in two spellings: the tag policy pins one spelling per key (got 'App, app')"],
    ),
    (
        "an environment listed twice",
        both(setter("applications.shop.environments", ["dev", "dev"]), setter("budgets.accounts", {})),
        [f"{F}: applications.shop.environments: listed twice (got 'dev'). Hint: keep one: each list names a thing once"],
    ),
    (
        "a deploy policy by name and by ARN",
        setter("applications.shop.deploy_policies", {"prod": ["ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"]}),
        [f"{F}: applications.shop.deploy_policies.prod: names one managed policy twice (by name and by ARN) (got 'arn:aws:iam::aws:policy/ReadOnlyAccess')"],
    ),
    (
        "more managed policies than a role takes",
        setter(
            "applications.shop.deploy_policies",
            {"prod": ELEVEN_POLICIES},
        ),
        [
            f"{F}: applications.shop.deploy_policies.prod: 11 managed policies on one deploy role, over IAM's 10 per role. "
            "Hint: raise guardrails.limits.role_managed_policies if AWS raised your quota (at most 20)"
        ],
    ),
    (
        "more managed policies than a role takes, on a permission set",
        setter(f"{PS}.ReadOnlyAccess.managed_policies", ELEVEN_POLICIES),
        [
            f"{F}: {PS}.ReadOnlyAccess.managed_policies: 11 managed policies on one permission set, over IAM's 10 per role: Identity Center "
            "provisions it as a role in each account. Hint: raise guardrails.limits.role_managed_policies if AWS raised the quota in every "
            "account it is assigned to (at most 20)"
        ],
    ),
    (
        "a permission set of 11 managed policies where the quota is raised",
        both(setter(f"{PS}.ReadOnlyAccess.managed_policies", ELEVEN_POLICIES), setter("guardrails.limits", {"role_managed_policies": 11})),
        [],
    ),
    (
        "limits past AWS's own maxima",
        setter(
            "guardrails.limits",
            {"scp_max_chars": 1000000, "scps_per_target": 50, "tag_policy_max_chars": 99999999, "ou_max_depth": 6, "trust_policy_max_chars": 4097},
        ),
        [
            f"{F}: guardrails.limits.{field}: Input should be less than or equal to {maximum} (got {value}). Hint: that is AWS's own maximum, "
            "which it does not raise on request (docs/configuration.md: Limits checked before anything is registered)"
            for field, maximum, value in (
                ("scp_max_chars", 10240, 1000000),
                ("scps_per_target", 10, 50),
                ("tag_policy_max_chars", 10000, 99999999),
                ("ou_max_depth", 5, 6),
                ("trust_policy_max_chars", 4096, 4097),
            )
        ],
    ),
    ("the account quota, which AWS raises on request", setter("guardrails.limits", {"accounts": 5000, "trust_policy_max_chars": 4096}), []),
    (
        "a long value is shown in part",
        setter(f"{PS}.ReadOnlyAccess.description", "\u2014" + "d" * 900_000),
        [
            f"{F}: {PS}.ReadOnlyAccess.description: String should have at most 700 characters (got '\u2014{'d' * 119}'... (900001 characters))",
        ],
    ),
    (
        "a pin for an action the workflows do not use",
        setter("github.action_pins", {"nobody/nothing": "a" * 40}),
        [
            f"{F}: github.action_pins: no such pinned action: nobody/nothing; pinned: actions/checkout, actions/download-artifact, actions/setup-go, actions/setup-node, "
            "actions/setup-python, actions/upload-artifact, aws-actions/amazon-ecr-login, aws-actions/configure-aws-credentials, hashicorp/setup-terraform, pulumi/actions, ruby/setup-ruby, "
            "slackapi/slack-github-action. Hint: pin only the actions the generated workflows use"
        ],
    ),
]


@pytest.mark.parametrize("mutate, expected", [c[1:] for c in SERVICE_LIMITS], ids=[c[0] for c in SERVICE_LIMITS])
def test_what_aws_github_or_slack_would_refuse_is_refused(tmp_path, mutate, expected):
    assert problems(make(tmp_path, mutate)) == expected


def test_an_application_key_the_program_reserves_is_refused(tmp_path):
    found = problems(make(tmp_path, setter("applications.infrastructure", {"reviewers": {"teams": ["platform-admins"]}})))
    assert (
        f"{F}: applications.infrastructure: this application key is reserved (got 'infrastructure'). "
        "Hint: rename the application; infrastructure, all, security-alerts, approvals are taken"
    ) in found


# Names and texts with AWS's own character sets and lengths, from the API models botocore 1.44.8 ships
# (botocore/data/<service>/<version>/service-2.json.gz), whose patterns are ECMA-262: \w is ASCII there.
AWS_PATTERNS = [
    (
        "a permission set name with non-ASCII letters (sso-admin PermissionSetName [\\w+=,.@-]+)",
        setter(f"{PS}.R\u00e9adOnly\u00c5ccess", {"description": "read"}),
        [
            f"{F}: {PS}.R\u00e9adOnly\u00c5ccess: String should match pattern '^[A-Za-z0-9_+=,.@-]{{1,32}}$' (got 'R\u00e9adOnly\u00c5ccess'). "
            "Hint: permission set names are 1-32 ASCII letters, digits and + = , . @ _ -"
        ],
    ),
    (
        "a role name with non-ASCII letters (iam roleNameType [\\w+=,.@-]+)",
        setter("organization.access_role_name", "Organizati\u00f6nAccessRole"),
        [
            f"{F}: organization.access_role_name: String should match pattern '^[A-Za-z0-9_+=,.@-]{{1,64}}$' (got 'Organizati\u00f6nAccessRole'). "
            "Hint: IAM role names are 1-64 ASCII letters, digits and + = , . @ _ -"
        ],
    ),
    (
        "a privileged role pattern with non-ASCII letters",
        setter("guardrails.scp", {"privileged_roles": ["\u00c4dmin*"]}),
        [
            f"{F}: guardrails.scp.privileged_roles[0]: String should match pattern '^[*/A-Za-z0-9_+=,.@-]{{1,128}}$' (got '\u00c4dmin*'). "
            "Hint: role name patterns are 1-128 ASCII letters, digits and + = , . @ _ - with * wildcards and / paths"
        ],
    ),
    (
        "a description with an em dash (sso-admin PermissionSetDescription)",
        setter(f"{PS}.ReadOnlyAccess.description", "Read \u2014 only"),
        [
            f"{F}: {PS}.ReadOnlyAccess.description: Identity Center takes only printable ASCII and Latin-1 letters in a description; "
            "'\u2014' (U+2014) at character 6 is not one (write - for a dash, plain quotes for curly ones) (got 'Read \u2014 only')"
        ],
    ),
    ("a description in Latin-1", setter(f"{PS}.ReadOnlyAccess.description", "Lecture seule, \u00e9quipe \u00a9"), []),
    (
        "a conformance pack name starting with a digit (config OrganizationConformancePackName [a-zA-Z][-a-zA-Z0-9]*)",
        setter("security_services.config", {"conformance_pack": "1pack"}),
        [
            f"{F}: security_services.config.conformance_pack: String should match pattern '^[a-z][a-z0-9-]{{0,63}}$' (got '1pack'). "
            "Hint: conformance pack names are 1-64 lowercase letters, digits and hyphens, starting with a letter: AWS Config's rule, "
            "lowercase and shorter here since the name is also the template's file stem (config/conformance-packs/<name>.yaml)"
        ],
    ),
    (
        "a conformance pack name starting with a hyphen",
        setter("security_services.config", {"conformance_pack": "-pack"}),
        [
            f"{F}: security_services.config.conformance_pack: String should match pattern '^[a-z][a-z0-9-]{{0,63}}$' (got '-pack'). "
            "Hint: conformance pack names are 1-64 lowercase letters, digits and hyphens, starting with a letter: AWS Config's rule, "
            "lowercase and shorter here since the name is also the template's file stem (config/conformance-packs/<name>.yaml)"
        ],
    ),
    (
        "a tag key with the aws: prefix (reserved in any case)",
        setter("guardrails.tag_policy", {"required_tags": ["AWS:app", "env"]}),
        [f"{F}: guardrails.tag_policy.required_tags[0]: the aws: prefix, in any case, is AWS's own: no tag key of yours may start with it (got 'AWS:app')"],
    ),
    (
        "a backup tag key with the aws: prefix",
        setter("guardrails.backup_policy.tag_key", "aws:backup"),
        [f"{F}: guardrails.backup_policy.tag_key: the aws: prefix, in any case, is AWS's own: no tag key of yours may start with it (got 'aws:backup')"],
    ),
    (
        "a tag key with a space at one end",
        setter("guardrails.tag_policy", {"required_tags": [" env"]}),
        [
            f"{F}: guardrails.tag_policy.required_tags[0]: white space at either end of a tag key: Elastic Load Balancing refuses it, and it "
            "reads as another key (got ' env')"
        ],
    ),
    (
        "a tag key with a character AWS refuses (organizations TagKey)",
        setter("guardrails.tag_policy", {"required_tags": ["env!"]}),
        [
            f"{F}: guardrails.tag_policy.required_tags[0]: String should match pattern '^[\\p{{L}}\\p{{Z}}\\p{{N}}_.:/=+@-]+$' (got 'env!'). "
            "Hint: tag keys are 1-128 letters, digits, spaces and _ . : / = + @ -"
        ],
    ),
    (
        "a tag key over 128 characters (organizations TagKey max 128)",
        setter("guardrails.tag_policy", {"required_tags": ["k" * 129]}),
        [f"{F}: guardrails.tag_policy.required_tags[0]: String should have at most 128 characters (got '{'k' * 120}'... (129 characters))"],
    ),
    ("a tag key of 128 characters", setter("guardrails.tag_policy", {"required_tags": ["k" * 128]}), []),
    (
        "tag keys with a space inside and in Japanese (\\p{L} \\p{Z})",
        setter("guardrails.tag_policy", {"required_tags": ["cost center", "\u30b3\u30b9\u30c8"]}),
        [],
    ),
    ("a session in seconds (sso-admin Duration)", setter(f"{PS}.ReadOnlyAccess.session_duration", "PT3600S"), []),
    ("a session in hours, minutes and seconds", setter(f"{PS}.ReadOnlyAccess.session_duration", "PT1H30M15S"), []),
    (
        "a session one second over 12 hours",
        setter(f"{PS}.ReadOnlyAccess.session_duration", "PT43201S"),
        [f"{F}: {PS}.ReadOnlyAccess.session_duration: Identity Center sessions last from PT1H to PT12H (got 'PT43201S')"],
    ),
    (
        "a session of fractional hours",
        setter(f"{PS}.ReadOnlyAccess.session_duration", "PT1.5H"),
        [
            f"{F}: {PS}.ReadOnlyAccess.session_duration: not an ISO-8601 duration of hours, minutes and seconds such as PT1H, PT8H, PT1H30M "
            "or PT3600S (got 'PT1.5H')"
        ],
    ),
]


@pytest.mark.parametrize("mutate, expected", [c[1:] for c in AWS_PATTERNS], ids=[c[0] for c in AWS_PATTERNS])
def test_names_and_texts_follow_the_aws_api_models_patterns(tmp_path, mutate, expected):
    assert problems(make(tmp_path, mutate)) == expected


# --- 7. refusals that say what is wrong, and what is legal YAML is accepted ----------------------

UNCLEAR = [
    (
        "a quoted date",
        migration(f'"{SOON}"'),
        [
            f"{F}: identity_center.migration_access[0].until: Input should be a valid date (got '{SOON}'). "
            "Hint: drop the quotes: YAML reads an unquoted YYYY-MM-DD as a date, a quoted one as a string"
        ],
    ),
    (
        "a date that is not one",
        migration("2026-13-01"),
        [
            f"{F}: identity_center.migration_access[0].until: Input should be a valid date (got '2026-13-01'). "
            "Hint: 2026-13-01 is not a calendar date (month must be in 1..12); write YYYY-MM-DD, unquoted"
        ],
    ),
    (
        "a boolean as a key",
        text(lambda t: t.replace("environments:\n  dev:", "environments:\n  yes:\n    ou: dev\n  dev:")),
        [
            F
            + ": environments.yes: line {environments}: the key yes is read by YAML as the boolean true (YAML 1.1 reads yes/no/on/off/y/n as booleans), not a name. "
            'Hint: quote it to keep it a name: "yes":'
        ],
    ),
    (
        "a number for a version string",
        text(lambda t: t.replace("guardrails:\n", "guardrails:\n  control_tower: {landing_zone_version: 4.0}\n", 1)),
        [f"{F}: guardrails.control_tower.landing_zone_version: Input should be a valid string (got 4.0). Hint: quote the value so YAML reads it as a string"],
    ),
    (
        "the tag policy's keys before every policy type got targets",
        setter("guardrails.tag_policy", {"enabled": False, "target": "member"}),
        # The expected lines are format strings (line numbers): {{ }} are braces.
        [
            f"{F}: guardrails.tag_policy.enabled: Extra inputs are not permitted. Hint: removed when every policy type got targets: "
            "`enabled: false` is now `targets: {{}}`; `enabled: true` is the default (required-tags on the member OU), so drop the key",
            f"{F}: guardrails.tag_policy.target: Extra inputs are not permitted. Hint: removed when every policy type got targets: "
            "`target: X` is now `targets: {{X: [required-tags]}}`",
        ],
    ),
    (
        "a quoted boolean",
        text(lambda t: t.replace("guardrails:\n", "guardrails:\n  control_tower: {enabled: 'true'}\n", 1)),
        [
            f"{F}: guardrails.control_tower.enabled: Input should be a valid boolean (got 'true'). Hint: write it without quotes: quoted, YAML reads it as a string"
        ],
    ),
    (
        "a date where a string belongs",
        text(lambda t: t.replace("description: Developers verify freely; flexible permissions.", "description: 2024-01-01")),
        [f"{F}: environments.dev.description: Input should be a valid string (got '2024-01-01'). Hint: quote the value so YAML reads it as a string"],
    ),
    (
        "a merge key overridden by the mapping",
        text(lambda t: t.replace("  dev:\n    ou: dev\n", "  dev:\n    <<: {ou: stg, description: base}\n    ou: dev\n")),
        [],
    ),
    (
        "a key written twice",
        text(lambda t: t.replace("    kind: rails\n", "    kind: rails\n    kind: go\n")),
        [
            "<dir>/landing-zone.yaml: not valid YAML: line {kind}, column 5: found duplicate key 'kind'. Hint: a key appears once in a mapping: YAML would keep only the last value; merge the entries"
        ],
    ),
    (
        "keys written twice in two places, all reported",
        text(lambda t: t.replace("    kind: rails\n", "    kind: rails\n    kind: go\n").replace("environments:\n  dev:", "environments:\n  dev: {}\n  dev:")),
        [
            "<dir>/landing-zone.yaml: not valid YAML: line {dev_again}, column 3: found duplicate key 'dev'. Hint: a key appears once in a mapping: YAML would keep only the last value; merge the entries",
            "<dir>/landing-zone.yaml: not valid YAML: line {kind_after_env}, column 5: found duplicate key 'kind'. Hint: a key appears once in a mapping: YAML would keep only the last value; merge the entries",
        ],
    ),
    (
        "an alias bomb",
        text(
            lambda t: (
                t
                + "x-bomb:\n  a: &a [x, x, x, x, x, x, x, x, x]\n"
                + "".join(f"  {c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True))
            )
        ),
        ["<dir>/landing-zone.yaml: not valid YAML: line {end_7}, column 6: its aliases expand to more than 200000 nodes (an alias bomb?)"],
    ),
    (
        "a circular alias",
        text(lambda t: t.replace("    kind: rails\n", "    kind: rails\n    commands: &c {lint: *c}\n")),
        [
            "<dir>/landing-zone.yaml: not valid YAML: line {kind}, column 15: an alias refers to the anchor it is inside (a circular alias). Hint: an alias *name repeats an anchor &name that ends before it; it cannot stand inside that anchor"
        ],
    ),
    (
        "nesting 65 deep",
        text(lambda t: t + "deep: " + "[" * 65 + "]" * 65 + "\n"),
        ["<dir>/landing-zone.yaml: not valid YAML: line {end_1}, column 70: nested more than 64 levels deep"],
    ),
]


MESSAGES = [
    (
        "a number where a permission set name or a list of them belongs: one problem, no internal type names",
        setter("identity_center.assignments.1.permission_sets.all", 42),
        [f"{F}: identity_center.assignments[1].permission_sets.all: should be a permission set name or a list of them (got 42)"],
    ),
    (
        "a list of numbers there",
        setter("identity_center.assignments.1.permission_sets.all", [42]),
        [
            f"{F}: identity_center.assignments[1].permission_sets.all[0]: Input should be a valid string (got 42). "
            "Hint: quote the value so YAML reads it as a string"
        ],
    ),
    (
        "a string where a list belongs",
        setter("organization.governed_regions", "ap-northeast-1"),
        [f"{F}: organization.governed_regions: Input should be a valid list (got 'ap-northeast-1'). Hint: a list is wanted, even of one: [ap-northeast-1]"],
    ),
    (
        "a GitHub login GitHub refuses",
        setter("identity_center.people.taro.github", "-taro"),
        [
            f"{F}: identity_center.people.taro.github: String should match pattern '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$' (got '-taro'). "
            "Hint: GitHub logins are 1-39 letters, digits and single hyphens, not starting or ending with a hyphen"
        ],
    ),
    (
        "an invalid application key is reported once, not again as the Slack channel it would name",
        setter("applications.~", {}),
        [
            f"{F}: applications.~: String should match pattern '^[a-z][a-z0-9-]{{0,30}}[a-z0-9]$|^[a-z]$' (got '~'). "
            "Hint: keys are 1-32 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen"
        ],
    ),
]


@pytest.mark.parametrize("mutate, expected", [c[1:] for c in MESSAGES], ids=[c[0] for c in MESSAGES])
def test_each_mistake_is_one_problem_with_a_hint(tmp_path, mutate, expected):
    assert problems(make(tmp_path, mutate)) == expected


@pytest.mark.parametrize("files, expected", [c[1:] for c in UNCLEAR], ids=[c[0] for c in UNCLEAR])
def test_refusals_say_what_is_wrong_and_legal_yaml_is_accepted(tmp_path, files, expected):
    written = (make(tmp_path / "plain") / "landing-zone.yaml").read_text().splitlines()
    # Lines of the example as written: where the edits land (line numbers are 1-based).
    lines = {
        "environments": written.index("environments:") + 2,
        "kind": written.index("    kind: rails") + 2,
        "kind_after_env": written.index("    kind: rails") + 3,
        "dev_again": written.index("environments:") + 3,
        "end_1": len(written) + 1,
        "end_7": len(written) + 7,
    }
    assert problems(make(tmp_path, files)) == [line.format(**lines) for line in expected]


@pytest.mark.parametrize(
    "setup, message",
    [
        (
            Files(lambda d: ((d / "landing-zone.yaml").unlink(), os.mkfifo(d / "landing-zone.yaml"))),
            "not a regular file: it is a named pipe. Hint: point to a regular file",
        ),
        (
            Files(lambda d: ((d / "landing-zone.yaml").unlink(), (d / "landing-zone.yaml").mkdir())),
            "not a regular file: it is a folder. Hint: point to a regular file",
        ),
        (text(lambda t: t + "#" * (1 << 20)), "the file is over 1048576 bytes. Hint: nothing this program reads is that large; is it the right file?"),
    ],
    ids=["FIFO", "folder", "too large"],
)
def test_the_config_file_itself_is_read_only_when_regular_and_bounded(tmp_path, setup, message):
    assert problems(make(tmp_path, setup)) == [f"{F}: {message}"]


# --- 5. adversarial input of the session's new fields (issues 13/15) -----------------------------


def own_template(text_: str, name: str = "mine") -> Files:
    def apply(directory: Path) -> None:
        path = directory / "policy-templates" / "scp" / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text_)

    return Files(apply)


TEMPLATE_HINT = "Hint: a template is one statement, a JSON object with Effect, Action or NotAction and Resource (guardrails/templates/scp/ shows the form)"
MALFORMED_TEMPLATES = [
    (
        "a whole policy document instead of one statement",
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}',
        "Effect must be Allow or Deny (got None)",
    ),
    ("a list", "[]", "a statement is a JSON object (got [])"),
    ("a string", '"x"', 'a statement is a JSON object (got "x")'),
    ("no action", '{"Effect": "Deny", "Action": [], "Resource": "*"}', "exactly one of Action and NotAction"),
    (
        "a principal",
        '{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}',
        'SCPs take no Principal and RCPs only "Principal": "*"',
    ),
]


@pytest.mark.parametrize("document, why", [c[1:] for c in MALFORMED_TEMPLATES], ids=[c[0] for c in MALFORMED_TEMPLATES])
def test_a_folder_template_that_is_not_a_statement_is_refused(tmp_path, document, why):
    # It reached the plan's rules, whose parser stopped with a traceback (exit 1).
    directory = make(tmp_path, setter("guardrails.scp", {"targets": {"root": ["mine"], "dev": ["mine"]}}), own_template(document))
    assert problems(directory) == [
        f"{F}: guardrails.scp.targets.{target}: policy-templates/scp/mine.json: {why} (got 'mine'). {TEMPLATE_HINT}" for target in ("root", "dev")
    ]


BASELINE = "arn:aws:controltower:ap-northeast-1:123456789012:enabledbaseline/ABC123"
CT = "guardrails.control_tower"
OUS = "Hint: known: security, member, dev, stg, prod, suspended"
CT_ADOPTION = both(
    setter(f"{CT}.existing_landing_zone_id", "LZ1"),
    setter(f"{CT}.existing_baselines", {"nope": BASELINE, "security": BASELINE, "dev": BASELINE}),
    setter(f"{CT}.existing_controls", {"nope": ["AWS-GR_RESTRICTED_SSH"], "dev": ["NOPE", "AWS-GR_RESTRICTED_SSH"]}),
)
CT_ENTRIES = [
    f"{F}: {CT}.existing_baselines.nope: no such organizational unit (got 'nope'). {OUS}",
    f"{F}: {CT}.existing_baselines.security: an existing baseline on an OU the config does not register (got 'security'). "
    f"Hint: add it to {CT}.registered_ous, or drop it here",
]
CT_CONTROLS = [
    f"{F}: {CT}.existing_controls.nope: no such organizational unit (got 'nope'). {OUS}",
    f"{F}: {CT}.existing_controls.dev[0]: an existing control guardrails.controls does not enable (got 'NOPE'). Hint: add it to guardrails.controls or drop it here",
]


def test_control_tower_entries_are_checked_without_the_adopted_organisation_too(tmp_path):
    # The missing organisation id hid every other problem of the existing_* entries, and an unknown
    # OU key was called one "the config does not register".
    assert problems(make(tmp_path, CT_ADOPTION)) == [
        f"{F}: {CT}.existing_landing_zone_id: Control Tower can only be adopted with the organisation it governs. Hint: set organization.existing_organization_id",
        *CT_ENTRIES,
        *CT_CONTROLS,
    ]


def test_control_tower_entries_on_ous_not_adopted_are_named_with_the_adopted_organisation(tmp_path):
    assert problems(make(tmp_path, CT_ADOPTION, setter("organization.existing_organization_id", "o-abcdefghij"))) == [
        *CT_ENTRIES,
        f"{F}: {CT}.existing_baselines.dev: an existing baseline on an OU that does not exist yet (got 'dev'). Hint: set organization.organizational_units.dev.existing_id",
        *CT_CONTROLS,
        f"{F}: {CT}.existing_controls.dev[1]: an existing control on an OU that does not exist yet (got 'AWS-GR_RESTRICTED_SSH'). "
        "Hint: set organization.organizational_units.dev.existing_id",
    ]


def test_an_enabled_baseline_of_another_region_is_refused_beside_a_guardrail_problem(tmp_path):
    # The baselines' import ids need the resolved guardrails, which a bad backup schedule leaves unresolved; their ARNs do not.
    other_region = BASELINE.replace("ap-northeast-1", "us-east-1")
    mutate = both(
        setter("organization.existing_organization_id", "o-abcdefghij"),
        setter("organization.organizational_units.dev.existing_id", "ou-ab12-devouid01"),
        setter(f"{CT}.existing_baselines", {"dev": other_region}),
        setter("guardrails.backup_policy.schedule", "cron(0 17 * * *)"),
    )
    found = problems(make(tmp_path, mutate))
    assert [problem.split(": ")[1] for problem in found] == ["guardrails.backup_policy.schedule", f"{CT}.existing_baselines.dev"]
    assert found[1] == (
        f"{F}: {CT}.existing_baselines.dev: an enabled baseline in us-east-1, but Control Tower's home region is ap-northeast-1 "
        f"(organization.home_region) (got '{other_region}'). Hint: give the ARN ListEnabledBaselines returns in the home region of the "
        "management account, as lzctl adopt writes it (Control Tower user guide, 'Examples for baseline API usage')"
    )


def test_identity_center_arns_of_another_partition_are_refused(tmp_path):
    instance = "arn:aws-us-gov:sso:::instance/ssoins-1234567890abcdef"
    permission_set = "arn:aws-cn:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"
    mutate = both(
        setter("identity_center.existing_instance_arn", instance),
        setter("identity_center.existing_identity_store_id", "d-9067c2a4f1"),
        setter("identity_center.permission_sets.ReadOnlyAccess.existing_arn", permission_set),
    )
    hint = "Hint: give the ARN ListInstances or ListPermissionSets returns in the management account, as lzctl adopt writes it"
    assert problems(make(tmp_path, mutate)) == [
        f"{F}: identity_center.existing_instance_arn: an Identity Center instance in the aws-us-gov partition, but the landing zone's regions "
        f"are all in aws (config/regions.py) (got '{instance}'). {hint}",
        f"{F}: identity_center.permission_sets.ReadOnlyAccess.existing_arn: a permission set in the aws-cn partition, but the landing zone's "
        f"regions are all in aws (config/regions.py) (got '{permission_set}'). {hint}",
    ]


def test_a_permission_set_of_another_identity_center_instance_is_refused(tmp_path):
    permission_set = "arn:aws:sso:::permissionSet/ssoins-abcdef1234567890/ps-1234567890abcdef"
    mutate = both(
        setter("identity_center.existing_instance_arn", "arn:aws:sso:::instance/ssoins-1234567890abcdef"),
        setter("identity_center.existing_identity_store_id", "d-9067c2a4f1"),
        setter("identity_center.permission_sets.ReadOnlyAccess.existing_arn", permission_set),
    )
    assert problems(make(tmp_path, mutate)) == [
        f"{F}: identity_center.permission_sets.ReadOnlyAccess.existing_arn: a permission set of instance ssoins-abcdef1234567890, but "
        f"identity_center.existing_instance_arn is arn:aws:sso:::instance/ssoins-1234567890abcdef (got '{permission_set}'). "
        "Hint: give the ARN ListInstances or ListPermissionSets returns in the management account, as lzctl adopt writes it"
    ]


def test_enabled_baselines_of_another_region_account_or_partition_are_refused_each_at_once(tmp_path):
    other_region, other_account = BASELINE.replace("ap-northeast-1", "us-east-1"), BASELINE.replace("123456789012", "999999999999")
    gov_cloud = BASELINE.replace("arn:aws:controltower:ap-northeast-1", "arn:aws-us-gov:controltower:us-gov-west-1")
    adopted = [setter(f"organization.organizational_units.{key}.existing_id", f"ou-ab12-{key}ouid01") for key in ("dev", "stg", "prod")]
    mutate = both(
        setter("organization.existing_organization_id", "o-abcdefghij"),
        setter(f"{CT}.existing_baselines", {"dev": other_region, "stg": other_account, "prod": gov_cloud}),
        *adopted,
    )
    hint = (
        "Hint: give the ARN ListEnabledBaselines returns in the home region of the management account, as lzctl adopt writes it "
        "(Control Tower user guide, 'Examples for baseline API usage')"
    )
    assert problems(make(tmp_path, mutate)) == [
        f"{F}: {CT}.existing_baselines.dev: an enabled baseline in us-east-1, but Control Tower's home region is ap-northeast-1 "
        f"(organization.home_region) (got '{other_region}'). {hint}",
        f"{F}: {CT}.existing_baselines.stg: an enabled baseline of account 999999999999, but Control Tower takes only the management "
        f"account's (123456789012) (got '{other_account}'). {hint}",
        f"{F}: {CT}.existing_baselines.prod: an enabled baseline in the aws-us-gov partition, but the landing zone's regions are all in aws "
        f"(config/regions.py) (got '{gov_cloud}'). {hint}",
        f"{F}: {CT}.existing_baselines.prod: an enabled baseline in us-gov-west-1, but Control Tower's home region is ap-northeast-1 "
        f"(organization.home_region) (got '{gov_cloud}'). {hint}",
    ]


NEW_FIELD_PATTERNS = [
    (
        "guardrails.backup_policy.schedule",
        "rate(1 day)",
        "^cron\\([^ ()]+( [^ ()]+){{5}}\\)$",
        "a backup schedule is a cron expression in cron(...), six fields with minutes first, in UTC, e.g. cron(0 17 * * ? *) for 17:00 daily "
        "(Organizations user guide, 'Backup policy syntax and examples': schedule_expression)",
    ),
    (
        "slack.notify_user_id",
        "u0notify01",
        "^[UW][A-Z0-9]{{6,12}}$",
        "a Slack member id is U (or W) and 6-12 capitals or digits, e.g. U0NOTIFY01 (the profile's Copy member ID, or auth.test's user_id)",
    ),
    (
        "applications.shop.secrets",
        ["rails_key"],
        "^[A-Z_][A-Z0-9_]*$",
        "secret names are capitals, digits and _, not starting with a digit, e.g. RAILS_MASTER_KEY",
    ),
    (
        f"{CT}.existing_landing_zone_id",
        "arn:aws:controltower:ap-northeast-1:123456789012:landingzone/LZ1",
        "^[0-9A-Za-z]{{1,64}}$",
        "the landing zone's id is the end of its ARN (arn:aws:controltower:<region>:<account>:landingzone/<id>): 1-64 letters and digits",
    ),
    (
        f"{CT}.kms_key_arn",
        "arn:aws:kms:ap-northeast-1:123456789012:alias/logs",
        "^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{{12}}:key/[0-9a-f-]+$",
        "a KMS key ARN is arn:aws:kms:<region>:<account id>:key/<key id>, e.g. arn:aws:kms:ap-northeast-1:123456789012:key/"
        "1234abcd-12ab-34cd-56ef-1234567890ab; not an alias ARN, nor a multi-Region key (mrk-), which Control Tower refuses "
        "(Control Tower user guide, 'Optionally configure AWS KMS keys')",
    ),
    (
        "organization.existing_organization_id",
        "o-abc",
        "^o-[a-z0-9]{{10,32}}$",
        "an organisation id is o- and 10-32 lowercase letters or digits, e.g. o-a1b2c3d4e5, as DescribeOrganization gives it "
        "(Organizations API reference, Organization: Id)",
    ),
    (
        "organization.organizational_units.dev.existing_id",
        "ou-1",
        "^ou-[0-9a-z]{{4,32}}-[a-z0-9]{{8,32}}$",
        "an OU id is ou-, the 4-32 lowercase letters or digits of its root's id, a hyphen and 8-32 more, e.g. ou-ab12-cd34ef56, "
        "as ListOrganizationalUnitsForParent gives it (Organizations API reference, OrganizationalUnit: Id)",
    ),
    (
        "identity_center.people.taro.existing_id",
        "taro",
        "^([0-9a-f]{{10}}-)?[A-Fa-f0-9]{{8}}-[A-Fa-f0-9]{{4}}-[A-Fa-f0-9]{{4}}-[A-Fa-f0-9]{{4}}-[A-Fa-f0-9]{{12}}$",
        "an identity store user, group or membership id is a UUID, in Identity Center's own store after 10 lowercase hex digits and a hyphen, "
        "e.g. 9067c2a4f1-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d, as ListUsers, ListGroups and ListGroupMemberships give it "
        "(Identity Store API reference, User: UserId)",
    ),
]


@pytest.mark.parametrize("path, value, pattern, hint", NEW_FIELD_PATTERNS, ids=[c[0] for c in NEW_FIELD_PATTERNS])
def test_the_new_fields_patterns_come_with_a_hint(tmp_path, path, value, pattern, hint):
    where, got = (f"{path}[0]", value[0]) if isinstance(value, list) else (path, value)
    assert problems(make(tmp_path, setter(path, value))) == [f"{F}: {where}: String should match pattern '{pattern.format()}' (got '{got}'). Hint: {hint}"]


def test_an_enabled_baseline_or_control_id_of_the_wrong_form_comes_with_a_hint(tmp_path):
    mutate = both(setter(f"{CT}.existing_baselines", {"dev": "ABC123"}), setter(f"{CT}.existing_controls", {"dev": ["AWS GR"]}))
    assert problems(make(tmp_path, mutate)) == [
        f"{F}: {CT}.existing_baselines.dev: String should match pattern "
        "'^arn:aws[a-z-]*:controltower:[a-z0-9-]+:\\d{12}:enabledbaseline/[0-9A-Za-z]+$' (got 'ABC123'). "
        "Hint: an enabled baseline's ARN is arn:aws:controltower:<region>:<account id>:enabledbaseline/<id>, as ListEnabledBaselines gives it (lzctl adopt writes it)",
        f"{F}: {CT}.existing_controls.dev[0]: String should match pattern '^[A-Za-z0-9_.-]{{1,128}}$' (got 'AWS GR'). "
        "Hint: control ids are 1-128 letters, digits and . _ -, e.g. AWS-GR_RESTRICTED_SSH",
        f"{F}: {CT}.existing_baselines: Control Tower can only be adopted with the organisation it governs. Hint: set organization.existing_organization_id",
    ]


def test_an_adopted_config_role_with_control_tower_on_is_a_warning(tmp_path):
    import config

    directory = make(
        tmp_path,
        setter("organization.existing_organization_id", "o-abcdefghij"),
        setter("security.audit.existing_account_id", "210987654321"),
        setter("security.audit.existing_config_service_role", True),
    )
    warnings = config.load(directory, refuse_example_domains=False).warnings
    assert [w for w in warnings if "existing_config_service_role" in w] == [
        "security.audit.existing_config_service_role: no effect with Control Tower on, which records with AWS Config in the accounts it enrols "
        "(the program creates no Config role then); remove it"
    ]


def test_registered_ous_listed_twice_or_none_say_so_with_a_hint(tmp_path):
    twice = problems(make(tmp_path / "twice", setter(f"{CT}.registered_ous", ["dev", "dev", "stg", "prod", "member"])))
    assert twice == [f"{F}: {CT}.registered_ous: listed twice (got 'dev'). Hint: keep one: each list names a thing once"]
    # With none registered, the detective controls' hint listed nothing ("registered OUs: ;").
    none = problems(make(tmp_path / "none", setter(f"{CT}.registered_ous", []), setter("guardrails.controls", {"dev": ["AWS-GR_RESTRICTED_SSH"]})))
    assert none == [
        f"{F}: guardrails.controls.dev[0]: a detective control needs an OU registered with Control Tower, and dev is not (got 'AWS-GR_RESTRICTED_SSH'). "
        "Hint: registered OUs: none; preventive controls (SCPs) can target any OU"
    ]


KEY = "arn:aws:kms:ap-northeast-1:{}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


KMS_HINT = "Hint: create the key in the management account, in the home region (Control Tower user guide, 'Optionally configure AWS KMS keys')"


def test_a_landing_zone_kms_key_of_another_account_partition_or_region_is_refused(tmp_path):
    other_account, gov_cloud = KEY.format("999999999999"), KEY.format("123456789012").replace("arn:aws:", "arn:aws-us-gov:")
    mutate = both(setter(f"{CT}.kms_key_arn", other_account), setter(f"{CT}.config_kms_key_arn", gov_cloud))
    assert problems(make(tmp_path / "account", mutate)) == [
        f"{F}: {CT}.kms_key_arn: a KMS key of account 999999999999, but Control Tower takes only the management account's (123456789012) "
        f"(got '{other_account}'). {KMS_HINT}",
        f"{F}: {CT}.config_kms_key_arn: a KMS key in the aws-us-gov partition, but the landing zone's regions are all in aws (config/regions.py) "
        f"(got '{gov_cloud}'). {KMS_HINT}",
    ]
    # A governed region's key: CloudTrail and Config want the key in their bucket's region, Control Tower's home region.
    governed = KEY.format("123456789012").replace("ap-northeast-1", "us-east-1")
    assert problems(make(tmp_path / "region", setter(f"{CT}.kms_key_arn", governed))) == [
        f"{F}: {CT}.kms_key_arn: a KMS key in us-east-1, but Control Tower's home region is ap-northeast-1 (organization.home_region) "
        f"(got '{governed}'). {KMS_HINT}",
    ]


def test_control_tower_settings_with_it_off_are_warnings(tmp_path):
    import config

    mutate = both(setter(f"{CT}.enabled", False), setter(f"{CT}.registered_ous", ["dev"]), setter(f"{CT}.kms_key_arn", KEY.format("123456789012")))
    warnings = config.load(make(tmp_path, mutate), refuse_example_domains=False).warnings
    assert [w for w in warnings if "no effect with Control Tower off" in w] == [
        f"{CT}.{name}: no effect with Control Tower off ({CT}.enabled: false); remove it" for name in ("registered_ous", "kms_key_arn")
    ]
