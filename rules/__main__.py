"""Policy pack entry point: `pulumi preview --policy-pack rules` from the project folder.

The rules are this package's, shared with `lzctl plan` and `lzctl validate`; adapter.py wraps them
for pulumi_policy. The pack imports the project's packages from the folder above. The SCP size
limit is the stack's own `guardrailLimits` output (guardrails.limits in the config); only where the
pack sees no stack outputs does the rule's setting `max_chars` apply (`--policy-pack-config`, e.g.
{"lz-scp-size": {"max_chars": 10240}}).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import PolicyPack  # noqa: E402

from names import POLICY_PACK  # noqa: E402
from rules.adapter import stack_policies  # noqa: E402

PolicyPack(name=POLICY_PACK, policies=stack_policies())
