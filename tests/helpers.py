"""Helpers the tests share: the example config and mutations of it, programs and stacks under mocks,
the golden plans, and AWS without AWS for the migrate verbs.

Speed (docs/performance.md, "The tests"): plan through `shared_plan` / `shared_run` when the test
changes nothing the program reads (each config is then planned once per worker, and the test gets
its own copy); a test that starts a process (`lzctl(...)`, zizmor, git...) carries
`@pytest.mark.slow`, or ProcessGuard fails it; a CLI test that is not about the process calls
`lzctl.cli.main` in-process (conftest.py's `cli_shared_plans` plans through `shared_plan`). A test
that plans under mocks or starts moto, itself or through a fixture, carries
`@pytest.mark.integration`, or EmulationGuard fails it: the rest is the unit run.

moto plays every account at once (each session pins its account with moto's account header);
botocore's Stubber plays what moto lacks (the invitation handshake), checking each request against
the AWS API model. No test can reach AWS: credentials are fake and the AWS config files are empty
(the `aws` fixture of tests/migrate_fixtures.py).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Optional

import boto3
import yaml
from botocore.exceptions import ProfileNotFound
from botocore.stub import Stubber

import config
import stacks
from config import ConfigError
from config.yamlfile import parse_yaml
from lzctl import migrate, render
from lzctl.adopt.report import REPORT_FILE as ADOPT_REPORT
from lzctl.aws_session import sdk_session
from lzctl.mocks import LandingZoneMocks
from lzctl.plan import handoff_parameters, offline_config, plan_stack, resolve_config_dir
from lzctl.runtime import Plan, run_program
from lzctl.stackfile import read_stack, stack_file
from tests.session import EMULATION, SHARED_PLANS_ENV

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_DIR = REPO / "config"
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
GOLDEN_STACKS = ("management", "audit", "log")
"""The example's stacks whose `lzctl plan --json` is kept in GOLDEN_DIR (`python -m tests.golden --update`)."""


def example_data() -> dict:
    """The example's landing-zone.yaml as data, the caller's own copy (parsed once: PyYAML's
    pure-Python parser takes ~10 ms a time, and hundreds of tests start from the example)."""
    return copy.deepcopy(_example_data())


@functools.cache
def _example_data() -> dict:
    return yaml.safe_load((EXAMPLE_DIR / config.CONFIG_FILE).read_text())


# libyaml's emitter writes the same text ~6 times faster than PyYAML's (the example byte-identical).
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def write_config(directory: Path, data: object) -> Path:
    """Write `data` as landing-zone.yaml beside a copy of the example's policy and pack files."""
    directory.mkdir(parents=True, exist_ok=True)
    for folder in (p for p in EXAMPLE_DIR.iterdir() if p.is_dir() and not p.name.startswith("__")):
        shutil.copytree(folder, directory / folder.name, dirs_exist_ok=True)
    text = data if isinstance(data, str) else yaml.dump(data, Dumper=_DUMPER, sort_keys=False)
    (directory / config.CONFIG_FILE).write_text(text)
    return directory


def setter(path: str, value):
    """A mutation that sets a dotted path (list indexes as numbers) in the config data."""

    def mutate(data):
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


def both(*mutations):
    def mutate(data):
        for mutation in mutations:
            mutation(data)

    return mutate


def run_mocked(program: Callable[[], None]) -> Plan:
    """Run `program` as a stack of its own under the landing-zone mocks."""
    return run_program(program, project="landing-zone", stack="test", mocks=LandingZoneMocks())


def run_management(config_dir: Path, role: str = "management", offline: bool = True, **more_config: str):
    """Run the program as `lzctl plan` does (`offline`), or as a real run would with no secrets set."""
    errors = []

    def program():
        try:
            stacks.run()
        except ConfigError as err:
            errors.append(err)

    config = {"landing-zone:role": role, "landing-zone:configDir": str(config_dir), **{f"landing-zone:{k}": v for k, v in more_config.items()}}
    secret_keys: list[str] = []
    if offline:
        config, secret_keys = offline_config("landing-zone", config, secret_keys)
    plan = run_program(program, project="landing-zone", stack="management", config=config, secret_keys=secret_keys, mocks=LandingZoneMocks())
    return plan, errors


# --- plans shared by content ----------------------------------------------------------------
#
# Planning a program under mocks is most of the suite's time, and many tests plan the same config
# (the example, the example with Control Tower off...) from folders of their own. `shared_plan`
# and `shared_run` plan each (stack, content) once per run (the xdist workers share them through the
# run's folder, SHARED_PLANS_ENV) and hand every caller its own copy (unpickled: a few ms against a
# second or more for a plan), so a test may change what it gets without changing what the next gets.

_SHARED: dict[tuple, bytes] = {}


def folder_digest(folder: Path) -> str:
    """A digest of what the program reads from a config folder: landing-zone.yaml's data (the loader
    reads nothing else of its text: the example and `write_config(dir, example_data())` plan alike,
    byte for byte) and every other file's name and bytes, but for adopt's report unless the config names it."""
    digest = hashlib.sha256()
    # The example's folder is also the `config` package: its modules are the loader's code, not config.
    # adopt writes its report beside the config it planned, after the plan; the loader reads
    # landing-zone.yaml, the files it names (an inline_policy or adopted policy's content may be any
    # file: config/schema.py) and policy-templates/, so the report only when landing-zone.yaml names it.
    source = Path(folder) / config.CONFIG_FILE
    unread = set() if source.is_file() and ADOPT_REPORT.encode() in source.read_bytes() else {ADOPT_REPORT}
    files = (
        p
        for p in Path(folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not (p.parent == Path(folder) and (p.suffix == ".py" or p.name in unread))
    )
    for path in sorted(files):
        name = path.relative_to(folder).as_posix()
        content = path.read_bytes()
        if name == config.CONFIG_FILE:
            content = _config_content(path, content)
        digest.update(name.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


def _config_content(path: Path, text: bytes) -> bytes:
    """The data of landing-zone.yaml as the loader reads it (key order kept: it orders the plan; a date
    is not its string), or the text itself when the loader reports anything about it: its messages
    name lines, and data alone would tell neither a key written twice nor `1:` from `"1":`."""
    try:
        data, issues = parse_yaml(path)
    except ConfigError:
        return text
    return text if issues else json.dumps(data, default=repr).encode()


def _shared(key: tuple, make: Callable[[], object]):
    if key not in _SHARED:
        _SHARED[key] = _from_run_folder(key) or _to_run_folder(key, make())
    return _copy(_SHARED[key])


def _copy(kept: bytes):
    """The caller's own copy of a shared plan (or run), which is a plan of its own to EMULATION."""
    EMULATION.note("uses a copy of a plan shared by tests/helpers.py (made under Pulumi's mocks)")
    return pickle.loads(kept)


def _run_file(key: tuple) -> Optional[Path]:
    folder = os.environ.get(SHARED_PLANS_ENV)
    return Path(folder) / hashlib.sha256(repr(key).encode()).hexdigest() if folder else None


def _from_run_folder(key: tuple) -> Optional[bytes]:
    """What a worker of this run kept under `key`, pickled, or None."""
    path = _run_file(key)
    try:
        return path.read_bytes() if path else None
    except FileNotFoundError:
        return None


def _to_run_folder(key: tuple, value: object) -> bytes:
    """`value` pickled, and kept under `key` for this run's other workers."""
    made = pickle.dumps(value)
    path = _run_file(key)
    if path:
        # Written whole, then renamed: a worker never reads half of what another is writing.
        partial = path.with_name(f"{path.name}.{os.getpid()}")
        partial.write_bytes(made)
        os.replace(partial, path)
    return made


def shared_plan(stack: str, config_dir: Optional[Path] = None, management: Optional[Plan] = None) -> Plan:
    """`plan_stack(stack, config_dir, management=management)` of this repository's project, planned
    once per run for each (stack, stack file, content of the config folder, handoff parameters
    of `management`); the caller's own copy. The audit and log stacks without `management` read the
    shared management plan of the same folder, as plan_stack would plan it. Errors are not kept:
    a config the program refuses raises on every call. Only for a test that changes nothing the
    program reads (no monkeypatching of components, stacks or the mocks): what it planned would be every
    later caller's, in every worker."""
    folder = resolve_config_dir(read_stack(stack), config_dir)
    if stack != "management" and management is None and read_stack(stack).config.get("landing-zone:role") in ("audit", "log"):
        management = shared_plan("management", config_dir)
    handoff = tuple(sorted(handoff_parameters(management).items())) if management is not None else None
    key = ("plan", stack, stack_file(stack).read_text(), folder_digest(folder), handoff)
    return _shared(key, lambda: plan_stack(stack, config_dir, management=management))


def shared_run(config_dir: Path, role: str = "management", offline: bool = True, **more_config: str):
    """`run_management(config_dir, role, offline, **more_config)` run once per run for each
    (content of the folder, role, offline, config): the caller's own copy of (plan, errors). Only for
    a test that changes nothing the program reads (no monkeypatching of components or stacks).
    A run with errors is not kept, as shared_plan keeps none: their messages name the caller's folder,
    and a ConfigError does not survive pickling (unpickled, its message is rebuilt from its own text).
    The program refuses a config before it registers anything but the stack (stacks/__init__.py
    `run`), so running it again costs little."""
    if (role, offline, more_config) == ("management", True, {}):
        # The same program as `plan_stack("management", folder)` with the same config but for the stack
        # file's pulumi:disable-default-providers, which nothing reads under mocks: the same plan
        # (test_helpers pins it), so both share one.
        try:
            return shared_plan("management", config_dir), []
        except ConfigError:
            return run_management(config_dir)
    key = ("run", folder_digest(config_dir), role, offline, tuple(sorted(more_config.items())))
    if key not in _SHARED and (kept := _from_run_folder(key)):
        _SHARED[key] = kept
    if key in _SHARED:
        return _copy(_SHARED[key])
    plan, errors = run_management(config_dir, role, offline, **more_config)
    if not errors:
        _SHARED[key] = _to_run_folder(key, (plan, errors))
    return plan, errors


def lzctl(*args: str, code: str | None = None) -> subprocess.CompletedProcess:
    """`python -m lzctl ARGS` (or `python -c CODE`) from the repository, as a user runs it."""
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "lzctl", *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)


def plan_step(type_: str, name: str, parent: str = "", inputs: Optional[dict] = None, **state) -> dict:
    """One step of a `plan --json` document, for synthetic plans: URN from type, name and parent type."""
    parent_types = parent.split("::")[2] + "$" if parent.count("::") >= 3 else ""
    urn = f"urn:pulumi:test::landing-zone::{parent_types}{type_}::{name}"
    new_state = {
        "type": type_,
        "urn": urn,
        "custom": True,
        "parent": parent,
        "provider": "",
        "protect": False,
        "inputs": inputs or {},
        "dependencies": [],
        **state,
    }
    return {"op": "create", "urn": urn, "newState": new_state}


def plan_document(*steps: dict) -> dict:
    return {"steps": list(steps), "changeSummary": {"create": len(steps)}, "outputs": {}}


# --- EventBridge patterns against sample events ----------------------------------------------

EVENTS_DIR = Path(__file__).resolve().parent / "events"
"""Sample events from the services' documentation, each file `{"source": where it comes from, "event": {...}}`."""


def sample_event(name: str) -> dict:
    return json.loads((EVENTS_DIR / f"{name}.json").read_text(encoding="utf-8"))["event"]


def _values_at(node, keys: list[str]) -> list:
    """Every value at the path, arrays (of values or of objects) flattened, as EventBridge reads them."""
    if isinstance(node, list):
        return [value for item in node for value in _values_at(item, keys)]
    if not keys:
        return [node]
    return _values_at(node[keys[0]], keys[1:]) if isinstance(node, dict) and keys[0] in node else []


def _value_matches(value, condition) -> bool:
    if not isinstance(condition, dict):
        return value == condition
    (operator, argument), *rest = condition.items()
    if rest:
        raise ValueError(f"one operator per filter, got {condition}")
    if operator == "anything-but":
        return value not in (argument if isinstance(argument, list) else [argument])
    if operator == "prefix":
        return isinstance(value, str) and value.startswith(argument)
    if operator == "numeric":
        compare = {"<": float.__lt__, "<=": float.__le__, "=": float.__eq__, ">=": float.__ge__, ">": float.__gt__}
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return number and all(compare[op](float(value), float(limit)) for op, limit in zip(argument[::2], argument[1::2], strict=True))
    raise ValueError(f"the operator {operator!r} is not modelled here")


def event_matches(pattern: dict, event: dict) -> bool:
    """Whether EventBridge would match `event` with `pattern`, for exact values and the anything-but,
    prefix and numeric filters (EventBridge user guide, "Event patterns" and "Content filtering":
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html): every field of
    the pattern must match; a field matches when any of its values matches any of its filters; a
    field the event lacks matches nothing."""

    def walk(node: dict, keys: list[str]) -> bool:
        for key, expected in node.items():
            if isinstance(expected, dict):
                if not walk(expected, [*keys, key]):
                    return False
            elif not any(_value_matches(value, condition) for value in _values_at(event, [*keys, key]) for condition in expected):
                return False
        return True

    return walk(pattern, [])


# --- golden plans ---------------------------------------------------------------------------


def golden_file(stack: str) -> Path:
    return GOLDEN_DIR / f"{stack}.json"


def golden_text(plan: Plan) -> str:
    """What `lzctl plan --json --out FILE` writes for `plan`."""
    return render.to_json_text(plan) + "\n"


def update_golden() -> list[str]:
    """Rewrite every golden plan from the example; the stacks whose file changed."""
    changed = []
    for stack in GOLDEN_STACKS:
        text = golden_text(plan_stack(stack))
        path = golden_file(stack)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(stack)
    return changed


# --- the migrate verbs: a config adopting an account, AWS through moto and Stubber -----------

EXISTING = "210987654321"
MANAGEMENT = "123456789012"
OTHER = "999988887777"
HOME = "ap-northeast-1"
SHOP_PROD_NAME = "Shop Production"
SHOP_PROD_EMAIL = "aws+shop-prod@example.com"


def adopting_config(directory: Path, account_id: str = EXISTING, mutate: Callable[[dict], None] = lambda data: None) -> Path:
    """The example config with shop's prod account adopting `account_id`."""
    data = copy.deepcopy(example_data())
    data["applications"]["shop"]["accounts"] = {"prod": {"existing_account_id": account_id, "name": SHOP_PROD_NAME}}
    mutate(data)
    return write_config(directory / "config", data)


def _session(region: str, credentials: Optional[dict] = None) -> boto3.Session:
    # lzctl's own sessions' opener: the tests' sessions share its models with those lzctl opens.
    return sdk_session(region=region, credentials=credentials or {"AccessKeyId": "testing", "SecretAccessKey": "testing"})


def session_from_credentials(credentials: dict, region: str = HOME) -> boto3.Session:
    """A session signing with temporary credentials (STS AssumeRole's); moto answers as the role's account."""
    return _session(region, credentials)


def moto_session(account_id: str, region: str = HOME) -> boto3.Session:
    """A session that moto answers as `account_id`."""
    session = _session(region)

    def pin_account(request, **_):
        request.headers["x-moto-account-id"] = account_id

    # before-sign runs ahead of moto's before-send hook, so every request carries the account.
    session.events.register("before-sign", pin_account)
    return session


def stubbed(service: str) -> tuple[object, Stubber]:
    api = _session(HOME).client(service)
    stubber = Stubber(api)
    stubber.activate()
    return api, stubber


class FakeSession:
    """Clients from `overrides` (Stubber-backed) where given, else from a moto session; `signed_with`
    records the access key id each override was asked for with (None: the session's own)."""

    def __init__(self, fallback: boto3.Session, **overrides):
        self.fallback = fallback
        self.overrides = overrides
        self.signed_with: list[tuple[str, Optional[str]]] = []
        self.endpoints: list[tuple[str, Optional[str]]] = []
        """(service, endpoint_url) of each override asked for (None: the SDK's own endpoint)."""

    def client(self, service: str, region_name: Optional[str] = None, endpoint_url: Optional[str] = None, **credentials):
        if service.replace("-", "_") in self.overrides:
            self.signed_with.append((service, credentials.get("aws_access_key_id")))
            self.endpoints.append((service, endpoint_url))
            return self.overrides[service.replace("-", "_")]
        return self.fallback.client(service, region_name=region_name, endpoint_url=endpoint_url, **credentials)


class Sessions:
    """A session factory by profile name; an unknown name fails as boto3 does."""

    def __init__(self, **by_profile):
        self.by_profile = by_profile

    def __call__(self, profile: str):
        if profile not in self.by_profile:
            raise ProfileNotFound(profile=profile)
        return self.by_profile[profile]


def run(capsys, config_dir: Path, *argv: str, sessions=migrate.open_session) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `python -m lzctl migrate <argv> --config <config_dir>`."""
    code = migrate.main(["migrate", *argv, "--config", str(config_dir)], sessions=sessions)
    out, err = capsys.readouterr()
    return code, out, err


def denied(stubber: Stubber, operation: str) -> None:
    stubber.add_client_error(operation, "AccessDenied", f"User: arn:aws:sts::{EXISTING}:assumed-role/ReadOnly/me is not authorized to perform this action", 403)


def problems(directory: Path, refuse_example_domains: bool = False) -> list[str]:
    """Every problem `config.load` reports for `directory`, each as printed, with the folder as `<dir>`."""
    try:
        config.load(directory, refuse_example_domains=refuse_example_domains)
    except ConfigError as err:
        return [str(issue).replace(str(directory), "<dir>") for issue in err.issues]
    return []


def edit_text(directory: Path, edit: Callable[[str], str], name: str = config.CONFIG_FILE) -> Path:
    """Rewrite the text of `name` in `directory` with `edit`; the directory, for chaining."""
    path = directory / name
    path.write_text(edit(path.read_text()))
    return directory


class RecordedGitHub:
    """A GitHub transport for lzctl.doctor.github answering recorded paths (a body means 200, a tuple is
    (status, body) or (status, body, headers), headers named in lower case); any other request fails the test,
    so a test also pins which requests a check makes."""

    def __init__(self, answers: dict):
        self.answers = answers

    def __call__(self, path: str):
        assert path in self.answers, f"unrecorded request GET {path}"
        answer = self.answers[path]
        status, body, *headers = answer if isinstance(answer, tuple) else (200, answer)
        return status, body, headers[0] if headers else {}
