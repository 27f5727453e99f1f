"""`python -m tests.golden [--update]`: compare (or rewrite) the golden plans of the example.

The golden files are what `lzctl plan --stack <s> --json --out FILE` writes for the example config;
tests/test_golden.py fails on any difference, so every change of the plan shows in a diff review.
After an intended change, run this with --update and commit the files with the change.
"""

from __future__ import annotations

import argparse
import sys

from lzctl.plan import plan_stack
from tests.helpers import GOLDEN_STACKS, golden_file, golden_text, update_golden


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.golden", description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the golden files instead of comparing")
    args = parser.parse_args()
    if args.update:
        changed = update_golden()
        print(f"rewrote {', '.join(changed)}" if changed else "golden plans unchanged")
        return 0
    stale = [stack for stack in GOLDEN_STACKS if golden_file(stack).read_text(encoding="utf-8") != golden_text(plan_stack(stack))]
    print(f"differ from the plan: {', '.join(stale)} (run with --update)" if stale else "golden plans match")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
