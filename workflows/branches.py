"""Branch names: which ones this program takes (git's rules, less what GitHub's patterns might misread),
and how one is written as a literal where GitHub reads patterns or expressions."""

from __future__ import annotations

import re
from typing import Optional

_GIT_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")
MAX_BYTES = 255
"""git sets no length, but a branch is a file under .git/refs/heads, and file systems cap a name at 255 bytes."""
_FILTER_SPECIAL = "+!]"
"""What Actions filters read as patterns among the characters git allows (* ? [ and \\ it refuses)."""


def branch_problem(name: str) -> Optional[str]:
    """Why `name` is no branch here, or None. git check-ref-format --branch
    (https://git-scm.com/docs/git-check-ref-format, rules 1-10) plus git branch's own refusals of a
    leading '-' and of HEAD: what git takes, GitHub takes. Except '@' alone (git branch creates it,
    but revisions read @ as HEAD) and braces: the environments' deployment branch policies and the
    rulesets match names as fnmatch patterns, where { } may expand (File::FNM_EXTGLOB), which cannot
    be known offline. What Actions filters and expressions read specially is escaped where a name is
    written (`filter_literal`, `expression_literal`)."""
    git = [
        (_GIT_FORBIDDEN.search(name), "a space, a control character or one of ~ ^ : ? * [ \\"),
        (".." in name, "'..'"),
        ("@{" in name, "'@{'"),
        (name.startswith("/") or name.endswith("/") or "//" in name, "a leading, trailing or doubled '/'"),
        (name.endswith("."), "a trailing '.'"),
        (any(part.startswith(".") or part.endswith(".lock") for part in name.split("/")), "a part starting with '.' or ending with '.lock'"),
        (name.startswith("-"), "a leading '-'"),
        (name == "HEAD", "the name HEAD"),
    ]
    found = [what for failed, what in git if failed]
    if not name:
        return "empty"
    if found:
        return f"not a git branch name: it has {found[0]} (git check-ref-format)"
    if name == "@":
        return "only '@', which git takes as a branch but reads as HEAD everywhere else; rename the branch"
    if "{" in name or "}" in name:
        return "a brace: GitHub's environment and ruleset branch patterns may read { } as alternatives; rename the branch"
    if len(name.encode()) > MAX_BYTES:
        return f"over {MAX_BYTES} bytes, the longest file name a branch can be stored as"
    return None


def filter_literal(name: str) -> str:
    """`name` as a literal in an on.<event>.branches filter: "If a name contains any of these characters
    and you want a literal match, you need to escape each of these special characters with \\" (GitHub,
    Workflow syntax, on.<push|pull_request>.branches)."""
    return "".join(f"\\{c}" if c in _FILTER_SPECIAL else c for c in name)


def expression_literal(name: str) -> str:
    """`name` as a string literal of a GitHub expression, which doubles its single quotes (Expressions, Literals)."""
    return "'" + name.replace("'", "''") + "'"
