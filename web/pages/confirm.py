"""A confirmation step before paying, signing and deleting, done by the server (no script needed).

A page's POST view calls :func:`ask_first` first: when the form lacks ``confirmed=1`` it answers
with a page that states what will happen (a question and a few labelled facts, e.g. the amount
in yuan and who is paid) and two buttons: *Confirm*, which re-posts the same fields plus
``confirmed=1`` to the same address, and *Cancel*, which goes back. Nothing is changed until
the second POST. The JSON API is not affected (clients confirm in their own UI).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import render_template, request

from matcher.words import Msg
from web.i18n import translate

CONFIRMED = "confirmed"


def ask_first(question: object, *, details: Sequence[tuple[object, object]] = (),
              cancel_url: str | None = None, danger: bool = False) -> tuple[str, int] | None:
    """The confirmation page, unless this POST already carries ``confirmed=1`` (then None).

    Labels are msgids (translated); a value is translated only when it is a ``Msg`` (data
    such as names and amounts is shown as it is).
    """
    if request.form.get(CONFIRMED) == "1":
        return None
    carried = [(k, v) for k, v in request.form.items(multi=True)
               if k not in {CONFIRMED, "csrf_token"}]
    rows = [(translate(label), translate(value) if isinstance(value, Msg) else value)
            for label, value in details]
    referrer = request.referrer or ""
    same_site = referrer.startswith(request.host_url)
    back = cancel_url or (referrer if same_site else "/")
    return render_template("confirm.html", question=translate(question), rows=rows,
                           carried=carried, action=request.path, cancel_url=back,
                           danger=danger), 200
