"""Job-seeker pages: sign-up, profile editor, explained recommendations, interest, privacy."""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Blueprint, Response, flash, render_template, request
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from matcher import audit
from matcher.accounts import users
from matcher.accounts.export import export_seeker
from matcher.accounts.listings import slice_page
from matcher.enums import Role
from matcher.errors import DomainError, ValidationFailed
from matcher.matching.service import recommend_vacancies
from matcher.queries import vacancies as q
from matcher.services import seekers
from web import runtime
from web.pages.common import FormReader, back, form_page, me, page_args, role_page
from web.security import SessionUser, reading, unit_of_work

bp = Blueprint("seeker_pages", __name__)

LIST_FIELDS = ("desired_positions", "skills")


def _seeker_id() -> int:
    sid = me().seeker_id
    assert sid is not None  # role_page checked the link
    return sid


def _profile_changes(form: FormReader) -> dict[str, Any]:
    """The editable profile fields as typed in the form."""
    changes: dict[str, Any] = {
        "name": form.optional("name"),
        "desired_positions": form.items("desired_positions"),
        "skills": form.items("skills"),
        "experience": form.text("experience"),
        "district": form.optional("district"),
        "travel_km": form.number("travel_km"),
        "available_from": form.day("available_from"),
        "available_to": form.day("available_to"),
        "phone": form.optional("phone"),
        "id_number": form.optional("id_number"),
        "consent_matching": form.flag("consent_matching"),
        "consent_share_with_agencies": form.flag("consent_share_with_agencies"),
    }
    form.check()
    return changes


def _own_profile() -> dict[str, Any]:
    """The owner's full profile, identifiers in clear (the owner may see them)."""
    with unit_of_work() as uow:
        profile: dict[str, Any] = export_seeker(runtime(), uow, _seeker_id())["profile"]
    for name in LIST_FIELDS:
        profile[name] = "、".join(profile.get(name) or ())
    return profile


def _districts() -> list[str]:
    with reading() as s:
        return q.districts(s)


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> Any:
    """Create a job-seeker profile and its login in one transaction, then log in."""
    if request.method == "GET":
        return render_template("seeker/signup.html", form={}, errors={},
                               districts=_districts())
    form = FormReader(request.form)
    email, password = form.text("email", required=True), form.text("password", required=True)
    try:
        changes = _profile_changes(form)
        data = seekers.SeekerInput(external_id=f"web-{uuid.uuid4().hex[:16]}", **changes)
        with unit_of_work() as uow:
            created = seekers.create_seeker(runtime(), uow, data, actor="signup")
            view = users.create_user(uow, email=email, password=password, role=Role.SEEKER,
                                     seeker_id=created.id, actor="signup")
    except DomainError as exc:
        return form_page("seeker/signup.html", exc, districts=_districts())
    login_user(SessionUser(view))
    flash(_("Welcome! Your profile is saved; here are your recommendations."))
    return back("seeker_pages.recommendations")


@bp.get("/")
@role_page(Role.SEEKER)
def profile() -> str:
    """The profile editor, prefilled with the owner's own values."""
    return render_template("seeker/profile.html", form=_own_profile(), errors={},
                           districts=_districts())


@bp.post("/")
@role_page(Role.SEEKER)
def save_profile() -> Any:
    """Save the profile; identifiers left unchanged are not re-encrypted."""
    form = FormReader(request.form)
    try:
        changes = _profile_changes(form)
        current = _own_profile()
        for name in ("phone", "id_number"):
            if (changes[name] or None) == (current.get(name) or None):
                del changes[name]
        with unit_of_work() as uow:
            seekers.update_seeker(runtime(), uow, _seeker_id(), changes, actor=me().actor_name)
    except DomainError as exc:
        return form_page("seeker/profile.html", exc, districts=_districts())
    flash(_("Profile saved."))
    return back("seeker_pages.profile")


@bp.get("/recommendations")
@role_page(Role.SEEKER)
def recommendations() -> str:
    """Recommended open vacancies, each with why it matches."""
    page, per_page = page_args()
    found = recommend_vacancies(runtime(), _seeker_id(), k=page * per_page)
    return render_template("seeker/recommendations.html",
                           page=slice_page(found, page, per_page))


@bp.post("/vacancies/<int:vacancy_id>/interest")
@role_page(Role.SEEKER)
def interest(vacancy_id: int) -> Any:
    """Express interest in an open vacancy (recorded as an audit entry, no new table)."""
    with unit_of_work() as uow:
        card = q.get_vacancy(uow.s, vacancy_id)  # NotFound for an unknown id
        if card.status != "open":
            raise ValidationFailed(_("This vacancy is no longer open."),
                                   fields={"vacancy_id": [_("not open")]})
        audit.record(uow.s, me().actor_name, "interest", "vacancy", vacancy_id,
                     {"seeker_id": _seeker_id()})
    flash(_("Your interest in “%(title)s” was sent.", title=card.title))
    return back("seeker_pages.recommendations", page=request.form.get("page", 1))


@bp.get("/export")
@role_page(Role.SEEKER)
def export() -> Response:
    """Download everything stored about me as JSON."""
    with unit_of_work() as uow:
        data = export_seeker(runtime(), uow, _seeker_id())
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
        exc = ValidationFailed(_("Type DELETE to confirm."),
                               fields={"confirm": [_("Type DELETE to confirm.")]})
        return form_page("seeker/delete.html", exc)
    p = me()
    with unit_of_work() as uow:
        seekers.delete_seeker(runtime(), uow, _seeker_id(), actor=p.actor_name)
        users.deactivate(uow, p.user_id, actor=p.actor_name)
    logout_user()
    flash(_("Your account was deleted."))
    return back("public.index")
