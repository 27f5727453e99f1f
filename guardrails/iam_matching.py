"""How IAM matches one request against one policy statement: wildcards, ARNs, policy variables, conditions.

Pure functions, no AWS calls. What each does follows the IAM User Guide (checked 2026-12):

- Action names match case-insensitively, with `*` and `?` anywhere in the name
  (reference_policies_elements_action.html).
- Resource ARNs match case-sensitively, each of the six colon-delimited parts on its own, `*` and `?`
  inside any part; the resource part may itself hold colons (reference_policies_elements_resource.html).
- Condition keys are case-insensitive, values are compared as each operator says
  (reference_policies_elements_condition_operators.html): several values of one key are ORed, several
  keys and several operators are ANDed (reference_policies_condition-logic-multiple-context-keys-or-values.html).
- A key missing from the request context: a positive operator is false, a negated one
  (`...Not...`, `NotIpAddress`) is true, `...IfExists` is true, `Null` tests for exactly this;
  `ForAllValues:` is true and `ForAnyValue:` false on a missing or empty key, with or without
  `IfExists` (reference_policies_condition-single-vs-multi-valued-context-keys.html).
- Policy variables `${key}` (with an optional `, 'default'`) in resources and string / ARN conditions,
  and `${*}`, `${?}`, `${$}` for the literal characters; a variable whose key is missing matches
  nothing (reference_policies_variables.html).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from datetime import datetime, timezone
from functools import lru_cache
from typing import Callable, Mapping, Optional, Sequence

Context = Mapping[str, tuple[str, ...]]
"""Request context: condition key in lower case -> its values (a single-valued key has one)."""


class PolicyError(ValueError):
    """A policy uses something IAM does not define (or this simulator does not implement)."""


_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_LITERAL_VARIABLES = {"*": "*", "?": "?", "$": "$"}


def _resolve(text: str, context: Optional[Context]) -> Optional[list[tuple[str, str]]]:
    """`text` as (kind, piece) tokens, kind `glob` (wildcards active) or `literal`; None if a variable has no value."""
    tokens: list[tuple[str, str]] = []
    position = 0
    for match in _VARIABLE.finditer(text) if context is not None else ():
        tokens.append(("glob", text[position : match.start()]))
        position = match.end()
        body = match.group(1).strip()
        if body in _LITERAL_VARIABLES:
            tokens.append(("literal", _LITERAL_VARIABLES[body]))
            continue
        key, _, default = body.partition(",")
        values = context.get(key.strip().lower())
        if values is not None and len(values) == 1:
            tokens.append(("literal", values[0]))
        elif default.strip().startswith("'") and default.strip().endswith("'") and len(default.strip()) >= 2:
            tokens.append(("literal", default.strip()[1:-1]))
        else:
            return None
    tokens.append(("glob", text[position:]))
    return tokens


@lru_cache(maxsize=8192)
def _glob(piece: str) -> str:
    # Cached: the plan's self-denial rule matches the same few hundred patterns ~100,000 times, and
    # escaping them character by character again each time was most of `lzctl plan`'s time.
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in piece)


def _regex(tokens: Sequence[tuple[str, str]]) -> str:
    return "".join(re.escape(piece) if kind == "literal" else _glob(piece) for kind, piece in tokens)


@lru_cache(maxsize=4096)
def _compiled(pattern: str, ignore_case: bool) -> re.Pattern:
    return re.compile(pattern, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


@lru_cache(maxsize=8192)
def _plain(pattern: str, ignore_case: bool) -> re.Pattern:
    return _compiled(_glob(pattern), ignore_case)


def glob_match(pattern: str, value: str, *, ignore_case: bool = False, context: Optional[Context] = None) -> bool:
    """`*` any run of characters, `?` one character; policy variables resolved when a context is given."""
    if context is None or "${" not in pattern:
        # No variable to resolve: the whole pattern is one glob (what _resolve would return), compiled once.
        return _plain(pattern, ignore_case).fullmatch(value) is not None
    tokens = _resolve(pattern, context)
    if tokens is None:
        return False
    return _compiled(_regex(tokens), ignore_case).fullmatch(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    return glob_match(pattern, action, ignore_case=True)


@lru_cache(maxsize=4096)
def _any_of(patterns: tuple[str, ...]) -> re.Pattern:
    # Compiled here, not through _compiled: the alternations would crowd the single patterns out of its cache.
    return re.compile("|".join(f"(?:{_glob(pattern)})" for pattern in patterns), re.DOTALL | re.IGNORECASE)


def any_action_matches(patterns: tuple[str, ...], action: str) -> bool:
    """Whether `action` matches one of `patterns` (`action_matches` of any), as one expression per
    tuple of patterns: the self-denial rule asks ~100,000 times of a few hundred statements, and
    matching each pattern on its own was two fifths of the rule's time."""
    # No pattern matches nothing: the empty alternation would match the empty action.
    return bool(patterns) and _any_of(patterns).fullmatch(action) is not None


def arn_matches(pattern: str, arn: str, context: Optional[Context] = None) -> bool:
    """ArnLike / Resource matching: the six parts of the ARN each matched on their own."""
    if pattern == "*":
        return True
    pattern_parts = pattern.split(":", 5)
    value_parts = arn.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return False
    return all(glob_match(p, v, context=context) for p, v in zip(pattern_parts, value_parts, strict=True))


# Condition operators -------------------------------------------------------------------------


def _number(text: str) -> Optional[float]:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _date(text: str) -> Optional[datetime]:
    """ISO 8601 (W3C profile) or epoch seconds, as the Date operators accept."""
    number = _number(text)
    if number is not None:
        return datetime.fromtimestamp(number, tz=timezone.utc)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _compare(parse: Callable[[str], object], test: Callable[[object, object], bool]) -> Callable[[str, str, Optional[Context]], bool]:
    def compare(value: str, policy_value: str, context: Optional[Context]) -> bool:
        left, right = parse(value), parse(policy_value)
        return left is not None and right is not None and test(left, right)

    return compare


def _ip_in(value: str, policy_value: str, context: Optional[Context]) -> bool:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(policy_value, strict=False)
    except ValueError:
        return False


def _binary_equals(value: str, policy_value: str, context: Optional[Context]) -> bool:
    try:
        return base64.b64decode(value, validate=True) == base64.b64decode(policy_value, validate=True)
    except (binascii.Error, ValueError):
        return False


def _string_like(value: str, policy_value: str, context: Optional[Context]) -> bool:
    return glob_match(policy_value, value, context=context)


def _string_equals(value: str, policy_value: str, context: Optional[Context]) -> bool:
    tokens = _resolve(policy_value, context)
    return tokens is not None and value == "".join(piece for _, piece in tokens)


def _string_equals_ignore_case(value: str, policy_value: str, context: Optional[Context]) -> bool:
    tokens = _resolve(policy_value, context)
    return tokens is not None and value.casefold() == "".join(piece for _, piece in tokens).casefold()


def _arn_like(value: str, policy_value: str, context: Optional[Context]) -> bool:
    return arn_matches(policy_value, value, context)


_NUMERIC = {
    "Equals": lambda a, b: a == b,
    "LessThan": lambda a, b: a < b,
    "LessThanEquals": lambda a, b: a <= b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanEquals": lambda a, b: a >= b,
}

OPERATORS: dict[str, tuple[Callable[[str, str, Optional[Context]], bool], bool]] = {
    "StringEquals": (_string_equals, False),
    "StringNotEquals": (_string_equals, True),
    "StringEqualsIgnoreCase": (_string_equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_string_equals_ignore_case, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    "NumericNotEquals": (_compare(_number, _NUMERIC["Equals"]), True),
    "DateNotEquals": (_compare(_date, _NUMERIC["Equals"]), True),
    "Bool": (lambda v, p, c: v.casefold() == p.casefold(), False),
    "BinaryEquals": (_binary_equals, False),
    "IpAddress": (_ip_in, False),
    "NotIpAddress": (_ip_in, True),
    "ArnEquals": (_arn_like, False),
    "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnNotLike": (_arn_like, True),
    **{f"Numeric{name}": (_compare(_number, test), False) for name, test in _NUMERIC.items()},
    **{f"Date{name}": (_compare(_date, test), False) for name, test in _NUMERIC.items()},
}
"""Base operator -> (positive comparison of one request value with one policy value, negated?).

ArnEquals and ArnLike are the same test: both accept wildcards in every part (IAM User Guide,
"Amazon Resource Name (ARN) condition operators")."""

SET_QUALIFIERS = ("ForAllValues:", "ForAnyValue:")


def parse_operator(operator: str) -> tuple[str, str, bool]:
    """`ForAnyValue:StringLikeIfExists` -> ("ForAnyValue:", "StringLike", True)."""
    qualifier = next((q for q in SET_QUALIFIERS if operator.startswith(q)), "")
    base = operator[len(qualifier) :]
    if_exists = base.endswith("IfExists") and base != "IfExists"
    if if_exists:
        base = base[: -len("IfExists")]
    if base != "Null" and base not in OPERATORS:
        raise PolicyError(f"unknown condition operator {operator!r}")
    if base == "Null" and (if_exists or qualifier):
        raise PolicyError(f"{operator!r}: Null takes neither IfExists nor a set qualifier")
    return qualifier, base, if_exists


def condition_holds(operator: str, key: str, policy_values: Sequence[str], context: Context) -> bool:
    """One key of one operator block: does the request satisfy it?"""
    qualifier, base, if_exists = parse_operator(operator)
    values = context.get(key.lower())
    if base == "Null":
        return any((str(v).casefold() == "true") == (values is None) for v in policy_values)
    if values is None or (qualifier and not values):
        # A set qualifier decides a missing key even with IfExists: ForAnyValue:StringEqualsIfExists
        # on an absent aws:TagKeys does not match (observed on AWS, repost.aws QU9HFmDzP0QGuU-fd7rS6B7w).
        if qualifier:
            return qualifier == "ForAllValues:"
        return True if if_exists else OPERATORS[base][1]
    compare, negated = OPERATORS[base]
    policy_values = [str(v).lower() if isinstance(v, bool) else str(v) for v in policy_values]

    def single(value: str) -> bool:
        hit = any(compare(value, policy_value, context) for policy_value in policy_values)
        return not hit if negated else hit

    if qualifier == "ForAllValues:" or (not qualifier and negated):
        return all(single(value) for value in values)
    return any(single(value) for value in values)
