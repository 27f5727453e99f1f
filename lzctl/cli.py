"""Command line of the landing-zone tooling: `python -m lzctl plan --stack management`.

Exit codes: 0 done, 1 a bug (with its traceback), 2 bad input (config, stack name), every problem
on stderr and nothing on stdout; 3 from `validate` when a mandatory policy rule fails; 4 from
`migrate preflight` and `doctor` when a check fails, from `adopt` when AWS denied a read, from
`docs --check` when docs/configuration.md is stale.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

import pulumi

import rules
from delivery.policies import PULUMI_SESSION_SECONDS
from lzctl import render, review, timeline
from lzctl.out_file import out_problem
from lzctl.plan import plan_stack, resolved_config, views
from names import MANAGEMENT_STACK

EXIT_BAD_INPUT = 2
EXIT_POLICY_VIOLATION = 3


def _violations(planned) -> list[rules.Violation]:
    plan, management = planned
    organization = views(management) if management is not None else None
    return rules.evaluate(views(plan), organization=organization)


def _described(violations: list[rules.Violation]) -> list[str]:
    levels = {rule.id: rule.enforcement for rule in rules.RULES}
    return [f"policy {levels[violation.rule]} {violation.rule}: {violation.urn}: {violation.message}" for violation in violations]


def _report(violations: list[rules.Violation]) -> None:
    for line in _described(violations):
        print(line, file=sys.stderr)


def _planned(args: argparse.Namespace):
    """(the plan, the management stack's plan for another stack's organisation rules), or None
    after printing why the input was refused."""
    try:
        if args.stack == MANAGEMENT_STACK:
            return plan_stack(args.stack, args.config), None
        management = plan_stack(MANAGEMENT_STACK, args.config)
        return plan_stack(args.stack, args.config, management=management), management
    except pulumi.RunError as err:
        print(err, file=sys.stderr)
        return None


def _timeline(plan, previous: Optional[list[dict]], args: argparse.Namespace) -> str:
    estimate = timeline.estimate(render.to_json(plan)["steps"], previous, args.parallel)
    warning = timeline.beyond_session(estimate, PULUMI_SESSION_SECONDS / 60)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        return json.dumps(timeline.to_json(estimate), indent=2)
    stack = f"{plan.project}/{plan.stack}"
    return timeline.to_text(estimate, f"change of {stack} since {args.since}" if args.since else f"first `pulumi up` of {stack}")


def _plan(args: argparse.Namespace) -> int:
    what = "timeline" if args.timeline else "plan"
    refused = out_problem(args.out, args.stack, args.config, tuple(p for p in [args.since] if p)) if args.out else None
    if refused:
        print(f"cannot write the {what} to {args.out}: {refused}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if (args.since or args.parallel) and not args.timeline:
        print("--since and --parallel shape the estimate of --timeline: add --timeline", file=sys.stderr)
        return EXIT_BAD_INPUT
    previous = None
    if args.since:
        try:
            previous = timeline.read_plan(args.since)
        except timeline.PlanFileError as err:
            print(err, file=sys.stderr)
            return EXIT_BAD_INPUT
    planned = _planned(args)
    if planned is None:
        return EXIT_BAD_INPUT
    plan = planned[0]
    violations = _violations(planned)
    if args.timeline or args.json or args.resources:
        for warning in plan.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        _report(violations)
    if args.timeline:
        text = _timeline(plan, previous, args)
    elif args.json or args.resources:
        text = render.to_json_text(plan) if args.json else render.to_tree(plan)
    else:
        # People read the review: its warnings and violations close it, where they are seen last.
        landing_zone = resolved_config(args.stack, args.config) if args.stack == MANAGEMENT_STACK else None
        text = review.review(plan, landing_zone, plan.warnings, _described(violations))
    if args.out:
        try:
            args.out.write_text(text + "\n", encoding="utf-8")
        except OSError as err:
            print(f"cannot write the {what} to {args.out}: {err.strerror}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"wrote the {what} of {args.stack} to {args.out}", file=sys.stderr)
    else:
        print(text)
    return 0


def _validate(args: argparse.Namespace) -> int:
    planned = _planned(args)
    if planned is None:
        return EXIT_BAD_INPUT
    violations = _violations(planned)
    _report(violations)
    failed = {violation.rule for violation in violations}
    for rule in rules.RULES:
        print(f"{'FAIL' if rule.id in failed else 'pass'} {rule.id} ({rule.enforcement}): {rule.description}")
    blocking = rules.is_blocking(violations)
    print(f"{len(rules.RULES)} rules, {len(violations)} violations, {'blocking' if blocking else 'none blocking'}")
    return EXIT_POLICY_VIOLATION if blocking else 0


def _at_least_one(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, as for `pulumi up --parallel` (got {text!r})")
    return int(text)


def parser(verb: Optional[str] = None) -> argparse.ArgumentParser:
    """The command line; with `verb`, only the parsers it needs (every verb's when None)."""
    root = argparse.ArgumentParser(prog="python -m lzctl", description="Landing-zone tooling.")
    verbs = root.add_subparsers(dest="verb", required=True)
    plan = verbs.add_parser("plan", help="show what a stack would build, offline, under Pulumi mocks")
    plan.add_argument("--stack", required=True, help="stack name: Pulumi.<stack>.yaml must exist")
    plan.add_argument("--config", type=Path, help="folder holding landing-zone.yaml (default: the stack's configDir)")
    shape = plan.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print pulumi-preview-shaped JSON instead of the review")
    shape.add_argument("--resources", action="store_true", help="print the resources as a tree of components and type counts instead of the review")
    plan.add_argument("--out", type=Path, help="write the plan to this file instead of stdout")
    plan.add_argument("--timeline", action="store_true", help="print the estimated wall time of `pulumi up` and its critical path instead")
    plan.add_argument("--parallel", type=_at_least_one, metavar="N", help="with --timeline: as `pulumi up --parallel N` (default unbounded)")
    plan.add_argument("--since", type=Path, metavar="OLD.json", help="with --timeline: estimate only the change from this earlier `plan --json`")
    plan.set_defaults(handler=_plan)
    validate = verbs.add_parser("validate", help="run the policy rules on the offline plan; exit 3 if a mandatory rule fails")
    validate.add_argument("--stack", required=True, help="stack name: Pulumi.<stack>.yaml must exist")
    validate.add_argument("--config", type=Path, help="folder holding landing-zone.yaml (default: the stack's configDir)")
    validate.set_defaults(handler=_validate)
    for module in dict.fromkeys(VERBS.values()) if verb is None else dict.fromkeys(VERBS[v] for v in [verb] if v in VERBS):
        adder, _, name = module.partition(":")
        getattr(importlib.import_module(adder), name)(verbs)
    return root


VERBS = {
    "migrate": "lzctl.migrate:add_parser",
    "what-if": "lzctl.what_if:add_parser",
    "doctor": "lzctl.doctor:add_parser",
    "adopt": "lzctl.adopt:add_parser",
    "diagram": "lzctl.commands:add_parsers",
    "diff": "lzctl.commands:add_parsers",
    "init": "lzctl.init:add_parser",
    "docs": "lzctl.config_docs:add_parser",
}
"""Verbs whose modules are imported only when they run (or for help, or to name a mistyped verb):
`plan` should not pay for boto3 (doctor, migrate, adopt), the simulator's CLI or the diagram renderers."""


def run() -> None:
    """The process's entry point (`python -m lzctl`, the `lzctl` script): `main`, then exit with its code.

    The process runs without the cyclic garbage collector (lzctl/__main__.py turns it off before
    the imports too): a command is one short run that ends with the process, whose memory goes back
    to the system then anyway. The collector took about 0.5 s of CPU of the example's `plan`
    (measured with gc.callbacks), mostly full sweeps of the imported SDKs and pydantic models; the
    process keeps at most the cyclic garbage of its runs, about 10 MB for the example (the audit
    and log stacks plan the management stack first). Before exiting, everything alive is frozen out of the collector: the
    interpreter's shutdown collects even with it off, about a second of CPU after a plan, to free
    memory the ending process returns anyway. atexit handlers and the rest of the shutdown still
    run. (Not in `main`: tests call it in-process many times.)
    """
    gc.disable()
    code = main()
    gc.freeze()
    sys.exit(code)


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # The verb is the first word that is not an option: the root parser takes no option with a value.
    verb = next((arg for arg in argv if not arg.startswith("-")), None)
    known = verb in ("plan", "validate") or verb in VERBS
    args = parser(verb if known else None).parse_args(argv)
    return args.handler(args)
