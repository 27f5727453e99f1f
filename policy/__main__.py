"""Policy pack entry point: `pulumi preview --policy-pack policy` from the project folder.

The rules live in guardrails/rules.py, shared with `lzctl plan` and `lzctl validate`; adapter.py
wraps them for pulumi_policy. The pack imports the project's packages from the folder above.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import PolicyPack  # noqa: E402

from policy.adapter import stack_policies  # noqa: E402

PolicyPack(name="landing-zone-guardrails", policies=stack_policies())
