"""Enterprises: own vacancies and candidates, idle staff, borrowing requests, agreements."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_smorest import Blueprint

from matcher.accounts import listings
from matcher.accounts import permissions as perm
from matcher.enums import Role
from matcher.lending import agreements, demand, pool
from matcher.matching.service import candidates_for_vacancy
from matcher.queries.vacancies import get_vacancy
from matcher.services import vacancies
from web import runtime
from web.api.common import envelope
from web.api.schemas import CandidateOut, PageArgs, RecommendArgs, paged
from web.api.schemas_enterprise import (
    AgreementOut,
    ConsentIn,
    EmployeeIn,
    EmployeeOut,
    RequestIn,
    RequestOut,
    VacancyIn,
    VacancyPatchIn,
)
from web.schemas import VacancyOut
from web.security import principal, reading, roles, unit_of_work

blp = Blueprint("enterprise", __name__, url_prefix="/api/v1/enterprise",
                description="Enterprises (own objects only)")


def _eid() -> int:
    eid = principal().enterprise_id
    assert eid is not None
    return eid


def _tuples(data: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}


@blp.route("/vacancies", methods=["GET"])
@roles(Role.ENTERPRISE)
@blp.arguments(PageArgs, location="query")
@blp.response(200, paged(VacancyOut, "EnterpriseVacancyPage"))
def list_vacancies(args: dict[str, Any]) -> dict[str, Any]:
    """The enterprise's vacancies, every status, newest first."""
    with reading() as s:
        return envelope(listings.enterprise_vacancies(s, _eid(), args["page"], args["per_page"]))


@blp.route("/vacancies", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.arguments(VacancyIn)
@blp.response(201, VacancyOut)
def post_vacancy(data: dict[str, Any]) -> Any:
    """Post a vacancy (matched as soon as it is committed)."""
    p = principal()
    with unit_of_work() as uow:
        view = vacancies.post_vacancy(
            runtime(), uow, vacancies.VacancyInput(**_tuples(data), enterprise_id=_eid()),
            actor=p.actor_name)
    with reading() as s:
        return get_vacancy(s, view.id)


@blp.route("/vacancies/<int:vacancy_id>", methods=["GET"])
@roles(Role.ENTERPRISE)
@blp.response(200, VacancyOut)
def get_own_vacancy(vacancy_id: int) -> Any:
    """One of the enterprise's vacancies."""
    with reading() as s:
        perm.own_vacancy(s, principal(), vacancy_id)
        return get_vacancy(s, vacancy_id)


@blp.route("/vacancies/<int:vacancy_id>", methods=["PATCH"])
@roles(Role.ENTERPRISE)
@blp.arguments(VacancyPatchIn)
@blp.response(200, VacancyOut)
def patch_vacancy(changes: dict[str, Any], vacancy_id: int) -> Any:
    """Edit fields of an own vacancy."""
    with unit_of_work() as uow:
        perm.own_vacancy(uow.s, principal(), vacancy_id)
        vacancies.edit_vacancy(runtime(), uow, vacancy_id, _tuples(changes),
                               actor=principal().actor_name)
    with reading() as s:
        return get_vacancy(s, vacancy_id)


@blp.route("/vacancies/<int:vacancy_id>/close", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.response(200, VacancyOut)
def close_vacancy(vacancy_id: int) -> Any:
    """Close an own vacancy (it leaves matching at once)."""
    with unit_of_work() as uow:
        perm.own_vacancy(uow.s, principal(), vacancy_id)
        vacancies.close_vacancy(runtime(), uow, vacancy_id, actor=principal().actor_name)
    with reading() as s:
        return get_vacancy(s, vacancy_id)


@blp.route("/vacancies/<int:vacancy_id>/candidates", methods=["GET"])
@roles(Role.ENTERPRISE)
@blp.arguments(RecommendArgs, location="query")
@blp.response(200, paged(CandidateOut, "EnterpriseCandidatePage"))
def candidates(args: dict[str, Any], vacancy_id: int) -> dict[str, Any]:
    """Job seekers and other enterprises' lendable staff for an own vacancy, best first."""
    with reading() as s:
        perm.own_vacancy(s, principal(), vacancy_id)
    page, per_page = args["page"], args["per_page"]
    found = candidates_for_vacancy(runtime(), vacancy_id, k=page * per_page)
    return envelope(listings.slice_page(found, page, per_page))


@blp.route("/staff", methods=["GET"])
@roles(Role.ENTERPRISE)
@blp.arguments(PageArgs, location="query")
@blp.response(200, paged(EmployeeOut, "EnterpriseEmployeePage"))
def list_staff(args: dict[str, Any]) -> dict[str, Any]:
    """The enterprise's declared idle staff."""
    with reading() as s:
        return envelope(listings.enterprise_staff(s, _eid(), args["page"], args["per_page"]))


@blp.route("/staff", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.arguments(EmployeeIn)
@blp.response(201, EmployeeOut)
def declare_staff(data: dict[str, Any]) -> Any:
    """Declare an idle employee lendable (with or without consent yet)."""
    with unit_of_work() as uow:
        view = pool.declare_employee(runtime(), uow, _eid(), pool.EmployeeInput(**_tuples(data)),
                                     actor=principal().actor_name)
    return asdict(view)


@blp.route("/staff/<int:employee_id>/consent", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.arguments(ConsentIn)
@blp.response(200, EmployeeOut)
def staff_consent(data: dict[str, Any], employee_id: int) -> Any:
    """Record the employee's consent (true) or its withdrawal (false)."""
    with unit_of_work() as uow:
        perm.own_employee(uow.s, principal(), employee_id)
        view = pool.record_consent(runtime(), uow, employee_id, data["consent"],
                                   actor=principal().actor_name)
    return asdict(view)


@blp.route("/requests", methods=["GET"])
@roles(Role.ENTERPRISE)
@blp.arguments(PageArgs, location="query")
@blp.response(200, paged(RequestOut, "EnterpriseRequestPage"))
def list_requests(args: dict[str, Any]) -> dict[str, Any]:
    """The enterprise's borrowing requests."""
    with reading() as s:
        return envelope(listings.enterprise_requests(s, _eid(), args["page"], args["per_page"]))


@blp.route("/requests", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.arguments(RequestIn)
@blp.response(201, RequestOut)
def post_request(data: dict[str, Any]) -> Any:
    """Ask to borrow staff: skills, headcount, period, site."""
    with unit_of_work() as uow:
        found = demand.post_request(runtime(), uow, _eid(), demand.RequestInput(**_tuples(data)),
                                    actor=principal().actor_name)
    with reading() as s:
        return listings.get_request(s, found.id)


@blp.route("/requests/<int:request_id>/close", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.response(200, RequestOut)
def close_request(request_id: int) -> Any:
    """Close an own borrowing request."""
    with unit_of_work() as uow:
        perm.own_request(uow.s, principal(), request_id)
        demand.close_request(runtime(), uow, request_id, actor=principal().actor_name)
    with reading() as s:
        return listings.get_request(s, request_id)


@blp.route("/agreements", methods=["GET"])
@roles(Role.ENTERPRISE)
@blp.arguments(PageArgs, location="query")
@blp.response(200, paged(AgreementOut, "EnterpriseAgreementPage"))
def list_agreements(args: dict[str, Any]) -> dict[str, Any]:
    """Agreements where the enterprise lends or borrows."""
    with reading() as s:
        return envelope(listings.enterprise_agreements(s, _eid(), args["page"],
                                                       args["per_page"]))


@blp.route("/agreements/<int:agreement_id>", methods=["GET"])
@roles(Role.ENTERPRISE)
@blp.response(200, AgreementOut)
def get_agreement(agreement_id: int) -> Any:
    """One agreement the enterprise is party to."""
    with reading() as s:
        perm.agreement_party(s, principal(), agreement_id)
        return asdict(agreements.get_agreement(s, agreement_id))


@blp.route("/agreements/<int:agreement_id>/accept", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.response(200, AgreementOut)
def accept_agreement(agreement_id: int) -> Any:
    """The borrower accepts a proposed agreement."""
    with unit_of_work() as uow:
        perm.agreement_party(uow.s, principal(), agreement_id, parties=("borrower",))
        view = agreements.accept(runtime(), uow, agreement_id, actor=principal().actor_name)
    return asdict(view)


@blp.route("/agreements/<int:agreement_id>/sign", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.response(200, AgreementOut)
def sign_agreement(agreement_id: int) -> Any:
    """Sign an accepted agreement as the caller's side (lender or borrower)."""
    with unit_of_work() as uow:
        side = perm.agreement_party(uow.s, principal(), agreement_id)
        view = agreements.sign(runtime(), uow, agreement_id, side, actor=principal().actor_name)
    return asdict(view)
