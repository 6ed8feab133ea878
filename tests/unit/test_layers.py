"""Layers import downwards only (ARCHITECTURE.md section 10), read from every module's imports.

From the bottom: the pure model and policies; the shared pieces (wire models and errors, ICL, LLM
engines, common helpers); the two services, which never import each other; the tools, which use a
service only through its package's public surface (app factory and settings); the command line.
The simulator imports no service at all: it runs the same model and policies offline.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "edgecloud"

PURE = frozenset({"model", "policies"})
SERVICES = frozenset({"radio_emulator", "orchestrator"})
# Inside policies/: the data every policy reads sits below the policies themselves.
POLICY_DATA = frozenset({"base", "estimate", "experience", "observation", "pool"})
POLICY_MODULES = frozenset({"baseline", "drl", "greedy", "knn", "registry", "round_robin"})
# Rank of each top-level part of the package; a module imports only parts of lower or equal rank.
RANKS: dict[str, int] = {
    "model": 0,
    "policies": 0,
    "api": 1,
    "icl": 1,
    "llm": 1,
    "common": 1,
    "radio_emulator": 2,
    "orchestrator": 2,
    "sim": 3,
    "load": 3,
    "bench": 3,
    "stack": 3,
    "faults": 3,
    "dashboards": 3,
    "cli": 4,
    "__main__": 4,
}
# The pure layers do no I/O and read no clock (randomness comes from a generator passed in).
IMPURE_MODULES = frozenset(
    {
        "aiohttp",
        "asyncio",
        "fastapi",
        "httpx",
        "os",
        "pathlib",
        "redis",
        "requests",
        "shutil",
        "socket",
        "starlette",
        "subprocess",
        "threading",
        "time",
        "urllib",
        "uvicorn",
    }
)


@dataclass(frozen=True, slots=True)
class Import:
    module: str
    target: str
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[Import]:
    """Every import in a module, lazy ones inside functions included, as absolute names."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            if origin == PACKAGE:  # `from edgecloud import sim` names a part of the package
                found += [Import(module, f"{PACKAGE}.{a.name}", node.lineno) for a in node.names]
            else:
                found.append(Import(module, origin, node.lineno))
    return found


def part_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if parts[0] == PACKAGE and len(parts) > 1 else None


def violation(edge: Import) -> str | None:
    """Why an import breaks the layering, or None when it is allowed."""
    source, target = part_of(edge.module), part_of(edge.target)
    if source is None:
        return None
    if target is None:
        root = edge.target.split(".")[0]
        if source in PURE and root in IMPURE_MODULES:
            return f"the pure layer '{source}' imports the I/O module '{root}'"
        return None
    if source == target == "policies":
        below, above = edge.module.split(".")[-1], edge.target.split(".")[-1]
        if below in POLICY_DATA and above in POLICY_MODULES:
            return f"policy data '{below}' imports the policy module '{above}'"
        return None
    if source == target:
        return None
    if source not in RANKS or target not in RANKS:
        return f"'{source if source not in RANKS else target}' has no layer: add it to RANKS"
    if RANKS[target] > RANKS[source]:
        return f"'{source}' (layer {RANKS[source]}) imports upwards into '{target}'"
    if source == "model" and target == "policies":
        return "the system model imports a policy"
    if source in SERVICES and target in SERVICES:
        return "one service imports the other"
    if target in SERVICES and source == "sim":
        return "the simulator imports a service"
    if target in SERVICES and edge.target != f"{PACKAGE}.{target}":
        return f"'{source}' reaches into the internals of the service '{target}'"
    return None


def all_imports() -> list[Import]:
    return [edge for path in sorted((SRC / PACKAGE).rglob("*.py")) for edge in imports_of(path)]


def test_no_module_imports_against_the_layering() -> None:
    offending = {
        (edge.module, edge.target): f"{edge.module}:{edge.line} imports {edge.target}: {why}"
        for edge in all_imports()
        if (why := violation(edge)) is not None
    }
    assert not offending, "imports against the layering:\n" + "\n".join(sorted(offending.values()))


@pytest.mark.parametrize(
    ("module", "target", "reason"),
    [
        ("edgecloud.model.tasks", "edgecloud.policies.base", "system model imports a policy"),
        ("edgecloud.policies.greedy", "edgecloud.api.errors", "imports upwards"),
        ("edgecloud.model.delay", "time", "I/O module 'time'"),
        ("edgecloud.orchestrator.app", "edgecloud.radio_emulator", "one service imports the other"),
        ("edgecloud.common.http", "edgecloud.orchestrator.app", "imports upwards"),
        ("edgecloud.sim.env", "edgecloud.radio_emulator", "simulator imports a service"),
        ("edgecloud.bench.radio", "edgecloud.radio_emulator.cells", "internals of the service"),
        ("edgecloud.stack.up", "edgecloud.cli", "imports upwards"),
        ("edgecloud.newpart.thing", "edgecloud.model", "has no layer"),
        ("edgecloud.policies.experience", "edgecloud.policies.greedy", "policy data"),
    ],
)
def test_each_forbidden_kind_of_edge_is_named(module: str, target: str, reason: str) -> None:
    why = violation(Import(module, target, 1))
    assert why is not None
    assert reason in why


@pytest.mark.parametrize(
    ("module", "target"),
    [
        ("edgecloud.policies.greedy", "edgecloud.model.delay"),
        ("edgecloud.orchestrator.app", "edgecloud.api.errors"),
        ("edgecloud.bench.radio", "edgecloud.radio_emulator"),
        ("edgecloud.cli", "edgecloud.sim"),
        ("edgecloud.model.fading", "random"),
    ],
)
def test_downward_edges_are_allowed(module: str, target: str) -> None:
    assert violation(Import(module, target, 1)) is None


def test_relative_imports_resolve_to_absolute_names() -> None:
    edges = imports_of(SRC / PACKAGE / "orchestrator" / "__init__.py")
    assert {edge.target for edge in edges} >= {
        "edgecloud.orchestrator.app",
        "edgecloud.orchestrator.settings",
    }
