"""Issue 23 (4): no import loop among the modules of framework/ (imports at module level, as Python runs them)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph(inside_functions: bool = False) -> dict[str, set[str]]:
    files = {_module(p): p for p in (ROOT / "framework").rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        deps = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree) if inside_functions else tree.body:
            if isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name in files}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:  # `from pkg import mod` depends on pkg.mod when it is a module
                    sub = f"{node.module}.{a.name}"
                    deps.add(sub if sub in files else node.module)
        # A submodule may name its own package (survey/decode.py looks read_workbook up on it, so callers can
        # wrap it): the package is initialised first, which is no loop between two modules.
        graph[name] = {d for d in deps if d in files and d != name and not name.startswith(d + ".")}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import loop (one per strongly connected component of more than one module)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


# Loops closed only by an import inside a function (docs/ARCHITECTURE.md, "Imports"): each is a real
# two-way dependency that is resolved at call time. A new one (store/core.py <-> store/trash.py was one) fails.
KNOWN_LAZY_LOOPS = sorted(
    [
        ["framework.db", "framework.storage"],
        # the cells refresh the released layer; the cells at t = 0 read the target levels, and setting a level
        # refreshes the cells of its batches
        ["framework.store.aggregates", "framework.store.releases", "framework.targets"],
        ["framework.analysis.coverage_view", "framework.analysis.overview_view", "framework.analysis.rounds"],
        # (campaign.results -> campaign.submit -> store -> schema -> results is gone: results takes the
        # campaign write lock from campaign.model since issue 22)
    ]
)


def test_no_import_loop_in_framework():
    assert _cycles(_graph()) == []


def test_the_loops_through_in_function_imports_are_only_the_known_ones():
    assert sorted(_cycles(_graph(inside_functions=True))) == KNOWN_LAZY_LOOPS


def test_the_loop_check_finds_a_loop():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
