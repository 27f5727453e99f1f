"""The Pulumi SDK internals the offline plan relies on, and nothing else, behind one small module.

The plan runs a program in-process under the mock runtime and records what it registers; for that
it needs a few things the SDK does not publish: the event loop helper, the set of outstanding
outputs and RPCs, the root stack's context variable, the mock monitor's gRPC method names, the
signatures of serialized secrets and resource references, and the per-resource stack trace it
skips. `problems()` says which of them the installed SDK no longer has; tests/test_sdk.py fails,
naming the pulumi version, when one goes.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version
from typing import Any, Awaitable, Callable, Optional

from pulumi.runtime import config as _config
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


def run(program: Callable[[], Awaitable[None]]) -> None:
    """Run `program` as the body of a fresh stack, to the end, on the SDK's event loop.

    Without the source positions the SDK sends with each registration: the plan records none,
    and taking them (the whole Python stack per resource, each frame's file turned into a URI and
    its line read) was a third of a 100-application plan, more the deeper the components nest.
    """
    stack_trace = _resource._get_stack_trace
    _resource._get_stack_trace = _no_stack_trace
    try:
        _sync._sync_await(_stack.run_in_stack(program))
    finally:
        _resource._get_stack_trace = stack_trace


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
