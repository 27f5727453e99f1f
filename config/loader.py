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

from config.issues import ConfigError, ConfigIssue, path_of
from config.model import LandingZone
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


class _UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader that refuses duplicate mapping keys instead of keeping the last one silently."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)  # resolve `<<: *anchor` merge keys first, as SafeLoader does
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, (str, int, float, bool, type(None))):
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, "found a list or mapping used as a key", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError("while reading a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark)
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


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


def read_yaml(path: Path, allow_empty: bool = False) -> dict:
    """Parse one YAML mapping; a missing, unparsable or non-mapping file is a `ConfigError`.

    An empty file is one too, unless `allow_empty` (then it reads as an empty mapping).
    """
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigIssue(file, "", "file not found", None, f"create {path.name} or pass --config DIR")]) from None
    except OSError as err:
        raise ConfigError([ConfigIssue(file, "", f"cannot read the file: {err.strerror}")]) from None
    except UnicodeDecodeError as err:
        raise ConfigError([ConfigIssue(file, "", f"not UTF-8 text: byte {err.start} cannot be decoded", None, "save the file as UTF-8")]) from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise ConfigError([ConfigIssue(file, "", f"not valid YAML: {where}{problem}")]) from None
    if data is None and allow_empty:
        return {}
    if data is None:
        raise ConfigError([ConfigIssue(file, "", "the file is empty", None, "start from config/landing-zone.yaml in this repository")])
    if not isinstance(data, dict):
        raise ConfigError([ConfigIssue(file, "", "the top level must be a mapping of sections", type(data).__name__)])
    return data


def load(config_dir: Path | str, refuse_example_domains: bool = True) -> LandingZone:
    """Load and validate `<config_dir>/landing-zone.yaml`; raise `ConfigError` with every problem found.

    `refuse_example_domains` is off for the offline plan, which only warns that accounts with root
    e-mails at example.com/.net/.org could not be created for real.
    """
    source = Path(config_dir) / CONFIG_FILE
    data = read_yaml(source)
    try:
        cfg = LandingZoneConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_shape_issues(str(source), err)) from None
    landing_zone, issues = resolve(cfg, source, refuse_example_domains)
    if issues:
        raise ConfigError(issues)
    return landing_zone
