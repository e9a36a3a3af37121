"""Is the library grouped by kind, with imports pointing one way and content using only bpscare.api?

The layers, lowest first, are described in docs/architecture.md. A module may import from its own
package and from lower layers, never upward and never sideways between grading and competency.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
PACKAGE = SRC / "bpscare"
CONTENT_DIRS = ("modules", "assignments", "autograders", "course", "binder")
MAX_MODULE_LINES = 600

#: Layer of each top-level name under ``bpscare``; a higher layer may import a lower one.
LAYERS = {
    "__init__": 0,
    "errors": 0,
    "progress": 0,
    "atomic": 0,
    "nbgrader_course": 0,
    "clinical": 1,
    "grading": 2,
    "competency": 2,
    "widgets": 3,
    "apps": 4,
    "authoring": 5,
    "api": 6,
    "hub": 6,
    "demo": 6,
    "serve": 6,
    "validate": 6,
    "cli": 7,
    "__main__": 8,
}
#: Layers whose members are independent of one another (grading never imports competency).
SEALED_LAYERS = {2}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imported_modules(path: Path) -> set[str]:
    """Every bpscare module this file imports, at any depth (function-level imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("bpscare")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bpscare"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in MODULES else node.module)
    return found


def layer_of(module: str) -> tuple[str, int]:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    return top, LAYERS[top]


def test_every_top_level_name_has_a_layer():
    """Does every module or subpackage under bpscare belong to a documented layer?"""
    tops = {layer_of(name)[0] for name in MODULES}
    assert tops <= set(LAYERS), sorted(tops - set(LAYERS))


def test_imports_point_down_the_layers():
    """Does every import go to the same package or to a lower layer, never up or sideways?"""
    wrong = []
    for name, path in MODULES.items():
        top, layer = layer_of(name)
        for target in imported_modules(path):
            target_top, target_layer = layer_of(target)
            if target_top == top or target_top == "__init__":
                continue
            if target_layer > layer or (target_layer == layer and layer in SEALED_LAYERS):
                wrong.append(f"{name} -> {target}")
    assert not wrong, wrong


def test_no_import_cycles():
    """Is the module import graph (lazy imports included) free of cycles?"""
    graph = {name: imported_modules(path) - {name} for name, path in MODULES.items()}
    # a package's __init__ re-exporting its own modules is not a cycle of concerns
    for name in graph:
        graph[name] = {t for t in graph[name] if not name.startswith(t + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt in graph and not state.get(nxt):
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if not state.get(node):
            visit(node)
    assert not cycles, cycles


@pytest.mark.parametrize("name", sorted(MODULES), ids=sorted(MODULES))
def test_modules_stay_small(name):
    """Is every module at most about 600 lines, so each holds one concern?"""
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_MODULE_LINES, f"{MODULES[name].relative_to(REPO)}: {lines} lines"


def content_files() -> list[Path]:
    return sorted(
        p
        for folder in CONTENT_DIRS
        for p in (REPO / folder).rglob("*")
        if p.is_file() and (p.suffix in {".py", ".md", ".yaml", ".txt"} or p.name == "postBuild")
    )


IMPORT = re.compile(r"^\s*(?:from\s+(bpscare[\w.]*)\s+import|import\s+(bpscare[\w.]*))", re.M)


def test_content_imports_only_the_api():
    """Do lessons, assignments, autograders, apps and Binder files import only bpscare.api?"""
    offenders = []
    for path in content_files():
        for match in IMPORT.finditer(path.read_text(encoding="utf-8")):
            module = match.group(1) or match.group(2)
            if module != "bpscare.api":
                offenders.append(f"{path.relative_to(REPO)}: {module}")
    assert not offenders, offenders
