"""The example's plans, stack by stack, are exactly the reviewed golden files (`python -m tests.golden --update`)."""

from __future__ import annotations

import difflib

import pytest

from tests.helpers import GOLDEN_STACKS, golden_file, golden_text

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("stack", GOLDEN_STACKS)
def test_the_plan_is_the_golden_file(request, stack):
    planned = golden_text(request.getfixturevalue(f"{stack}_plan"))
    golden = golden_file(stack).read_text(encoding="utf-8")
    if planned != golden:
        diff = difflib.unified_diff(golden.splitlines(), planned.splitlines(), f"tests/golden/{stack}.json", "plan", lineterm="", n=2)
        pytest.fail("the plan differs from the golden file; if intended, run `python -m tests.golden --update`:\n" + "\n".join(list(diff)[:80]))
