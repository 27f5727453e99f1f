"""Runs a Pulumi program in-process under the mock runtime and records what it registers.

The record holds what `pulumi preview --json` reports per step: type, URN, parent, provider,
protect, import id, dependencies and inputs under the engine's names, secrets masked.
"""

from __future__ import annotations

import asyncio
import bisect
import gc
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from google.protobuf import json_format

from lzctl import sdk
from lzctl.sdk import MockMonitor, Mocks

STACK_TYPE = "pulumi:pulumi:Stack"
SECRET = "[secret]"
UNKNOWN = "[unknown]"


def plain(value: Any) -> Any:
    """A serialized property value made printable: secrets masked, resource references as URNs."""
    if isinstance(value, dict):
        signature = value.get(sdk.SIGNATURE_KEY)
        if signature == sdk.SECRET_SIGNATURE:
            return SECRET
        if signature == sdk.RESOURCE_SIGNATURE:
            return value.get("urn")
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if value == sdk.UNKNOWN_VALUE:
        return UNKNOWN
    return value


@dataclass(frozen=True)
class PlannedResource:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    protect: bool
    inputs: dict
    dependencies: tuple[str, ...]
    import_id: str = ""
    id: str = ""
    """The id the mocks answered, for rules that match resources by id."""
    read: bool = False
    """Read, not managed (a stack reference, a `get` of an existing resource)."""
    aliases: tuple[dict, ...] = ()
    """Alias specs as the engine gets them (`{"spec": {"noParent": True}}`: it was a child of the stack)."""
    ignore_changes: tuple[str, ...] = ()
    """Inputs the engine leaves as they are (engine names), in an import's comparison too."""
    retain_on_delete: bool = False
    """Left in place, not deleted, when the program stops declaring it."""
    delete_before_replace: bool = False
    """The option: a replacement deletes the old resource before creating the new one."""

    @property
    def op(self) -> str:
        return "read" if self.read else "import" if self.import_id else "create"


@dataclass
class Plan:
    project: str
    stack: str
    resources: list[PlannedResource] = field(default_factory=list)
    outputs: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def of_type(self, type_: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type == type_]

    def named(self, name: str) -> PlannedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]


def in_dependency_order(resources: list[PlannedResource]) -> list[PlannedResource]:
    """Parents, providers and dependencies before their dependents; ties by URN.

    Registration order under the mock runtime depends on how asyncio interleaves the program's
    outputs, so it is not stable from one run to the next; this order is.
    """
    by_urn = {r.urn: r for r in resources}
    needs = {r.urn: {u for u in (r.parent, r.provider.rsplit("::", 1)[0], *r.dependencies) if u in by_urn} for r in resources}
    dependents: dict[str, list[str]] = {urn: [] for urn in by_urn}
    for urn, required in needs.items():
        for other in required:
            dependents[other].append(urn)
    ready = sorted(urn for urn, required in needs.items() if not required)
    ordered: list[PlannedResource] = []
    while ready:
        urn = ready.pop(0)
        ordered.append(by_urn[urn])
        for dependent in dependents[urn]:
            needs[dependent].discard(urn)
            if not needs[dependent]:
                bisect.insort(ready, dependent)
    return ordered


class DuplicateResourceError(Exception):
    """The engine refuses two registrations of one URN; the mock monitor alone would overwrite."""


class RecordingMonitor(MockMonitor):
    """The mock monitor, keeping every registration request the program sends."""

    def __init__(self, mocks: Mocks):
        super().__init__(mocks)
        self.recorded: dict[str, PlannedResource] = {}
        self.stack_outputs: dict = {}

    def _record(self, urn: str, request, properties, **fields) -> None:
        if urn in self.recorded:
            raise DuplicateResourceError(f"duplicate resource URN {urn}: two resources share a type, parent type and name")
        self.recorded[urn] = PlannedResource(
            urn=urn,
            type=request.type,
            name=request.name,
            parent=request.parent,
            provider=request.provider,
            inputs=plain(json_format.MessageToDict(properties)),
            dependencies=tuple(sorted(request.dependencies)),
            **fields,
        )

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        self._record(
            response.urn,
            request,
            request.object,
            custom=request.custom,
            protect=request.protect,
            import_id=request.importId,
            id=response.id,
            aliases=tuple(json_format.MessageToDict(alias) for alias in request.aliases),
            ignore_changes=tuple(request.ignoreChanges),
            retain_on_delete=request.retainOnDelete,
            delete_before_replace=request.deleteBeforeReplace,
        )
        return response

    def ReadResource(self, request):
        response = super().ReadResource(request)
        self._record(response.urn, request, request.properties, custom=True, protect=False, id=request.id, read=True)
        return response

    def RegisterResourceOutputs(self, request):
        if request.urn.split("::")[2] == STACK_TYPE:
            self.stack_outputs = plain(json_format.MessageToDict(request.outputs))
        return super().RegisterResourceOutputs(request)


async def _settle() -> None:
    """Wait, one pass per wave, for every registration and output the program has started.

    The SDK's own shutdown loop waits FIRST_COMPLETED over all outstanding outputs again after
    every completion, which is quadratic in their number (a 100-application plan spent most of its
    time there). Waiting for all of them at once is linear; the SDK loop then finds nothing left.
    """
    while True:
        pending = sdk.pending()
        if not pending:
            return
        await asyncio.wait(pending)


class _Collect(logging.Handler):
    def __init__(self, into: list[str]):
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record.getMessage())


def run_program(
    program: Callable[[], None],
    *,
    project: str,
    stack: str,
    config: Optional[dict[str, str]] = None,
    secret_keys: Optional[list[str]] = None,
    mocks: Mocks,
    root: Optional[str] = None,
) -> Plan:
    """Run `program` as the body of a fresh stack under `mocks`; return everything it registered.
    `root`: the project folder the program sees as its root directory (the stack files' folder).

    Exceptions from the program propagate after outstanding registrations have settled.
    """
    plan = Plan(project, stack)
    logger = logging.getLogger(f"lzctl.plan.{project}.{stack}")
    logger.propagate = False
    logger.handlers = [_Collect(plan.warnings)]
    sdk.set_config(dict(config or {}), list(secret_keys or []))
    monitor = RecordingMonitor(mocks)
    sdk.install(mocks, project=project, stack=stack, logger=logger, monitor=monitor, root=root)
    sdk.reset()
    monitor.recorded.clear()

    def program_then_settle():
        program()
        return _settle()

    # The run allocates hundreds of thousands of short-lived asyncio objects but few cycles, so the
    # collector's sweeps over the growing heap were half the time of a 100-application plan and
    # made it grow faster than linearly; one collection at the end reclaims the same memory.
    # Frozen first, what existed before the run (the imported SDKs, earlier plans of the same
    # process) is left out of that collection: sweeping it was most of the collection's time.
    # A caller that turned the collector off has taken charge of it (the CLI, whose process ends
    # after its plans: lzctl/cli.py `run`; the test suite, which collects after each test:
    # tests/conftest.py): the run leaves it off and collects nothing.
    collecting = gc.isenabled()
    if collecting:
        gc.freeze()
        gc.disable()
    try:
        sdk.run(program_then_settle)
    finally:
        if collecting:
            gc.enable()
            gc.collect()
            gc.unfreeze()
        plan.resources = in_dependency_order(list(monitor.recorded.values()))
        plan.outputs = monitor.stack_outputs
    return plan
