"""How a plan is shown: a tree of components for people, `pulumi preview --json`'s shape for tools."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from lzctl.runtime import STACK_TYPE, Plan, PlannedResource


def change_summary(plan: Plan) -> dict[str, int]:
    return dict(Counter(resource.op for resource in plan.resources))


def to_json(plan: Plan) -> dict:
    steps = [
        {
            "op": resource.op,
            "urn": resource.urn,
            "newState": {
                "type": resource.type,
                "urn": resource.urn,
                "custom": resource.custom,
                "parent": resource.parent,
                "provider": resource.provider,
                "protect": resource.protect,
                "inputs": resource.inputs,
                "dependencies": list(resource.dependencies),
                **({"importID": resource.import_id} if resource.import_id else {}),
                # apitype.ResourceV3 `retainOnDelete,omitempty` (sdk/go/common/apitype/core.go), which
                # preview's JSON serializes (pkg/backend/display/json.go, stack.SerializeResource).
                **({"retainOnDelete": True} if resource.retain_on_delete else {}),
            },
        }
        for resource in plan.resources
    ]
    return {"steps": steps, "changeSummary": change_summary(plan), "outputs": plan.outputs}


def to_json_text(plan: Plan) -> str:
    """The `--json` document as text: keys sorted, so two plans of one config diff line by line."""
    return json.dumps(to_json(plan), indent=2, sort_keys=True, ensure_ascii=False)


def _type_counts(children: list[PlannedResource]) -> list[str]:
    counts: dict[str, Counter] = defaultdict(Counter)
    for child in children:
        counts[child.type][child.op] += 1
    lines = []
    for type_, ops in counts.items():
        notes = ", ".join(f"{ops[op]} to {op}" for op in ("import", "read") if ops[op])
        lines.append(f"{type_} × {sum(ops.values())}" + (f" ({notes})" if notes else ""))
    return lines


def to_tree(plan: Plan) -> str:
    children: dict[str, list[PlannedResource]] = defaultdict(list)
    for resource in plan.resources:
        children[resource.parent].append(resource)

    lines: list[str] = []

    def walk(node: PlannedResource, prefix: str) -> None:
        components = [c for c in children[node.urn] if not c.custom]
        entries = [(line, None) for line in _type_counts([c for c in children[node.urn] if c.custom])]
        entries += [(f"{c.type} {c.name}", c) for c in components]
        for index, (label, component) in enumerate(entries):
            last = index == len(entries) - 1
            lines.append(f"{prefix}{'└─ ' if last else '├─ '}{label}")
            if component is not None:
                walk(component, prefix + ("   " if last else "│  "))

    summary = ", ".join(f"{count} to {op}" for op, count in change_summary(plan).items())
    lines.append(f"Plan of {plan.project}/{plan.stack} (offline, mocked outputs): {summary}")
    for root in (r for r in plan.resources if r.type == STACK_TYPE):
        lines.append(f"{root.type} {root.name}")
        walk(root, "")
    if plan.outputs:
        lines.append("Outputs: " + ", ".join(sorted(plan.outputs)))
    return "\n".join(lines)
