"""Is a permission set's inline policy an IAM identity policy AWS would accept? Its grammar, then
parliament's findings, split into what AWS refuses (errors) and what it accepts but that grants
nothing or something else than meant (warnings).

Sources (checked 2026-12):
- grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
- no Principal in identity policies: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
- Sid unique within a policy: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
- Version values: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
"""

from __future__ import annotations

import json
from typing import Any

import disk_cache

VERSIONS = ("2012-10-17", "2008-10-17")
_TOP = {"Version", "Id", "Statement"}
_STATEMENT = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}
PARLIAMENT_ERRORS = frozenset(
    {"EXCEPTION", "MALFORMED_JSON", "MALFORMED", "DUPLICATE_SID", "INVALID_SID", "INVALID_VERSION", "INVALID_ARN", "UNKNOWN_OPERATOR"}
)
"""Findings of what IAM's policy validation refuses (MalformedPolicyDocument)."""
PARLIAMENT_WARNINGS = frozenset(
    {
        "UNKNOWN_ACTION",
        "UNKNOWN_PREFIX",
        "UNKNOWN_CONDITION_FOR_ACTION",
        "RESOURCE_MISMATCH",
        "MISMATCHED_TYPE",
        "MISMATCHED_TYPE_BUT_USABLE",
        "MISMATCHED_TYPE_OPERATION_TO_NULL",
        "BAD_PATTERN_FOR_MFA",
        "NO_VERSION",
        "OLD_VERSION",
    }
)
"""Accepted by IAM, but the statement grants nothing (an action or condition key that does not exist,
actions that match none of the resources) or not what it says (no Version: policy variables are
read literally). parliament's NOT_IDEAL style findings (Resource "*") are left out."""


def _strings(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value))


def _statement_problems(index: int, statement: Any) -> list[str]:
    where = f"Statement[{index}]"
    if not isinstance(statement, dict):
        return [f"{where} must be an object"]
    problems = []
    if "Principal" in statement or "NotPrincipal" in statement:
        problems.append(f"{where} names a Principal: identity policies (a permission set's) cannot; the principal is whoever holds the permission set")
    for key in sorted(set(statement) - _STATEMENT - {"Principal", "NotPrincipal"}):
        problems.append(f"{where} has the unknown element {key!r} (allowed: {', '.join(sorted(_STATEMENT))})")
    if statement.get("Effect") not in ("Allow", "Deny"):
        problems.append(f"{where}.Effect must be Allow or Deny (got {statement.get('Effect')!r})")
    for one, other in (("Action", "NotAction"), ("Resource", "NotResource")):
        given = [key for key in (one, other) if key in statement]
        if len(given) != 1:
            problems.append(f"{where} needs exactly one of {one} or {other}")
        elif not _strings(statement[given[0]]):
            problems.append(f"{where}.{given[0]} must be a string or a non-empty list of strings")
    for key in ("Action", "NotAction"):
        actions = statement.get(key)
        for action in [actions] if isinstance(actions, str) else actions if isinstance(actions, list) else []:
            if isinstance(action, str) and action != "*" and action.count(":") != 1:
                problems.append(f"{where}.{key}: {action!r} is not service:action (e.g. s3:GetObject)")
    condition = statement.get("Condition")
    if condition is not None and not (isinstance(condition, dict) and all(isinstance(v, dict) for v in condition.values())):
        problems.append(f"{where}.Condition must map operators to {{key: value}} objects")
    if "Sid" in statement and not isinstance(statement["Sid"], str):
        problems.append(f"{where}.Sid must be a string")
    return problems


def check_identity_policy(document: Any) -> tuple[list[str], list[str]]:
    """(errors, warnings) for an identity policy document (parsed JSON)."""
    if not isinstance(document, dict):
        return [f"must be a JSON object, not {type(document).__name__}"], []
    errors = [f"has the unknown top-level element {key!r} (allowed: Id, Statement, Version)" for key in sorted(set(document) - _TOP)]
    if "Version" in document and document["Version"] not in VERSIONS:
        errors.append(f"Version must be {' or '.join(VERSIONS)} (got {document['Version']!r})")
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        return errors + ["needs a Statement: an object or a non-empty list of them"], []
    for index, statement in enumerate(statements):
        errors += _statement_problems(index, statement)
    sids = [s.get("Sid") for s in statements if isinstance(s, dict) and isinstance(s.get("Sid"), str)]
    errors += [f"Sid {sid!r} is used by more than one statement; IAM requires them unique" for sid in sorted({s for s in sids if sids.count(s) > 1})]
    if errors:
        return errors, []  # parliament's findings on a malformed document repeat these
    found_errors, found_warnings = _parliament(json.dumps(document))
    return list(found_errors), list(found_warnings)


def _parliament(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """parliament's findings on a policy's JSON text, as (errors, warnings).

    Kept on disk per text (disk_cache.py): importing parliament (its 10 MB IAM definition
    and pkg_resources, which scans every installed package) was a fifth of a whole `lzctl plan`.
    """
    return disk_cache.cached("parliament", (text,), __file__, lambda: _analyze(text))


def _analyze(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # Imported here, not at the top: only a config with inline policies needs it, and only once.
    from parliament import analyze_policy_string

    errors, warnings = [], []
    for finding in analyze_policy_string(text).findings:
        line = f"{finding.issue}: {finding.detail}" if finding.detail else finding.issue
        if finding.issue in PARLIAMENT_ERRORS:
            errors.append(f"parliament {line}")
        elif finding.issue in PARLIAMENT_WARNINGS:
            warnings.append(f"parliament {line}")
    return tuple(errors), tuple(warnings)
