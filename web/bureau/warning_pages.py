"""Early warning: the watch list with reasons, suggestions per enterprise, resolve."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from matcher.bureau import warning
from matcher.errors import NotFound
from web import runtime
from web.bureau import as_of, bp
from web.security import principal, reading, unit_of_work


@bp.get("/watch")
def watch() -> str:
    """Open watch-list entries (highest score first) with their reasons."""
    show_all = request.args.get("all") == "1"
    with reading() as s:
        rows = warning.watch_list(s, open_only=not show_all)
    return render_template("bureau/watch.html", rows=rows, show_all=show_all)


@bp.get("/watch/<int:entry_id>")
def watch_entry(entry_id: int) -> str:
    """One entry: reasons, lending and re-employment suggestions, the resolve form."""
    day = as_of()
    with reading() as s:
        rows = [r for r in warning.watch_list(s, open_only=False) if r["entry_id"] == entry_id]
        if not rows:
            raise NotFound(f"watch entry {entry_id} not found")
        found = warning.suggestions(runtime(), s, int(rows[0]["enterprise_id"]), today=day)
    return render_template("bureau/watch_entry.html", e=rows[0], sugg=found, day=day)


@bp.post("/watch/<int:entry_id>/resolve")
def resolve(entry_id: int) -> Response:
    """Resolve an open entry with the officer's note."""
    with unit_of_work() as uow:
        warning.resolve(uow, entry_id, request.form.get("note", ""),
                        actor=principal().actor_name)
    flash(f"预警 #{entry_id} 已处理 / watch entry #{entry_id} resolved", "ok")
    return redirect(url_for("bureau.watch"))
