"""Login, logout and registration pages (session cookie via Flask-Login; CSRF-protected forms).

After logging in the visitor returns to the page they wanted (``next``, a path on this site
only); enterprises and agencies register here and wait for the bureau's approval.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from matcher.accounts import actions
from matcher.accounts.registration import Registration
from matcher.errors import DomainError
from web.auth.next_url import same_site
from web.extensions import limiter
from web.pages.common import FormReader, form_page
from web.security import SessionUser, perform, unit_of_work

bp = Blueprint("auth", __name__)
KINDS = ("enterprise", "agency")


def _login_limit() -> str:
    return str(current_app.config["WORKBRIDGE_LOGIN_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> str | Response | tuple[str, int]:
    """Show the form; on POST check the password, start a session and go where wanted."""
    wanted = same_site(request.values.get("next")) or ""
    if request.method == "GET":
        return render_template("auth/login.html", error=None, next=wanted)
    email = request.form.get("email", "")
    with unit_of_work() as uow:
        view = actions.authenticate(uow, email, request.form.get("password", ""))
    if view is None:
        return render_template("auth/login.html", error="邮箱或密码错误 Wrong email or password",
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
    email, password = form.text("email", required=True), form.text("password", required=True)
    name = form.text("name", required=True)
    code = form.optional("credit_code")
    licence = form.optional("license_no")
    district = form.optional("district")
    form.check()
    return Registration(kind="enterprise" if kind == "enterprise" else "agency", email=email,
                        password=password, name=name, credit_code=code, license_no=licence,
                        district=district)


@bp.route("/register/<kind>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
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
