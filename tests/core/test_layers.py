"""The shape of the package: rooms import each other one way, and the core stays pure."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
# What the core may never load: platforms, web, databases, the model.
FORBIDDEN_IN_CORE = (
    "aiohttp",
    "telegram",
    "sqlalchemy",
    "asyncpg",
    "aiosqlite",
    "alembic",
    "torch",
    "numpy",
    "faiss",
)


def _room(module: str) -> str:
    """bot.core.dispatcher → core; bot.app → app."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _runtime_imports(tree: ast.AST) -> list[str]:
    """Modules imported when the file runs (``if TYPE_CHECKING:`` blocks left out)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for n in ast.walk(node))
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return [name for name in found if name == "bot" or name.startswith("bot.")]


def _room_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in BOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(BOT.parent).with_suffix("").parts)
        for imported in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if _room(imported) != _room(module):
                graph[_room(module)].add(_room(imported))
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(room: str) -> list[str] | None:
        state[room] = 1
        path.append(room)
        for nxt in sorted(graph.get(room, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[room] = 2
        return None

    for room in sorted(graph):
        if room not in state and (found := visit(room)):
            return found
    return None


def test_no_import_cycle_between_rooms() -> None:
    graph = _room_graph()
    assert any("core" in deps for deps in graph.values())  # the graph is really read
    assert _cycle(graph) is None, f"import cycle: {' → '.join(_cycle(graph) or [])}"


def test_the_core_imports_no_other_room() -> None:
    assert _room_graph().get("core", set()) == set()


def test_the_core_loads_no_platform_web_database_or_model_library() -> None:
    modules = sorted(
        ".".join(p.relative_to(BOT.parent).with_suffix("").parts)
        for p in (BOT / "core").glob("*.py")
    )
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN_IN_CORE!r}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]", f"the core loads {loaded}"


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_is_over_300_lines() -> None:
    """Small modules a reader can hold in mind (migrations are history, left as written)."""
    long = {
        str(path.relative_to(BOT.parent)): lines
        for path in BOT.rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > 300
    }
    assert long == {}
