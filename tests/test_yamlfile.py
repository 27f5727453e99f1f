"""config/yamlfile.py's two parsers (libyaml's, PyYAML's Python one) read every file alike, table-driven."""

from __future__ import annotations

import pytest
import yaml

from config import yamlfile
from tests.helpers import EXAMPLE_DIR

TEXTS = [
    (EXAMPLE_DIR / "landing-zone.yaml").read_text(),
    "",
    "# only a comment\n",
    "a: 1\na: 2\n",  # a key written twice
    "base: &b {x: 1}\nmerged:\n  <<: *b\n  x: 2\n",  # a merge key overridden, as YAML intends
    "[" * 70 + "]" * 70,  # nested too deep
    "a: &x [*x]\n",  # a circular alias
    "yes: 1\n'1': 2\n3: x\n~: n\n2026-01-01: d\n",  # keys YAML reads as other types, with their lines
    "a: 2026-13-01\nb: 2026-01-01\nc: 2026-01-01T10:00:00Z\n",
    "a: b: c\n",  # libyaml words this error otherwise
    "a:\n\t- b\n",  # a tab indenting
    "a: 1\r\nb:\r\n  - 2\r\n",  # CRLF line ends
    "\ufeffa: 1\n",  # a byte order mark
    "naïve: ünïcode\nb: [é, {c: d}]\n",
    "a: 1\u2028b: 2\n",  # a Unicode line separator
    "a: \x07\n",  # a control character
    "a: 1\n---\nb: 2\n",  # two documents
    "a: |\n  line one\n  line two\nb: >-\n  folded\n  text\n",
    "? [complex, key]\n: value\n",  # a list as a key
    "a: 'unterminated\n",
    "- 1\n- 2\n",
    "a: !!python/object:os.system ls\n",  # a tag SafeLoader refuses
    "a: 0o17\nb: 017\nc: 1_000\nd: .inf\ne: 0x1F\nf: +12\n",
]


def outcome(read, text: str):
    try:
        return read(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        return type(err).__name__, str(getattr(err, "problem", None) or err), getattr(err, "hint", None), mark and (mark.line, mark.column)


@pytest.mark.parametrize("text", TEXTS)
def test_the_fast_parse_reads_each_file_as_the_python_parser_does(text):
    assert outcome(yamlfile._load, text) == outcome(lambda t: yamlfile._read(yamlfile.Loader, t), text)


@pytest.mark.skipif(yamlfile.LibyamlLoader is None, reason="PyYAML without libyaml")
@pytest.mark.parametrize(
    "text", [t for t in TEXTS if outcome(lambda t: yamlfile._read(yamlfile.Loader, t), t)[0] not in ("ScannerError", "ParserError", "ReaderError")]
)
def test_libyaml_composes_the_same_nodes_and_applies_the_same_checks(text):
    """Every file here both parsers read (the Python one's own errors aside): the same data, key problems and checks' errors."""
    assert outcome(lambda t: yamlfile._read(yamlfile.LibyamlLoader, t), text) == outcome(lambda t: yamlfile._read(yamlfile.Loader, t), text)
