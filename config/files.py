"""Reading the files a run depends on: regular files only, of bounded size, UTF-8; and files the
config points to, which must stay inside the config folder.

A path in the config is data someone else may have written (a pull request to the landing-zone
repository), so it must not reach outside the folder under review (`..`, an absolute path, a
symbolic link out) nor make the plan hang or exhaust memory (a FIFO, `/dev/zero`, a huge file).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath

MAX_FILE_BYTES = 1024 * 1024
"""Largest file read: 20x the example's whole config folder, far above AWS's own limits on what
the files become (an inline policy of 10,240 characters, a conformance pack of 51,200 bytes)."""

PLAN_MAX_BYTES = 1024 * 1024 * 1024
"""Largest `plan --json` file lzctl reads (--since, diff): the example's management plan is 0.6 MB for
372 steps, so a plan of 300 applications (about 30,000 resources) is about 50 MB."""

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileProblem(Exception):
    """Why a file cannot be used: `message`, and a `hint` the caller may print."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of the regular file `path`, at most `max_bytes` long, else `FileProblem`."""
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise FileProblem("file not found") from None
    except OSError as err:
        raise FileProblem(f"cannot read the file: {err.strerror}") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        kind = next((name for test, name in _KINDS if test(mode)), "not a file")
        raise FileProblem(f"not a regular file: it is {kind}", "point to a regular file")
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileProblem(f"the file is over {max_bytes} bytes", "nothing this program reads is that large; is it the right file?")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise FileProblem(f"not UTF-8 text: byte {err.start} cannot be decoded", "save the file as UTF-8") from None


def inside(folder: Path, relative: str) -> Path:
    """`folder / relative`, refused (`FileProblem`) unless it names something inside `folder`:
    no absolute path, no `..`, no symbolic link that resolves outside."""
    if not relative:
        raise FileProblem("empty path", f"give a path relative to the config folder {folder}")
    if PurePosixPath(relative).is_absolute() or PureWindowsPath(relative).is_absolute() or PureWindowsPath(relative).drive:
        raise FileProblem("absolute path", f"paths are relative to the config folder {folder}")
    if ".." in PurePosixPath(relative.replace("\\", "/")).parts:
        raise FileProblem("path leaves the config folder (..)", f"keep referenced files inside {folder}")
    candidate = folder / relative
    try:
        resolved, root = candidate.resolve(), folder.resolve()
    except (OSError, RuntimeError) as err:  # a symbolic link loop
        raise FileProblem(f"cannot resolve the path: {err}") from None
    if not resolved.is_relative_to(root):
        raise FileProblem(
            f"path resolves outside the config folder (a symbolic link to {resolved})",
            f"copy the file into {folder} instead of linking to it",
        )
    return candidate
