"""IAM action names from parliament's bundled copy of the Service Authorization Reference.

Used to check that an action name exists, to expand wildcards, and to tell whether an action
authorizes a resource (RCPs apply only to those: Organizations User Guide, "RCP effects on
permissions"). The data is read from the installed parliament package (requirements.txt pins it);
actions AWS added after that copy are unknown here, so callers treat "unknown" as a note, not an error.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Optional

from disk_cache import kept
from guardrails.iam_matching import action_matches


def _definition_file() -> Path:
    spec = importlib.util.find_spec("parliament")
    return Path(next(iter(spec.submodule_search_locations))) / "iam_definition.json"


def _work_out_index() -> dict:
    """{"actions": {prefix: {name: [spelling, authorizes a resource]}}, "arn_services": {prefix: [ARN service parts]}}, lower-case keys."""
    # parliament's own parsed copy when it is loaded; else the file itself, read from where
    # parliament is installed without importing it (the import also brings pkg_resources, which
    # scans every installed package).
    loaded = sys.modules.get("parliament")
    data = loaded.iam_definition if loaded is not None else json.loads(_definition_file().read_text(encoding="utf-8"))
    actions: dict[str, dict[str, list]] = {}
    arn_services: dict[str, set[str]] = {}
    for service in data:
        prefix = service["prefix"].lower()
        known = actions.setdefault(prefix, {})
        for privilege in service["privileges"]:
            known[privilege["privilege"].lower()] = [privilege["privilege"], any(entry["resource_type"] for entry in privilege["resource_types"])]
        for resource in service["resources"]:
            parts = resource["arn"].split(":")
            if len(parts) > 2:
                arn_services.setdefault(prefix, set()).add(parts[2].lower())
    return {"actions": actions, "arn_services": {prefix: sorted(found) for prefix, found in arn_services.items()}}


def _read_back(data: object) -> Optional[dict]:
    actions, arn_services = data["actions"], data["arn_services"]
    if not all(
        isinstance(name, str) and isinstance(spelling, str) and isinstance(authorizes, bool)
        for known in actions.values()
        for name, (spelling, authorizes) in known.items()
    ):
        return None
    if not all(isinstance(part, str) for found in arn_services.values() for part in found):
        return None
    return data


@lru_cache(maxsize=1)
def _index() -> dict:
    # Parsing the 10 MB definition took 0.11 s of CPU in every process that checks a policy (the
    # example's plan: its self-denial rule); the 1 MB index of it that this module reads is kept
    # on disk (disk_cache.py) per the file's size and time, parliament's version and this module.
    try:
        stat = _definition_file().stat()
        parts = (f"{stat.st_size}:{stat.st_mtime_ns}",)
    except OSError:
        parts = None
    return kept("parliament", parts, __file__, _work_out_index, _read_back) if parts else _work_out_index()


def _definitions() -> dict[str, dict[str, list]]:
    """service prefix (lower case) -> action name (lower case) -> [its spelling in the reference, whether it authorizes a resource]."""
    return _index()["actions"]


@lru_cache(maxsize=1)
def _arn_services() -> dict[str, frozenset[str]]:
    """service prefix -> the ARN service parts of its resource types (`sts` -> {`iam`, `sts`})."""
    return {prefix: frozenset(found) for prefix, found in _index()["arn_services"].items()}


def arn_services(service: str) -> frozenset[str]:
    """The service part of the ARNs a service's actions act on; the prefix itself when the data has none."""
    return _arn_services().get(service.lower(), frozenset()) | {service.lower()}


def _split(action: str) -> tuple[str, str]:
    service, _, name = action.partition(":")
    return service.lower(), name.lower()


def known_service(service: str) -> bool:
    return service.lower() in _definitions()


def known_action(action: str) -> bool:
    service, name = _split(action)
    return name in _definitions().get(service, {})


def canonical(action: str) -> str:
    """The action as the reference spells it (`s3:putlifecycleconfiguration` -> `s3:PutLifecycleConfiguration`)."""
    service, name = _split(action)
    record = _definitions().get(service, {}).get(name)
    return f"{service}:{record[0]}" if record else action


def authorizes_resource(action: str) -> Optional[bool]:
    """Whether the action's row in the reference names a resource type; None for an unknown action."""
    service, name = _split(action)
    record = _definitions().get(service, {}).get(name)
    return None if record is None else record[1]


def expand(pattern: str) -> list[str]:
    """Every known action a pattern such as `s3:Put*` or `*:Get*` matches."""
    return [
        f"{service}:{record[0]}"
        for service, actions in _definitions().items()
        for record in actions.values()
        if action_matches(pattern, f"{service}:{record[0]}")
    ]


def suggestions(action: str, limit: int = 3) -> list[str]:
    """Known actions of the same service closest in spelling, for a hint."""
    service, name = _split(action)
    names = {n: record[0] for n, record in _definitions().get(service, {}).items()}
    return [f"{service}:{names[n]}" for n in difflib.get_close_matches(name, list(names), n=limit, cutoff=0.6)]
