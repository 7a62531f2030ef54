"""Job-seeker pages: sign-up, profile editor, explained recommendations, interest, privacy."""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from matcher.enums import Role, SeekerCategory
from matcher.errors import DomainError, ValidationFailed
from matcher.seekers import actions, queries
from matcher.seekers.services import SeekerInput, profile_problems
from matcher.words import msg
from web.api.seeker import profile_limit, profile_limit_key
from web.auth.next_url import same_site
from web.extensions import limiter
from web.pages.common import FormReader, back, form_page, page_args, role_page
from web.security import SessionUser, perform, read, unit_of_work

bp = Blueprint("seeker_pages", __name__)

LIST_FIELDS = ("desired_positions", "skills")


def _profile_changes(form: FormReader, categories: tuple[str, ...] | None = None
                     ) -> dict[str, Any]:
    """The editable profile fields as typed in the form, checked by the form's rules and the
    engine's profile rules together (every error in one round)."""
    changes: dict[str, Any] = {
        "name": form.optional("name"),
        "desired_positions": form.items("desired_positions"),
        "skills": form.items("skills"),
        "experience": form.text("experience"),
        "district": form.optional("district"),
        "travel_km": form.number("travel_km"),
        "available_from": form.day("available_from"),
        "available_to": form.day("available_to"),
        "graduation_year": form.integer("graduation_year"),
        "degree_level": form.optional("degree_level"),
        "phone": form.optional("phone"),
        "id_number": form.optional("id_number"),
        "consent_matching": form.flag("consent_matching"),
        "consent_share_with_agencies": form.flag("consent_share_with_agencies"),
    }
    if categories is not None:
        changes["categories"] = categories
    typed = {k: v for k, v in changes.items() if v is not None}
    for name, messages in profile_problems(SeekerInput(external_id="form", **typed)).items():
        if name not in form.errors:  # the form's own message for a field comes first
            form.errors[name] = list(messages)
    form.check()
    return changes


def _own_profile() -> dict[str, Any]:
    """The owner's full profile, identifiers in clear (the owner may see them)."""
    profile: dict[str, Any] = read(queries.my_data)["profile"]
    for name in LIST_FIELDS:
        profile[name] = "、".join(profile.get(name) or ())
    return profile


def _districts() -> list[str]:
    with unit_of_work() as uow:
        return queries.districts(uow)


def _signup_page(**context: Any) -> dict[str, Any]:
    return {"districts": _districts(), "categories": list(SeekerCategory),
            "next": same_site(request.values.get("next")) or "", **context}


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> Any:
    """Create a job-seeker profile (with categories and district) and its login, then log in."""
    if request.method == "GET":
        return render_template("seeker/signup.html", form={}, errors={}, **_signup_page())
    form = FormReader(request.form)
    email, password = form.login()  # format and password policy checked in this round
    form.text("district", required=True)  # the travel radius is measured from it
    try:
        changes = _profile_changes(form, tuple(request.form.getlist("categories")))
        profile = SeekerInput(external_id=f"web-{uuid.uuid4().hex[:16]}", **changes)
        with unit_of_work() as uow:
            view = actions.sign_up_seeker(uow, actions.SignUp(email, password, profile))
    except DomainError as exc:
        return form_page("seeker/signup.html", exc, **_signup_page(
            chosen=request.form.getlist("categories")))
    login_user(SessionUser(view))
    flash(_("Welcome! Your profile is saved; here are your recommendations."))
    wanted = same_site(request.form.get("next"))
    return redirect(wanted) if wanted else back("seeker_pages.recommendations")


@bp.get("/")
@role_page(Role.SEEKER)
def profile() -> str:
    """The profile editor, prefilled with the owner's own values."""
    return render_template("seeker/profile.html", form=_own_profile(), errors={},
                           districts=_districts())


@bp.post("/")
@role_page(Role.SEEKER)
@limiter.limit(profile_limit, key_func=profile_limit_key)  # the same counter as the API
def save_profile() -> Any:
    """Save the profile; identifiers left unchanged are not re-encrypted."""
    form = FormReader(request.form)
    try:
        changes = _profile_changes(form)
        perform(actions.update_profile,
                actions.ProfileChanges(changes, keep_unchanged_identifiers=True))
    except DomainError as exc:
        return form_page("seeker/profile.html", exc, districts=_districts())
    flash(_("Profile saved."))
    return back("seeker_pages.profile")


@bp.get("/recommendations")
@role_page(Role.SEEKER)
def recommendations() -> str:
    """Recommended open vacancies, each with why it matches."""
    found = read(queries.my_recommendations, *page_args())
    return render_template("seeker/recommendations.html", page=found)


@bp.post("/vacancies/<int:vacancy_id>/interest")
@role_page(Role.SEEKER)
def interest(vacancy_id: int) -> Any:
    """Express interest in an open vacancy (recorded as an audit entry, no new table)."""
    card = perform(actions.express_interest, vacancy_id)  # 422 vacancy_not_open, translated
    flash(_("Your interest in “%(title)s” was sent.", title=card.title))
    return back("seeker_pages.recommendations", page=request.form.get("page", 1))


@bp.get("/export")
@role_page(Role.SEEKER)
def export() -> Response:
    """Download everything stored about me as JSON."""
    data = read(queries.my_data)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": "attachment; filename=workbridge-my-data.json",
        "Cache-Control": "no-store"})


@bp.route("/delete", methods=["GET", "POST"])
@role_page(Role.SEEKER)
def delete_account() -> Any:
    """Confirm, then anonymize the profile and deactivate the login."""
    if request.method == "GET":
        return render_template("seeker/delete.html", errors={})
    if request.form.get("confirm") != "DELETE":
        exc = ValidationFailed(msg("Type DELETE to confirm."),
                               fields={"confirm": [msg("Type DELETE to confirm.")]})
        return form_page("seeker/delete.html", exc)
    perform(actions.delete_account)
    logout_user()
    flash(_("Your account was deleted."))
    return back("public.index")
