"""Shared employment for enterprises: who needs my staff, matches for a request, proposing,
and the agreement steps after signing (activate, return, terminate); idle staff edits.

Each handler parses, calls one action or query of :mod:`matcher.lending` (which check the
role and the caller's side) and renders its view. Paths sit under ``/api/v1/enterprise``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_smorest import Blueprint

from matcher.enums import Role
from matcher.lending import actions as lending
from matcher.lending import queries as lending_q
from matcher.lending.terms import Proposal
from web.api.common import envelope
from web.api.schemas import paged
from web.api.schemas_enterprise import (
    AgreementOut,
    DateArgs,
    EmployeeOut,
    EmployeePatchIn,
    OpportunityArgs,
    OpportunityOut,
    ProposalIn,
    RequestMatchesOut,
    TerminateIn,
)
from web.security import perform, read, roles

blp = Blueprint("lending_api", __name__, url_prefix="/api/v1/enterprise",
                description="Shared employment (lender and borrower)")


@blp.route("/lending/opportunities", methods=["GET"])
@roles(Role.ENTERPRISE)
@blp.arguments(OpportunityArgs, location="query")
@blp.response(200, paged(OpportunityOut, "OpportunityPage"))
def opportunities(args: dict[str, Any]) -> dict[str, Any]:
    """Who needs my staff: open demand my consenting idle staff fit, best first."""
    return envelope(read(lending_q.opportunities, args["date"], args["page"],
                         args["per_page"]))


@blp.route("/requests/<int:request_id>/matches", methods=["GET"])
@roles(Role.ENTERPRISE)
@blp.arguments(DateArgs, location="query")
@blp.response(200, RequestMatchesOut)
def request_matches(args: dict[str, Any], request_id: int) -> Any:
    """Lendable staff of other enterprises for an own request, grouped by lender."""
    return read(lending_q.request_matches, request_id, args["date"])


@blp.route("/agreements", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.arguments(ProposalIn)
@blp.response(201, AgreementOut)
def propose(data: dict[str, Any]) -> Any:
    """Propose an agreement to another enterprise as the lender or the borrower."""
    data["employee_ids"] = tuple(data["employee_ids"])
    return asdict(perform(lending.propose_to, Proposal(**data)))


@blp.route("/agreements/<int:agreement_id>/activate", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.response(200, AgreementOut)
def activate_agreement(agreement_id: int) -> Any:
    """Start a signed agreement on or after its start date."""
    return asdict(perform(lending.activate_agreement, agreement_id))


@blp.route("/agreements/<int:agreement_id>/return", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.response(200, AgreementOut)
def return_agreement(agreement_id: int) -> Any:
    """End an active agreement on or after its end date; the staff rejoin the pool."""
    return asdict(perform(lending.return_agreement, agreement_id))


@blp.route("/agreements/<int:agreement_id>/terminate", methods=["POST"])
@roles(Role.ENTERPRISE)
@blp.arguments(TerminateIn)
@blp.response(200, AgreementOut)
def terminate_agreement(data: dict[str, Any], agreement_id: int) -> Any:
    """End a live agreement early with a reason."""
    return asdict(perform(lending.terminate_agreement, agreement_id, data["reason"]))


@blp.route("/staff/<int:employee_id>", methods=["PATCH"])
@roles(Role.ENTERPRISE)
@blp.arguments(EmployeePatchIn)
@blp.response(200, EmployeeOut)
def edit_staff(data: dict[str, Any], employee_id: int) -> Any:
    """Change an idle employee's lending window and declared daily cost."""
    return asdict(perform(lending.edit_employee, employee_id, data["available_from"],
                          data["available_to"], data["daily_cost"]))


@blp.route("/staff/<int:employee_id>", methods=["DELETE"])
@roles(Role.ENTERPRISE)
@blp.response(200, EmployeeOut)
def remove_staff(employee_id: int) -> Any:
    """Take an idle employee out of the pool (refused while lent out)."""
    return asdict(perform(lending.remove_employee, employee_id))
