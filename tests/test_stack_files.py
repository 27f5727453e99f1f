"""Issue 13, stack side: Pulumi.yaml and Pulumi.<stack>.yaml validated like the config, the CLI's
arguments, and AWS profiles of lzctl migrate. Exact messages; secrets and placeholders never shown."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from config import ConfigError
from lzctl.cli import main
from lzctl.migrate.aws import MigrationError, check_profile
from lzctl.plan import plan_stack
from lzctl.stackfile import OFFLINE_PLACEHOLDER, read_stack
from stacks.settings import SETTINGS
from tests.helpers import REPO

PROJECT = (REPO / "Pulumi.yaml").read_text()
MANAGEMENT = "config:\n  landing-zone:role: management\n"


def project(tmp_path: Path, project_text: str = PROJECT, **stacks: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(project_text)
    for stack, text in {"management": MANAGEMENT, **stacks}.items():
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(text)
    return tmp_path


def refusal(tmp_path: Path, stack: str = "management") -> list[str]:
    with pytest.raises(ConfigError) as caught:
        read_stack(stack, tmp_path)
    lines = [str(issue).replace(str(tmp_path), "<project>") for issue in caught.value.issues]
    assert not any(OFFLINE_PLACEHOLDER in line for line in lines)
    return lines


P = "<project>/Pulumi.yaml"
S = "<project>/Pulumi.management.yaml"

PROJECT_FILES = [
    (
        "no name",
        PROJECT.replace("name: landing-zone\n", ""),
        [f"{P}: name: the project needs a name of 1-100 letters, digits, hyphens, underscores and periods. Hint: e.g. name: landing-zone"],
    ),
    (
        "a name that is not a string",
        PROJECT.replace("name: landing-zone", "name: 5"),
        [f"{P}: name: the project needs a name of 1-100 letters, digits, hyphens, underscores and periods (got 5). Hint: e.g. name: landing-zone"],
    ),
    (
        "a name with a space",
        PROJECT.replace("name: landing-zone", "name: landing zone"),
        [f"{P}: name: the project needs a name of 1-100 letters, digits, hyphens, underscores and periods (got 'landing zone'). Hint: e.g. name: landing-zone"],
    ),
    (
        "no runtime",
        "name: landing-zone\n",
        [f"{P}: runtime: this program runs on the python runtime. Hint: runtime: {{name: python, options: {{virtualenv: .venv}}}}"],
    ),
    (
        "another runtime",
        "name: landing-zone\nruntime: nodejs\n",
        [f"{P}: runtime: this program runs on the python runtime (got 'nodejs'). Hint: runtime: {{name: python, options: {{virtualenv: .venv}}}}"],
    ),
    (
        "a default of the wrong type",
        PROJECT.replace("    default: false\n", "    default: maybe\n"),
        [f"{P}: config.offlinePlan.default: the default is not of the declared type boolean (got 'maybe')"],
    ),
    (
        "a plaintext token in the project",
        PROJECT + "  githubToken: ghp_123\n",
        [f"{P}: config.githubToken: a plaintext secret in the project file. Hint: remove it and run `pulumi config set --secret githubToken <value>`"],
    ),
    (
        "a few aliases",
        "name: landing-zone\nruntime: python\nx: &a [1, 1]\n" + "".join(f"x{i}: &a{i} [*{'a' if i == 0 else f'a{i - 1}'}] \n" for i in range(3)),
        [],
    ),
    (
        "a circular alias",
        PROJECT + "x: &x [*x]\n",
        [
            f"{P}: not valid YAML: line 25, column 4: an alias refers to the anchor it is inside (a circular alias). Hint: an alias *name repeats an anchor &name that ends before it; it cannot stand inside that anchor"
        ],
    ),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in PROJECT_FILES], ids=[c[0] for c in PROJECT_FILES])
def test_a_project_file_the_pulumi_cli_would_refuse_is_refused(tmp_path, text, expected):
    project(tmp_path, text)
    if expected:
        assert refusal(tmp_path) == expected
    else:
        assert read_stack("management", tmp_path).project == "landing-zone"


def test_a_billion_laughs_project_file_is_refused_quickly(tmp_path):
    levels = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9))
    project(tmp_path, PROJECT + "l0: &l0 [x, x, x, x, x, x, x, x, x]\n" + levels)
    assert refusal(tmp_path) == [f"{P}: not valid YAML: line 30, column 5: its aliases expand to more than 200000 nodes (an alias bomb?)"]


SECURE = {"secure": "AAABAJZ3c2VjcmV0"}
STACK_FILES = [
    (
        "a secure value that is not one",
        "config:\n  landing-zone:role: management\n  landing-zone:githubToken: {secure: 1}\n",
        [
            f"{S}: landing-zone:githubToken: a secure value is `secure: <ciphertext>` and nothing else. Hint: set it again: `pulumi config set --secret githubToken <value>`"
        ],
    ),
    (
        "a secure value with more keys",
        "config:\n  landing-zone:role: management\n  landing-zone:githubToken: {secure: AAAB, note: x}\n",
        [
            f"{S}: landing-zone:githubToken: a secure value is `secure: <ciphertext>` and nothing else. Hint: set it again: `pulumi config set --secret githubToken <value>`"
        ],
    ),
    (
        "a plaintext token",
        "config:\n  landing-zone:role: management\n  landing-zone:githubToken: ghp_0123456789abcdef\n",
        [
            f"{S}: landing-zone:githubToken: a plaintext secret: it would sit unencrypted in the stack file. "
            "Hint: remove it and run `pulumi config set --secret githubToken <value>`"
        ],
    ),
    (
        "configDir as a secret",
        "config:\n  landing-zone:role: management\n  landing-zone:configDir: {secure: AAAB}\n",
        [
            f"{S}: landing-zone:configDir: is a secret, but it is plain configuration (folder of landing-zone.yaml, relative to the project). "
            "Hint: set it without --secret: `pulumi config set configDir <value>`"
        ],
    ),
    (
        "an unknown phase",
        "config:\n  landing-zone:role: management\n  landing-zone:phase: org\n",
        [f"{S}: landing-zone:phase: unknown value for how much of the management stack to build (got 'org'). Hint: one of: all, organization"],
    ),
    (
        "a mistyped key",
        "config:\n  landing-zone:role: management\n  landing-zone:phse: organization\n",
        [f"{S}: landing-zone:phse: this program reads no such key. Hint: did you mean phase?"],
    ),
    (
        "offlinePlan not a boolean",
        "config:\n  landing-zone:role: management\n  offlinePlan: maybe\n",
        [f"{S}: landing-zone:offlinePlan: must be true or false (set by lzctl plan only) (got 'maybe')"],
    ),
    ("a role that is a number", "config:\n  landing-zone:role: 5\n", [f"{S}: landing-zone:role: must be a non-empty string (what this stack builds) (got 5)"]),
    (
        "a key the stack does not read",
        "config:\n  landing-zone:role: audit\n  landing-zone:phase: organization\n",
        [f"{S}: landing-zone:phase: has no effect on the audit stack (only management reads it) (got 'organization'). Hint: remove it"],
    ),
    (
        "config that is a list",
        "config: [a]\n",
        [
            f"{S}: config: must be a mapping of config keys to values (got 'list')",
            f"{S}: landing-zone:role: missing: it says what this stack builds (management, audit, log). "
            "Hint: run `pulumi config set role management --stack management`",
        ],
    ),
    (
        "an empty stack file",
        "",
        [
            f"{S}: landing-zone:role: missing: it says what this stack builds (management, audit, log). "
            "Hint: run `pulumi config set role management --stack management`"
        ],
    ),
    (
        "a key of the program in another project's namespace",
        "config:\n  landing-zone:role: management\n  landingzone:phase: organization\n",
        [f"{S}: landingzone:phase: the namespace landingzone is not this project's. Hint: Pulumi.yaml names the project landing-zone: use landing-zone:phase"],
    ),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in STACK_FILES], ids=[c[0] for c in STACK_FILES])
def test_a_stack_file_the_program_would_misread_is_refused(tmp_path, text, expected):
    project(tmp_path, management=text)
    assert refusal(tmp_path) == expected


def test_the_value_of_a_plaintext_token_is_never_printed(tmp_path):
    project(tmp_path, management=MANAGEMENT + "  landing-zone:pulumiAccessToken: pul-supersecretvalue\n")
    assert not any("supersecretvalue" in line for line in refusal(tmp_path))


def test_secrets_of_the_right_shape_and_other_namespaces_are_accepted(tmp_path):
    project(tmp_path, management=MANAGEMENT + "  githubToken: {secure: AAABAJZ3c2VjcmV0}\n  aws:region: us-east-1\n  landing-zone:phase: organization\n")
    settings = read_stack("management", tmp_path)
    assert settings.secret_keys == ["landing-zone:githubToken"]
    assert settings.config["aws:region"] == "us-east-1" and settings.config["landing-zone:phase"] == "organization"


@pytest.mark.parametrize(
    "setup, expected",
    [
        (
            lambda p: ((p / "Pulumi.management.yaml").unlink(), (p / "Pulumi.management.yaml").mkdir()),
            [f"{S}: not a regular file: it is a folder. Hint: point to a regular file"],
        ),
        (
            lambda p: ((p / "Pulumi.management.yaml").unlink(), os.mkfifo(p / "Pulumi.management.yaml")),
            [f"{S}: not a regular file: it is a named pipe. Hint: point to a regular file"],
        ),
    ],
    ids=["folder", "FIFO"],
)
def test_a_stack_file_that_is_not_a_regular_file_is_refused(tmp_path, setup, expected):
    setup(project(tmp_path))
    assert refusal(tmp_path) == expected


def test_a_config_dir_that_is_no_folder_is_refused(tmp_path):
    project(tmp_path, management=MANAGEMENT + "  landing-zone:configDir: conf\n")
    with pytest.raises(ConfigError) as caught:
        plan_stack("management", project_dir=tmp_path)
    assert [str(issue) for issue in caught.value.issues] == [
        f"{tmp_path}/Pulumi.management.yaml: landing-zone:configDir: no such folder under the project (got 'conf'). Hint: configDir is relative to Pulumi.yaml's folder"
    ]


def test_a_previous_plan_that_is_a_fifo_is_refused_not_waited_for(tmp_path, monkeypatch, capsys):
    os.mkfifo(tmp_path / "old.json")
    monkeypatch.chdir(REPO)
    assert main(["plan", "--stack", "management", "--timeline", "--since", str(tmp_path / "old.json")]) == 2
    assert capsys.readouterr().err.startswith(f"--since {tmp_path}/old.json: cannot read it: not a regular file: it is a named pipe.")


def test_a_stack_name_that_is_a_path_is_refused(tmp_path):
    project(tmp_path)
    assert refusal(tmp_path, "../config/landing-zone") == [
        "<project>/Pulumi.../config/landing-zone.yaml: not a stack name: '../config/landing-zone'. Hint: stack names are letters, digits, hyphens, underscores and periods"
    ]


@pytest.mark.parametrize("stack", ["audit", "log"])
def test_the_audit_and_log_stacks_need_the_management_stack_file(tmp_path, stack):
    project(tmp_path, **{stack: f"config:\n  landing-zone:role: {stack}\n"})
    (tmp_path / "Pulumi.management.yaml").unlink()
    with pytest.raises(ConfigError) as caught:
        plan_stack(stack, REPO / "config", tmp_path)
    assert [str(issue) for issue in caught.value.issues] == [
        f"{tmp_path}/Pulumi.management.yaml: not found: the audit and log stacks read what the management stack writes, so lzctl plans it first. "
        "Hint: create it with config: {landing-zone:role: management}"
    ]


def test_a_management_stack_file_building_another_stack_is_refused(tmp_path):
    project(tmp_path, management="config:\n  landing-zone:role: log\n", audit="config:\n  landing-zone:role: audit\n")
    with pytest.raises(ConfigError) as caught:
        plan_stack("audit", REPO / "config", tmp_path)
    assert [str(issue) for issue in caught.value.issues] == [
        f"{tmp_path}/Pulumi.management.yaml: role: the management stack file must build the management stack (got 'log'). Hint: config: {{landing-zone:role: management}}"
    ]


# --- the CLI's arguments -------------------------------------------------------------------------

CLI = [
    (["--out", "config/landing-zone.yaml"], "cannot write the plan to config/landing-zone.yaml: it would overwrite a file of the config folder"),
    (["--out", "Pulumi.management.yaml"], "cannot write the plan to Pulumi.management.yaml: it is"),
    (["--out", "config"], "cannot write the plan to config: it is a folder; give --out a new path or a regular file to overwrite"),
    (
        ["--out", "/dev/null"],
        "cannot write the plan to /dev/null: it is not a regular file (a device, a pipe or a socket); give --out a new path or a regular file to overwrite",
    ),
    (["--config", "nope"], "invalid arguments: 1 problem\n  - --config: no such folder: nope. Hint: give the folder that holds landing-zone.yaml\n"),
    (
        ["--config", "Pulumi.yaml"],
        "invalid arguments: 1 problem\n  - --config: a file, not a folder: Pulumi.yaml. Hint: give the folder that holds landing-zone.yaml\n",
    ),
]


@pytest.mark.parametrize("args, message", CLI, ids=[" ".join(c[0]) for c in CLI])
def test_arguments_that_would_lose_input_or_read_nothing_are_refused(monkeypatch, capsys, args, message):
    monkeypatch.chdir(REPO)
    assert main(["plan", "--stack", "management", *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(message), err


# --- lzctl migrate / doctor: AWS profiles --------------------------------------------------------


@pytest.mark.parametrize(
    "profiles, message",
    [
        (
            {"bad": {"role_arn": "not-an-arn", "source_profile": "src"}, "src": {}},
            "AWS profile 'bad' has role_arn = 'not-an-arn' in ~/.aws/config, which is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME). "
            "Fix the profile, or pass another one.",
        ),
        (
            {"bad": {"role_arn": "arn:aws:iam::123456789012:role/Admin"}},
            "AWS profile 'bad' assumes arn:aws:iam::123456789012:role/Admin but says with which credentials: it has none of source_profile, "
            "credential_source, web_identity_token_file. Add source_profile = <a profile with credentials> (or use `aws configure sso`), or pass another profile.",
        ),
        (
            {"bad": {"role_arn": "arn:aws:iam::123456789012:role/Admin", "source_profile": "mid"}, "mid": {"role_arn": "arn:aws:iam::12:role/x"}},
            "AWS profile 'mid' (the source of 'bad') has role_arn = 'arn:aws:iam::12:role/x' in ~/.aws/config, which is not an IAM role ARN "
            "(arn:aws:iam::123456789012:role/NAME). Fix the profile, or pass another one.",
        ),
    ],
    ids=["malformed", "no credentials for it", "malformed source"],
)
def test_a_profile_with_a_malformed_role_arn_is_bad_input(monkeypatch, profiles, message):
    monkeypatch.delenv("AWS_CONFIG_FILE", raising=False)
    with pytest.raises(MigrationError) as caught:
        check_profile("bad", profiles)
    assert str(caught.value) == message


def test_a_profile_chain_with_a_loop_or_good_arns_passes():
    check_profile("a", {"a": {"role_arn": "arn:aws:iam::123456789012:role/path/Admin", "source_profile": "b"}, "b": {"source_profile": "a"}})


def test_the_docs_name_every_key_the_program_reads_and_no_other():
    readme = (REPO / "docs" / "configuration.md").read_text()
    sentence = readme.split("the program's keys (`stacks/settings.py`:", 1)[1].split(") take their", 1)[0].split("\ntake their", 1)[0]
    assert set(re.findall(r"`([A-Za-z]+)`", sentence)) - {"all", "organization"} == set(SETTINGS)
