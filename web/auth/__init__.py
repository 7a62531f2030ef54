"""Login and logout pages (session cookie via Flask-Login; CSRF-protected forms)."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from matcher.accounts import actions
from web.extensions import limiter
from web.security import SessionUser, perform, unit_of_work

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return str(current_app.config["WORKBRIDGE_LOGIN_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> str | Response | tuple[str, int]:
    """Show the form; on POST check the password and start a session."""
    if request.method == "GET":
        return render_template("auth/login.html", error=None)
    email = request.form.get("email", "")
    with unit_of_work() as uow:
        view = actions.authenticate(uow, email, request.form.get("password", ""))
    if view is None:
        return render_template("auth/login.html", error="邮箱或密码错误 Wrong email or password",
                               email=email), 401
    login_user(SessionUser(view))
    return redirect(url_for("public.index"))


@bp.post("/logout")
def logout() -> Response:
    """End the session everywhere (an old cookie replayed afterwards is rejected)."""
    if current_user.is_authenticated:
        perform(actions.log_out)
    logout_user()
    return redirect(url_for("auth.login"))
