"""How the offline plan scales: 1, 10 and 100 applications x 3 environments.

For each size it times the full plan of the management stack (validation, components, mocks,
recording) against two floors under the same runner and mocks:
- bare: the same number of bare resources (no inputs) registered by a program doing nothing else;
- typed: the plan's own custom resources, same types and inputs, registered flat, with no
  components, no dependencies and no validation: what the Pulumi SDK alone costs for them (the
  floor issue 16's target is measured against);
and a third, printed beside them and not a target: typed SDK, the same flat registrations made
through the providers' own classes (`aws.iam.Role(...)`), which, as every program using the SDK
does, pass each declared property (an Output each) where the typed floor passes the recorded
inputs only.
Then the example's `python -m lzctl plan --stack management` as a whole process (wall and CPU
seconds, beside `python -c "import pulumi_aws"`, the floor of any process that plans). Every
figure but the whole process's wall time is CPU time (user+sys), which other jobs on a shared
machine move far less than wall time; the load average is printed before and after.
Run from the repository root:

    .venv/bin/python benchmarks/plan_scale.py [--sizes 1 10 100] [--repeat 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import copy
import importlib
import inspect
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pulumi
import pulumi._types
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from config import CONFIG_FILE  # noqa: E402
from lzctl.mocks import LandingZoneMocks  # noqa: E402
from lzctl.plan import plan_stack  # noqa: E402
from lzctl.runtime import run_program  # noqa: E402


def scaled_config(applications: int) -> dict:
    """The example org with `applications` apps, each with its own developer group and assignments."""
    data = yaml.safe_load((REPO / "config" / CONFIG_FILE).read_text())
    identity_center = data["identity_center"]
    template = copy.deepcopy(identity_center["assignments"][2])
    data["applications"] = {}
    identity_center["assignments"] = identity_center["assignments"][:2]
    for index in range(applications):
        app = f"app{index:03d}"
        data["applications"][app] = {"description": f"Application {index}", "reviewers": {"teams": [f"{app}-developers"]}}
        # Two people with access: a reviewer team of one could never approve its own deploys (config/delivery_checks.py).
        identity_center["groups"][f"{app}-developers"] = {"members": ["taro", "jiro"], "repositories": {app: "push"}}
        identity_center["assignments"].append({**template, "group": f"{app}-developers", "applications": [app]})
    for group in ("shop-developers", "booking-developers"):
        identity_center["groups"].pop(group)
    data["budgets"]["accounts"] = {}  # named the example's applications
    return data


def bare_program(count: int):
    def program():
        for index in range(count):
            pulumi.CustomResource("bench:index:Bare", f"bare-{index}", {})

    return program


def typed_program(plan):
    def program():
        for resource in plan.resources:
            if resource.custom:
                pulumi.CustomResource(resource.type, resource.name, dict(resource.inputs))

    return program


PACKAGES = {"aws": "pulumi_aws", "github": "pulumi_github", "slack": "pulumi_slack", "pulumiservice": "pulumi_pulumiservice"}
"""The Python package of each provider the plan uses, by the package name in its type tokens."""


def sdk_class(token: str) -> type:
    """The SDK's class of a type token: `aws:iam/role:Role` is pulumi_aws.iam.Role, `pulumi:providers:aws` pulumi_aws.Provider."""
    package, module, name = token.split(":")
    if package == "pulumi":
        return importlib.import_module(PACKAGES[name]).Provider
    folder = module.split("/")[0]
    return getattr(importlib.import_module(PACKAGES[package] if folder == "index" else f"{PACKAGES[package]}.{folder}"), name)


def sdk_arguments(cls: type, inputs: dict) -> dict:
    """The recorded inputs (engine names) as `cls`'s keyword arguments (Python names); nested values keep
    their engine names, which the SDK passes through as they are (pulumi/runtime/rpc.py, serialize_property)."""
    engine_to_python = {engine: python for python, engine in pulumi._types.resource_py_to_pulumi_names(cls).items()}
    # A provider's class declares few properties; its arguments are its __init__'s, snake_case.
    parameters = set(inspect.signature(cls._internal_init).parameters)
    arguments = {}
    for engine, value in inputs.items():
        python = engine_to_python.get(engine) or "".join(f"_{c.lower()}" if c.isupper() else c for c in engine)
        if python not in parameters:
            raise SystemExit(f"typed SDK floor: {cls.__module__}.{cls.__name__} takes no argument for input {engine!r}")
        arguments[python] = value
    return arguments


def typed_sdk_program(plan):
    calls = [(sdk_class(r.type), r.name, sdk_arguments(sdk_class(r.type), dict(r.inputs))) for r in plan.resources if r.custom]

    def program():
        for cls, name, arguments in calls:
            cls(name, **arguments)

    return program


def timed(run, repeat: int) -> tuple[float, object]:
    """Median CPU seconds of `run()` in this process (user+sys: other jobs on the machine barely move it), and its result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.process_time()
        result = run()
        times.append(time.process_time() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    rows = []
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    with tempfile.TemporaryDirectory() as workdir:
        for size in args.sizes:
            config_dir = Path(workdir) / f"apps-{size}"
            config_dir.mkdir()
            (config_dir / CONFIG_FILE).write_text(yaml.safe_dump(scaled_config(size)))
            for folder in ("permission-sets", "conformance-packs"):
                # Copied: the config refuses referenced files outside its folder, links included.
                shutil.copytree(REPO / "config" / folder, config_dir / folder)
            plan_seconds, plan = timed(lambda config_dir=config_dir: plan_stack("management", config_dir), args.repeat)
            resources = len(plan.resources)
            floor_seconds, _ = timed(
                lambda resources=resources: run_program(bare_program(resources - 1), project="bench", stack="floor", mocks=LandingZoneMocks()),
                args.repeat,
            )
            typed_seconds, _ = timed(
                lambda plan=plan: run_program(typed_program(plan), project="bench", stack="typed", mocks=LandingZoneMocks()),
                args.repeat,
            )
            sdk_program = typed_sdk_program(plan)  # the classes looked up and the arguments named outside the timing
            typed_sdk_seconds, _ = timed(
                lambda sdk_program=sdk_program: run_program(sdk_program, project="bench", stack="typed-sdk", mocks=LandingZoneMocks()),
                args.repeat,
            )
            accounts = 2 + 3 * size
            rows.append(
                {
                    "applications": size,
                    "accounts": accounts,
                    "resources": resources,
                    "plan_s": round(plan_seconds, 3),
                    "floor_s": round(floor_seconds, 3),
                    "typed_floor_s": round(typed_seconds, 3),
                    "plan_over_floor": round(plan_seconds / floor_seconds, 2),
                    "plan_over_typed_floor": round(plan_seconds / typed_seconds, 2),
                    "typed_sdk_floor_s": round(typed_sdk_seconds, 3),
                    "plan_over_typed_sdk_floor": round(plan_seconds / typed_sdk_seconds, 2),
                    "ms_per_account": round(1000 * plan_seconds / accounts, 2),
                }
            )
            print(
                f"{size:>4} apps  {accounts:>4} accounts  {resources:>5} resources  CPU: "
                f"plan {plan_seconds:7.3f}s  bare floor {floor_seconds:6.3f}s (x{plan_seconds / floor_seconds:4.2f})  "
                f"typed floor {typed_seconds:6.3f}s (x{plan_seconds / typed_seconds:4.2f})  "
                f"typed SDK floor {typed_sdk_seconds:6.3f}s (x{plan_seconds / typed_sdk_seconds:4.2f})  "
                f"{1000 * plan_seconds / accounts:6.2f} ms/account",
                flush=True,
            )
    rows.append(whole_process(args.repeat))
    for row in rows:
        if row.get("applications") == 100:
            print(
                f"at 100 applications: plan / typed floor x{row['plan_over_typed_floor']:.2f} (CPU; issue 16's target: 1.5); "
                f"plan / typed SDK floor x{row['plan_over_typed_sdk_floor']:.2f}",
                flush=True,
            )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


def _process_seconds(command: list[str], repeat: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of running `command` from the repository root (CPU: user+sys of the child),
    after one run not counted.

    As a user's Python does, the child keeps the bytecode it compiles (__pycache__/, git-ignored)
    even where the environment says not to (PYTHONDONTWRITEBYTECODE, set on the machine these
    figures come from): compiling the project's modules again in every run was 0.12-0.2 s of CPU of
    the example's plan. The uncounted run writes it, and the entries of disk_cache.py."""
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    walls, cpus = [], []
    for _ in range(repeat):
        before, start = os.times(), time.perf_counter()
        subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
        after = os.times()
        walls.append(time.perf_counter() - start)
        cpus.append(after.children_user + after.children_system - before.children_user - before.children_system)
    return statistics.median(walls), statistics.median(cpus)


def whole_process(repeat: int) -> dict:
    plan_wall, plan_cpu = _process_seconds([sys.executable, "-m", "lzctl", "plan", "--stack", "management"], repeat)
    import_wall, import_cpu = _process_seconds([sys.executable, "-c", "import pulumi_aws"], repeat)
    print(
        f"example `lzctl plan --stack management`: {plan_wall:.3f}s wall, {plan_cpu:.3f}s CPU; "
        f"`import pulumi_aws` alone {import_wall:.3f}s wall, {import_cpu:.3f}s CPU (x{plan_cpu / import_cpu:.2f} in CPU)",
        flush=True,
    )
    return {
        "whole_process_plan_s": round(plan_wall, 3),
        "whole_process_plan_cpu_s": round(plan_cpu, 3),
        "import_pulumi_aws_s": round(import_wall, 3),
        "import_pulumi_aws_cpu_s": round(import_cpu, 3),
    }


if __name__ == "__main__":
    main()
