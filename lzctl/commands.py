"""`lzctl diagram` and `lzctl diff`: argument parsing and I/O around the pure `lzctl.diagram`,
`lzctl.mermaid`, `lzctl.drawio` and `lzctl.diff`. Exit codes as in `lzctl.cli`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional

import pulumi

from config.files import FileProblem, read_text
from lzctl import diff, drawio, mermaid, render
from lzctl.diagram import DiagramError, build
from lzctl.out_file import out_problem
from lzctl.plan import plan_stack
from lzctl.runtime import Plan
from lzctl.stackfile import stacks_in
from names import MANAGEMENT_STACK

EXIT_BAD_INPUT = 2
RENDERERS = {"mermaid": mermaid.render, "drawio": drawio.render}


def default_stacks() -> list[str]:
    """Every stack of the project, the management stack (which builds the organisation) first."""
    return sorted(stacks_in(), key=lambda stack: (stack != MANAGEMENT_STACK, stack))


def plan_stacks(stacks: list[str], config_dir: Optional[Path] = None) -> list[Plan]:
    """The plans of `stacks`, the management stack planned once for the parameters the others read."""
    management = plan_stack(MANAGEMENT_STACK, config_dir) if MANAGEMENT_STACK in stacks else None
    return [management if stack == MANAGEMENT_STACK else plan_stack(stack, config_dir, management=management) for stack in stacks]


def _write(text: str, out: Optional[Path], what: str) -> int:
    if out is None:
        sys.stdout.write(text)
        return 0
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as err:
        print(f"cannot write {what} to {out}: {err.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"wrote {what} to {out}", file=sys.stderr)
    return 0


def _diagram(args: argparse.Namespace) -> int:
    if args.into and (args.out or args.format != "mermaid"):
        print("--into puts a Mermaid chart into a Markdown file: it takes neither --out nor --format drawio", file=sys.stderr)
        return EXIT_BAD_INPUT
    refused = out_problem(args.out, None, args.config) if args.out else None
    if refused:
        print(f"cannot write the diagram to {args.out}: {refused}", file=sys.stderr)
        return EXIT_BAD_INPUT
    stacks = list(dict.fromkeys(args.stack or default_stacks()))
    try:
        documents = [render.to_json(plan) for plan in plan_stacks(stacks, args.config)]
    except pulumi.RunError as err:
        print(err, file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        picture = build(documents, title=f"landing zone ({', '.join(stacks)})")
    except DiagramError as err:
        print(f"cannot draw the stacks {', '.join(stacks)}: {err}. Hint: add --stack {MANAGEMENT_STACK}.", file=sys.stderr)
        return EXIT_BAD_INPUT
    text = RENDERERS[args.format](picture)
    if args.into is None:
        return _write(text, args.out, f"the {args.format} diagram")
    try:
        markdown = read_text(args.into)
    except FileProblem as err:
        print(f"cannot read --into {args.into}: {err.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return _write(mermaid.embed(markdown, text), args.into, "the diagram")
    except ValueError as err:
        print(f"{args.into}: {err}. Hint: add the two marker lines where the diagram goes.", file=sys.stderr)
        return EXIT_BAD_INPUT


def _diff(args: argparse.Namespace) -> int:
    documents, problems = [], []
    for path in (args.old, args.new):
        try:
            documents.append(diff.load(path))
        except diff.PlanFileError as err:
            problems.append(str(err))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return EXIT_BAD_INPUT
    result = diff.compare(*documents)
    if args.json:
        sys.stdout.write(json.dumps(diff.to_json(result, str(args.old), str(args.new)), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(diff.to_text(result, str(args.old), str(args.new)))
    return 0


def add_parsers(verbs: argparse._SubParsersAction) -> None:
    drawing = verbs.add_parser("diagram", help="draw the organisation and its links from the offline plans (Mermaid or draw.io)")
    drawing.add_argument(
        "--stack",
        action="append",
        help="a stack to plan and draw; repeat for several (default: every stack, management first; management is needed)",
    )
    drawing.add_argument("--format", choices=sorted(RENDERERS), default="mermaid", help="mermaid (renders on GitHub) or drawio (diagrams.net)")
    drawing.add_argument("--out", type=Path, help="write the diagram to this file instead of stdout")
    drawing.add_argument(
        "--into",
        type=Path,
        metavar="MARKDOWN",
        help=f"replace the Mermaid block between {mermaid.BEGIN} and {mermaid.END} in this Markdown file",
    )
    drawing.add_argument("--config", type=Path, help="folder holding landing-zone.yaml (default: the stack's configDir)")
    drawing.set_defaults(handler=_diagram)
    comparing = verbs.add_parser("diff", help="what changes between two `plan --json` files, per component, with replacements")
    comparing.add_argument("old", type=Path, help="plan JSON of the current state (e.g. of main)")
    comparing.add_argument("new", type=Path, help="plan JSON of the proposed change")
    comparing.add_argument("--json", action="store_true", help="print the diff as JSON")
    comparing.set_defaults(handler=_diff)
