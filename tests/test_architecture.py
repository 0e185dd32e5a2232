"""The layout's rules, checked on the source: dependency direction, no import cycle, and each
outside library imported by the one package whose job it is (see docs/architecture.md)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "ostkit"

# package -> the ostkit packages it may import (models, errors and config are open to all)
ALLOWED: dict[str, set[str]] = {
    "text": set(),
    "formats": {"text"},
    "matching": {"text"},
    "playlists": {"text", "formats"},
    "store": {"text", "formats", "spotify"},
    "spotify": {"text"},
    "services": {"text", "formats", "matching", "playlists", "store", "spotify"},
    "cli": {"text", "formats", "matching", "playlists", "store", "spotify", "services", "sandbox"},
    "sandbox": set(),
}
COMMON = {"models", "errors", "config", "__init__", "__main__", "__version__", "clock"}

# outside library -> the packages allowed to import it
LIBRARIES: dict[str, set[str]] = {
    "spotipy": {"spotify"},
    "click": {"cli"},
    "sqlite3": {"store"},
    "requests": {"spotify"},
}
# the pure packages: no I/O
PURE = {"text", "matching", "playlists"}
IO_MODULES = {"sqlite3", "requests", "spotipy", "socket", "http", "urllib3", "click"}


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).with_suffix("")
        yield ".".join(("ostkit", *rel.parts)), path


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


MODULES = dict(_modules())


@pytest.mark.parametrize("module", sorted(MODULES))
def test_dependency_direction(module: str) -> None:
    package = _package(module)
    if package in COMMON:
        allowed = {"text"} if package != "__main__" else {"cli"}
    else:
        allowed = ALLOWED[package]
    for name in _imports(MODULES[module]):
        if not name.startswith("ostkit."):
            continue
        target = _package(name)
        if target in COMMON or target == package:
            continue
        assert target in allowed, f"{module} imports {name}: {package} may not depend on {target}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_outside_libraries_stay_in_their_package(module: str) -> None:
    package = _package(module)
    for name in _imports(MODULES[module]):
        top = name.split(".")[0]
        if top in LIBRARIES and package != "sandbox":
            assert package in LIBRARIES[top], f"{module} imports {top}"
        if package in PURE:
            assert top not in IO_MODULES, f"{module} is pure but imports {top}"


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle in ``graph`` as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_find_cycle_finds_one_and_only_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle_between_modules() -> None:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        graph[module] = set()
        for name in _imports(path):
            for candidate in (name, name.rsplit(".", 1)[0]):
                if candidate in MODULES and candidate != module:
                    graph[module].add(candidate)
                    break
    assert find_cycle(graph) is None, "import cycle: " + " -> ".join(find_cycle(graph) or [])
