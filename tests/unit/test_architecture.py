"""The shape of the code: no import cycle in bot/, and each layer imports only what it may.

Every import counts, at the top of a module, inside a function or under ``TYPE_CHECKING``: a
cycle hidden by a late import is still a cycle. Importing ``bot.x.y`` from outside ``bot.x``
runs ``bot/x/__init__.py`` too, so that counts as importing ``bot.x`` as well.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"
# What the business core may never import: the adapters to Rasa and the web, and the
# processes that start them.
ADAPTERS = ("bot.channels", "bot.web", "bot.nlu", "bot.server", "bot.ops")
# ``python -m bot.cli|manage|production|events`` stay for make and scripts: they only call
# bot.ops.
ENTRY_POINTS = ("bot.cli", "bot.manage", "bot.production", "bot.events.__main__")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(folder: Path) -> dict[str, Path]:
    return {_module_name(path): path for path in folder.rglob("*.py")}


def _is_package(name: str) -> bool:
    return (ROOT / name.replace(".", "/") / "__init__.py").exists()


def _imported(path: Path, known: set[str]) -> Iterator[str]:
    """The modules of ``known`` that the module at ``path`` imports, anywhere in it."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = [f"{node.module}.{alias.name}" for alias in node.names]
            targets = [name if name in known else node.module for name in submodules]
        else:
            continue
        yield from (target for target in targets if target in known)


def import_graph(folder: Path = BOT) -> dict[str, set[str]]:
    """Module -> the modules it imports, among those under ``folder``."""
    modules = _modules(folder)
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = set()
        for target in _imported(path, known):
            edges.add(target)
            # Importing a package's module from outside the package runs its __init__ too.
            parent = target.rpartition(".")[0]
            if parent in known and _is_package(parent) and not name.startswith(parent + "."):
                if name != parent:
                    edges.add(parent)
        edges.discard(name)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_sees_a_cycle_through_a_late_import() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycle_between_modules_of_bot() -> None:
    assert cycles(import_graph()) == []


def test_the_business_core_never_imports_the_adapters() -> None:
    graph = import_graph()
    adapter_modules = {name for name in graph if name.startswith(ADAPTERS) or name in ENTRY_POINTS}
    offenders = {
        name: sorted(target for target in targets if target.startswith(ADAPTERS))
        for name, targets in graph.items()
        if name not in adapter_modules and targets & adapter_modules
    }
    assert offenders == {}


def test_actions_and_the_web_app_never_import_each_other() -> None:
    actions = {name for name in _modules(ROOT / "actions")}
    web = {name for name in _modules(BOT) if name.startswith("bot.web")}

    def imports(module_names: set[str], prefixes: tuple[str, ...]) -> dict[str, list[str]]:
        found = {}
        for name in module_names:
            path = ROOT / (name.replace(".", "/") + ".py")
            if not path.exists():
                path = ROOT / name.replace(".", "/") / "__init__.py"
            names = {
                alias.name if isinstance(node, ast.Import) else node.module or ""
                for node in ast.walk(ast.parse(path.read_text()))
                if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in node.names
            }
            bad = sorted(n for n in names if n.startswith(prefixes))
            if bad:
                found[name] = bad
        return found

    assert imports(web, ("actions",)) == {}
    assert imports(actions, ("bot.web",)) == {}
