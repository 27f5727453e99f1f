"""What validation reports: every problem found, each naming its file, field path and value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi


@dataclass(frozen=True)
class ConfigIssue:
    file: str
    path: str
    """Dotted field path, list items as [i], e.g. `identity_center.assignments[0].group`."""
    message: str
    value: Any = None
    hint: Optional[str] = None

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        text = f"{where}: {self.message}"
        if self.value is not None:
            text += f" (got {_shown(self.value)})"
        if self.hint:
            text += f". Hint: {self.hint}"
        return text


SHOWN_CHARS = 120
"""How much of a long value a message repeats: enough to recognise it, never a whole file's worth."""


def _shown(value: Any) -> str:
    if isinstance(value, str) and len(value) > SHOWN_CHARS:
        return f"{value[:SHOWN_CHARS]!r}... ({len(value)} characters)"
    return repr(value)


class ConfigError(pulumi.RunError):
    """The landing-zone config (or `subject`: the stack files, the arguments) is invalid; carries every
    problem found, not just the first.

    A `RunError`, so the Pulumi CLI prints the message alone, without a traceback.
    """

    def __init__(self, issues: list[ConfigIssue], subject: str = "landing-zone config"):
        self.issues = tuple(issues)
        count = len(self.issues)
        lines = [f"invalid {subject}: {count} problem{'s' if count != 1 else ''}"]
        lines += [f"  - {issue}" for issue in self.issues]
        super().__init__("\n".join(lines))


def path_of(*parts: Any) -> str:
    """Join field-path parts the way errors print them: keys dotted, list indexes bracketed."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
