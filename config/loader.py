"""Reads `landing-zone.yaml` and validates it in two phases: shape, then cross-references.

Every problem of a phase is collected before failing, and each names the file, the field path,
the value and a hint. Nothing here runs at import time; `load` is called by the program.
"""

from __future__ import annotations

import difflib
import typing
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from config.files import FileProblem, read_text
from config.issues import ConfigError, ConfigIssue, path_of
from config.model import LandingZone
from config.partial import partial
from config.resolve import resolve
from config.schema import LandingZoneConfig

CONFIG_FILE = "landing-zone.yaml"

_PATTERN_HINTS = {
    "^[a-z][a-z0-9-]{0,30}[a-z0-9]$|^[a-z]$": "keys are 1-32 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen",
    r"^\d{12}$": "an AWS account id is 12 digits, quoted so YAML keeps it a string",
    r"^[\x20-\x7e]{1,50}$": "account names are 1-50 printable ASCII characters",
    r"^[^\x00-\x1f\x7f]{1,128}$": "OU names are 1-128 characters without control characters",
    r"^[\w+=,.@-]{1,32}$": "permission set names are 1-32 of letters, digits and + = , . @ _ -",
    r"^[\w+=,.@-]{1,64}$": "IAM role names are 1-64 of letters, digits and + = , . @ _ -",
}


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


class _Loader(yaml.SafeLoader):
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
        self.key_problems += _string_keys(node)
        return node

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == _MERGE:
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping", node.start_mark, "found a list or mapping used as a key", key_node.start_mark
                    )
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping", node.start_mark, f"found duplicate key {key_node.value!r}", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


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
            raise yaml.composer.ComposerError(None, None, "an alias refers to the anchor it is inside (a circular alias)", node.start_mark)
        open_nodes.add(id(node))
        stack.append((node, True))
        stack += [(child, False) for child in _children(node) if id(child) not in sizes]


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
                    kind = _KEY_KINDS[key.tag].format(value=yaml.safe_load(key.value) if key.value else None)
                    written = key.value or "(empty)"
                    problems.append(
                        (path_of(*path, written), f"line {key.start_mark.line + 1}: the key {written} is read by YAML as {kind}, not a name", written)
                    )
                    key.tag = _STR
                stack.append((value, path + (key.value,)))
    return sorted(problems)


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model whose fields an error location points into, for listing the allowed keys."""
    annotation: typing.Any = LandingZoneConfig
    for part in loc[:-1]:
        while True:
            origin = typing.get_origin(annotation)
            if origin is typing.Annotated:
                annotation = typing.get_args(annotation)[0]
            elif origin is typing.Union:
                annotation = next((a for a in typing.get_args(annotation) if a is not type(None)), None)
            else:
                break
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            if field is None:
                return None
            annotation = field.annotation
        elif typing.get_origin(annotation) in (dict, list):
            annotation = typing.get_args(annotation)[-1]
        else:
            return None
    while typing.get_origin(annotation) in (typing.Union, typing.Annotated):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _hint(error: dict) -> str | None:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        model = _model_at(loc)
        if model is None:
            return None
        allowed = list(model.model_fields)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        return (f"did you mean {close[0]}? " if close else "") + f"allowed keys here: {', '.join(allowed)}"
    if kind == "missing":
        return "this field is required; see the config reference in README.md"
    if kind == "string_pattern_mismatch":
        return _PATTERN_HINTS.get(error.get("ctx", {}).get("pattern"))
    if kind == "string_type" and isinstance(error["input"], (int, float)):
        return "quote the value so YAML reads it as a string"
    return None


def _shape_issues(file: str, err: ValidationError) -> list[ConfigIssue]:
    issues = []
    for error in err.errors():
        # Dict keys that fail validation are reported by pydantic with a trailing "[key]".
        loc = tuple(part for part in error["loc"] if part != "[key]")
        message = error["msg"].removeprefix("Value error, ")
        value = None if error["type"] in ("missing", "extra_forbidden") else error["input"]
        if isinstance(value, (dict, list)):
            value = None
        issues.append(ConfigIssue(file, path_of(*loc), message, value, _hint(error)))
    return issues


def parse_yaml(path: Path, allow_empty: bool = False) -> tuple[dict, list[ConfigIssue]]:
    """One YAML mapping and the issues of keys YAML reads as another type (kept as the string written).

    A missing, unreadable, oversized, unparsable or non-mapping file is a `ConfigError`; an empty
    file too, unless `allow_empty` (then it reads as an empty mapping).
    """
    file = str(path)
    try:
        text = read_text(path)
    except FileProblem as err:
        hint = f"create {path.name} or pass --config DIR" if err.message == "file not found" else err.hint
        raise ConfigError([ConfigIssue(file, "", err.message, None, hint)]) from None
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise ConfigError([ConfigIssue(file, "", f"not valid YAML: {where}{problem}")]) from None
    finally:
        loader.dispose()
    issues = [ConfigIssue(file, key_path, problem, None, f'quote it to keep it a name: "{key}":') for key_path, problem, key in loader.key_problems]
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


def load(config_dir: Path | str, refuse_example_domains: bool = True) -> LandingZone:
    """Load and validate `<config_dir>/landing-zone.yaml`; raise `ConfigError` with every problem found.

    Shape errors do not hide the rest: phase 2 runs on every part whose shape is valid
    (`config.partial`), and all issues of both phases are raised together.
    `refuse_example_domains` is off for the offline plan, which only warns that accounts with root
    e-mails at example.com/.net/.org could not be created for real.
    """
    source = Path(config_dir) / CONFIG_FILE
    data, issues = parse_yaml(source)
    try:
        cfg = LandingZoneConfig.model_validate(data)
    except ValidationError as err:
        issues += _shape_issues(str(source), err)
        cfg = partial(LandingZoneConfig, data, err.errors())
    landing_zone, found = resolve(cfg, source, refuse_example_domains)
    issues += found
    if issues or landing_zone is None:
        raise ConfigError(issues)
    return landing_zone
