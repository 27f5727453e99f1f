"""Reading YAML files (the config, the Pulumi project and stack files, conformance packs) so that no
file can make a run hang, exhaust memory or mean something other than it says."""

from __future__ import annotations

from pathlib import Path

import yaml

from config.files import FileProblem, read_text
from config.issues import ConfigError, ConfigIssue, path_of

MAX_DEPTH = 64
"""Deepest nesting read; the config itself is at most 6 levels deep."""
MAX_NODES = 200_000
"""Most YAML nodes a file may expand to through its aliases: a config of 300 applications has about
20,000; a billion-laughs file of a few hundred bytes expands to billions."""
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_KEY_KINDS = {
    "tag:yaml.org,2002:bool": "the boolean {value} (YAML 1.1 reads yes/no/on/off/y/n as booleans)",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:timestamp": "a date",
}


class DuplicateKeys(yaml.MarkedYAMLError):
    """Keys written twice in one mapping: every one in the file, found before anything is constructed."""

    hint = "a key appears once in a mapping: YAML would keep only the last value; merge the entries"

    def __init__(self, found: list[tuple[yaml.Mark, str]]):
        super().__init__(problem=f"found duplicate key {found[0][1]!r}", problem_mark=found[0][0])
        self.found = found


def _composer_error(problem: str, mark, hint: str) -> yaml.composer.ComposerError:
    error = yaml.composer.ComposerError(None, None, problem, mark)
    error.hint = hint  # type: ignore[attr-defined]
    return error


class Loader(yaml.SafeLoader):
    """SafeLoader, refusing what it would accept silently or never finish:

    - a key written twice in one mapping (merge keys `<<:` may be overridden, as YAML intends);
    - nesting over MAX_DEPTH, aliases expanding over MAX_NODES nodes, an alias inside itself;
    - keys YAML reads as something other than a string (`yes:`, `1:`): reported, kept as written;
    - a date that is not a calendar date (`2026-13-01`): kept as the string it is.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0
        self.key_problems: list[tuple[str, str, str]] = []

    def compose_node(self, parent, index):
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def compose_document(self):
        node = super().compose_document()
        _check_expansion(node)
        duplicates = _duplicate_keys(node)
        if duplicates:
            raise DuplicateKeys(duplicates)
        self.key_problems += _string_keys(node)
        return node

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                if key_node.tag == _MERGE:
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping", node.start_mark, "found a list or mapping used as a key", key_node.start_mark
                    )
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)


try:
    from yaml.cyaml import CParser
except ImportError:  # PyYAML built without libyaml
    CParser = None

if CParser is not None:

    class LibyamlLoader(CParser, Loader):
        """`Loader` reading its events from libyaml's parser (C), composing and constructing them as
        `Loader` does: the same nodes, checks and data, ~4 times faster on the config. Only for a file
        libyaml reads without error: libyaml words its errors otherwise, so `_load` takes those, and
        every error of `Loader`'s checks, from `Loader` itself."""

        def __init__(self, stream):
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self.depth = 0
            self.key_problems = []

        # CParser's own composer would skip Loader's compose_node and compose_document.
        check_node = yaml.composer.Composer.check_node
        get_node = yaml.composer.Composer.get_node
        get_single_node = yaml.composer.Composer.get_single_node

else:
    LibyamlLoader = None


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expansion(root) -> None:
    """Refuse an alias inside its own anchor, and aliases expanding past MAX_NODES (memoised: linear)."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[id(node)] > MAX_NODES:
                raise yaml.composer.ComposerError(None, None, f"its aliases expand to more than {MAX_NODES} nodes (an alias bomb?)", node.start_mark)
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_nodes:
            raise _composer_error(
                "an alias refers to the anchor it is inside (a circular alias)",
                node.start_mark,
                "an alias *name repeats an anchor &name that ends before it; it cannot stand inside that anchor",
            )
        open_nodes.add(id(node))
        stack.append((node, True))
        stack += [(child, False) for child in _children(node) if id(child) not in sizes]


def _duplicate_keys(root) -> list[tuple[yaml.Mark, str]]:
    """(where, key) of each key written again in its mapping; merge keys (`<<:`) may be overridden, as YAML intends."""
    found, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, _ in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != _MERGE:
                    if key.value in keys:
                        found.append((key.start_mark, key.value))
                    keys.add(key.value)
        stack += _children(node)
    return sorted(found, key=lambda item: (item[0].line, item[0].column))


def _string_keys(root) -> list[tuple[str, str, str]]:
    """(field path, problem, key as written) for each key YAML reads as another type; each such key becomes the string written."""
    problems, seen, stack = [], set(), [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack += [(child, path + (index,)) for index, child in enumerate(node.value)]
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag in _KEY_KINDS:
                    kind = _KEY_KINDS[key.tag].format(value=str(yaml.safe_load(key.value)).lower())
                    written = key.value or "(empty)"
                    problems.append(
                        (path_of(*path, written), f"line {key.start_mark.line + 1}: the key {written} is read by YAML as {kind}, not a name", written)
                    )
                    key.tag = _STR
                stack.append((value, path + (key.value,)))
    return sorted(problems)


def _where(mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""


def _load(text: str) -> tuple[object, list[tuple[str, str, str]]]:
    """(data, key problems) of one YAML document; libyaml parses it when it is installed and reads
    the file without error, else (and for every error, worded as ever) PyYAML's Python parser."""
    if LibyamlLoader is not None and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        try:
            return _read(LibyamlLoader, text)
        except yaml.YAMLError:
            pass
    return _read(Loader, text)


def _read(loader_class, text: str) -> tuple[object, list[tuple[str, str, str]]]:
    loader = loader_class(text)
    try:
        return loader.get_single_data(), loader.key_problems
    finally:
        loader.dispose()


def parse_yaml(path: Path, allow_empty: bool = False, missing: str | None = None) -> tuple[dict, list[ConfigIssue]]:
    """One YAML mapping and the issues of keys YAML reads as another type (kept as the string written).

    A missing (`missing`: the hint), unreadable, oversized, unparsable or non-mapping file is a
    `ConfigError`; an empty file too, unless `allow_empty` (then it reads as an empty mapping).
    """
    file = str(path)
    try:
        text = read_text(path)
    except FileProblem as err:
        hint = (missing or f"create {path.name}") if err.message == "file not found" else err.hint
        raise ConfigError([ConfigIssue(file, "", err.message, None, hint)]) from None
    try:
        data, key_problems = _load(text)
    except DuplicateKeys as err:
        found = [ConfigIssue(file, "", f"not valid YAML: {_where(mark)}found duplicate key {key!r}", None, err.hint) for mark, key in err.found]
        raise ConfigError(found) from None
    except yaml.YAMLError as err:
        problem = getattr(err, "problem", None) or str(err)
        issue = ConfigIssue(file, "", f"not valid YAML: {_where(getattr(err, 'problem_mark', None))}{problem}", None, getattr(err, "hint", None))
        raise ConfigError([issue]) from None
    issues = [ConfigIssue(file, key_path, problem, None, f'quote it to keep it a name: "{key}":') for key_path, problem, key in key_problems]
    if data is None and allow_empty:
        return {}, issues
    if data is None:
        raise ConfigError([ConfigIssue(file, "", "the file is empty", None, "start from config/landing-zone.yaml in this repository")])
    if not isinstance(data, dict):
        raise ConfigError([ConfigIssue(file, "", "the top level must be a mapping of sections", type(data).__name__)])
    return data, issues


def read_yaml(path: Path, allow_empty: bool = False) -> dict:
    """`parse_yaml`, refusing keys YAML reads as another type along with everything else."""
    data, issues = parse_yaml(path, allow_empty)
    if issues:
        raise ConfigError(issues)
    return data
