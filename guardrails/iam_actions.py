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

from guardrails.iam_matching import action_matches


@lru_cache(maxsize=1)
def _data() -> list[dict]:
    # parliament's own parsed copy when it is loaded (parsing the 10 MB file again takes as long);
    # else the file itself, read from where parliament is installed without importing it: the
    # import also brings pkg_resources, which scans every installed package (a tenth of a plan).
    loaded = sys.modules.get("parliament")
    if loaded is not None:
        return loaded.iam_definition
    spec = importlib.util.find_spec("parliament")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return json.loads((folder / "iam_definition.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _definitions() -> dict[str, dict[str, dict]]:
    """service prefix (lower case) -> action name (lower case) -> parliament's privilege record."""
    services: dict[str, dict[str, dict]] = {}
    for service in _data():
        actions = services.setdefault(service["prefix"].lower(), {})
        for privilege in service["privileges"]:
            actions[privilege["privilege"].lower()] = privilege
    return services


@lru_cache(maxsize=1)
def _arn_services() -> dict[str, frozenset[str]]:
    """service prefix -> the ARN service parts of its resource types (`sts` -> {`iam`, `sts`})."""
    found: dict[str, set[str]] = {}
    for service in _data():
        for resource in service["resources"]:
            parts = resource["arn"].split(":")
            if len(parts) > 2:
                found.setdefault(service["prefix"].lower(), set()).add(parts[2].lower())
    return {prefix: frozenset(services) for prefix, services in found.items()}


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
    return f"{service}:{record['privilege']}" if record else action


def authorizes_resource(action: str) -> Optional[bool]:
    """Whether the action's row in the reference names a resource type; None for an unknown action."""
    service, name = _split(action)
    record = _definitions().get(service, {}).get(name)
    if record is None:
        return None
    return any(entry["resource_type"] for entry in record["resource_types"])


def expand(pattern: str) -> list[str]:
    """Every known action a pattern such as `s3:Put*` or `*:Get*` matches."""
    return [
        f"{service}:{record['privilege']}"
        for service, actions in _definitions().items()
        for record in actions.values()
        if action_matches(pattern, f"{service}:{record['privilege']}")
    ]


def suggestions(action: str, limit: int = 3) -> list[str]:
    """Known actions of the same service closest in spelling, for a hint."""
    service, name = _split(action)
    names = {n: record["privilege"] for n, record in _definitions().get(service, {}).items()}
    return [f"{service}:{names[n]}" for n in difflib.get_close_matches(name, list(names), n=limit, cutoff=0.6)]
