"""Verdicts of slow third-party checkers (cfn-lint, parliament) kept on disk between runs.

A verdict is a pair (errors, warnings) of message tuples, kept per checked text, checker version
and the checking module's own source (its classification of the checker's findings), so a new
checker or new code never reads an old verdict. A cache that cannot be read or written is
skipped: it only saves time.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import version
from pathlib import Path
from typing import Callable, Optional

CACHE_DIR_ENV = "LZCTL_CACHE_DIR"
"""Folder of the verdicts kept between runs (default `$XDG_CACHE_HOME/lzctl`, else `~/.cache/lzctl`)."""

Verdict = tuple[tuple[str, ...], tuple[str, ...]]


def cached(checker: str, parts: tuple[str, ...], module: str, check: Callable[[], Verdict]) -> Verdict:
    """`check()`'s verdict on `parts` (the checked text and settings), read from disk when the same
    `checker` package version and the same `module` file gave it before, else computed and kept."""
    path = _cache_file(checker, parts, module)
    kept = _read(path)
    if kept is not None:
        return kept
    found = check()
    _write(path, found)
    return found


def _cache_file(checker: str, parts: tuple[str, ...], module: str) -> Optional[Path]:
    try:
        key = hashlib.sha256(b"\0".join([*(part.encode() for part in parts), version(checker).encode(), Path(module).read_bytes()]))
        root = os.environ.get(CACHE_DIR_ENV) or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lzctl"
    except (OSError, RuntimeError):  # RuntimeError: no home folder (no $HOME, a user id with no passwd entry)
        return None
    return Path(root) / checker / f"{key.hexdigest()}.json"


def _read(path: Optional[Path]) -> Optional[Verdict]:
    try:
        errors, warnings = json.loads(path.read_text(encoding="utf-8")) if path else (None, None)
    except (OSError, ValueError, TypeError):
        return None
    if not all(isinstance(part, list) and all(isinstance(line, str) for line in part) for part in (errors, warnings)):
        return None
    return tuple(errors), tuple(warnings)


def _write(path: Optional[Path], found: Verdict) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps([list(found[0]), list(found[1])]), encoding="utf-8")
        partial.replace(path)  # atomic: parallel test workers never read half a file
    except OSError:
        pass
