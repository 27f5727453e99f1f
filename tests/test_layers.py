"""The import graph: layers only import downwards, nothing imports in a circle, pure code has no Pulumi.

Layers, lowest first (docs/architecture.md): names and disk_cache < iam < the pure packages < config <
components < stacks < lzctl and rules. A module may import its own layer or any lower one.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

from tests.helpers import REPO

LAYERS = {
    **dict.fromkeys(("names", "disk_cache"), 0),
    "iam": 1,
    **dict.fromkeys(("guardrails", "delivery", "security", "logs", "workflows"), 2),
    "config": 3,
    "components": 4,
    "stacks": 5,
    **dict.fromkeys(("lzctl", "rules", "__main__"), 6),
}
PURE = {name for name, layer in LAYERS.items() if layer <= 2}
"""No Pulumi (nor boto3) below the config layer: table-driven tests, no runtime."""


def modules() -> dict[str, Path]:
    found = {}
    for top in LAYERS:
        path = REPO / f"{top}.py"
        files = [path] if path.is_file() else sorted((REPO / top).rglob("*.py"))
        for file in files:
            parts = file.relative_to(REPO).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = file
    return found


MODULES = modules()


@functools.cache
def parsed(file: Path) -> ast.Module:
    return ast.parse(file.read_text(encoding="utf-8"))


def imports_of(module: str, file: Path) -> set[str]:
    """Project modules `module` imports at module level or inside functions (not under TYPE_CHECKING)."""
    found = set()
    package = module if file.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(parsed(file)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            # `from package import module` imports the module; `from module import name`, the module.
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


@functools.cache
def graph() -> dict[str, set[str]]:
    # Parsed when a test asks, not at collection: every xdist worker collects this module.
    return {module: imports_of(module, file) for module, file in MODULES.items()}


def layer(module: str) -> int:
    return LAYERS[module.split(".")[0]]


def test_every_top_level_package_has_a_layer():
    tops = {
        p.stem if p.is_file() else p.name
        for p in REPO.iterdir()
        if (p.suffix == ".py" or (p / "__init__.py").is_file()) and p.name not in ("tests", "benchmarks", "setup.py")
    }
    assert tops <= set(LAYERS), tops - set(LAYERS)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_higher_layer(module):
    upward = sorted(name for name in graph()[module] if layer(name) > layer(module))
    assert upward == [], f"{module} (layer {layer(module)}) imports {upward}"


def test_the_pure_layer_imports_no_pulumi_or_aws_sdk():
    offenders = []
    for module, file in MODULES.items():
        if module.split(".")[0] not in PURE:
            continue
        for node in ast.walk(parsed(file)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [
                f"{module}: {name}"
                for name in names
                if name.split(".")[0] in ("pulumi", "pulumi_aws", "pulumi_github", "pulumi_slack", "pulumi_pulumiservice", "boto3", "botocore")
            ]
    assert offenders == []


def test_the_import_graph_has_no_circle():
    # Tarjan's strongly connected components; a component of more than one module is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph()[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in graph():
        if node not in index:
            visit(node)
    assert circles == []


def test_every_module_in_components_defines_a_component_resource():
    for module, file in MODULES.items():
        if module.startswith("components.") and file.name != "__init__.py":
            tree = parsed(file)
            bases = {ast.unparse(base) for node in tree.body if isinstance(node, ast.ClassDef) for base in node.bases}
            assert bases & {"pulumi.ComponentResource", "MemberAccounts"}, module
