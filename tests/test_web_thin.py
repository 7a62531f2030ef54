"""The web layer is thin: route handlers parse, call one action or query, render.

Walks the URL map of a real app: each handler's module must import nothing from
``matcher.models``, ``sqlalchemy`` or ``matcher.accounts.permissions`` (authorization and
SQL live in the actions and queries), and each handler calls at most one action
(``perform``) per request path.
"""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap
from pathlib import Path

from matcher.config import load_settings
from web import create_app

FORBIDDEN = ("sqlalchemy", "matcher.models", "matcher.accounts.permissions", "matcher.db")


def _handlers(tmp_path: Path) -> dict[str, object]:
    app = create_app(load_settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))
    out = {}
    for rule in app.url_map.iter_rules():
        fn = inspect.unwrap(app.view_functions[rule.endpoint])
        if fn.__module__.startswith("web"):
            out[rule.endpoint] = fn
    return out


def _imports(module: str) -> set[str]:
    source = Path(sys.modules[module].__file__ or "").read_text(encoding="utf-8")
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def test_handler_modules_touch_no_models_sql_or_permissions(tmp_path: Path) -> None:
    """No handler module imports the ORM, the models or the ownership checks."""
    handlers = _handlers(tmp_path)
    assert len(handlers) > 60
    bad = {}
    for module in sorted({fn.__module__ for fn in handlers.values()}):  # type: ignore[attr-defined]
        hits = sorted(i for i in _imports(module) if i.startswith(FORBIDDEN))
        if hits:
            bad[module] = hits
    assert not bad, bad


def test_each_handler_calls_at_most_one_action(tmp_path: Path) -> None:
    """A handler performs one action (reads for re-rendering a form may accompany it)."""
    bad = []
    for endpoint, fn in _handlers(tmp_path).items():
        tree = ast.parse(_dedent(fn))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                 and getattr(n.func, "id", getattr(n.func, "attr", "")) == "perform"]
        if len(calls) > 1:
            bad.append(endpoint)
    assert not bad, bad


def _dedent(fn: object) -> str:
    return textwrap.dedent(inspect.getsource(fn))  # type: ignore[arg-type]
