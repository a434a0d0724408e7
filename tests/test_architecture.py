"""The packages depend one way: ``bot`` → ``jobs`` → ``tracker`` (and ``bot`` → ``tracker``).

Every import in every module counts: top-level, inside functions, under ``TYPE_CHECKING``.
``tracker`` is the pure core (no ``telegram``); ``jobs`` gets the bot's renderer and
dependencies from the composition root (``bot.app``) and never imports ``bot``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tracker", "bot", "jobs")
#: The only imports allowed between the packages (importer, imported).
ALLOWED = {("bot", "jobs"), ("bot", "tracker"), ("jobs", "tracker")}
#: Outside packages a package must not import.
FORBIDDEN_OUTSIDE = {"tracker": {"telegram"}}


@dataclass(frozen=True, slots=True)
class Import:
    """One imported module, and where the import is."""

    module: str
    where: str


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_in(
    source: str, module: str, *, is_package: bool = False, where: str = ""
) -> Iterator[Import]:
    """Every module ``source`` imports, wherever the statement is (relative ones resolved)."""
    for node in ast.walk(ast.parse(source)):
        line = f"{where}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, line)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                base = package[: len(package) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            yield Import(target, line)
            for alias in node.names:  # ``from bot import app`` imports the module bot.app
                yield Import(f"{target}.{alias.name}", line)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield Import(node.args[0].value, line)


def package_imports() -> dict[str, list[Import]]:
    """For each package, every import of another top-level name in its modules."""
    found: dict[str, list[Import]] = {name: [] for name in PACKAGES}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = _module_name(path)
            source = path.read_text(encoding="utf-8")
            relative = str(path.relative_to(ROOT))
            for imported in imports_in(
                source, module, is_package=path.name == "__init__.py", where=relative
            ):
                top = imported.module.split(".")[0]
                if top != package:
                    found[package].append(Import(top, imported.where))
    return found


def _cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """Every cycle among the packages (as a path that returns to its start)."""
    out: list[list[str]] = []

    def walk(path: list[str]) -> None:
        for a, b in sorted(edges):
            if a != path[-1]:
                continue
            if b == path[0]:
                out.append([*path, b])
            elif b not in path and b > path[0]:  # each cycle once, from its smallest name
                walk([*path, b])

    for start in sorted({a for a, _ in edges}):
        walk([start])
    return out


@pytest.fixture(scope="module")
def found() -> dict[str, list[Import]]:
    return package_imports()


def test_the_scan_sees_every_kind_of_import() -> None:
    source = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "import jobs.scan as s\n"
        "if TYPE_CHECKING:\n"
        "    from bot.runtime import Deps\n"
        "def f() -> None:\n"
        "    from telegram import Bot\n"
        "    import importlib\n"
        "    importlib.import_module('bot.app')\n"
        "from . import sibling\n"
        "from ..storage import models\n"
    )
    tops = {i.module.split(".")[0] for i in imports_in(source, "tracker.services.x")}
    assert {"jobs", "bot", "telegram", "tracker"} <= tops
    modules = {i.module for i in imports_in(source, "tracker.services.x")}
    assert {"tracker.services.sibling", "tracker.storage.models"} <= modules


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycles({("bot", "jobs"), ("jobs", "bot")}) == [["bot", "jobs", "bot"]]
    assert _cycles({("a", "b"), ("b", "c"), ("c", "a")}) == [["a", "b", "c", "a"]]
    assert _cycles(ALLOWED) == []


def test_every_package_has_modules(found: dict[str, list[Import]]) -> None:
    for package in PACKAGES:
        assert (ROOT / package / "__init__.py").is_file()
    assert any(i.module == "tracker" for i in found["bot"])  # the scan reads real code


def test_tracker_imports_neither_bot_nor_jobs_nor_telegram(found: dict[str, list[Import]]) -> None:
    bad = [
        i for i in found["tracker"] if i.module in {"bot", "jobs", *FORBIDDEN_OUTSIDE["tracker"]}
    ]
    assert bad == []


def test_only_the_allowed_direction_between_packages(found: dict[str, list[Import]]) -> None:
    wrong = [
        f"{package} imports {i.module} at {i.where}"
        for package, imported in found.items()
        for i in imported
        if i.module in PACKAGES and (package, i.module) not in ALLOWED
    ]
    assert wrong == []


def test_no_cycle_between_packages(found: dict[str, list[Import]]) -> None:
    edges = {
        (p, i.module) for p, imported in found.items() for i in imported if i.module in PACKAGES
    }
    assert _cycles(edges) == []
