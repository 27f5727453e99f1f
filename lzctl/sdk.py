"""The Pulumi SDK internals the offline plan relies on, and nothing else, behind one small module.

The plan runs a program in-process under the mock runtime and records what it registers; for that
it needs a few things the SDK does not publish: the event loop helper, the set of outstanding
outputs and RPCs, the root stack's context variable, the mock monitor's gRPC method names, the
signatures of serialized secrets and resource references, the per-resource stack trace it
skips, and the check for unknown values it replaces with one that leaves no garbage cycles. `problems()` says which of them the installed SDK no longer has; tests/test_sdk.py fails,
naming the pulumi version, when one goes.
"""

from __future__ import annotations

import hashlib
import inspect
from importlib.metadata import version
from typing import Any, Awaitable, Callable, Optional

from pulumi.runtime import config as _config
from pulumi.runtime import known_types as _known_types
from pulumi.runtime import resource as _resource
from pulumi.runtime import rpc as _rpc
from pulumi.runtime import settings as _settings
from pulumi.runtime import stack as _stack
from pulumi.runtime import sync_await as _sync
from pulumi.runtime.mocks import MockMonitor, Mocks, set_mocks

PULUMI_VERSION = version("pulumi")

SIGNATURE_KEY = getattr(_rpc, "_special_sig_key", None)
SECRET_SIGNATURE = getattr(_rpc, "_special_secret_sig", None)
RESOURCE_SIGNATURE = getattr(_rpc, "_special_resource_sig", None)
UNKNOWN_VALUE = getattr(_rpc, "UNKNOWN", None)
"""How serialized property values mark a secret, a resource reference and a value unknown in a preview."""

MONITOR_METHODS = ("RegisterResource", "ReadResource", "RegisterResourceOutputs")
"""The mock monitor's gRPC handlers the recorder overrides."""

__all__ = ["MockMonitor", "Mocks", "PULUMI_VERSION", "install", "pending", "reset", "run", "set_config"]


def set_config(config: dict[str, str], secret_keys: list[str]) -> None:
    """Config as the CLI would pass it: fully qualified keys, JSON-encoded non-strings."""
    _config.set_all_config(config, secret_keys)


def install(mocks: Mocks, *, project: str, stack: str, logger: Any, monitor: MockMonitor, root: Optional[str] = None) -> None:
    """Mocks and the recording monitor for the next run (`preview`, as `lzctl plan` is one). `root`: the
    project folder `pulumi.get_root_directory()` answers, as the CLI gives it (`set_mocks` takes none)."""
    set_mocks(mocks, project=project, stack=stack, preview=True, logger=logger, monitor=monitor)
    if root is not None:
        _settings.SETTINGS.root_directory = root


def reset() -> None:
    """Forget earlier runs in this process: their outputs (a failed run leaves errored ones on
    purpose, for the engine to report at exit) and the empty stack `set_mocks` registered."""
    _settings.SETTINGS.outputs = set()
    _sync._sync_await(_stack.wait_for_rpcs())
    _settings.ROOT.set(None)


def pending() -> list:
    """The outputs and RPCs the program has started and not finished."""
    outputs = [task for task in _settings.SETTINGS.outputs if not task.done()]
    return outputs + [rpc for rpc in _settings._get_rpc_manager().rpcs if not rpc.done()]


def _no_stack_trace() -> Any:
    return _resource.source_pb2.StackTrace()


# The SHA-256 of the source of the SDK's contains_unknowns that `contains_unknowns` below repeats
# (pulumi 3.272.0, pulumi/runtime/rpc.py): when a new SDK changes it, `problems()` says so, and the
# two are compared again before the digest is updated (the table in tests/test_sdk.py compares only
# its own values).
SDK_CONTAINS_UNKNOWNS_SHA256 = "1f1f335b6f48b96055607dbb5be2e53b1163e35ec88704c89a41271070017cc8"


def _source_sha256(function: Any) -> Optional[str]:
    try:
        return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()
    except (OSError, TypeError):
        return None


def contains_unknowns(value: Any) -> bool:
    """`pulumi.runtime.rpc.contains_unknowns` as the SDK writes it (pulumi 3.272, rpc.py): whether an
    unknown is in `value` or in the dicts and lists within it, each object looked at once.

    The SDK's own defines its recursive helper inside every call, and the helper reaches itself
    through a closure cell: each call leaves a cycle of six objects (the function, its cell, its
    closure tuple, its annotations tuple, the `set[int]` in it and that alias's arguments; the set of
    seen ids is not in it) that only the cyclic collector frees. Outputs call it for every value they
    resolve: 11,519 calls in the example's management plan, 69,000 of the 101,000 objects of cyclic
    garbage it leaves (gc.DEBUG_SAVEALL, by type, pulumi 3.272, Python 3.11). This one recurses
    through a module function, whose garbage reference counting frees.
    """
    return _unknown_within(value, set())


def _unknown_within(value: Any, seen: set[int]) -> bool:
    if _known_types.is_unknown(value):
        return True
    if id(value) in seen:
        return False
    seen.add(id(value))
    if isinstance(value, dict):
        return any(_unknown_within(value[key], seen) for key in value)
    if isinstance(value, list):
        return any(_unknown_within(item, seen) for item in value)
    return False


def run(program: Callable[[], Awaitable[None]]) -> None:
    """Run `program` as the body of a fresh stack, to the end, on the SDK's event loop.

    Without the source positions the SDK sends with each registration: the plan records none,
    and taking them (the whole Python stack per resource, each frame's file turned into a URI and
    its line read) was a third of a 100-application plan, more the deeper the components nest.
    With `contains_unknowns` above in place of the SDK's (`pulumi.Output` and the rest of the SDK
    call it through the `rpc` module): the same answers, without a garbage cycle per call, whose
    collection was a fifth of a 30-application plan's CPU.
    """
    stack_trace, unknowns = _resource._get_stack_trace, _rpc.contains_unknowns
    _resource._get_stack_trace, _rpc.contains_unknowns = _no_stack_trace, contains_unknowns
    try:
        _sync._sync_await(_stack.run_in_stack(program))
    finally:
        _resource._get_stack_trace, _rpc.contains_unknowns = stack_trace, unknowns


def problems() -> list[str]:
    """What this module needs and the installed SDK lacks; empty when all is there."""
    found = [
        f"pulumi.runtime.rpc has no {name}"
        for name in ("_special_sig_key", "_special_secret_sig", "_special_resource_sig", "UNKNOWN")
        if not hasattr(_rpc, name)
    ]
    settings = _settings.SETTINGS
    if not isinstance(getattr(settings, "outputs", None), set):
        found.append("pulumi.runtime.settings.SETTINGS.outputs is not a set")
    if not hasattr(_settings._get_rpc_manager(), "rpcs"):
        found.append("pulumi.runtime.settings._get_rpc_manager() has no rpcs")
    if not hasattr(_settings.ROOT, "set"):
        found.append("pulumi.runtime.settings.ROOT is not a context variable")
    if not callable(getattr(_resource, "_get_stack_trace", None)) or not hasattr(getattr(_resource, "source_pb2", None), "StackTrace"):
        found.append("pulumi.runtime.resource has no _get_stack_trace or source_pb2.StackTrace")
    if not callable(getattr(_rpc, "contains_unknowns", None)) or not callable(getattr(_known_types, "is_unknown", None)):
        found.append("pulumi.runtime.rpc has no contains_unknowns, or known_types no is_unknown")
    elif _source_sha256(_rpc.contains_unknowns) != SDK_CONTAINS_UNKNOWNS_SHA256:
        found.append(
            "pulumi.runtime.rpc.contains_unknowns is not the one lzctl.sdk.contains_unknowns repeats (its source changed, or cannot be read):"
            " compare the two, then update SDK_CONTAINS_UNKNOWNS_SHA256"
        )
    if not callable(getattr(_sync, "_sync_await", None)):
        found.append("pulumi.runtime.sync_await._sync_await is gone")
    for name in ("monitor", "preview", "logger"):
        if name not in inspect.signature(set_mocks).parameters:
            found.append(f"pulumi.runtime.mocks.set_mocks takes no {name}=")
    for name in MONITOR_METHODS:
        if not callable(getattr(MockMonitor, name, None)):
            found.append(f"pulumi.runtime.mocks.MockMonitor has no {name}")
    if "secret_keys" not in inspect.signature(_config.set_all_config).parameters:
        found.append("pulumi.runtime.config.set_all_config takes no secret_keys")
    return found
