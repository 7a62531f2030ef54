"""Helpers shared by the role pages: role guard, paging, form parsing and field errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from matcher.accounts.users import login_problems
from matcher.enums import Role
from matcher.errors import DomainError, ValidationFailed
from matcher.principal import Principal, require_role
from matcher.vacancies.queries import MAX_PER_PAGE
from matcher.words import msg
from web.i18n import translate, translate_fields

PER_PAGE = 20
_SPLIT = re.compile(r"[,，、;；\n]+")


def role_page(*allowed: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Page decorator: anonymous callers go to the login page, other roles get 403."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            p = g.get("principal")
            if p is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            require_role(p, *allowed)
            return view(*args, **kwargs)

        inner.required_roles = allowed  # type: ignore[attr-defined]
        return inner

    return wrap


def me() -> Principal:
    """The logged-in principal (the page is guarded by :func:`role_page`)."""
    p = g.get("principal")
    assert isinstance(p, Principal)
    return p


def page_args() -> tuple[int, int]:
    """``page`` and ``per_page`` from the query string, clamped to sane values."""

    def number(name: str, default: int) -> int:
        try:
            return max(1, int(request.args.get(name, default)))
        except (TypeError, ValueError):
            return default

    return number("page", 1), min(number("per_page", PER_PAGE), MAX_PER_PAGE)


def field_errors(exc: DomainError) -> dict[str, list[str]]:
    """An error's message (under ``_form``) and its field messages, in the reader's language."""
    found = {k: v if isinstance(v, list) else [v] for k, v in (exc.fields or {}).items()}
    return {"_form": [translate(exc.message)], **(translate_fields(found) or {})}


def form_page(template: str, exc: DomainError, **context: Any) -> tuple[str, int]:
    """Re-render a form with its field errors (status of the error, 422 for bad input)."""
    context.setdefault("form", request.form)
    return render_template(template, errors=field_errors(exc), **context), exc.status


def back(endpoint: str, **values: Any) -> Response:
    """Redirect after a successful POST (post/redirect/get)."""
    return redirect(url_for(endpoint, **values))


class FormReader:
    """Reads typed values from a submitted form, collecting per-field errors."""

    def __init__(self, form: Mapping[str, str]):
        self.form = form
        self.errors: dict[str, list[str]] = {}

    def _raw(self, name: str) -> str:
        return (self.form.get(name) or "").strip()

    def _fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def login(self, email: str = "email", password: str = "password") -> tuple[str, str]:
        """A new login's email and password, both checked now (format, password policy) so
        their errors come in the same round as every other field's."""
        address, secret = self._raw(email), self._raw(password)
        found = login_problems(address, secret)
        for name, field in (("email", email), ("password", password)):
            for message in found.get(name, []):
                self._fail(field, message)
        return address, secret

    def text(self, name: str, *, required: bool = False) -> str:
        """A trimmed string ('' when empty)."""
        value = self._raw(name)
        if required and not value:
            self._fail(name, msg("This field is required."))
        return value

    def optional(self, name: str) -> str | None:
        """A trimmed string or None."""
        return self._raw(name) or None

    def items(self, name: str) -> tuple[str, ...]:
        """A list typed as comma-, 、- or line-separated words."""
        return tuple(p.strip() for p in _SPLIT.split(self._raw(name)) if p.strip())

    def integer(self, name: str, *, required: bool = False) -> int | None:
        """A whole number or None."""
        raw = self._raw(name)
        if not raw:
            if required:
                self._fail(name, msg("This field is required."))
            return None
        try:
            return int(raw)
        except ValueError:
            self._fail(name, msg("Enter a whole number."))
            return None

    def number(self, name: str) -> float | None:
        """A decimal number or None."""
        raw = self._raw(name)
        try:
            return float(raw) if raw else None
        except ValueError:
            self._fail(name, msg("Enter a number."))
            return None

    def fen(self, name: str) -> int | None:
        """An amount typed in yuan (up to 2 decimals), as integer fen."""
        raw = self._raw(name).replace(",", "")
        if not raw:
            return None
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            amount = Decimal("NaN")
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            self._fail(name, msg("Enter an amount in yuan, e.g. 6500 or 6500.50."))
            return None
        return int(amount * 100)

    def day(self, name: str, *, required: bool = False) -> date | None:
        """A date typed as YYYY-MM-DD or None."""
        raw = self._raw(name)
        if not raw:
            if required:
                self._fail(name, msg("This field is required."))
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self._fail(name, msg("Enter a date as YYYY-MM-DD."))
            return None

    def flag(self, name: str) -> bool:
        """A checkbox."""
        return self._raw(name) in ("1", "on", "true", "yes")

    def check(self) -> None:
        """Raise :class:`ValidationFailed` with every field error collected so far."""
        if self.errors:
            raise ValidationFailed(msg("Some fields are invalid."), fields=self.errors)


def claim_fields(form: FormReader) -> tuple[int, str, str, int]:
    """A claim form's placement, rule code, idempotency key and tranche (raises on errors)."""
    placement_id = form.integer("placement_id", required=True)
    rule_code = form.text("rule_code", required=True)
    tranche = form.integer("tranche") or 1
    key = form.text("idempotency_key", required=True)
    form.check()
    assert placement_id is not None
    return placement_id, rule_code, key, tranche


def yuan(fen: int | None) -> str:
    """Integer fen as a yuan amount for display (¥6,500 or ¥6,500.50)."""
    if fen is None:
        return ""
    whole, cents = divmod(int(fen), 100)
    return f"¥{whole:,}" + (f".{cents:02d}" if cents else "")


def pct(value: float | None) -> str:
    """A 0..1 score as a percentage."""
    return "" if value is None else f"{value * 100:.0f}%"
