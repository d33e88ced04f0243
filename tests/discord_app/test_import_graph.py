"""The Discord app's modules import one another without a circle (typing-only imports included)."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import pytest

import bot

PACKAGE_ROOT = pathlib.Path(bot.__file__).parent
ENTANGLED_BEFORE = ("bot.discord_app.bot", "bot.discord_app.checks", "bot.discord_app.errors")


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports_at_import_time(tree: ast.Module) -> set[str]:
    """Every module named by an import outside a function body (an `if TYPE_CHECKING:` block counts)."""
    named: set[str] = set()
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            named.add(node.module)
            named.update(f"{node.module}.{alias.name}" for alias in node.names)
        pending.extend(ast.iter_child_nodes(node))
    return named


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of the bot package it imports."""
    paths = {_module_name(path): path for path in PACKAGE_ROOT.rglob("*.py")}
    return {
        name: {imported for imported in _imports_at_import_time(ast.parse(path.read_text())) if imported in paths} - {name}
        for name, path in paths.items()
    }


def cycle_through(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A chain of imports leading from `start` back to it, or None."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        module, chain = stack.pop()
        for imported in graph.get(module, ()):
            if imported == start:
                return [*chain, start]
            if imported not in seen:
                seen.add(imported)
                stack.append((imported, [*chain, imported]))
    return None


def test_cycle_finder_finds_a_circle() -> None:
    """The checker itself reports a circle when there is one."""
    assert cycle_through({"a": {"b"}, "b": {"c"}, "c": {"a"}}, "a") == ["a", "b", "c", "a"]


@pytest.mark.parametrize("module", sorted({name for name in import_graph() if name.startswith("bot.discord_app")}))
def test_no_discord_app_module_imports_itself_in_a_circle(module: str) -> None:
    """No chain of imports (typing-only ones included) leads from a bot.discord_app module back to it."""
    assert cycle_through(import_graph(), module) is None


@pytest.mark.parametrize("module", ENTANGLED_BEFORE)
def test_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    """Each of bot, checks and errors imports on its own, before any of the others."""
    result = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
