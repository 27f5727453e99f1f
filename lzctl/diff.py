"""`lzctl diff OLD.json NEW.json`: what a config change does, from two `plan --json` documents.

Resources pair up by URN. Per component (the parent URN): the resources to create, to delete,
and to update with each input path that changes. An update that touches a field the provider
cannot change in place (`lzctl.replacements`) or that moves a resource to another provider
replaces it, and gets a warning; so does a delete and create of one type and name under another
parent type, which is the same resource moved and needs an alias to be kept; and a policy type or
trusted service leaving the organisation, which one deploy removes in the wrong order
(`lzctl.removals`). Both plans come
from mocks: inputs computed from other resources' outputs match only because the mocks answer
per name, and secrets show as `[secret]` on both sides, so a secret change is invisible here.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional

from config.files import PLAN_MAX_BYTES, FileProblem, read_text
from lzctl import closures, removals, replacements

WIDTH = 100
LONG = 60
KEEP = 40
SECRET = "[secret]"
PROVIDER = "[provider]"
STACK_TYPE = "pulumi:pulumi:Stack"
PROTECT = "[protect]"
ENGINE_SOURCE = "a new provider reference always replaces: pulumi/pulumi pkg/resource/deploy/step_generator.go"
MISSING = object()
"""An input that one side does not have."""


class PlanFileError(ValueError):
    """A file that is not a readable `lzctl plan --json` document."""


@dataclass(frozen=True)
class Resource:
    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    provider: str
    """The provider's URN (the id that follows it is the mocks' and not compared)."""
    protect: bool
    inputs: Mapping[str, Any]


@dataclass(frozen=True)
class Change:
    path: str
    old: Any
    new: Any
    """Either side is MISSING when the input is added or removed."""


@dataclass(frozen=True)
class Update:
    resource: Resource
    changes: tuple[Change, ...]
    replaced_by: tuple[str, ...]
    """The changed fields that force a replacement (`[provider]` for a provider change)."""
    maybe_replaced_by: tuple[str, ...] = ()
    """Changed fields that force a replacement only in some cases (see the table's `when`)."""


@dataclass(frozen=True)
class Component:
    urn: str
    label: str
    """`type name` of the parent, or `(stack root)`."""
    creates: tuple[Resource, ...] = ()
    deletes: tuple[Resource, ...] = ()
    updates: tuple[Update, ...] = ()


@dataclass(frozen=True)
class Warning:
    kind: str
    """replace, maybe-replace, alias, provider, unknown-type, removal-order (lzctl/removals.py) or
    closure-order (lzctl/closures.py)."""
    urn: str
    message: str


@dataclass(frozen=True)
class PlanDiff:
    components: tuple[Component, ...]
    warnings: tuple[Warning, ...]

    def count(self, what: str) -> int:
        return sum(len(getattr(c, what)) for c in self.components)

    @property
    def replaced(self) -> int:
        return sum(1 for c in self.components for u in c.updates if u.replaced_by)


def load(path: Path) -> dict:
    """The plan document at `path`; PlanFileError naming the file and what is wrong with it."""
    hint = "Hint: write one with `python -m lzctl plan --stack STACK --json --out FILE`."
    try:
        # A regular file only (a FIFO would block the run), of a plan's size at most.
        document = json.loads(read_text(Path(path), PLAN_MAX_BYTES))
    except FileProblem as err:
        raise PlanFileError(f"{path}: cannot read it: {err.message}. {hint}") from None
    except ValueError as err:
        raise PlanFileError(f"{path}: not JSON ({err.msg} at line {err.lineno}, column {err.colno}). {hint}") from None
    problems = _problems(document)
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise PlanFileError(f"{path}: not a plan of `lzctl plan --json`: {'; '.join(problems[:3])}{more}. {hint}")
    return document


def _problems(document: Any) -> list[str]:
    if not isinstance(document, dict) or not isinstance(document.get("steps"), list):
        return ["no `steps` list at the top"]
    problems, seen = [], set()
    for index, step in enumerate(document["steps"]):
        state = step.get("newState") if isinstance(step, dict) else None
        if not isinstance(state, dict):
            problems.append(f"steps[{index}] has no newState object")
            continue
        missing = [key for key in ("urn", "type") if not isinstance(state.get(key), str)]
        if missing:
            problems.append(f"steps[{index}].newState has no {' or '.join(missing)}")
        elif not isinstance(state.get("inputs", {}), dict):
            problems.append(f"steps[{index}].newState.inputs is not an object")
        elif state["urn"] in seen:
            problems.append(f"steps[{index}]: URN {state['urn']} appears twice")
        else:
            seen.add(state["urn"])
    return problems


def _resources(document: Mapping) -> dict[str, Resource]:
    out = {}
    for step in document["steps"]:
        state = step["newState"]
        out[state["urn"]] = Resource(
            state["urn"],
            state["type"],
            state["urn"].rsplit("::", 1)[-1],
            state.get("parent", ""),
            bool(state.get("custom", True)),
            (state.get("provider") or "").rsplit("::", 1)[0],
            bool(state.get("protect", False)),
            state.get("inputs") or {},
        )
    return out


def _as_json(value: Any) -> Any:
    """Policy documents and provider settings travel as JSON text; compare what they say."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            pass
    return value


def _key(path: str, key: str) -> str:
    plain = key.replace("-", "").replace("_", "").isalnum()
    return f"{path}.{key}" if plain and path else key if plain else f'{path}["{key}"]'


def changes(old: Any, new: Any, path: str = "") -> Iterator[Change]:
    """Every leaf that differs between two input values, as `a.b[0]["k.v"]` paths."""
    old, new = _as_json(old), _as_json(new)
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            sub = _key(path, key)
            if key not in old:
                yield Change(sub, MISSING, new[key])
            elif key not in new:
                yield Change(sub, old[key], MISSING)
            else:
                yield from changes(old[key], new[key], sub)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new) and any(isinstance(v, (dict, list)) for v in old + new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from changes(a, b, f"{path}[{index}]")
    elif old != new:
        yield Change(path, old, new)


def _top(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


def _matches(path: str, field_path: str) -> bool:
    """`field_path` (`a` or `a.b`) names `path` or a block above it; list indices are ignored."""
    segments = [s.split("[", 1)[0] for s in path.replace('"]', "").replace('["', ".").split(".")]
    wanted = field_path.split(".")
    return segments[: len(wanted)] == wanted


def _update(old: Resource, new: Resource) -> Optional[Update]:
    found = list(changes(old.inputs, new.inputs))
    if old.provider != new.provider:
        found.append(Change(PROVIDER, old.provider, new.provider))
    if old.protect != new.protect:
        found.append(Change(PROTECT, old.protect, new.protect))
    if not found:
        return None
    entry = replacements.lookup(new.type)
    fields = entry.fields if entry else ()
    when = entry.when if entry else {}
    replaced = sorted({f for c in found for f in fields if _matches(c.path, f)} | ({PROVIDER} & {c.path for c in found}))
    maybe = sorted({f for c in found for f in when if _matches(c.path, f)} - set(replaced))
    return Update(new, tuple(found), tuple(replaced), tuple(maybe))


def _label(urn: str, by_urn: Mapping[str, Resource]) -> str:
    if not urn or urn.split("::")[2] == STACK_TYPE:
        return "(stack root)"
    parent = by_urn.get(urn)
    return f"{parent.type} {parent.name}" if parent else urn.rsplit("::", 1)[-1]


@dataclass
class _Collect:
    creates: list = field(default_factory=list)
    deletes: list = field(default_factory=list)
    updates: list = field(default_factory=list)


def compare(old_document: Mapping, new_document: Mapping) -> PlanDiff:
    old, new = _resources(old_document), _resources(new_document)
    groups: dict[str, _Collect] = {}
    warnings: list[Warning] = []

    def group(parent: str) -> _Collect:
        return groups.setdefault(parent, _Collect())

    for urn, resource in new.items():
        if urn not in old:
            group(resource.parent).creates.append(resource)
        else:
            update = _update(old[urn], resource)
            if update:
                group(resource.parent).updates.append(update)
                warnings.extend(_update_warnings(update, new))
    for urn, resource in old.items():
        if urn not in new:
            group(resource.parent).deletes.append(resource)
    warnings.extend(_moves(old, new))
    warnings.extend(Warning("removal-order", urn, message) for urn, message in removals.warnings(old, new))
    warnings.extend(Warning("closure-order", urn, message) for urn, message in closures.warnings(old, new))
    order = list(dict.fromkeys([r.parent for r in new.values()] + [r.parent for r in old.values()]))
    components = tuple(
        Component(parent, _label(parent, {**old, **new}), tuple(g.creates), tuple(g.deletes), tuple(g.updates))
        for parent in order
        if (g := groups.get(parent)) and (g.creates or g.deletes or g.updates)
    )
    return PlanDiff(components, tuple(warnings))


def _update_warnings(update: Update, new: Mapping[str, Resource]) -> Iterator[Warning]:
    resource = update.resource
    title = f"{resource.type} {resource.name}"
    entry = replacements.lookup(resource.type)
    if entry is None and resource.custom:
        yield Warning("unknown-type", resource.urn, f"{title}: no replacement data for {resource.type}, so whether this update replaces it is unknown")
    if update.replaced_by:
        fields = ", ".join(update.replaced_by)
        sources = sorted({ENGINE_SOURCE if f == PROVIDER else replacements.source_of(resource.type, f) for f in update.replaced_by})
        protected = "; it is protected, so `pulumi up` stops there" if resource.protect else ""
        yield Warning("replace", resource.urn, f"{title} is replaced: {fields} cannot change in place ({'; '.join(sources)}){protected}")
        if resource.type.startswith("pulumi:providers:"):
            managed = sorted(r.name for r in new.values() if r.provider == resource.urn)
            if managed:
                yield Warning("provider", resource.urn, f"{title} is replaced, and with it the {len(managed)} resources it manages: {', '.join(managed)}")
    for field_path in update.maybe_replaced_by:
        yield Warning("maybe-replace", resource.urn, f"{title} may be replaced: {field_path} forces it {entry.when[field_path]} ({entry.source})")


def _moves(old: Mapping[str, Resource], new: Mapping[str, Resource]) -> Iterator[Warning]:
    """A resource deleted under one parent type and created, same type and name, under another."""
    created = {(r.type, r.name): r for urn, r in new.items() if urn not in old}
    for urn, gone in old.items():
        came = created.get((gone.type, gone.name)) if urn not in new else None
        if came:
            yield Warning(
                "alias",
                came.urn,
                f"{gone.type} {gone.name} moved from {_parent_type(gone.urn)} to {_parent_type(came.urn)}: without "
                f"`opts=ResourceOptions(aliases=[Alias(parent=...)])` naming its old parent, `pulumi up` deletes and re-creates it",
            )


def _parent_type(urn: str) -> str:
    chain = urn.split("::")[2].split("$")
    return chain[-2] if len(chain) > 1 and chain[-2] != STACK_TYPE else "the stack"


def show(value: Any) -> str:
    """A value for people: secrets masked, long text cut with its length, absence spelled out."""
    if value is MISSING:
        return "(none)"
    if value == SECRET:
        return SECRET
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    if len(text) > LONG:
        text = f"{text[:KEEP]}... ({len(text)} chars)"
    return json.dumps(text, ensure_ascii=False) if isinstance(value, str) else text


def describe(change: Change) -> str:
    """`old -> new`; for lists of plain values, what was added and removed."""
    old, new = _as_json(change.old), _as_json(change.new)
    if isinstance(old, list) and isinstance(new, list):
        added, removed = [v for v in new if v not in old], [v for v in old if v not in new]
        if added or removed:
            return " ".join(part for part in (f"+ {show(added)}" if added else "", f"- {show(removed)}" if removed else "") if part)
        return f"reordered: {show(new)}"
    return f"{show(change.old)} -> {show(change.new)}"


def _wrap(text: str, indent: str, hanging: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=hanging, break_long_words=False, break_on_hyphens=False) or [indent]


def to_text(result: PlanDiff, old_name: str, new_name: str) -> str:
    summary = (
        f"{result.count('creates')} to create, {result.count('deletes')} to delete, {result.count('updates')} to update ({result.replaced} of them replaced)"
    )
    lines = _wrap(f"lzctl diff {old_name} -> {new_name}", "", "  ") + [summary]
    if not result.components:
        lines.append("No changes.")
    for component in result.components:
        lines.append("")
        lines += _wrap(component.label, "", "  ")
        for resource in component.creates:
            lines += _wrap(f"+ {resource.type} {resource.name}", "  ", "      ")
        for resource in component.deletes:
            lines += _wrap(f"- {resource.type} {resource.name}", "  ", "      ")
        for update in component.updates:
            mark = f"  [replace: {', '.join(update.replaced_by)}]" if update.replaced_by else ""
            lines += _wrap(f"~ {update.resource.type} {update.resource.name}{mark}", "  ", "      ")
            for change in update.changes:
                lines += _wrap(f"{change.path}: {describe(change)}", "      ", "        ")
    if result.warnings:
        lines += ["", "Warnings:"]
        for warning in result.warnings:
            lines += _wrap(f"{warning.kind}: {warning.message}", "  - ", "    ")
    return "\n".join(lines) + "\n"


def to_json(result: PlanDiff, old_name: str, new_name: str) -> dict:
    def resource(r: Resource) -> dict:
        return {"urn": r.urn, "type": r.type, "name": r.name}

    return {
        "old": old_name,
        "new": new_name,
        "summary": {
            "create": result.count("creates"),
            "delete": result.count("deletes"),
            "update": result.count("updates"),
            "replace": result.replaced,
        },
        "components": [
            {
                "urn": c.urn,
                "label": c.label,
                "create": [resource(r) for r in c.creates],
                "delete": [resource(r) for r in c.deletes],
                "update": [
                    {
                        **resource(u.resource),
                        "replace": list(u.replaced_by),
                        "mayReplace": list(u.maybe_replaced_by),
                        "changes": [
                            {"path": ch.path, **{side: value for side, value in (("old", ch.old), ("new", ch.new)) if value is not MISSING}} for ch in u.changes
                        ],
                    }
                    for u in c.updates
                ],
            }
            for c in result.components
        ],
        "warnings": [{"kind": w.kind, "urn": w.urn, "message": w.message} for w in result.warnings],
    }
