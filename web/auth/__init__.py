"""Login, logout and registration pages (session cookie via Flask-Login; CSRF-protected forms).

After logging in the visitor returns to the page they wanted (``next``, a path on this site
only); enterprises and agencies register here and wait for the bureau's approval; every
user lists and revokes their API tokens on ``/auth/tokens``. Logins are
throttled per account and per address together with ``POST /api/v1/auth/token``
(``web/extensions.py``); a locked account gets the form back with a 429 and ``Retry-After``.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from matcher.accounts import actions, registration
from matcher.accounts.registration import Registration
from matcher.accounts.throttle import TooManyAttempts
from matcher.action import ALL_ROLES
from matcher.errors import DomainError
from web.auth.next_url import same_site
from web.extensions import limiter, login_limited, login_throttle, signup_limit
from web.i18n import translate
from web.pages.common import FormReader, form_page, role_page
from web.security import SessionUser, perform, read, unit_of_work

bp = Blueprint("auth", __name__)
KINDS = ("enterprise", "agency")


@bp.route("/login", methods=["GET", "POST"])
@login_limited
def login() -> str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    """Show the form; on POST check the password, start a session and go where wanted."""
    wanted = same_site(request.values.get("next")) or ""
    if request.method == "GET":
        return render_template("auth/login.html", error=None, next=wanted)
    email = request.form.get("email", "")
    try:
        with unit_of_work() as uow:
            view = actions.authenticate(uow, email, request.form.get("password", ""),
                                        login_throttle())
    except TooManyAttempts as exc:
        return (render_template("auth/login.html", error=translate(exc.message), email=email,
                                next=wanted), 429, {"Retry-After": str(exc.retry_after)})
    if view is None:
        return render_template("auth/login.html", error=_("Wrong email or password."),
                               email=email, next=wanted), 401
    login_user(SessionUser(view))
    if view.approval != "approved":
        flash(_("Your account is waiting for the bureau's approval; you can act once it is "
                "approved."), "error")
    return redirect(wanted or url_for("public.index"))


@bp.post("/logout")
def logout() -> Response:
    """End the session everywhere (an old cookie replayed afterwards is rejected)."""
    if current_user.is_authenticated:
        perform(actions.log_out)
    logout_user()
    return redirect(url_for("auth.login"))


def _registration(kind: str, form: FormReader) -> Registration:
    """The typed registration; every field error (form and rules) raised in one round."""
    email, password = form.login()
    name = form.text("name", required=True)
    code = form.optional("credit_code")
    licence = form.optional("license_no")
    district = form.optional("district")
    size_class = form.optional("size_class") if kind == "enterprise" else None
    leading = kind == "enterprise" and form.optional("is_leading_industrial") is not None
    data = Registration(kind="enterprise" if kind == "enterprise" else "agency", email=email,
                        password=password, name=name, credit_code=code, license_no=licence,
                        district=district, size_class=size_class, is_leading_industrial=leading)
    for field, messages in registration.problems(data).items():
        form.errors.setdefault(field, messages)
    form.check()
    return data


@bp.route("/register/<kind>", methods=["GET", "POST"])
@limiter.limit(signup_limit, methods=["POST"])
def register(kind: str) -> str | Response | tuple[str, int]:
    """An enterprise (credit code) or HR agency (licence number) registers and logs in."""
    if kind not in KINDS:
        return redirect(url_for("auth.register", kind="enterprise"))
    if request.method == "GET":
        return render_template("auth/register.html", kind=kind, form={}, errors={})
    try:
        data = _registration(kind, FormReader(request.form))
        with unit_of_work() as uow:
            view = actions.register_organisation(uow, data)
    except DomainError as exc:
        return form_page("auth/register.html", exc, kind=kind)
    login_user(SessionUser(view))
    flash(_("Registered. The bureau will check your details; you can act once it approves "
            "your account."))
    return redirect(url_for("public.index"))


@bp.get("/tokens")
@role_page(*ALL_ROLES)
def tokens() -> str:
    """The "API tokens" page: the caller's live tokens (never the secrets), newest first;
    new ones come from ``POST /api/v1/auth/token``."""
    return render_template("auth/tokens.html", tokens=read(actions.my_tokens))


@bp.post("/tokens/<int:token_id>/revoke")
@role_page(*ALL_ROLES)
def revoke_token(token_id: int) -> Response:
    """Revoke one of the caller's tokens (another's is a 404) and show the list again."""
    gone = perform(actions.revoke_my_token, token_id)
    flash(_("Revoked the token “%(name)s”.", name=gone.name))
    return redirect(url_for("auth.tokens"))
