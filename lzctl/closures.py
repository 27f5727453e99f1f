"""An account armed to close in the same change that suspends it, found between two plans.

`closed: pending` needs `suspended: true` on the account (config/closure_checks.py), but one config
cannot tell whether the suspension was applied and sat: the config has no history, and both can
appear in one edit. Two plans can: the armed account's `closeOnDeletion` turns on while its
`parentId` changes (`suspended: true` moves it to the suspended OU) in the same deployment, so it
would go from working account to armed without ever having sat in the suspended OU, and without
`lzctl doctor --closing` having seen it there (docs/existing-organisation.md, "Close an account").
"""

from __future__ import annotations

from typing import Iterator, Mapping, Protocol

ACCOUNT = "aws:organizations/account:Account"


class Planned(Protocol):
    urn: str
    type: str
    name: str
    inputs: Mapping


def warnings(old: Mapping[str, Planned], new: Mapping[str, Planned]) -> Iterator[tuple[str, str]]:
    """(urn, message) per account armed (`closeOnDeletion` turning on) while it moves OU, in one change."""
    for urn, resource in new.items():
        before = old.get(urn)
        if resource.type != ACCOUNT or before is None:
            continue
        armed = resource.inputs.get("closeOnDeletion") is True and before.inputs.get("closeOnDeletion") is not True
        if armed and before.inputs.get("parentId") != resource.inputs.get("parentId"):
            yield (
                urn,
                f"{resource.name} is armed to close (`closed: pending`) in the same change that moves it to another OU "
                "(`suspended: true`): it would never have sat in the suspended OU. Apply `suspended: true` alone first, "
                "leave it there, check it with `lzctl doctor --closing <key>`, then arm it in a change of its own "
                '(docs/existing-organisation.md, "Close an account")',
            )
