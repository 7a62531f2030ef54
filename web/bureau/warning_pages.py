"""Early warning: the watch list and the scan button, suggestions per enterprise, resolve."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from matcher.bureau import actions, queries
from web.bureau import as_of, bp
from web.security import perform, read


@bp.get("/watch")
def watch() -> str:
    """Open watch-list entries (highest score first) with their reasons."""
    show_all = request.args.get("all") == "1"
    rows = read(queries.watch_list, not show_all)
    return render_template("bureau/watch.html", rows=rows, show_all=show_all, day=as_of())


@bp.post("/watch/scan")
def scan() -> Response:
    """Run the early-warning scan for the day: score every enterprise, open new entries."""
    day = as_of()
    done = perform(actions.scan_warnings, day)
    flash(_("%(day)s: %(n)s enterprises scored, %(added)s new watch entries.",
            day=day.isoformat(), n=len(done.scores), added=len(done.added)), "ok")
    return redirect(url_for("bureau.watch", day=day.isoformat()))


@bp.get("/watch/<int:entry_id>")
def watch_entry(entry_id: int) -> str:
    """One entry: reasons, lending and re-employment suggestions, the resolve form."""
    day = as_of()
    found = read(queries.watch_entry, entry_id, day)
    return render_template("bureau/watch_entry.html", e=found.entry, sugg=found.suggestions,
                           day=day)


@bp.post("/watch/<int:entry_id>/resolve")
def resolve(entry_id: int) -> Response:
    """Resolve an open entry with the officer's note."""
    perform(actions.resolve_warning, entry_id, request.form.get("note", ""))
    flash(_("Watch entry #%(id)s resolved.", id=entry_id), "ok")
    return redirect(url_for("bureau.watch"))
