"""The README and docs/: a short README in English and Japanese that links every page, links that resolve."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import REPO

README, README_JA = REPO / "README.md", REPO / "README.ja.md"
PAGES = sorted((REPO / "docs").glob("*.md"))
SETUP = [
    "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/python -m lzctl plan --stack management",
    ".venv/bin/python -m pytest",
]
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^ *```.*?^ *```", re.S | re.M)


def shell_blocks(text: str) -> list[str]:
    """The fenced `sh` blocks of a Markdown text, indented (in a list) or not."""
    return [block.strip() for block in re.findall(r"^ *```sh\n(.*?)^ *```", text, re.S | re.M)]


def anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in re.findall(r"^#+ (.*)$", text, re.M)}


def test_the_readme_is_short():
    assert README.stat().st_size <= 10_240


def test_set_up_is_exactly_the_two_commands_ci_runs():
    section = README.read_text().split("## Set up\n", 1)[1].split("\n## ", 1)[0]
    assert shell_blocks(section) == SETUP
    assert ".venv/bin/python -m pytest\n" in (REPO / ".ci" / "run").read_text()


def test_the_japanese_readme_shows_the_same_commands_and_links_back():
    english, japanese = (shell_blocks(path.read_text(encoding="utf-8")) for path in (README, README_JA))
    assert japanese == english and len(english) == 4
    assert "[日本語](README.ja.md)" in README.read_text().split("\n## ", 1)[0]
    assert "[English](README.md)" in README_JA.read_text().split("\n## ", 1)[0]


@pytest.mark.parametrize("readme", [README, README_JA], ids=["en", "ja"])
def test_the_readme_links_every_docs_page(readme):
    linked = set(LINK.findall(readme.read_text(encoding="utf-8")))
    assert [page.name for page in PAGES if f"docs/{page.name}" not in linked] == []


@pytest.mark.parametrize("path", [README, README_JA, *PAGES], ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_and_anchor_resolves(path):
    broken = []
    for target in LINK.findall(FENCE.sub("", path.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        resolved = (path.parent / file).resolve() if file else path
        if not resolved.exists() or (anchor and resolved.suffix == ".md" and anchor not in anchors(resolved)):
            broken.append(target)
    assert broken == []
