"""`lzctl docs [--check]`: the field reference of docs/configuration.md, generated from the config models.

The reference walks `LandingZoneConfig` (every field: dotted path, type, default, description as
the pydantic models state them) and adds the `guardrails.limits` quotas with the page that states
each. It replaces what sits between the two marker lines of docs/configuration.md, so the page's
hand-written parts (YAML rules, the limits the checks enforce, stack files) stay where they are;
`--check` exits 4 when the page is not what the models say (a test runs it).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, Optional, Union, get_args, get_origin

import annotated_types
from pydantic import AfterValidator, BaseModel, EmailStr, PlainValidator, StringConstraints
from pydantic.fields import FieldInfo

from config import delivery_schema, schema, security_schema
from config import types as config_types
from config.files import FileProblem, read_text
from guardrails.policy_types import POLICY_TYPES, QUOTAS

BEGIN = "<!-- reference:begin (python -m lzctl docs) -->"
END = "<!-- reference:end -->"
PAGE = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
EXIT_BAD_INPUT = 2
EXIT_STALE = 4

IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
LIMIT_SOURCES = {
    "ou_max_depth": QUOTAS,
    "accounts": QUOTAS,
    "permission_set_inline_max_chars": "https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html",
    "trust_policy_max_chars": IAM_QUOTAS,
    "role_managed_policies": IAM_QUOTAS,
    **{field: QUOTAS for kind in POLICY_TYPES.values() for field in (kind.max_chars_field, kind.per_target_field)},
}
"""`guardrails.limits` field -> the page that states the quota (checked 2026-12, as the limits table of docs/configuration.md)."""

_ALIAS_MODULES = (config_types, delivery_schema, security_schema, schema)
_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean", datetime.date: "date (YYYY-MM-DD)", EmailStr: "e-mail address"}


@dataclass(frozen=True)
class Row:
    path: str
    """Dotted path; `<key>` stands for a mapping's keys, `[]` for a list's items."""
    type: str
    default: str
    description: str


def _aliases() -> list[tuple[str, object]]:
    """Named constrained types of the config modules (`AccountId`, `Region`, ...), first definition wins."""
    seen: dict[str, object] = {}
    for module in _ALIAS_MODULES:
        for name, value in vars(module).items():
            if not name.startswith("_") and name not in seen and get_origin(value) in (Annotated, Literal):
                seen[name] = value
    return list(seen.items())


ALIASES = _aliases()


def _alias_name(annotation) -> Optional[str]:
    for name, alias in ALIASES:
        if annotation is alias or (get_origin(annotation) is get_origin(alias) and annotation == alias):
            return name
    return None


def _constraints(metadata) -> list[str]:
    said = []
    for item in metadata:
        if isinstance(item, StringConstraints):
            said += [f"pattern `{item.pattern}`"] if item.pattern else []
            said += ["not empty" if item.min_length == 1 else f"at least {item.min_length} characters"] if item.min_length is not None else []
            said += [f"at most {item.max_length} characters"] if item.max_length is not None else []
        elif isinstance(item, FieldInfo):
            said += _constraints(item.metadata)
        elif isinstance(item, (AfterValidator, PlainValidator)):
            said.append(f"checked by `{item.func.__module__}.{item.func.__name__}`")
        elif isinstance(item, annotated_types.Ge):
            said.append(f">= {item.ge}")
        elif isinstance(item, annotated_types.Le):
            said.append(f"<= {item.le}")
        elif isinstance(item, annotated_types.MinLen):
            said.append("not empty" if item.min_length == 1 else f"at least {item.min_length} items")
        elif isinstance(item, annotated_types.MaxLen):
            said.append(f"at most {item.max_length} items")
    return said


def _models(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if get_origin(annotation) in (Union, types.UnionType, Annotated):
        return [model for arg in get_args(annotation) for model in _models(arg)]
    return []


def type_text(annotation) -> str:
    """How the reference names a type: a named alias, a scalar, `list of X`, `map K -> V`, a choice of literals."""
    name = _alias_name(annotation)
    if name:
        return f"[`{name}`](#types)"
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        base, *metadata = args
        said = _constraints(metadata)
        return type_text(base) + (f" ({', '.join(said)})" if said else "")
    if origin in (Union, types.UnionType):
        return " or ".join(type_text(arg) for arg in args if arg is not type(None))
    if origin is Literal:
        return " or ".join(json.dumps(arg) for arg in args)
    if origin is list:
        return f"list of {type_text(args[0])}"
    if origin is dict:
        return f"map {type_text(args[0])} -> {type_text(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    return _SCALARS.get(annotation, getattr(annotation, "__name__", str(annotation)))


def default_text(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return "its fields' defaults"
    if value is None:
        return "none"
    return f"`{json.dumps(value, default=str)}`"


def _description(field: FieldInfo, annotation) -> str:
    text = field.description or next((" ".join(m.__doc__.split()) for m in _models(annotation) if m.__doc__), "")
    return " ".join(text.split())


def _key_placeholder(annotation) -> str:
    return "<key>" if _alias_name(annotation) == "Key" else "<name>"


def _child_paths(path: str, annotation) -> list[tuple[str, type[BaseModel]]]:
    """Where a field's models sit below it: itself, a mapping's values, a list's items."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _child_paths(path, args[0])
    if origin in (Union, types.UnionType):
        return [child for arg in args for child in _child_paths(path, arg)]
    if origin is dict:
        return _child_paths(f"{path}.{_key_placeholder(args[0])}", args[1])
    if origin is list:
        return _child_paths(f"{path}[]", args[0])
    return [(path, model) for model in _models(annotation)]


def rows(model: type[BaseModel] = schema.LandingZoneConfig, prefix: str = "") -> list[Row]:
    """Every field of `model` and of the models below it, depth first, in declaration order."""
    hints = typing.get_type_hints(model, include_extras=True)
    found = []
    for name, field in model.model_fields.items():
        annotation, path = hints[name], f"{prefix}{name}"
        # A named or inline Annotated type states its constraints itself; pydantic copies them into the field's metadata.
        said = [] if get_origin(annotation) is Annotated else _constraints(field.metadata)
        shown = type_text(annotation) + (f" ({', '.join(said)})" if said else "")
        found.append(Row(path, shown, default_text(field), _description(field, annotation)))
        for child_path, child in _child_paths(path, annotation):
            found += rows(child, f"{child_path}.")
    return found


LIMIT_TEXT = {
    "ou_max_depth": "levels of OUs under the root",
    "permission_set_inline_max_chars": "non-whitespace characters of a permission set's inline policy",
    "trust_policy_max_chars": "characters of a role's trust policy",
    "role_managed_policies": "managed policies attached to one role (each deploy role)",
}
"""What the limits that belong to no policy type count; `accounts` says it in its description."""


def limit_text(name: str, field: FieldInfo) -> str:
    for kind in POLICY_TYPES.values():
        if name == kind.max_chars_field:
            return f"size of one {kind.label}, minified characters"
        if name == kind.per_target_field:
            return f"{kind.plural} one root, OU or account holds" + (f", {kind.default_policy} included" if kind.default_policy else "")
    return field.description or LIMIT_TEXT[name]


def alias_text(alias) -> str:
    """A named type's values: its literals, or its base type with its constraints."""
    if get_origin(alias) is Literal:
        return " or ".join(json.dumps(arg) for arg in get_args(alias))
    base, *metadata = get_args(alias)
    said = _constraints(metadata)
    return type_text(base) + (f" ({', '.join(said)})" if said else "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def reference() -> str:
    """The generated part of docs/configuration.md: one table per top-level section, then the limits."""
    sections: dict[str, list[Row]] = {}
    found = rows()
    used = {name for name, _ in ALIASES if any(f"[`{name}`]" in row.type for row in found)}
    for row in found:
        sections.setdefault(row.path.split(".", 1)[0].split("[", 1)[0], []).append(row)
    out = ["", "Generated by `python -m lzctl docs` from the models in `config/*schema.py`; do not edit by hand.", ""]
    for section, section_rows in sections.items():
        out += [f"### `{section}`", "", "| field | type | default | description |", "|---|---|---|---|"]
        out += [f"| `{r.path}` | {_cell(r.type)} | {_cell(r.default)} | {_cell(r.description)} |" for r in section_rows]
        out.append("")
    out += ["### Limits and their sources", "", "Raise a limit when AWS raises your quota.", ""]
    out += ["| field | default | what | source |", "|---|---|---|---|"]
    for name, field in schema.Limits.model_fields.items():
        out.append(f"| `guardrails.limits.{name}` | {default_text(field)} | {_cell(limit_text(name, field))} | {LIMIT_SOURCES[name]} |")
    out += ["", "### Types", "", "| type | values |", "|---|---|"]
    out += [f"| `{name}` | {_cell(alias_text(alias))} |" for name, alias in ALIASES if name in used]
    return "\n".join(out) + "\n"


def embed(page: str, generated: str) -> str:
    """`page` with `generated` between the reference markers."""
    start, end = page.find(BEGIN), page.find(END)
    if start < 0 or end < start:
        raise ValueError(f"no {BEGIN} ... {END} markers to put the reference between")
    return f"{page[: start + len(BEGIN)]}\n{generated}{page[end:]}"


def _docs(args: argparse.Namespace) -> int:
    try:
        page = read_text(args.file)
        wanted = embed(page, reference())
    except FileProblem as err:
        print(f"cannot read {args.file}: {err.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ValueError as err:
        print(f"{args.file}: {err}. Hint: add the two marker lines where the reference goes.", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.check:
        if wanted != page:
            print(f"{args.file} is stale: the config models changed. Hint: run `python -m lzctl docs` and commit the page.", file=sys.stderr)
            return EXIT_STALE
        return 0
    if wanted != page:
        args.file.write_text(wanted, encoding="utf-8")
    print(f"{args.file}: {'rewritten' if wanted != page else 'up to date'}", file=sys.stderr)
    return 0


def add_parser(verbs: argparse._SubParsersAction) -> None:
    docs = verbs.add_parser("docs", help="regenerate the field reference of docs/configuration.md from the config models")
    docs.add_argument("--check", action="store_true", help="change nothing; exit 4 when the page is stale")
    docs.add_argument("--file", type=Path, default=PAGE, help="the page holding the reference markers (default: docs/configuration.md)")
    docs.set_defaults(handler=_docs)
