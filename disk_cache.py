"""What slow third-party code works out (cfn-lint's and parliament's verdicts, the simulator's
index of parliament's IAM definition), kept on disk between runs.

An entry is kept per everything it was worked out from: the input, the third-party package's
version and the source of the module that asked (its reading of that package's answer), so a new
package or new code never reads an old entry. A cache that cannot be read or written, or an entry
that does not read back in the expected shape, is skipped: it only saves time.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import version
from pathlib import Path
from typing import Callable, Optional, TypeVar

CACHE_DIR_ENV = "LZCTL_CACHE_DIR"
"""Folder of the entries kept between runs (default `$XDG_CACHE_HOME/lzctl`, else `~/.cache/lzctl`)."""

Verdict = tuple[tuple[str, ...], tuple[str, ...]]
T = TypeVar("T")


def kept(package: str, parts: tuple[str, ...], module: str, work_out: Callable[[], T], read_back: Callable[[object], Optional[T]]) -> T:
    """`work_out()` on `parts` (the input and settings), read from disk when the same `package`
    version and the same `module` file worked it out before, else worked out and kept as JSON.
    `read_back` turns the kept JSON back into the value, or None when its shape is not the expected one."""
    path = _cache_file(package, parts, module)
    try:
        found = read_back(json.loads(path.read_text(encoding="utf-8"))) if path else None
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        found = None
    if found is not None:
        return found
    found = work_out()
    _write(path, found)
    return found


def cached(checker: str, parts: tuple[str, ...], module: str, check: Callable[[], Verdict]) -> Verdict:
    """`check()`'s verdict (errors, warnings) on `parts`, kept as `kept` keeps it."""
    return kept(checker, parts, module, check, _verdict)


def _verdict(data: object) -> Optional[Verdict]:
    errors, warnings = data
    if not all(isinstance(part, list) and all(isinstance(line, str) for line in part) for part in (errors, warnings)):
        return None
    return tuple(errors), tuple(warnings)


def _cache_file(package: str, parts: tuple[str, ...], module: str) -> Optional[Path]:
    try:
        key = hashlib.sha256(b"\0".join([*(part.encode() for part in parts), version(package).encode(), Path(module).read_bytes()]))
        root = os.environ.get(CACHE_DIR_ENV) or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lzctl"
    except (OSError, RuntimeError):  # RuntimeError: no home folder (no $HOME, a user id with no passwd entry)
        return None
    return Path(root) / package / f"{key.hexdigest()}.json"


def _write(path: Optional[Path], found: object) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(found), encoding="utf-8")
        partial.replace(path)  # atomic: parallel test workers never read half a file
    except OSError:
        pass
