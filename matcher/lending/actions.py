"""What an enterprise does in shared employment: declare idle staff and their consent, post
and close borrowing requests, and take an agreement through its steps.

Each action checks the caller (the role by the decorator; ownership or the caller's side of
an agreement here, see :mod:`matcher.accounts.permissions`), then calls the lending service,
which validates, writes the audit row and tells the index after the commit. An enterprise
acts for itself; the system principal (CLI, jobs) names the enterprise, or the side of an
agreement, it acts for.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from matcher.accounts import permissions as perm
from matcher.action import action
from matcher.enums import Role
from matcher.errors import Forbidden, NotFound, Refused, ValidationFailed
from matcher.lending import ack, agreements, demand, pool
from matcher.lending.ack import AckOutcome
from matcher.lending.demand import RequestInput
from matcher.lending.pool import EmployeeInput, EmployeeView
from matcher.lending.queries import request_view
from matcher.lending.terms import AgreementInput, AgreementView, Proposal, terms_of
from matcher.principal import Principal
from matcher.runtime import Work
from matcher.words import msg


def _enterprise(actor: Principal, enterprise_id: int | None) -> int:
    """The enterprise the caller acts for: its own, or the one the system names."""
    if actor.is_system:
        if enterprise_id is None:
            raise ValidationFailed(msg("Name the enterprise to act for."),
                                   fields={"enterprise_id": [msg("This field is required.")]})
        return enterprise_id
    assert actor.enterprise_id is not None  # the role check refuses unlinked users
    if enterprise_id is not None and enterprise_id != actor.enterprise_id:
        raise NotFound(msg("No enterprise %(id)s.", id=enterprise_id))
    return actor.enterprise_id


@action(Role.ENTERPRISE)
def declare_employee(uow: Work, actor: Principal, data: EmployeeInput,
                     enterprise_id: int | None = None) -> EmployeeView:
    """Declare one idle employee of the caller's enterprise lendable."""
    owner = _enterprise(actor, enterprise_id)
    return pool.declare_employee(uow.rt, uow, owner, data, actor=actor.actor_name)


@action(Role.ENTERPRISE)
def record_consent(uow: Work, actor: Principal, employee_id: int,
                   consent: bool) -> EmployeeView:
    """Record an own employee's consent to be lent (``True``) or its withdrawal."""
    perm.own_employee(uow.s, actor, employee_id)
    return pool.record_consent(uow.rt, uow, employee_id, consent, actor=actor.actor_name)


@action(Role.ENTERPRISE)
def edit_employee(uow: Work, actor: Principal, employee_id: int, available_from: date | None,
                  available_to: date | None, daily_cost: int | None = None) -> EmployeeView:
    """Change an own idle employee's lending window and declared daily cost (fen)."""
    perm.own_employee(uow.s, actor, employee_id)
    return pool.update_window(uow.rt, uow, employee_id, available_from, available_to,
                              actor=actor.actor_name, daily_cost=daily_cost)


@action(Role.ENTERPRISE)
def remove_employee(uow: Work, actor: Principal, employee_id: int) -> EmployeeView:
    """Take an own idle employee out of the pool (refused while lent out)."""
    perm.own_employee(uow.s, actor, employee_id)
    pool.remove_employee(uow.rt, uow, employee_id, actor=actor.actor_name)
    return pool.get_employee(uow.s, employee_id)


@action(Role.ENTERPRISE)
def post_request(uow: Work, actor: Principal, data: RequestInput,
                 enterprise_id: int | None = None) -> dict[str, Any]:
    """Ask to borrow staff: skills, headcount, period, site."""
    owner = _enterprise(actor, enterprise_id)
    found = demand.post_request(uow.rt, uow, owner, data, actor=actor.actor_name)
    return request_view(uow.s, found.id)


@action(Role.ENTERPRISE)
def close_request(uow: Work, actor: Principal, request_id: int) -> dict[str, Any]:
    """Close an own borrowing request."""
    perm.own_request(uow.s, actor, request_id)
    demand.close_request(uow.rt, uow, request_id, actor=actor.actor_name)
    return request_view(uow.s, request_id)


#: which form field a compliance refusal of a proposal belongs to
REFUSAL_FIELDS = {
    "reimbursement_exceeds_cost": "reimbursement_yuan_per_day",
    "cost_not_declared": "employee_ids", "employee_busy": "employee_ids",
    "no_consent": "employee_ids", "outside_window": "start_date",
    "not_lenders_employee": "employee_ids", "employee_removed": "employee_ids",
}


def _propose(uow: Work, actor: Principal, data: AgreementInput) -> AgreementView:
    try:
        view = agreements.propose(uow.rt, uow, data, actor=actor.actor_name)
    except Refused as exc:
        field = REFUSAL_FIELDS.get(exc.code)
        if field is None or exc.fields:
            raise
        raise Refused(exc.message, code=exc.code, fields={field: [exc.message]}) from None
    ack.issue_links(uow.rt, uow, view.id, actor=actor.actor_name)
    return view


@action(Role.ENTERPRISE)
def propose_agreement(uow: Work, actor: Principal, data: AgreementInput) -> AgreementView:
    """Propose lending terms to another enterprise; the caller is the lender or borrower."""
    if not actor.is_system and actor.enterprise_id not in (data.lender_id, data.borrower_id):
        raise NotFound(msg("Your enterprise is no party to these terms."))
    return _propose(uow, actor, data)


@action(Role.ENTERPRISE, system=False)
def propose_to(uow: Work, actor: Principal, proposal: Proposal) -> AgreementView:
    """Propose terms to another enterprise as the caller's side (lender or borrower)."""
    return _propose(uow, actor, terms_of(_enterprise(actor, None), proposal))


@action(Role.ENTERPRISE)
def accept_agreement(uow: Work, actor: Principal, agreement_id: int) -> AgreementView:
    """The borrower accepts a proposed agreement."""
    perm.agreement_party(uow.s, actor, agreement_id, parties=("borrower",))
    return agreements.accept(uow.rt, uow, agreement_id, actor=actor.actor_name)


@action(Role.ENTERPRISE)
def sign_agreement(uow: Work, actor: Principal, agreement_id: int,
                   party: str | None = None, signer: str | None = None) -> AgreementView:
    """Sign an accepted agreement as the caller's side (the system names the side);
    ``signer`` is the signing person's name (else the user's email)."""
    if actor.is_system and party is None:
        raise ValidationFailed(msg("Name the side that signs."),
                               fields={"party": [msg("Choose the lender or the borrower.")]})
    parties = (party,) if party is not None else ("lender", "borrower")
    side = perm.agreement_party(uow.s, actor, agreement_id, parties=parties)
    return agreements.sign(uow.rt, uow, agreement_id, side, actor=actor.actor_name,
                           signer=signer or actor.email or None)


@action(Role.ADMIN)
def acknowledge_agreement(uow: Work, actor: Principal, agreement_id: int,
                          employee_id: int) -> AgreementView:
    """The system records an employee's acknowledgement (CLI, data import); no enterprise
    and no officer can: employees acknowledge through their own link."""
    if not actor.is_system:
        raise Forbidden(msg("Employees acknowledge through their own link."),
                        code="not_for_persons")
    perm.agreement_party(uow.s, actor, agreement_id, parties=("lender",))
    return agreements.acknowledge(uow.rt, uow, agreement_id, employee_id,
                                  actor=actor.actor_name)


def acknowledge_by_link(uow: Work, token: str, name: str) -> AckOutcome:
    """Public (the token authenticates): an employee confirms an agreement by typing their
    own name. A refusal comes back in the outcome so the counted try can be committed."""
    return ack.confirm(uow.rt, uow, token, name)


@action(Role.ENTERPRISE)
def activate_agreement(uow: Work, actor: Principal, agreement_id: int,
                       today: date | None = None) -> AgreementView:
    """Start a signed agreement: its employees leave the pool."""
    perm.agreement_party(uow.s, actor, agreement_id)
    return agreements.activate(uow.rt, uow, agreement_id, actor=actor.actor_name, today=today)


@action(Role.ENTERPRISE)
def return_agreement(uow: Work, actor: Principal, agreement_id: int,
                     today: date | None = None) -> AgreementView:
    """End an active agreement on or after its end date; the staff rejoin the pool."""
    perm.agreement_party(uow.s, actor, agreement_id)
    return agreements.return_agreement(uow.rt, uow, agreement_id, actor=actor.actor_name,
                                       today=today)


@action(Role.ADMIN)
def activate_due(uow: Work, actor: Principal, today: date) -> tuple[list[int], dict[int, str]]:
    """Activate every signed agreement whose period has begun (the scheduler's job)."""
    return agreements.activate_due(uow.rt, uow, today, actor=actor.actor_name)


@action(Role.ENTERPRISE)
def terminate_agreement(uow: Work, actor: Principal, agreement_id: int,
                        reason: str) -> AgreementView:
    """End a live agreement early with a reason; the staff rejoin the pool."""
    perm.agreement_party(uow.s, actor, agreement_id)
    return agreements.terminate(uow.rt, uow, agreement_id, reason, actor=actor.actor_name)
