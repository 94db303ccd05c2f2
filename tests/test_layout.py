"""The layers stay in their places (README, Layout): SQL is storage's alone, and core's
services import one another one way only.

Read from the source (every import statement, those inside functions and under
``TYPE_CHECKING`` too), so nothing has to run for a breach to show.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _sources(package: str) -> Iterator[tuple[str, Path]]:
    """(dotted module name, file) of every module under a top-level package."""
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def _imports(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """(module named, line) of each import in the file. ``from a import b`` names ``a``
    and ``a.b`` (``b`` may be a module); relative imports are resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, node.module] if node.module else anchor)
            else:
                base = node.module or ""
            yield base, node.lineno
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def _from_sqlalchemy(package: str) -> list[str]:
    """The import statements (file:line) under ``package`` that name SQLAlchemy."""
    return sorted(
        {
            f"{path.relative_to(ROOT)}:{line}"
            for module, path in _sources(package)
            for name, line in _imports(module, path)
            if name.partition(".")[0] == "sqlalchemy"
        }
    )


def _uow_sessions(package: str) -> list[str]:
    """Places that reach into a unit of work's session (``uow.session``, ``self.uow.session``)."""
    found = []
    for _, path in _sources(package):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Attribute) and node.attr == "session"):
                continue
            owner = node.value
            if (isinstance(owner, ast.Name) and owner.id == "uow") or (
                isinstance(owner, ast.Attribute) and owner.attr == "uow"
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_core_imports_nothing_from_sqlalchemy() -> None:
    """Core asks repositories and catches ``storage.errors``; it never builds SQL."""
    assert _from_sqlalchemy("core") == []


def test_bot_imports_nothing_from_sqlalchemy() -> None:
    """The bot's SQL (delivery, metrics, health check) lives behind repositories too."""
    assert _from_sqlalchemy("bot") == []


def test_neither_core_nor_bot_reaches_into_the_unit_of_works_session() -> None:
    assert _uow_sessions("core") + _uow_sessions("bot") == []


def _services_graph() -> dict[str, set[str]]:
    """Each ``core.services`` module and the other ones it imports."""
    modules = dict(_sources("core/services"))
    modules.pop("core.services")  # the package itself
    return {
        module: {name for name, _ in _imports(module, path) if name in modules} - {module}
        for module, path in modules.items()
    }


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (its modules in order, the first again at the end), if any."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        path.append(module)
        for imported in sorted(graph[module]):
            found = visit(imported)
            if found:
                return found
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        found = visit(module)
        if found:
            return found
    return None


def test_core_services_import_one_another_one_way() -> None:
    """No service module imports one that imports it back, directly or through others:
    a cycle would be hidden by an import inside a function, and is not."""
    graph = _services_graph()
    assert "core.services.subscriptions" in graph["core.services.users"]  # the graph is read
    assert _cycle(graph) is None


def test_the_cycle_finder_finds_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


# --- bot/: handlers and flows apart, aiogram through its public API ------------------------


def _imports_of(package: str, prefix: str) -> list[str]:
    """The import statements (file:line) under ``package`` naming a module in ``prefix``."""
    return sorted(
        {
            f"{path.relative_to(ROOT)}:{line}"
            for module, path in _sources(package)
            for name, line in _imports(module, path)
            if name == prefix or name.startswith(prefix + ".")
        }
    )


def test_flows_never_import_handlers() -> None:
    """What both need (screens, ui helpers, callbacks) lives in bot.screens, bot.ui and
    bot.callbacks; a flow that imported a handler module would pull its router in too."""
    assert _imports_of("bot/flows", "bot.ui")  # the imports are read
    assert _imports_of("bot/flows", "bot.handlers") == []


def test_handlers_never_import_flows() -> None:
    """A button that starts a conversation is the flow's own handler; only bot.routers
    names both, to list them in order."""
    assert _imports_of("bot/handlers", "bot.screens")  # the imports are read
    assert _imports_of("bot/handlers", "bot.flows") == []


def _aiogram_private_names() -> set[str]:
    """Every private name aiogram's own classes keep (``self._x = ...``, ``_x: T`` in a
    class body), read from its source: the attributes bot/ must not touch."""
    import aiogram

    kept = re.compile(r"^\s+(?:self\.)?(_[A-Za-z]\w*)\s*(?::[^=\n]+)?=", re.MULTILINE)
    names: set[str] = set()
    for path in Path(aiogram.__file__).parent.rglob("*.py"):
        names.update(kept.findall(path.read_text()))
    return {n for n in names if not n.startswith("__")}


def _private_touches(package: str, private: set[str]) -> list[str]:
    """Places (file:line name) under ``package`` that read or write one of ``private`` on
    anything but ``self``/``cls``, as an attribute or through getattr/setattr/delattr."""
    found = []
    for _, path in _sources(package):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            name = None
            if isinstance(node, ast.Attribute) and node.attr in private:
                owner = node.value
                if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                    name = node.attr
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "setattr", "delattr", "hasattr")
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in private
            ):
                name = str(node.args[1].value)
            if name is not None:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    return found


def test_bot_touches_no_private_aiogram_attribute() -> None:
    """aiogram's private attributes change without notice between versions; a second
    dispatcher gets fresh routers from bot.routers instead of re-homing old ones."""
    private = _aiogram_private_names()
    assert {"_parent_router", "_handler"} <= private  # aiogram's source is read
    assert _private_touches("bot", private) == []
