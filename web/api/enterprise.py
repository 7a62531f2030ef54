"""Enterprises: own vacancies and candidates, idle staff, borrowing requests, agreements.

Each handler parses, calls one action or query of :mod:`matcher.vacancies` or
:mod:`matcher.lending` (which check the role and ownership) and renders its view.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_smorest import Blueprint

from matcher.enums import Role
from matcher.lending import actions as lending
from matcher.lending import queries as lending_q
from matcher.lending.demand import RequestInput
from matcher.lending.pool import EmployeeInput
from matcher.vacancies import actions
from matcher.vacancies import queries as q
from matcher.vacancies.services import VacancyInput
from web.api.common import envelope
from web.api.schemas import CandidateOut, PageArgs, RecommendArgs, paged
from web.api.schemas_enterprise import (
    AgreementOut,
    ConsentIn,
    EmployeeIn,
    EmployeeOut,
    RequestIn,
    RequestOut,
    SignIn,
    VacancyIn,
    VacancyPatchIn,
)
from web.schemas import VacancyOut
from web.security import perform, read, roles

blp = Blueprint("enterprise", __name__, url_prefix="/api/v1/enterprise",
                description="Enterprises (own objects only)")


def _tuples(data: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}


@blp.route("/vacancies", methods=["GET"])
@roles(Role.ENTERPRISE)
@blp.arguments(PageArgs, location="query")
@blp.response(200, paged(VacancyOut, "EnterpriseVacancyPage"))
def list_vacancies(args: dict[str, Any]) -> dict[str, Any]:
    """The enterprise's vacancies, every status, newest first."""
    return envelope(read(q.own_vacancies, args["page"], args["per_page"]))


@blp.route("/vacancies", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.arguments(VacancyIn)
@blp.response(201, VacancyOut)
def post_vacancy(data: dict[str, Any]) -> Any:
    """Post a vacancy (matched as soon as it is committed)."""
    return perform(actions.post_vacancy, VacancyInput(**_tuples(data)))


@blp.route("/vacancies/<int:vacancy_id>", methods=["GET"])
@roles(Role.ENTERPRISE)
@blp.response(200, VacancyOut)
def get_own_vacancy(vacancy_id: int) -> Any:
    """One of the enterprise's vacancies."""
    return read(q.own_vacancy, vacancy_id)


@blp.route("/vacancies/<int:vacancy_id>", methods=["PATCH"])
@roles(Role.ENTERPRISE)
@blp.arguments(VacancyPatchIn)
@blp.response(200, VacancyOut)
def patch_vacancy(changes: dict[str, Any], vacancy_id: int) -> Any:
    """Edit fields of an own vacancy."""
    return perform(actions.edit_vacancy, vacancy_id, changes)


@blp.route("/vacancies/<int:vacancy_id>/close", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.response(200, VacancyOut)
def close_vacancy(vacancy_id: int) -> Any:
    """Close an own vacancy (it leaves matching at once)."""
    return perform(actions.close_vacancy, vacancy_id)


@blp.route("/vacancies/<int:vacancy_id>/candidates", methods=["GET"])
@roles(Role.ENTERPRISE)
@blp.arguments(RecommendArgs, location="query")
@blp.response(200, paged(CandidateOut, "EnterpriseCandidatePage"))
def candidates(args: dict[str, Any], vacancy_id: int) -> dict[str, Any]:
    """Job seekers and other enterprises' lendable staff for an own vacancy, best first."""
    return envelope(read(q.vacancy_candidates, vacancy_id, args["page"],
                         args["per_page"]).page)


@blp.route("/staff", methods=["GET"])
@roles(Role.ENTERPRISE)
@blp.arguments(PageArgs, location="query")
@blp.response(200, paged(EmployeeOut, "EnterpriseEmployeePage"))
def list_staff(args: dict[str, Any]) -> dict[str, Any]:
    """The enterprise's declared idle staff."""
    return envelope(read(lending_q.own_staff, args["page"], args["per_page"]))


@blp.route("/staff", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.arguments(EmployeeIn)
@blp.response(201, EmployeeOut)
def declare_staff(data: dict[str, Any]) -> Any:
    """Declare an idle employee lendable (with or without consent yet)."""
    return asdict(perform(lending.declare_employee, EmployeeInput(**_tuples(data))))


@blp.route("/staff/<int:employee_id>/consent", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.arguments(ConsentIn)
@blp.response(200, EmployeeOut)
def staff_consent(data: dict[str, Any], employee_id: int) -> Any:
    """Record the employee's consent (true) or its withdrawal (false)."""
    return asdict(perform(lending.record_consent, employee_id, data["consent"]))


@blp.route("/requests", methods=["GET"])
@roles(Role.ENTERPRISE)
@blp.arguments(PageArgs, location="query")
@blp.response(200, paged(RequestOut, "EnterpriseRequestPage"))
def list_requests(args: dict[str, Any]) -> dict[str, Any]:
    """The enterprise's borrowing requests."""
    return envelope(read(lending_q.own_requests, args["page"], args["per_page"]))


@blp.route("/requests", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.arguments(RequestIn)
@blp.response(201, RequestOut)
def post_request(data: dict[str, Any]) -> Any:
    """Ask to borrow staff: skills, headcount, period, site."""
    return perform(lending.post_request, RequestInput(**_tuples(data)))


@blp.route("/requests/<int:request_id>/close", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.response(200, RequestOut)
def close_request(request_id: int) -> Any:
    """Close an own borrowing request."""
    return perform(lending.close_request, request_id)


@blp.route("/agreements", methods=["GET"])
@roles(Role.ENTERPRISE)
@blp.arguments(PageArgs, location="query")
@blp.response(200, paged(AgreementOut, "EnterpriseAgreementPage"))
def list_agreements(args: dict[str, Any]) -> dict[str, Any]:
    """Agreements where the enterprise lends or borrows."""
    return envelope(read(lending_q.own_agreements, args["page"], args["per_page"]))


@blp.route("/agreements/<int:agreement_id>", methods=["GET"])
@roles(Role.ENTERPRISE)
@blp.response(200, AgreementOut)
def get_agreement(agreement_id: int) -> Any:
    """One agreement the enterprise is party to (the lender sees each employee's link)."""
    return read(lending_q.agreement, agreement_id).as_dict()


@blp.route("/agreements/<int:agreement_id>/accept", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.response(200, AgreementOut)
def accept_agreement(agreement_id: int) -> Any:
    """The borrower accepts a proposed agreement."""
    return asdict(perform(lending.accept_agreement, agreement_id))


@blp.route("/agreements/<int:agreement_id>/sign", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.arguments(SignIn)
@blp.response(200, AgreementOut)
def sign_agreement(data: dict[str, Any], agreement_id: int) -> Any:
    """Sign an accepted agreement as the caller's side; ``signer_name`` is recorded."""
    return asdict(perform(lending.sign_agreement, agreement_id,
                          signer=data.get("signer_name")))
