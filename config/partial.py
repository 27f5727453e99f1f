"""Every problem at once across both phases: the parts of a config whose shape is valid, for phase 2.

Phase 1 (pydantic) reports every shape error of the file at once. Phase 2 (cross-references,
uniqueness, limits) then runs on `partial(...)`: the config rebuilt from the parts that validated,
each part that did not replaced by `INVALID`. Touching `INVALID` in any way raises `Unavailable`,
and `attempt` turns that into "this check needs a part that is already reported", so each check
runs exactly when every part it reads is valid. Keys of mappings are kept even when their value is
invalid, so a reference to `shop` is not reported missing because `applications.shop` had a shape
error; an entry whose key itself is invalid is left out, so what the key would name (a Slack
channel, an account) is not reported again. A fully valid config never reaches this module: it is validated whole, as before.

The rebuilt models are made with `model_construct`, so they only ever exist on the way to a
refusal (the loader raises whenever phase 1 found anything) and never reach a component.
"""

from __future__ import annotations

import typing
from typing import Any, Callable, Iterable

from pydantic import BaseModel, TypeAdapter


class Unavailable(Exception):
    """A check touched a part of the config whose shape error is already reported."""


def _unavailable(*_args, **_kwargs):
    raise Unavailable


class _InvalidPart:
    """Stands for a part of the config that failed phase 1; any use of it raises `Unavailable`."""

    __slots__ = ()


for _name in (
    "__getattr__ __getitem__ __iter__ __len__ __contains__ __bool__ __eq__ __ne__ __lt__ __le__ __gt__ __ge__ __hash__ "
    "__str__ __repr__ __format__ __add__ __radd__ __mul__ __rmul__ __int__ __float__ __index__ __fspath__ __call__"
).split():
    setattr(_InvalidPart, _name, _unavailable)

INVALID: Any = _InvalidPart()


def _strip(annotation: Any) -> Any:
    """The type under Annotated[...] and Optional[...] (None is valid wherever Optional allows it)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin is typing.Union and type(None) in typing.get_args(annotation):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _locations(errors: Iterable[dict]) -> list[tuple]:
    # A dict key that fails validation is reported with a trailing "[key]": the entry is what failed.
    return [tuple(part for part in error["loc"] if part != "[key]") for error in errors]


def _bad_keys(errors: Iterable[dict]) -> set[tuple]:
    return {tuple(error["loc"][: error["loc"].index("[key]")]) for error in errors if "[key]" in error["loc"]}


def _rebuild(annotation: Any, data: Any, path: tuple, failed: list[tuple], bad_keys: frozenset[tuple] = frozenset()) -> Any:
    under = [loc for loc in failed if loc[: len(path)] == path]
    if not under:
        return TypeAdapter(annotation).validate_python(data)
    if path in under:
        return INVALID  # the part itself is wrong (its type, a length, a model-level check)
    kind = _strip(annotation)
    if data is None:
        return INVALID
    if isinstance(kind, type) and issubclass(kind, BaseModel) and isinstance(data, dict):
        values = {}
        for name, field in kind.model_fields.items():
            if name in data:
                values[name] = _rebuild(field.annotation, data[name], path + (name,), under, bad_keys)
            elif path + (name,) in under:
                values[name] = INVALID  # required and missing
        return kind.model_construct(**values)
    if typing.get_origin(kind) is dict and isinstance(data, dict):
        value_type = typing.get_args(kind)[1]
        return {key: _rebuild(value_type, value, path + (key,), under, bad_keys) for key, value in data.items() if path + (key,) not in bad_keys}
    # Lists (and scalars, unions) are all or nothing: a check iterating one stops at its first item anyway.
    return INVALID


def partial(model: type[BaseModel], data: dict, errors: Iterable[dict]) -> Any:
    """`model` rebuilt from `data`, each part under one of the pydantic `errors` replaced by `INVALID`."""
    errors = list(errors)
    return _rebuild(model, data, (), _locations(errors), frozenset(_bad_keys(errors)))


def attempt(check: Callable[..., Any], *args: Any) -> Any:
    """`check(*args)`, or `INVALID` when an argument is `INVALID` or the check touches an invalid part.

    Issues a check reported before it stopped stay reported: they were found on valid parts.
    """
    if any(arg is INVALID for arg in args):
        return INVALID
    try:
        return check(*args)
    except Unavailable:
        return INVALID
    except TypeError as err:
        # C code (str.join, re, json) refuses the marker without calling any of its methods.
        if type(INVALID).__name__ in str(err):
            return INVALID
        raise
