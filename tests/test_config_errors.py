"""Every bad config is refused with the file, the field path, the value and a hint; all at once."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

import config
from tests.helpers import both, setter, write_config


def nest_ous(depth: int):
    def mutate(data):
        units = data["organization"]["organizational_units"]
        parent = None
        for level in range(depth):
            units[f"level{level}"] = {"name": f"Level {level}", **({"parent": parent} if parent else {})}
            parent = f"level{level}"

    return mutate


BAD_CONFIGS = [
    # (id, mutation, field path, words of the message)
    ("unknown key", setter("organization.home_regoin", "x"), "organization.home_regoin", "did you mean home_region"),
    ("unquoted account id", setter("organization.management_account_id", 123456789012), "organization.management_account_id", "quote the value"),
    ("short account id", setter("organization.management_account_id", "12345"), "organization.management_account_id", "12 digits"),
    ("bad region", setter("organization.governed_regions", ["ap-northeast-1", "us-east-9"]), "organization.governed_regions[1]", "not an AWS region"),
    ("home region ungoverned", setter("organization.governed_regions", ["us-east-1"]), "organization.home_region", "not among the governed regions"),
    ("template without placeholder", setter("organization.account_email_template", "aws@corp.test"), "organization.account_email_template", "{account}"),
    ("bad e-mail", setter("applications.shop.accounts", {"prod": {"email": "shop-prod@"}}), "applications.shop.accounts.prod.email", "not a valid email"),
    (
        "duplicate e-mail",
        setter("applications.shop.accounts", {"prod": {"email": "aws+shop-dev@example.com"}}),
        "applications.shop.accounts.prod",
        "email is used by more than one account",
    ),
    ("duplicate name", setter("security.audit", {"name": "Log Archive"}), "security.audit", "name is used by more than one account"),
    (
        "templated root e-mail too long",
        setter("organization.account_email_template", "aws-landing-zone-mailbox1+{account}@subsidiary.corp.example.jp"),
        "applications.booking.accounts.prod.email",
        "root e-mail is 65 characters, over the 64 Organizations accepts (CreateAccount Email)",
    ),
    (
        "landing zone 3.3",
        setter("guardrails.control_tower", {"landing_zone_version": "3.3"}),
        "guardrails.control_tower.landing_zone_version",
        "Control Tower creates only the latest landing zone version, 4.0",
    ),
    (
        "shared accounts created with Control Tower's own role",
        setter("organization.access_role_name", "AWSControlTowerExecution"),
        "organization.access_role_name",
        "CreateLandingZone creates AWSControlTowerExecution in them itself",
    ),
    ("account name too long", setter("security.audit", {"name": "A" * 51}), "security.audit.name", "1-50 printable ASCII"),
    (
        "empty OU name",
        setter("organization.organizational_units.dev", {"name": "", "parent": "member"}),
        "organization.organizational_units.dev.name",
        "1-128 characters",
    ),
    (
        "unknown parent OU",
        setter("organization.organizational_units.dev", {"name": "Dev", "parent": "members"}),
        "organization.organizational_units.dev.parent",
        "no such organizational unit",
    ),
    ("unknown environment OU", setter("environments.dev.ou", "develop"), "environments.dev.ou", "no such organizational unit"),
    (
        "workloads in the security OU",
        setter("environments.dev.ou", "security"),
        "environments.dev.ou",
        "cannot live in (or under) the suspended OU or in the security OU",
    ),
    (
        "workloads under the suspended OU",
        setter("organization.organizational_units.dev", {"name": "Dev", "parent": "suspended"}),
        "environments.dev.ou",
        "cannot live in (or under) the suspended OU",
    ),
    ("suspended audit account", setter("security.audit", {"suspended": True}), "security.audit.suspended", "cannot be suspended"),
    (
        "closing an account that is not suspended",
        setter("applications.shop.accounts", {"dev": {"closed": "pending"}}),
        "applications.shop.accounts.dev.closed",
        "only a suspended account can be closed (got 'pending'). Hint: set `suspended: true` (and no `closed`) and `pulumi up` first",
    ),
    ("closing the log account", setter("security.log", {"closed": "pending"}), "security.log.closed", "the audit and log accounts cannot be closed"),
    (
        "closure dated in the future",
        setter("applications.shop.accounts", {"dev": {"suspended": True, "closed": date.today() + timedelta(days=1)}}),
        "applications.shop.accounts.dev.closed",
        "the closure date is in the future",
    ),
    (
        "closed with another word",
        setter("applications.shop.accounts", {"dev": {"suspended": True, "closed": "yes"}}),
        "applications.shop.accounts.dev.closed",
        "must be `pending` (arm the account for closure) or the date of the `pulumi up` that closes it, YYYY-MM-DD (got 'yes')",
    ),
    ("no environments", setter("applications.shop.environments", []), "applications.shop.environments", "at least 1 item"),
    ("OU nested 6 deep", nest_ous(6), "organization.organizational_units.level5", "nested 6 levels deep"),
    (
        "OU cycle",
        both(setter("organization.organizational_units.member", {"name": "Member", "parent": "prod"})),
        "organization.organizational_units.member.parent",
        "cycle",
    ),
    ("reserved environment name", setter("environments.all", {"ou": "dev"}), "environments.all", "reserved"),
    ("unknown app environment", setter("applications.shop.environments", ["dev", "qa"]), "applications.shop.environments[1]", "no such environment"),
    ("bad application key", setter("applications.Shop_App", {}), "applications.Shop_App", "lowercase letters"),
    (
        "unknown group member",
        setter("identity_center.groups.auditors.members", ["sakura", "nobody"]),
        "identity_center.groups.auditors.members[1]",
        "no such person",
    ),
    ("unknown group", setter("identity_center.assignments.0.group", "admins"), "identity_center.assignments[0].group", "no such group"),
    (
        "unknown permission set",
        setter("identity_center.assignments.0.permission_sets", {"all": "Admin"}),
        "identity_center.assignments[0].permission_sets.all",
        "no such permission set",
    ),
    (
        "unknown scope",
        setter("identity_center.assignments.0.permission_sets", {"qa": "AdministratorAccess"}),
        "identity_center.assignments[0].permission_sets.qa",
        "no such environment or scope",
    ),
    (
        "unknown application",
        setter("identity_center.assignments.2.applications", ["shopp"]),
        "identity_center.assignments[2].applications[0]",
        "no such application",
    ),
    (
        "permission set name too long",
        setter("identity_center.permission_sets." + "P" * 33, {"description": "x"}),
        "identity_center.permission_sets." + "P" * 33,
        "1-32 ASCII letters",
    ),
    (
        "session over 12h",
        setter("identity_center.permission_sets.ReadOnlyAccess.session_duration", "PT13H"),
        "identity_center.permission_sets.ReadOnlyAccess.session_duration",
        "PT1H to PT12H",
    ),
    (
        "session under 1h",
        setter("identity_center.permission_sets.ReadOnlyAccess.session_duration", "PT30M"),
        "identity_center.permission_sets.ReadOnlyAccess.session_duration",
        "PT1H to PT12H",
    ),
    (
        "session not ISO-8601",
        setter("identity_center.permission_sets.ReadOnlyAccess.session_duration", "4h"),
        "identity_center.permission_sets.ReadOnlyAccess.session_duration",
        "ISO-8601",
    ),
    (
        "missing inline policy",
        setter("identity_center.permission_sets.ReadOnlyAccess.inline_policy", "permission-sets/none.json"),
        "identity_center.permission_sets.ReadOnlyAccess.inline_policy",
        "not found",
    ),
    ("duplicate GitHub login", setter("identity_center.people.jiro.github", "taro-suzuki"), "identity_center.people.jiro.github", "shared with another person"),
    ("missing section", lambda data: data.pop("security"), "security", "Field required"),
    (
        "template with other fields",
        setter("organization.account_email_template", "aws+{account}-{env}@acme.co.jp"),
        "organization.account_email_template",
        "no other braces",
    ),
    ("security OU suspended", setter("security.ou", "suspended"), "security.ou", "cannot be the suspended OU"),
    ("empty application filter", setter("identity_center.assignments.2.applications", []), "identity_center.assignments[2].applications", "at least 1 item"),
    (
        "person listed twice",
        setter("identity_center.groups.auditors.members", ["sakura", "sakura"]),
        "identity_center.groups.auditors.members[1]",
        "listed twice",
    ),
    (
        "hyphen-joined membership names meet",
        both(
            setter("identity_center.groups.a", {"members": ["b-c"]}),
            setter("identity_center.groups.a-b", {"members": ["c"]}),
            setter("identity_center.people.b-c", {"given_name": "B", "family_name": "C", "email": "bc@acme.co.jp"}),
            setter("identity_center.people.c", {"given_name": "C", "family_name": "C", "email": "c@acme.co.jp"}),
        ),
        "identity_center.groups.a.members",
        "two memberships would both be named a-b-c",
    ),
    (
        "two policies with one name",
        setter("identity_center.permission_sets.ReadOnlyAccess.managed_policies", ["ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"]),
        "identity_center.permission_sets.ReadOnlyAccess.managed_policies",
        "would both be named ReadOnlyAccess-ReadOnlyAccess",
    ),
    (
        "Config bucket policy over 20 KB",
        both(
            setter("guardrails.control_tower.enabled", False),
            lambda data: data["applications"].update({f"app{n}": {"description": "One of many."} for n in range(216)}),
        ),
        "guardrails.control_tower.enabled",
        "without Control Tower, the 656 accounts that record with AWS Config make its log bucket's policy 20601 bytes, over the 20480 Amazon S3 accepts",
    ),
    (
        "root id without organisation",
        setter("organization.existing_root_id", "r-ab12"),
        "organization.existing_root_id",
        "set organization.existing_organization_id too",
    ),
    (
        "bad OU id",
        setter("organization.organizational_units.dev.existing_id", "ou-1"),
        "organization.organizational_units.dev.existing_id",
        "should match pattern",
    ),
    (
        "OU adopted without organisation",
        setter("organization.organizational_units.dev.existing_id", "ou-ab12-abcdefgh"),
        "organization.organizational_units.dev.existing_id",
        "existing OUs can only be adopted with the organisation they belong to",
    ),
    (
        "adopted policy on an unknown target",
        both(
            setter("organization.existing_organization_id", "o-abcdefghij"),
            setter(
                "guardrails.adopted_policies",
                {
                    "deny": {
                        "existing_id": "p-abcdefgh",
                        "type": "SERVICE_CONTROL_POLICY",
                        "name": "Deny",
                        "content": "permission-sets/developer-access.json",
                        "targets": ["nowhere"],
                    }
                },
            ),
        ),
        "guardrails.adopted_policies.deny.targets[0]",
        "unknown target",
    ),
    (
        "adopted policy on a key of both an OU and an account",
        both(
            setter("organization.existing_organization_id", "o-abcdefghij"),
            setter("organization.organizational_units.shop-dev", {"name": "Shop Dev"}),
            setter(
                "guardrails.adopted_policies",
                {
                    "deny": {
                        "existing_id": "p-abcdefgh",
                        "type": "SERVICE_CONTROL_POLICY",
                        "name": "Deny",
                        "content": "permission-sets/developer-access.json",
                        "targets": ["shop-dev"],
                    }
                },
            ),
        ),
        "guardrails.adopted_policies.deny.targets[0]",
        "the key names both an OU and an account",
    ),
    (
        "adopted policy file missing",
        both(
            setter("organization.existing_organization_id", "o-abcdefghij"),
            setter(
                "guardrails.adopted_policies",
                {"deny": {"existing_id": "p-abcdefgh", "type": "SERVICE_CONTROL_POLICY", "name": "Deny", "content": "policies/deny.json"}},
            ),
        ),
        "guardrails.adopted_policies.deny.content",
        "policy file not found",
    ),
]


@pytest.mark.parametrize("mutate, path, words", [case[1:] for case in BAD_CONFIGS], ids=[case[0] for case in BAD_CONFIGS])
def test_bad_config_is_refused_with_path_and_message(config_dir, mutate, path, words):
    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(mutate), refuse_example_domains=False)
    matching = [issue for issue in caught.value.issues if issue.path == path]
    assert matching, f"no issue at {path}: {caught.value}"
    assert words in str(matching[0]), str(matching[0])
    assert str(matching[0]).startswith(str(config_dir(lambda d: None) / config.CONFIG_FILE))


def test_every_problem_of_a_phase_is_reported_at_once(config_dir):
    mutate = both(
        setter("identity_center.assignments.0.group", "admins"),
        setter("environments.dev.ou", "develop"),
        setter("identity_center.groups.auditors.members", ["nobody"]),
    )
    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(mutate), refuse_example_domains=False)
    assert {issue.path for issue in caught.value.issues} == {
        "identity_center.assignments[0].group",
        "environments.dev.ou",
        "identity_center.groups.auditors.members[0]",
    }
    assert str(caught.value).startswith("invalid landing-zone config: 3 problems")


def test_inline_policy_over_the_limit_is_refused(config_dir):
    directory = config_dir()
    statement = {"Effect": "Allow", "Action": [f"s3:GetObject{i}" for i in range(800)], "Resource": "*"}
    (directory / "permission-sets" / "developer-access.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    with pytest.raises(config.ConfigError, match="non-whitespace characters, over Identity Center's 10240"):
        config.load(directory, refuse_example_domains=False)


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        ("organization: [unclosed\n", "not valid YAML: line 2"),
        ("- a\n- b\n", "top level must be a mapping"),
        ("version: 1\nversion: 1\n", "found duplicate key 'version'"),
        ("applications:\n  ? [a, b]\n  : {}\n", "a list or mapping used as a key"),
    ],
    ids=["empty", "comment only", "unparsable", "a list", "duplicate key", "list as key"],
)
def test_unreadable_files_are_refused(tmp_path, text, words):
    with pytest.raises(config.ConfigError, match=words):
        config.load(write_config(tmp_path, text))


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(config.ConfigError, match="landing-zone.yaml: file not found"):
        config.load(tmp_path)


def test_non_utf8_file_is_refused(tmp_path):
    (tmp_path / config.CONFIG_FILE).write_bytes(b"# caf\xe9\nversion: 1\n")
    with pytest.raises(config.ConfigError, match="not UTF-8 text: byte 5"):
        config.load(tmp_path)
