"""Issue 10 item 17: per-environment application secrets, named in the config, valued from Pulumi
secret config, landing as GitHub environment secrets, never in the plan's output."""

from __future__ import annotations

import json
import shutil

import pulumi
import pytest
import yaml

import config
from config.app_secrets import GivenSecrets, command, leaves
from config.delivery_checks import shadowed_by
from lzctl import cli, render
from lzctl.mocks import LandingZoneMocks
from lzctl.plan import plan_stack
from lzctl.runtime import SECRET, run_program
from lzctl.stackfile import OFFLINE_PLACEHOLDER, read_stack
from stacks.secrets import read_app_secrets
from tests.helpers import REPO, example_data, lzctl, run_management, setter, write_config
from workflows import AppWorkflowSpec

FILE, KEY = "Pulumi.management.yaml", "landing-zone:appSecrets"
SECRET_TYPE = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret"
CIPHERTEXT = "v1:c2VjcmV0LWNpcGhlcnRleHQ="


def naming(data):
    data["applications"]["shop"]["secrets"] = ["DATABASE_URL", "STRIPE_KEY"]


def every_leaf(app="shop", names=("DATABASE_URL", "STRIPE_KEY"), envs=("dev", "stg", "prod")) -> frozenset:
    return frozenset((app, env, name) for env in envs for name in names)


def load(config_dir, given):
    return config.load(config_dir, refuse_example_domains=False, secrets=given)


def test_the_command_names_the_exact_path():
    assert command("shop", "prod", "DATABASE_URL") == "pulumi config set --secret --path 'appSecrets.shop.prod.DATABASE_URL' <value>"


@pytest.mark.parametrize(
    "value, found, messages",
    [
        ({"shop": {"prod": {"A": "x"}}}, {("shop", "prod", "A")}, []),
        ({}, set(), []),
        (
            "flat",
            set(),
            [f"{FILE}: {KEY}: must be a mapping of applications. Hint: set each value with " + command("<app>", "<env>", "<NAME>")],
        ),
        (
            {"shop": ["prod"]},
            set(),
            [f"{FILE}: {KEY}.shop: must be a mapping of environments. Hint: set each value with " + command("<app>", "<env>", "<NAME>")],
        ),
        (
            {"shop": {"prod": "x"}},
            set(),
            [f"{FILE}: {KEY}.shop.prod: must be a mapping of secret names. Hint: set each value with " + command("<app>", "<env>", "<NAME>")],
        ),
        (
            {"shop": {"prod": {"A": "x", "B": 3}}},
            {("shop", "prod", "A")},
            [f"{FILE}: {KEY}.shop.prod.B: not a secret value. Hint: set it again: " + command("shop", "prod", "B")],
        ),
    ],
    ids=["one value", "empty", "not a mapping", "environments not a mapping", "names not a mapping", "a leaf that is no string"],
)
def test_the_structured_secret_is_walked_to_its_leaves(value, found, messages):
    leaves_found, issues = leaves(value, FILE, KEY, lambda leaf: isinstance(leaf, str))
    assert set(leaves_found) == found
    assert [str(issue) for issue in issues] == messages


def test_every_missing_value_is_refused_with_its_command_and_the_configs_other_problems(config_dir):
    given = GivenSecrets(FILE, KEY, every_leaf() - {("shop", "prod", "DATABASE_URL"), ("shop", "dev", "STRIPE_KEY")})
    broken = config_dir(lambda data: (naming(data), data["applications"]["shop"].update(kind="java")))
    with pytest.raises(config.ConfigError) as caught:
        load(broken, given)
    text = str(caught.value)
    assert "applications.shop.kind: Input should be" in text
    assert (
        f"{FILE}: {KEY}.shop.dev.STRIPE_KEY: missing secret: applications.shop.secrets names STRIPE_KEY, the dev environment's value. "
        "Hint: pulumi config set --secret --path 'appSecrets.shop.dev.STRIPE_KEY' <value>"
    ) in text
    assert f"{KEY}.shop.prod.DATABASE_URL: missing secret" in text
    assert text.startswith("invalid landing-zone config: 3 problems")


def test_all_values_set_pass_and_a_stray_one_warns(config_dir):
    given = GivenSecrets(FILE, KEY, every_leaf() | {("booking", "prod", "OLD")})
    landing_zone = load(config_dir(naming), given)
    [shop] = [p for p in landing_zone.delivery.pipelines if p.application == "shop"]
    assert shop.secrets == ("DATABASE_URL", "STRIPE_KEY")
    assert (
        f"{FILE}: {KEY}.booking.prod.OLD is set, but no deploy environment of an application names it: remove it "
        "(pulumi config rm --path 'appSecrets.booking.prod.OLD') or add it to applications.booking.secrets"
    ) in landing_zone.warnings


def test_a_suspended_environment_needs_no_value(config_dir):
    suspend = lambda data: (naming(data), data["applications"]["shop"].setdefault("accounts", {}).setdefault("dev", {}).update(suspended=True))  # noqa: E731
    load(config_dir(suspend), GivenSecrets(FILE, KEY, every_leaf(envs=("stg", "prod"))))


@pytest.mark.parametrize(
    "names, message",
    [
        (["GITHUB_TOKEN_X"], "applications.shop.secrets[0]: GitHub refuses secret names starting with GITHUB_ (got 'GITHUB_TOKEN_X'). Hint: rename it"),
        (["SLACK_BOT_TOKEN"], "applications.shop.secrets[0]: the program sets this environment secret itself (got 'SLACK_BOT_TOKEN'). Hint: rename it"),
        (["A", "A"], "applications.shop.secrets[1]: secret named twice (got 'A')"),
        (["database_url"], "applications.shop.secrets[0]: String should match pattern '^[A-Z_][A-Z0-9_]*$' (got 'database_url')"),
        (["1PASSWORD"], "applications.shop.secrets[0]: String should match pattern '^[A-Z_][A-Z0-9_]*$' (got '1PASSWORD')"),
    ],
    ids=["github prefix", "the program's own", "twice", "lowercase", "leading digit"],
)
def test_secret_names_github_refuses_are_refused(config_dir, names, message):
    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(setter("applications.shop.secrets", names)), refuse_example_domains=False)
    assert message in str(caught.value)


def test_a_github_prefix_is_a_shape_rule_reported_with_the_lists_other_shape_errors(config_dir):
    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(setter("applications.shop.secrets", ["database_url", "GITHUB_X", "OK"])), refuse_example_domains=False)
    assert [str(issue).split(": ", 1)[1] for issue in caught.value.issues] == [
        "applications.shop.secrets[0]: String should match pattern '^[A-Z_][A-Z0-9_]*$' (got 'database_url'). "
        "Hint: secret names are capitals, digits and _, not starting with a digit, e.g. RAILS_MASTER_KEY",
        "applications.shop.secrets[1]: GitHub refuses secret names starting with GITHUB_ (got 'GITHUB_X'). Hint: rename it",
    ]


def test_a_refused_name_is_not_also_reported_as_a_missing_value(config_dir):
    refused = config_dir(setter("applications.shop.secrets", ["SLACK_BOT_TOKEN", "A", "A", "PULUMI_ACCESS_TOKEN"]))
    with pytest.raises(config.ConfigError) as caught:
        load(refused, GivenSecrets(FILE, KEY, frozenset()))
    assert [str(issue).split(": ", 1)[1] for issue in caught.value.issues] == [
        "applications.shop.secrets[0]: the program sets this environment secret itself (got 'SLACK_BOT_TOKEN'). Hint: rename it",
        "applications.shop.secrets[2]: secret named twice (got 'A')",
        "applications.shop.secrets[3]: the program sets this environment secret itself (got 'PULUMI_ACCESS_TOKEN'). Hint: rename it",
        *(
            f"{KEY}.shop.{env}.A: missing secret: applications.shop.secrets names A, the {env} environment's value. Hint: {command('shop', env, 'A')}"
            for env in ("dev", "prod", "stg")
        ),
    ]


@pytest.mark.parametrize(
    "name, shadowed",
    [
        ("AWS_ACCESS_KEY_ID", "the AWS credentials and region configure-aws-credentials exports, and the AWS CLI's and SDKs' settings"),
        ("AWS_ROLE_ARN", "the AWS credentials and region configure-aws-credentials exports, and the AWS CLI's and SDKs' settings"),
        ("ACTIONS_STEP_DEBUG", "the runner's own settings (ACTIONS_STEP_DEBUG, ACTIONS_RUNTIME_TOKEN)"),
        ("RUNNER_TEMP", "the runner's default environment variables (RUNNER_TEMP, RUNNER_OS)"),
        ("DEPLOY_ENV", "the environment the deploy job gives the deploy command"),
        ("IMAGE_URI", "the image the container deploy job gives the deploy command"),
        ("CI", "the runner's CI=true, which tools read to run non-interactively"),
        ("PATH", "the runner's search path for commands"),
        ("HOME", "the runner's home directory"),
        ("BASH_ENV", "a file bash runs before every run step"),
        ("DATABASE_URL", None),
        ("AWS", None),
        ("CI_TOKEN", None),
        ("MY_AWS_KEY", None),
    ],
)
def test_names_the_deploy_step_already_uses_are_shadowed(name, shadowed):
    assert shadowed_by(name) == shadowed


def test_a_secret_that_would_shadow_the_deploy_steps_environment_is_refused_with_what_it_shadows(config_dir):
    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(setter("applications.shop.secrets", ["DATABASE_URL", "AWS_ACCESS_KEY_ID", "PATH"])), refuse_example_domains=False)
    message = str(caught.value)
    assert (
        "applications.shop.secrets[1]: the deploy step gets each secret as an environment variable of its name, and this one would shadow "
        "the AWS credentials and region configure-aws-credentials exports, and the AWS CLI's and SDKs' settings (got 'AWS_ACCESS_KEY_ID'). Hint: rename it"
    ) in message
    assert (
        "applications.shop.secrets[2]: the deploy step gets each secret as an environment variable of its name, and this one would shadow "
        "the runner's search path for commands (got 'PATH'). Hint: rename it"
    ) in message
    assert "invalid landing-zone config: 2 problems" in message


def project_with(tmp_path, stack_config: dict):
    """A copy of the project whose management stack file holds `stack_config` besides its role."""
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / FILE).write_text(json.dumps({"config": {"landing-zone:role": "management", **stack_config}}))
    return tmp_path


@pytest.fixture(scope="module")
def secret_plan(tmp_path_factory):
    data = example_data()
    naming(data)
    config_dir = write_config(tmp_path_factory.mktemp("config"), data)
    leaves_ = {env: {name: {"secure": CIPHERTEXT} for name in ("DATABASE_URL", "STRIPE_KEY")} for env in ("dev", "stg", "prod")}
    project = project_with(tmp_path_factory.mktemp("project"), {KEY: {"shop": leaves_}})
    return plan_stack("management", config_dir=config_dir, project_dir=project)


@pytest.mark.integration
@pytest.mark.parametrize("env", ["dev", "stg", "prod"])
@pytest.mark.parametrize("name", ["DATABASE_URL", "STRIPE_KEY"])
def test_each_value_lands_as_a_secret_of_its_environment(secret_plan, env, name):
    secret = secret_plan.named(f"shop-{env}-{name}-secret")
    assert secret.type == SECRET_TYPE
    assert secret.inputs == {"repository": "shop", "environment": env, "secretName": name, "value": SECRET}
    assert secret_plan.named(f"shop-{env}-environment").urn in secret.dependencies


@pytest.mark.integration
def test_no_other_environment_gets_the_applications_secrets(secret_plan):
    holders = {(r.inputs["repository"], r.inputs["environment"]) for r in secret_plan.of_type(SECRET_TYPE) if r.inputs["secretName"] == "DATABASE_URL"}
    assert holders == {("shop", "dev"), ("shop", "stg"), ("shop", "prod")}


@pytest.mark.integration
def test_the_plan_never_shows_a_value(secret_plan):
    shown = json.dumps(render.to_json(secret_plan)) + render.to_tree(secret_plan)
    assert OFFLINE_PLACEHOLDER not in shown and CIPHERTEXT not in shown
    assert "DATABASE_URL" in shown  # the names are not secret


def test_a_plaintext_leaf_in_the_stack_file_is_refused(tmp_path):
    project = project_with(tmp_path, {KEY: {"shop": {"prod": {"DATABASE_URL": "postgres://u:p@h/db", "STRIPE_KEY": {"secure": CIPHERTEXT}}}}})
    with pytest.raises(config.ConfigError) as caught:
        read_stack("management", project)
    text = str(caught.value)
    assert (
        f"{project / FILE}: {KEY}.shop.prod.DATABASE_URL: not a secret value. "
        "Hint: set it again: pulumi config set --secret --path 'appSecrets.shop.prod.DATABASE_URL' <value>"
    ) in text
    assert "postgres" not in text and "1 problem" in text


def test_app_secrets_on_the_audit_stack_are_refused(tmp_path):
    project = project_with(tmp_path, {})
    (project / "Pulumi.audit.yaml").write_text(json.dumps({"config": {"landing-zone:role": "audit", KEY: {"shop": {"prod": {"A": {"secure": CIPHERTEXT}}}}}}))
    with pytest.raises(config.ConfigError, match="landing-zone:appSecrets: has no effect on the audit stack"):
        read_stack("audit", project)


@pytest.mark.integration
def test_a_real_run_lists_every_missing_value_and_registers_nothing(tmp_path):
    data = example_data()
    naming(data)
    data["organization"]["account_email_template"] = "aws+{account}@acme-corp.co.jp"
    plan, errors = run_management(write_config(tmp_path / "config", data), offline=False)
    message = str(errors[0])
    for env in ("dev", "stg", "prod"):
        for name in ("DATABASE_URL", "STRIPE_KEY"):
            assert f"landing-zone:appSecrets.shop.{env}.{name}: missing secret" in message
            assert command("shop", env, name) in message
    assert [r.type for r in plan.resources] == ["pulumi:pulumi:Stack"]


@pytest.mark.integration
def test_a_plaintext_app_secrets_key_is_refused_in_a_real_run(tmp_path):
    data = example_data()
    naming(data)
    value = json.dumps({"shop": {"prod": {"DATABASE_URL": "postgres://u:p@h/db"}}})
    plan, errors = run_management(write_config(tmp_path / "config", data), appSecrets=value)
    message = str(errors[0])
    assert f"{FILE}: {KEY}: a plaintext secret: it would sit unencrypted in the stack file" in message
    assert "postgres" not in message


@pytest.mark.integration
def test_lzctl_plan_exits_2_naming_the_commands_with_nothing_on_stdout(tmp_path, capsys):
    data = example_data()
    naming(data)
    code = cli.main(["plan", "--stack", "management", "--config", str(write_config(tmp_path / "config", data))])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert "pulumi config set --secret --path 'appSecrets.shop.prod.STRIPE_KEY' <value>" in err
    assert "Traceback" not in err


@pytest.mark.integration
def test_the_values_read_are_secrets_before_any_resource_marks_them():
    def program():
        given, values, issues = read_app_secrets()
        assert not issues and given.leaves == {("shop", "prod", "DATABASE_URL")}
        pulumi.export("values", values)

    value = json.dumps({"shop": {"prod": {"DATABASE_URL": "postgres://u:p@h/db"}}})
    plan = run_program(program, project="landing-zone", stack="management", config={KEY: value}, secret_keys=[KEY], mocks=LandingZoneMocks())
    assert plan.outputs == {"values": {"appSecrets.shop.prod.DATABASE_URL": SECRET}}


@pytest.mark.integration
def test_only_the_deploy_step_gets_the_secrets(secret_plan):
    deploy = yaml.safe_load(secret_plan.named("shop-main-deploy-file").inputs["content"])
    job = deploy["jobs"]["deploy-prod"]
    with_secrets = [step["name"] for step in job["steps"] if "secrets.DATABASE_URL" in json.dumps(step) or "secrets.STRIPE_KEY" in json.dumps(step)]
    assert with_secrets == ["Deploy to prod"]
    [step] = [step for step in job["steps"] if step["name"] == "Deploy to prod"]
    assert step["env"] == {"DATABASE_URL": "${{ secrets.DATABASE_URL }}", "STRIPE_KEY": "${{ secrets.STRIPE_KEY }}"}
    assert "secrets." not in json.dumps(job["env"])


@pytest.mark.parametrize("name", ["lower", "GITHUB TOKEN", "9X", ""])
def test_the_workflow_spec_refuses_a_name_that_is_no_secret_name(name):
    with pytest.raises(ValueError, match="secret name"):
        AppWorkflowSpec(app="shop", repository="shop", kind="rails", secrets=(name,))


@pytest.mark.integration
def test_pulumi_up_refuses_a_plaintext_leaf_the_engine_decrypts_with_a_secure_one(tmp_path, monkeypatch):
    # The engine marks the whole object secret when one leaf is, so only the stack file shows the plaintext one.
    project = project_with(tmp_path, {KEY: {"shop": {"prod": {"DATABASE_URL": "postgres://u:p@h/db", "STRIPE_KEY": {"secure": CIPHERTEXT}}}}})
    monkeypatch.setattr(pulumi, "get_root_directory", lambda: str(project))
    found = []

    def program():
        found.append(read_app_secrets())

    decrypted = json.dumps({"shop": {"prod": {"DATABASE_URL": "postgres://u:p@h/db", "STRIPE_KEY": "sk_live"}}})
    run_program(program, project="landing-zone", stack="management", config={KEY: decrypted}, secret_keys=[KEY], mocks=LandingZoneMocks())
    [(given, values, issues)] = found
    assert (given.leaves, values) == (frozenset(), {})
    assert [str(issue) for issue in issues] == [
        f"{project / FILE}: {KEY}.shop.prod.DATABASE_URL: not a secret value. "
        "Hint: set it again: pulumi config set --secret --path 'appSecrets.shop.prod.DATABASE_URL' <value>"
    ]


def _read_as_pulumi_up(tmp_path, monkeypatch, stack_value: dict):
    """The project, and what read_app_secrets gives under the engine: the stack file holds `stack_value`
    under the key, and the engine hands the program its decryption, one database URL."""
    project = project_with(tmp_path, {KEY: stack_value})
    monkeypatch.setattr(pulumi, "get_root_directory", lambda: str(project))
    found = []

    def program():
        found.append(read_app_secrets())

    decrypted = json.dumps({"shop": {"prod": {"DATABASE_URL": "postgres://u:p@h/db"}}})
    run_program(program, project="landing-zone", stack="management", config={KEY: decrypted}, secret_keys=[KEY], mocks=LandingZoneMocks())
    [(given, values, issues)] = found
    return project, given, values, issues


@pytest.mark.integration
def test_pulumi_up_reads_the_values_when_every_leaf_of_the_stack_file_is_secure(tmp_path, monkeypatch):
    _, given, values, issues = _read_as_pulumi_up(tmp_path, monkeypatch, {"shop": {"prod": {"DATABASE_URL": {"secure": CIPHERTEXT}}}})
    assert (given.leaves, list(values), issues) == ({("shop", "prod", "DATABASE_URL")}, ["appSecrets.shop.prod.DATABASE_URL"], [])


def test_an_environment_holds_at_most_99_secrets_of_the_application_beside_slacks(config_dir):
    # GitHub docs, "Secrets reference": 100 environment secrets; SLACK_BOT_TOKEN takes one.
    config.load(config_dir(setter("applications.shop.secrets", [f"S{i}" for i in range(99)])), refuse_example_domains=False)
    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(setter("applications.shop.secrets", [f"S{i}" for i in range(100)])), refuse_example_domains=False)
    assert str(caught.value).endswith(
        "applications.shop.secrets: 100 secrets, over the 99 a deploy environment has room for (GitHub holds at most 100 per environment, "
        "and SLACK_BOT_TOKEN is one). Hint: keep the others in AWS Secrets Manager of the account, read by the deploy command"
    )


def test_without_slack_an_environment_holds_100_secrets_of_the_application(config_dir):
    def without_slack(count):
        def mutate(data):
            del data["slack"]
            data["applications"]["shop"]["secrets"] = [f"S{i}" for i in range(count)]

        return mutate

    config.load(config_dir(without_slack(100)), refuse_example_domains=False)
    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(without_slack(101)), refuse_example_domains=False)
    assert "applications.shop.secrets: 101 secrets, over the 100 a deploy environment has room for (GitHub holds at most 100 per environment)." in str(
        caught.value
    )


@pytest.mark.integration
def test_lzctl_names_the_stack_file_of_a_missing_value_by_the_path_it_names_its_other_problems_by(tmp_path):
    data = example_data()
    naming(data)
    (tmp_path / "project").mkdir()
    project = project_with(tmp_path / "project", {})
    with pytest.raises(pulumi.RunError) as caught:
        plan_stack("management", config_dir=write_config(tmp_path / "config", data), project_dir=project)
    assert (
        f"{project / FILE}: {KEY}.shop.prod.STRIPE_KEY: missing secret: applications.shop.secrets names STRIPE_KEY, the prod environment's value. "
        f"Hint: {command('shop', 'prod', 'STRIPE_KEY')}"
    ) in str(caught.value)


WHOLE_KEY = (
    f"{KEY}: one secure value for the whole key (set without --path): lzctl cannot see which values it holds. "
    f"Hint: remove it (pulumi config rm appSecrets), then set each value on its own path: {command('<app>', '<env>', '<NAME>')}"
)


def test_one_secure_value_for_the_whole_key_is_refused_by_lzctl_saying_how_to_set_each_value(tmp_path):
    project = project_with(tmp_path, {KEY: {"secure": CIPHERTEXT}})
    with pytest.raises(config.ConfigError) as caught:
        read_stack("management", project)
    assert [str(issue) for issue in caught.value.issues] == [f"{project / FILE}: {WHOLE_KEY}"]


@pytest.mark.integration
def test_pulumi_up_refuses_one_secure_value_for_the_whole_key_as_lzctl_does(tmp_path, monkeypatch):
    # The engine decrypts it to the JSON text given, which would parse: only the stack file shows how it was set.
    project, given, values, issues = _read_as_pulumi_up(tmp_path, monkeypatch, {"secure": CIPHERTEXT})
    assert (given.leaves, values) == (frozenset(), {})
    assert [str(issue) for issue in issues] == [f"{project / FILE}: {WHOLE_KEY}"]


@pytest.mark.slow
def test_lzctl_validate_exits_2_on_one_secure_value_for_the_whole_key_with_nothing_on_stdout(tmp_path):
    project = project_with(tmp_path, {KEY: {"secure": CIPHERTEXT}})
    # PROJECT_ROOT is the current folder when it holds Pulumi.yaml, as for a user running lzctl in their checkout.
    code = f"import os, sys; os.chdir({str(project)!r}); sys.path.insert(0, {str(REPO)!r}); from lzctl.cli import main; sys.exit(main(['validate', '--stack', 'management']))"
    result = lzctl(code=code)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"invalid Pulumi project or stack file: 1 problem\n  - {project / FILE}: {WHOLE_KEY}\n"
