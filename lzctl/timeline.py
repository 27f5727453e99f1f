"""How long the first `pulumi up` of a plan takes, or the change from an earlier plan: a list schedule.

The graph is the plan's own (the steps of `plan --json`). A resource starts once every resource it
waits for has been created, and waits for:

- its `dependencies`. The Python SDK (pulumi 3.272, `runtime/rpc.py` `_add_dependency`, reached from
  `prepare_resource` in `runtime/resource.py` for both `depends_on` and the resources behind input
  Outputs) replaces a local component by the custom resources below it, recursively, so the plan's
  `dependencies` already name the resources a component stands for; a component never appears there.
  The children are those registered when the dependent is prepared: a component that builds them all
  in its constructor (this program's rule) is complete by then.
- its provider: the SDK awaits the provider's URN and id before it sends the registration.
- its parent: the SDK awaits the parent's URN, which the engine answers once the parent's own
  registration has finished. A component finishes registering at once, but only after its own
  `dependencies` are created; so a component with `depends_on` holds back every child. This is the
  edge the brief doubted: a component's children do not wait for the component's *children*, only
  for what the component itself depends on.

Durations and the services' concurrency limits come from `lzctl.durations`. `--parallel N` bounds how
many creates run at once (the engine's step workers; the CLI's default is unbounded, `pulumi up
--help`: "Defaults to unbounded. (default 2147483647)", and the SDK's automation docstrings say the
same). A resource that holds one of those slots may still wait for a service's slot (e.g. the
Identity Center's 10 outstanding assignments): it is then running as far as Pulumi knows.

Resources are started in the order they become ready (ties in plan order), as the engine does; a
service slot goes to the longest waiting. The total is when the last create finishes; the critical
path is the chain that sets it, walked back from the last resource through whatever held each one
back: the dependency created last, or the resource whose slot it took (a pool or `--parallel`).

With a previous plan, only resources that are new or whose inputs changed take time; the others are
already deployed (a `same` step, instantaneous). Inputs are compared as printed: a changed secret
(`[secret]` both times) or a changed unknown does not show. Deletes are not estimated.
"""

from __future__ import annotations

import heapq
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

from config.files import PLAN_MAX_BYTES, FileProblem, read_text
from lzctl.durations import POOLS, READ, Duration, Pool, duration_of

ACCOUNT_TYPE = "aws:organizations/account:Account"


class PlanFileError(Exception):
    """A previous plan that cannot be read: the message names the file and the problem."""


@dataclass(frozen=True)
class Node:
    urn: str
    type: str
    minutes: float
    """0 for a component, an unchanged resource, or the stack."""
    basis: str
    """The duration's basis (`lzctl.durations`); empty when it takes no time."""
    pool: str
    """The pool whose slot the create holds; empty for none."""
    waits_for: tuple[str, ...]
    """URNs of the plan's resources that must be created first."""


@dataclass(frozen=True)
class PathEntry:
    urn: str
    type: str
    minutes: float
    basis: str
    start: float
    """Minute the create started."""
    waited: float
    """Minutes it was ready but waited for a slot."""
    waited_for: str
    """`pool <name>` or `--parallel N` when it waited; empty otherwise."""


@dataclass(frozen=True)
class Timeline:
    total_minutes: float
    critical_path: tuple[PathEntry, ...]
    parallel: Optional[int]
    timed: int
    """Resources that take time (new or changed)."""
    unchanged: int = 0
    """Resources already deployed (with a previous plan)."""


def read_plan(path: Path) -> list[dict]:
    """The steps of a `plan --json` document, or PlanFileError listing what is wrong with it."""
    hint = "Hint: write one with `python -m lzctl plan --stack STACK --json --out FILE`."
    try:
        # A regular file only (a FIFO would block the run), of a plan's size at most.
        document = json.loads(read_text(Path(path), PLAN_MAX_BYTES))
    except FileProblem as err:
        raise PlanFileError(f"--since {path}: cannot read it: {err.message}. {hint}") from None
    except json.JSONDecodeError as err:
        raise PlanFileError(f"--since {path}: not JSON ({err}). {hint}") from None
    steps = document.get("steps") if isinstance(document, dict) else None
    if not isinstance(steps, list):
        raise PlanFileError(f'--since {path}: not a plan: no "steps" list at the top level. {hint}')
    problems = [
        f'steps[{index}]: needs "urn" (a string) and "newState" with "inputs" (an object)'
        for index, step in enumerate(steps)
        if not (
            isinstance(step, dict)
            and isinstance(step.get("urn"), str)
            and isinstance(step.get("newState"), dict)
            and isinstance(step["newState"].get("inputs"), dict)
        )
    ]
    if problems:
        raise PlanFileError(f"--since {path}: not a plan: " + "; ".join(problems) + f". {hint}")
    return steps


def changed(steps: list[dict], previous: list[dict]) -> set[str]:
    """URNs of `steps` that are new since `previous` or whose inputs differ from it."""
    before = {step["urn"]: step["newState"]["inputs"] for step in previous}
    return {step["urn"] for step in steps if before.get(step["urn"]) != step["newState"]["inputs"]}


def _accounts_per_ou(steps: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for step in steps:
        if step["newState"]["type"] == ACCOUNT_TYPE:
            parent = step["newState"]["inputs"].get("parentId", "")
            counts[parent] = counts.get(parent, 0) + 1
    return counts


def _duration(step: dict, accounts_per_ou: dict[str, int]) -> Duration:
    if step["op"] in ("read", "import"):
        return READ
    state = step["newState"]
    found = duration_of(state["type"])
    if not found.per_account_minutes:
        return found
    ou_id = str(state["inputs"].get("targetIdentifier", "")).rsplit("/", 1)[-1]
    accounts = accounts_per_ou.get(ou_id, 0)
    return Duration(found.minutes + found.per_account_minutes * accounts, found.basis, found.source, found.checked, found.pool)


def nodes(steps: list[dict], timed: Optional[set[str]] = None) -> list[Node]:
    """The plan's resources as graph nodes; only URNs in `timed` take time when it is given."""
    urns = {step["urn"] for step in steps}
    per_ou = _accounts_per_ou(steps)
    result = []
    for step in steps:
        state = step["newState"]
        waits = {state.get("parent", ""), state.get("provider", "").rsplit("::", 1)[0], *state.get("dependencies", ())}
        takes_time = state.get("custom", True) and (timed is None or step["urn"] in timed)
        duration = _duration(step, per_ou) if takes_time else None
        result.append(
            Node(
                urn=step["urn"],
                type=state["type"],
                minutes=duration.minutes if duration else 0.0,
                basis=duration.basis if duration else "",
                pool=duration.pool if duration else "",
                waits_for=tuple(sorted((waits & urns) - {step["urn"]})),
            )
        )
    return result


def schedule(graph: list[Node], parallel: Optional[int] = None, pools: dict[str, Pool] = POOLS) -> Timeline:
    """List-schedule `graph` (nodes in dependency order) under `pools` and `parallel` slots."""
    order = {node.urn: index for index, node in enumerate(graph)}
    by_urn = {node.urn: node for node in graph}
    dependents: dict[str, list[str]] = {urn: [] for urn in by_urn}
    for node in graph:
        for urn in node.waits_for:
            dependents[urn].append(node.urn)
    missing = {node.urn: len(node.waits_for) for node in graph}
    ready_at: dict[str, float] = {}
    held_by: dict[str, str] = {}  # the dependency created last, or the resource whose slot was taken
    slotted_at: dict[str, float] = {}
    started: dict[str, float] = {}
    finished: dict[str, float] = {}
    waited_for: dict[str, str] = {}
    ready: list[tuple[float, int, str]] = []
    queues: dict[str, list[tuple[float, int, str]]] = {name: [] for name in pools}
    in_use = {name: 0 for name in pools}
    running: list[tuple[float, int, str]] = []
    busy = 0
    freed = {"parallel": "", **{name: "" for name in pools}}

    def finish(urn: str, at: float) -> None:
        pending = [(urn, at)]
        while pending:
            done, time = pending.pop()
            finished[done] = time
            for dependent in dependents[done]:
                missing[dependent] -= 1
                if time >= ready_at.get(dependent, 0.0):
                    ready_at[dependent], held_by[dependent] = time, done
                if not missing[dependent]:
                    if by_urn[dependent].minutes:
                        heapq.heappush(ready, (ready_at[dependent], order[dependent], dependent))
                    else:
                        pending.append((dependent, ready_at[dependent]))

    def start(urn: str, now: float) -> None:
        started[urn] = now
        heapq.heappush(running, (now + by_urn[urn].minutes, order[urn], urn))

    for node in graph:
        if not node.waits_for:
            ready_at[node.urn] = 0.0
            if node.minutes:
                heapq.heappush(ready, (0.0, order[node.urn], node.urn))
            else:
                finish(node.urn, 0.0)
    now = 0.0
    while True:
        while ready and (parallel is None or busy < parallel):
            _, _, urn = heapq.heappop(ready)
            busy += 1
            slotted_at[urn] = now
            if now > ready_at[urn]:
                held_by[urn], waited_for[urn] = freed["parallel"], f"--parallel {parallel}"
            pool = by_urn[urn].pool
            if pool:
                heapq.heappush(queues[pool], (now, order[urn], urn))
            else:
                start(urn, now)
        for name, queue in queues.items():
            while queue and in_use[name] < pools[name].capacity:
                _, _, urn = heapq.heappop(queue)
                in_use[name] += 1
                if now > slotted_at[urn]:
                    held_by[urn], waited_for[urn] = freed[name], f"pool {name}"
                start(urn, now)
        if not running:
            break
        now = running[0][0]
        while running and running[0][0] == now:
            _, _, urn = heapq.heappop(running)
            busy -= 1
            freed["parallel"] = urn
            if by_urn[urn].pool:
                in_use[by_urn[urn].pool] -= 1
                freed[by_urn[urn].pool] = urn
            finish(urn, now)
    if len(finished) != len(graph):
        raise ValueError(f"the plan's graph has a cycle through {len(graph) - len(finished)} resources")
    return Timeline(
        total_minutes=max(finished.values(), default=0.0),
        critical_path=_critical_path(by_urn, order, ready_at, held_by, started, finished, waited_for),
        parallel=parallel,
        timed=sum(1 for node in graph if node.minutes),
    )


def _critical_path(by_urn, order, ready_at, held_by, started, finished, waited_for) -> tuple[PathEntry, ...]:
    if not finished:
        return ()
    urn = max(finished, key=lambda u: (finished[u], -order[u]))
    chain: list[PathEntry] = []
    while urn:
        node = by_urn[urn]
        if node.minutes:
            begin = started[urn]
            chain.append(PathEntry(urn, node.type, node.minutes, node.basis, begin, begin - ready_at[urn], waited_for.get(urn, "")))
        urn = held_by.get(urn, "")
    return tuple(reversed(chain))


def estimate(steps: list[dict], previous: Optional[list[dict]] = None, parallel: Optional[int] = None) -> Timeline:
    """The first `pulumi up` of `steps`, or with `previous` the change from it."""
    if previous is None:
        return schedule(nodes(steps), parallel)
    timed = changed(steps, previous)
    unchanged = sum(1 for step in steps if step["newState"].get("custom", True) and step["urn"] not in timed)
    return replace(schedule(nodes(steps, timed), parallel), unchanged=unchanged)


def to_json(timeline: Timeline) -> dict:
    return {
        "total_minutes": round(timeline.total_minutes, 1),
        "critical_path": [
            {
                "urn": entry.urn,
                "type": entry.type,
                "minutes": round(entry.minutes, 2),
                "start_minute": round(entry.start, 1),
                "basis": entry.basis,
                **({"waited_minutes": round(entry.waited, 1), "waited_for": entry.waited_for} if entry.waited_for else {}),
            }
            for entry in timeline.critical_path
        ],
        "parallel": timeline.parallel,
        "resources_timed": timeline.timed,
        "resources_unchanged": timeline.unchanged,
    }


def to_text(timeline: Timeline, what: str) -> str:
    total = timeline.total_minutes
    hours = f" ({int(total // 60)} h {round(total % 60):02d} min)" if total >= 60 else ""
    bound = f"--parallel {timeline.parallel}" if timeline.parallel else "--parallel unbounded"
    lines = [
        f"Estimated {what}: {total:.1f} minutes{hours}, {bound}; {timeline.timed} resources take time"
        + (f", {timeline.unchanged} unchanged" if timeline.unchanged else ""),
        "Critical path (start minute, minutes, resource):",
    ]
    for entry in timeline.critical_path:
        wait = f"  (waited {entry.waited:.1f} min for {entry.waited_for})" if entry.waited_for else ""
        lines.append(f"  {entry.start:7.1f} {entry.minutes:6.2f}  {entry.urn}{wait}")
    lines.append("Durations are estimates (lzctl/durations.py gives each one's source); nothing here was measured on AWS.")
    return "\n".join(lines)


def beyond_session(timeline: Timeline, session_minutes: float) -> Optional[str]:
    """A warning when the estimate outlasts Pulumi Deployments' AWS session (delivery.policies.PULUMI_SESSION_SECONDS)."""
    if timeline.total_minutes <= session_minutes:
        return None
    return (
        f"the estimated {timeline.total_minutes:.0f} minutes outlast Pulumi Deployments' {session_minutes / 60:g}-hour AWS session "
        "(IAM's ceiling): credentials would expire mid-update; run this update from a laptop with the stack's own role, "
        "or in steps (e.g. fewer new accounts or OUs at a time)"
    )
