"""workflows/render.py's direct YAML writer (`block_yaml`) against PyYAML's emitter (`dump`), which it replaces for speed."""

from __future__ import annotations

import random
from collections import OrderedDict

import pytest

from workflows import KINDS, AppWorkflowSpec, InfraWorkflowSpec, app_workflows, infra_workflows
from workflows.render import block_yaml, dump

DIRECT = [
    # (document, the text both write)
    ({"on": {"push": {"branches": ["main"]}}}, "on:\n  push:\n    branches:\n      - main\n"),
    ({"permissions": {}, "needs": []}, "permissions: {}\nneeds: []\n"),
    ({"a": "true", "b": "", "c": "on", "d": "it's", "e": "- x", "f": "#x", "g": "a: b"}, "a: 'true'\nb: ''\nc: on\nd: it's\ne: '- x'\nf: '#x'\ng: 'a: b'\n"),
    ({"n": 3, "m": -1, "t": True, "f": False, "z": None}, "n: 3\nm: -1\nt: true\nf: false\nz: null\n"),
    ({"steps": [{"name": "x", "run": "a\n\nb\n"}, "y"]}, "steps:\n  - name: x\n    run: |\n      a\n\n      b\n  - y\n"),
    ({"run": "  indented\nnext"}, "run: |2-\n    indented\n  next\n"),
    ({"run": "\nafter a break\n"}, "run: |2\n\n  after a break\n"),
    ({"- key": {"'q'": "x"}}, "'- key':\n  '''q''': x\n"),
    ({"k" * 122: "x"}, "k" * 122 + ": x\n"),
]

FALLBACK = [
    # (document, why PyYAML's emitter writes it)
    ({"name": "日本語"}, "characters outside printable ASCII"),
    ({"name": "a\tb"}, "a tab: double quotes"),
    ({"run": "a\n\n"}, "kept final line breaks (`|+`, and `...` at the end of the document)"),
    ({"run": "trailing \nspace"}, "a space before a line break: no literal block"),
    ({"": "x"}, "an empty key: not a simple key"),
    ({"k" * 123: "x"}, "a key of 123 characters: with its `!!str` tag, not a simple key"),
    ({"a\nb": "x"}, "a key with a line break"),
    ({"m": [["nested"]]}, "a list in a list"),
    ({"x": 1.5}, "a float"),
    ({"x": "y " * 4999 + "yz"}, "a line past the emitter's width"),
    ({"a": {"b": "y " * 4998 + "y"}}, "a line past the emitter's width with its indentation and key"),
    ({"a": OrderedDict()}, "a dict subclass, which SafeDumper does not represent"),
    ({1: "x"}, "a key that is not a string"),
]


@pytest.mark.parametrize("document,text", DIRECT, ids=[text.split("\n")[0] for _, text in DIRECT])
def test_the_writer_writes_what_pyyaml_writes(document, text):
    assert dump(document) == text
    assert block_yaml(document) == text


@pytest.mark.parametrize("document,why", FALLBACK, ids=[why for _, why in FALLBACK])
def test_the_writer_leaves_to_pyyaml_what_it_does_not_write(document, why):
    assert block_yaml(document) is None


def _generated() -> list[str]:
    specs = [AppWorkflowSpec(app=f"{kind}-app", repository=f"{kind}-service", kind=kind) for kind in KINDS]
    files = [text for spec in specs for text in app_workflows(spec).files.values()]
    return files + list(infra_workflows(InfraWorkflowSpec(repository="lz", organization="acme-inc", project="lz")).files.values())


def test_every_generated_workflow_is_written_directly(monkeypatch):
    """The real workflows take the direct path (the speed is for them) and read as PyYAML wrote them."""
    documents = []
    monkeypatch.setattr("workflows.render.dump", lambda document: documents.append(document) or dump(document))
    direct = _generated()
    assert documents == []  # dump was never needed
    monkeypatch.undo()
    documents = []
    original = block_yaml
    monkeypatch.setattr("workflows.render.block_yaml", lambda document: documents.append(document) and None)
    assert _generated() == direct  # every file the same through PyYAML's emitter alone
    assert len(documents) == len(direct) > 2 * len(KINDS)
    assert all(original(document) == dump(document) for document in documents)


PIECES = [*"ab z:#-'\"\n !&*?|>%@`,[]{}.~01", "on", "true", "null", "yes", "1.5", "0x1", "---", "...", "  ", "- ", ": ", " #"]


def _awkward(rng: random.Random, depth: int) -> object:
    text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6)))
    roll = rng.random()
    if depth > 3 or roll < 0.5:
        return rng.choice([text, text, text, rng.randint(-5, 5), rng.choice([True, False, None]), {}, []])
    if roll < 0.75:
        return {"".join(rng.choice(PIECES) for _ in range(rng.randint(0, 4))): _awkward(rng, depth + 1) for _ in range(rng.randint(1, 3))}
    return [_awkward(rng, depth + 1) for _ in range(rng.randint(1, 3))]


def test_generated_awkward_documents_are_written_as_pyyaml_writes_them_or_left_to_it():
    rng = random.Random(20261202)
    documents = [{"".join(rng.choice(PIECES) for _ in range(rng.randint(1, 4))): _awkward(rng, 1)} for _ in range(3000)]
    direct = [(document, text) for document in documents if (text := block_yaml(document)) is not None]
    assert [text for _, text in direct] == [dump(document) for document, _ in direct]
    assert len(direct) > 1000  # the direct path is what is under test
