"""Command line of the landing-zone tooling: `python -m lzctl plan --stack management`.

Exit codes: 0 done, 1 a bug (with its traceback), 2 bad input (config, stack name), every problem
on stderr and nothing on stdout; 3 from `validate` when a mandatory policy rule fails; 4 from
`migrate preflight` when a check fails.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

import pulumi

from guardrails import rules
from lzctl import render
from lzctl.migrate import add_parser as add_migrate
from lzctl.plan import plan_stack

EXIT_BAD_INPUT = 2
EXIT_POLICY_VIOLATION = 3


def _violations(plan) -> list[rules.Violation]:
    views = [rules.ResourceView(r.type, r.urn, r.inputs, r.protect, r.id) for r in plan.resources]
    return rules.evaluate(views)


def _report(violations: list[rules.Violation]) -> None:
    levels = {rule.id: rule.enforcement for rule in rules.RULES}
    for violation in violations:
        print(f"policy {levels[violation.rule]} {violation.rule}: {violation.urn}: {violation.message}", file=sys.stderr)


def _planned(args: argparse.Namespace):
    """The plan, or None after printing why the input was refused."""
    try:
        return plan_stack(args.stack, args.config)
    except pulumi.RunError as err:
        print(err, file=sys.stderr)
        return None


def _plan(args: argparse.Namespace) -> int:
    if args.out and not args.out.parent.is_dir():
        print(f"cannot write the plan to {args.out}: no such folder {args.out.parent}", file=sys.stderr)
        return EXIT_BAD_INPUT
    plan = _planned(args)
    if plan is None:
        return EXIT_BAD_INPUT
    for warning in plan.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    _report(_violations(plan))
    text = json.dumps(render.to_json(plan), indent=2, sort_keys=True) if args.json else render.to_tree(plan)
    if args.out:
        try:
            args.out.write_text(text + "\n", encoding="utf-8")
        except OSError as err:
            print(f"cannot write the plan to {args.out}: {err.strerror}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"wrote the plan of {args.stack} to {args.out}", file=sys.stderr)
    else:
        print(text)
    return 0


def _validate(args: argparse.Namespace) -> int:
    plan = _planned(args)
    if plan is None:
        return EXIT_BAD_INPUT
    violations = _violations(plan)
    _report(violations)
    blocking = rules.is_blocking(violations)
    print(f"{len(rules.RULES)} rules, {len(violations)} violations, {'blocking' if blocking else 'none blocking'}")
    return EXIT_POLICY_VIOLATION if blocking else 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m lzctl", description="Landing-zone tooling.")
    verbs = root.add_subparsers(dest="verb", required=True)
    plan = verbs.add_parser("plan", help="show what a stack would build, offline, under Pulumi mocks")
    plan.add_argument("--stack", required=True, help="stack name: Pulumi.<stack>.yaml must exist")
    plan.add_argument("--config", type=Path, help="folder holding landing-zone.yaml (default: the stack's configDir)")
    plan.add_argument("--json", action="store_true", help="print pulumi-preview-shaped JSON instead of a tree")
    plan.add_argument("--out", type=Path, help="write the plan to this file instead of stdout")
    plan.set_defaults(handler=_plan)
    validate = verbs.add_parser("validate", help="run the policy rules on the offline plan; exit 3 if a mandatory rule fails")
    validate.add_argument("--stack", required=True, help="stack name: Pulumi.<stack>.yaml must exist")
    validate.add_argument("--config", type=Path, help="folder holding landing-zone.yaml (default: the stack's configDir)")
    validate.set_defaults(handler=_validate)
    add_migrate(verbs)
    return root


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    return args.handler(args)
