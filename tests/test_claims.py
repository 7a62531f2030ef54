"""Claims: lifecycle with an audit row per state change, idempotent submission, duplicate
claims, permissions, caps at approval and payment, reversals that free the cap."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from builders.subsidy import add_agency, add_vacancy, committing, placed_world
from click.testing import CliRunner
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from matcher.cli.subsidy_cmds import subsidy
from matcher.config import PACKAGE_DATA
from matcher.enums import ClaimantKind, KeyTier, SizeClass
from matcher.errors import Conflict, Forbidden, NotFound, Refused, ValidationFailed
from matcher.models import AuditLog, Enterprise, JobSeeker
from matcher.models.subsidy import LedgerEntry, SubsidyClaim
from matcher.runtime import Runtime
from matcher.subsidy import caps
from matcher.subsidy.actors import Actor
from matcher.subsidy.claims import (
    ClaimRequest,
    approve_claim,
    draft_claim,
    get_claim,
    reject_claim,
    submit_claim,
)
from matcher.subsidy.evaluate import Claimant
from matcher.subsidy.ledger import balance, entries_for, pay_claim, reverse_payment
from matcher.subsidy.placements import HireRequest, hire, record_social_insurance
from matcher.subsidy.recommendations import recommend
from matcher.subsidy.rules import RuleSet, load_rules, parse_rules

SHIPPED = load_rules(PACKAGE_DATA / "subsidy_rules.yaml")
ADMIN = Actor.admin("admin@bureau.example")
ON = date(2024, 5, 1)
INTRO = "employment_introduction"


def submit(rt: Runtime, rules: RuleSet, req: ClaimRequest, key: str, actor: Actor | None = None,
           on: date = ON) -> Any:
    actor = actor or Actor.agency("staff", req.claimant.id)
    with committing(rt) as uow:
        return submit_claim(uow, rules, req, idempotency_key=key, actor=actor, on_date=on)


def agency_req(world: Any, i: int = 0, rule: str = INTRO, tranche: int = 1) -> ClaimRequest:
    return ClaimRequest(Claimant(ClaimantKind.AGENCY, world.agency_id), world.placement_ids[i],
                        rule, tranche)


def audit_actions(rt: Runtime, claim_id: int) -> list[str]:
    with committing(rt) as uow:
        return list(uow.s.scalars(select(AuditLog.action).where(
            AuditLog.entity == "subsidy_claim", AuditLog.entity_id == str(claim_id))
            .order_by(AuditLog.id)))


def test_lifecycle_leaves_an_audit_row_for_every_state_change(rt: Runtime) -> None:
    world = placed_world(rt, 2)
    staff = Actor.agency("staff", world.agency_id)
    with committing(rt) as uow:
        draft = draft_claim(uow, SHIPPED, agency_req(world), actor=staff, on_date=ON)
    assert draft.status == "draft" and draft.amount_fen == 311_00
    sub = submit(rt, SHIPPED, agency_req(world), "key-1")
    assert (sub.claim.id, sub.claim.status, sub.replayed) == (draft.id, "submitted", False)
    with committing(rt) as uow:
        assert approve_claim(uow, draft.id, actor=ADMIN).status == "approved"
    with committing(rt) as uow:
        paid = pay_claim(uow, draft.id, actor=ADMIN, booked_on=date(2024, 6, 1))
    with committing(rt) as uow:
        reversal = reverse_payment(uow, draft.id, actor=ADMIN, reason="contract ended early")
    assert (paid.amount_fen, reversal.amount_fen, reversal.reverses_id) == (
        311_00, -311_00, paid.id)
    assert audit_actions(rt, draft.id) == [
        "claim.drafted", "claim.submitted", "claim.approved", "claim.paid", "claim.reversed"]

    other = submit(rt, SHIPPED, agency_req(world, 1), "key-2").claim
    with committing(rt) as uow:
        rejected = reject_claim(uow, other.id, actor=ADMIN, reason="contract not verified")
    assert (rejected.status, rejected.decision_reason) == ("rejected", "contract not verified")
    assert audit_actions(rt, other.id) == ["claim.submitted", "claim.rejected"]
    with committing(rt) as uow:
        row = uow.s.scalars(select(AuditLog).where(AuditLog.action == "claim.rejected")).one()
        assert row.data["reason"] == "contract not verified"
        assert row.actor == "admin@bureau.example"
        assert get_claim(uow, draft.id, actor=ADMIN).reversed is True
        assert balance(uow.s, claim_ids=[draft.id]) == 0
        assert [e.kind for e in entries_for(uow, draft.id)] == ["payment", "reversal"]
    # ...and the log itself cannot be rewritten afterwards.
    for sql in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with rt.uow() as uow, pytest.raises(DatabaseError, match="append-only"):
            uow.s.execute(text(sql))
    for sql in ("UPDATE ledger_entries SET amount_fen = 1", "DELETE FROM ledger_entries"):
        with rt.uow() as uow, pytest.raises(DatabaseError, match="append-only"):
            uow.s.execute(text(sql))


def test_a_failed_change_leaves_no_audit_row(rt: Runtime) -> None:
    world = placed_world(rt, 1)
    claim = submit(rt, SHIPPED, agency_req(world), "k").claim
    with rt.uow() as uow:  # the per-person cap is already used up by someone else
        row = uow.s.get(SubsidyClaim, claim.id)
        assert row is not None
        caps.reserve(uow.s, caps.keys_for(row), 311_00, "approved")
        uow.commit()
    with rt.uow() as uow, pytest.raises(Refused) as err:
        approve_claim(uow, claim.id, actor=ADMIN)
    assert err.value.code == "cap_exceeded"
    assert audit_actions(rt, claim.id) == ["claim.submitted"]
    with committing(rt) as uow:
        assert get_claim(uow, claim.id, actor=ADMIN).status == "submitted"


def test_idempotent_submission(rt: Runtime) -> None:
    world = placed_world(rt, 2, key_tier=KeyTier.KEY, social_insurance_months=6)
    first = submit(rt, SHIPPED, agency_req(world), "same-key")
    again = submit(rt, SHIPPED, agency_req(world), "same-key")
    assert again.replayed and again.claim.id == first.claim.id
    assert again.claim.amount_fen == first.claim.amount_fen
    # A retry still gets the first answer when the claim would no longer be eligible.
    late = submit(rt, SHIPPED, agency_req(world), "same-key", on=date(2019, 1, 1))
    assert late.replayed and late.claim.id == first.claim.id
    for changed in (agency_req(world, 1), agency_req(world, rule="key_enterprise_recruitment")):
        with pytest.raises(ValidationFailed) as err:
            submit(rt, SHIPPED, changed, "same-key")
        assert err.value.code == "idempotency_mismatch" and err.value.status == 422
    with pytest.raises(Conflict) as conflict:
        submit(rt, SHIPPED, agency_req(world), "another-key")
    assert conflict.value.code == "duplicate_claim" and conflict.value.status == 409
    # Each tranche is its own claim.
    t1 = submit(rt, SHIPPED, agency_req(world, rule="key_enterprise_recruitment"), "t1")
    t2 = submit(rt, SHIPPED, agency_req(world, rule="key_enterprise_recruitment", tranche=2), "t2")
    assert (t1.claim.amount_fen, t2.claim.amount_fen) == (500_00, 500_00)
    with committing(rt) as uow:
        assert uow.s.scalar(select(SubsidyClaim.id).where(
            SubsidyClaim.placement_id == world.placement_ids[1])) is None
        assert len(uow.s.scalars(select(SubsidyClaim)).all()) == 3


def test_ineligible_claims_are_refused_and_not_stored(rt: Runtime) -> None:
    world = placed_world(rt, 1, agency_charged=True, social_insurance_months=0)
    with pytest.raises(Refused) as err:
        submit(rt, SHIPPED, agency_req(world), "k")
    assert err.value.code == "not_eligible"
    assert set(err.value.fields) == {"social_insurance_months_min", "agency_not_charged"}
    with committing(rt) as uow:
        assert uow.s.scalars(select(SubsidyClaim)).all() == []
    with pytest.raises(ValidationFailed) as unknown:
        submit(rt, SHIPPED, agency_req(world, rule="no_such_rule"), "k")
    assert "rule_code" in unknown.value.fields


def test_permissions(rt: Runtime) -> None:
    world = placed_world(rt, 1)
    with committing(rt) as uow:
        stranger_agency = add_agency(uow.s)
        uow.commit()
    stranger = Actor.agency("other", stranger_agency)
    with pytest.raises(Forbidden):
        submit(rt, SHIPPED, agency_req(world), "k", actor=stranger)
    claim = submit(rt, SHIPPED, agency_req(world), "k").claim
    with rt.uow() as uow, pytest.raises(Forbidden):
        approve_claim(uow, claim.id, actor=Actor.agency("staff", world.agency_id))
    with rt.uow() as uow, pytest.raises(NotFound):
        get_claim(uow, claim.id, actor=stranger)
    with committing(rt) as uow:
        assert get_claim(uow, claim.id, actor=Actor.agency("s", world.agency_id)).id == claim.id


def test_only_allowed_transitions(rt: Runtime) -> None:
    world = placed_world(rt, 1)
    claim = submit(rt, SHIPPED, agency_req(world), "k").claim
    with rt.uow() as uow, pytest.raises(Conflict):
        pay_claim(uow, claim.id, actor=ADMIN)
    with rt.uow() as uow, pytest.raises(ValidationFailed):
        reject_claim(uow, claim.id, actor=ADMIN, reason="  ")
    with committing(rt) as uow:
        approve_claim(uow, claim.id, actor=ADMIN)
    for action in (lambda uow: approve_claim(uow, claim.id, actor=ADMIN),
                   lambda uow: reject_claim(uow, claim.id, actor=ADMIN, reason="late"),
                   lambda uow: reverse_payment(uow, claim.id, actor=ADMIN, reason="x")):
        with rt.uow() as uow, pytest.raises(Conflict):
            action(uow)
    with committing(rt) as uow:
        pay_claim(uow, claim.id, actor=ADMIN)
    with rt.uow() as uow, pytest.raises(Conflict):
        pay_claim(uow, claim.id, actor=ADMIN)
    with committing(rt) as uow:
        reverse_payment(uow, claim.id, actor=ADMIN, reason="error")
    with rt.uow() as uow, pytest.raises(Conflict):
        reverse_payment(uow, claim.id, actor=ADMIN, reason="again")
    with committing(rt) as uow:
        assert [e.amount_fen for e in uow.s.scalars(select(LedgerEntry))] == [311_00, -311_00]


def test_per_person_cap_spans_agencies_and_vacancies(rt: Runtime) -> None:
    world = placed_world(rt, 1, categories=("registered_unemployed",))
    with committing(rt) as uow:
        second_agency = add_agency(uow.s)
        second_vacancy = add_vacancy(uow.s, world.enterprise_id)
        uow.commit()
    seeker = world.seeker_ids[0]
    with committing(rt) as uow:
        recommend(uow, agency_id=second_agency, seeker_id=seeker, vacancy_id=second_vacancy,
                  actor=ADMIN, at=datetime(2024, 3, 20, tzinfo=UTC))
    with committing(rt) as uow:
        placement2 = hire(rt, uow, HireRequest(seeker, second_vacancy, date(2024, 4, 1),
                                           date(2024, 4, 1), 12, 1), actor=ADMIN).id
    first = submit(rt, SHIPPED, agency_req(world), "a").claim
    second = submit(rt, SHIPPED, ClaimRequest(Claimant(ClaimantKind.AGENCY, second_agency),
                                              placement2, INTRO), "b").claim
    with committing(rt) as uow:
        approve_claim(uow, first.id, actor=ADMIN)
    with rt.uow() as uow, pytest.raises(Refused) as err:
        approve_claim(uow, second.id, actor=ADMIN)
    assert err.value.code == "cap_exceeded" and "per_person" in err.value.message


CAPPED = parse_rules({"format": 1, "city": "北京市", "rules": [
    {"code": "capped", "version": 1, "name": "capped", "claimant": "agency",
     "values": [{"from": date(2024, 1, 1), "amount_yuan": 400,
                 "caps": {"per_agency_per_year_yuan": 1000}}]}]})


def test_agency_year_cap_at_approval_payment_and_freed_by_reversal(rt: Runtime) -> None:
    world = placed_world(rt, 4)
    claims = [submit(rt, CAPPED, agency_req(world, i, "capped"), f"k{i}").claim
              for i in range(3)]
    for c in claims[:2]:
        with committing(rt) as uow:
            approve_claim(uow, c.id, actor=ADMIN)
    with rt.uow() as uow, pytest.raises(Refused):
        approve_claim(uow, claims[2].id, actor=ADMIN)
    with committing(rt) as uow:
        pay_claim(uow, claims[0].id, actor=ADMIN)
    with committing(rt) as uow:
        reverse_payment(uow, claims[0].id, actor=ADMIN, reason="worker left")
    with committing(rt) as uow:  # the reversal freed 400 yuan of the cap
        approve_claim(uow, claims[2].id, actor=ADMIN)
    with committing(rt) as uow:
        assert caps.usage(uow.s, "capped", f"agency:{world.agency_id}", 2024) == {
            "approved": 800_00, "paid": 0}
    # A claim of the next year counts against next year's cap.
    next_year = submit(rt, CAPPED, agency_req(world, 3, "capped"), "k3", on=date(2025, 1, 2))
    with committing(rt) as uow:
        approve_claim(uow, next_year.claim.id, actor=ADMIN)
    with committing(rt) as uow:
        assert caps.usage(uow.s, "capped", f"agency:{world.agency_id}", 2025) == {
            "approved": 400_00}


def test_payment_checks_the_cap_again(rt: Runtime) -> None:
    world = placed_world(rt, 3)
    claims = [submit(rt, CAPPED, agency_req(world, i, "capped"), f"k{i}").claim
              for i in range(3)]
    with rt.uow() as uow:  # approved outside the service, e.g. by a faulty import
        uow.s.execute(text("UPDATE subsidy_claims SET status = 'approved'"))
        uow.commit()
    outcomes = []
    for c in claims:
        with committing(rt) as uow:
            try:
                pay_claim(uow, c.id, actor=ADMIN)
                outcomes.append("paid")
            except Refused as exc:
                outcomes.append(exc.code)
    assert outcomes == ["paid", "paid", "cap_exceeded"]
    with committing(rt) as uow:
        assert balance(uow.s, agency_id=world.agency_id) == 800_00


def test_enterprise_and_person_rules(rt: Runtime) -> None:
    world = placed_world(rt, 1, size=SizeClass.MICRO, graduation_year=2024)
    seeker = world.seeker_ids[0]
    with committing(rt) as uow:  # graduate_job_seeking v2: bachelor, leading industrial employer
        uow.s.get(JobSeeker, seeker).degree_level = "bachelor"  # type: ignore[union-attr]
        uow.s.get(Enterprise, world.enterprise_id).is_leading_industrial = True  # type: ignore[union-attr]
    ent = submit(rt, SHIPPED, ClaimRequest(Claimant(ClaimantKind.ENTERPRISE, world.enterprise_id),
                                           world.placement_ids[0], "small_micro_graduate_hiring"),
                 "e", actor=Actor.enterprise("hr", world.enterprise_id)).claim
    person = submit(rt, SHIPPED, ClaimRequest(Claimant(ClaimantKind.PERSON, seeker),
                                              world.placement_ids[0], "graduate_job_seeking"),
                    "p", actor=Actor.person("me", seeker)).claim
    assert (ent.claimant_kind, ent.claimant_id, ent.amount_fen) == (
        "enterprise", world.enterprise_id, 1000_00)
    assert (person.claimant_kind, person.claimant_id) == ("person", seeker)
    for c in (ent, person):
        with committing(rt) as uow:
            approve_claim(uow, c.id, actor=ADMIN)
        with committing(rt) as uow:
            assert pay_claim(uow, c.id, actor=ADMIN).agency_id is None  # not the agency's money
    with committing(rt) as uow:
        assert balance(uow.s, agency_id=world.agency_id) == 0
        assert balance(uow.s, claim_ids=[ent.id, person.id]) == 2000_00


def test_cli_decides_pays_and_reverses(rt: Runtime, tmp_path: Any) -> None:
    world = placed_world(rt, 1)
    claim = submit(rt, SHIPPED, agency_req(world), "cli").claim
    env = {"WORKBRIDGE_DATABASE_URL": rt.settings.database_url,
           "WORKBRIDGE_SECRET_KEY": "test-secret"}
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(subsidy, list(args), env=env)

    loaded = run("rules", "load")
    assert loaded.exit_code == 0 and f"{INTRO} v1 unchanged" in loaded.output
    assert run("claim", "approve", str(claim.id), "--by", "cli-admin").exit_code == 0
    again = run("claim", "approve", str(claim.id), "--by", "cli-admin")
    assert again.exit_code == 1 and "invalid_transition" in again.output
    paid = run("claim", "pay", str(claim.id), "--by", "cli-admin", "--booked-on", "2024-06-01")
    assert paid.exit_code == 0 and "paid 311.00 yuan" in paid.output
    shown = run("claim", "show", str(claim.id))
    assert shown.exit_code == 0
    assert json.loads(shown.output)["trace"]["values"]["amount_fen"] == 311_00
    assert run("claim", "reverse", str(claim.id), "--by", "cli-admin").exit_code == 2  # reason
    reversed_ = run("claim", "reverse", str(claim.id), "--by", "cli-admin", "--reason", "fraud")
    assert reversed_.exit_code == 0 and "reversed -311.00 yuan" in reversed_.output
    assert audit_actions(rt, claim.id)[-3:] == ["claim.approved", "claim.paid", "claim.reversed"]
    with committing(rt) as uow:
        assert [e.booked_on for e in entries_for(uow, claim.id)][0] == date(2024, 6, 1)


def test_drafts_belong_to_the_paid_party_and_are_re_evaluated_on_submit(rt: Runtime) -> None:
    world = placed_world(rt, 1, social_insurance_months=0)
    with committing(rt) as uow:
        other = add_agency(uow.s)
    with rt.uow() as uow, pytest.raises(Refused) as err:
        draft_claim(uow, SHIPPED, ClaimRequest(Claimant(ClaimantKind.AGENCY, other),
                                               world.placement_ids[0], INTRO),
                    actor=Actor.agency("other", other), on_date=ON)
    assert set(err.value.fields) == {"claimant_is_party"}
    staff = Actor.agency("staff", world.agency_id)
    with committing(rt) as uow:
        draft = draft_claim(uow, SHIPPED, agency_req(world), actor=staff, on_date=ON)
    assert (draft.status, draft.amount_fen, draft.trace["eligible"]) == ("draft", 0, False)
    with pytest.raises(Refused):  # still no social insurance: the draft stays a draft
        submit(rt, SHIPPED, agency_req(world), "k")
    with committing(rt) as uow:
        record_social_insurance(uow, world.placement_ids[0], 1, actor=ADMIN)
    submitted = submit(rt, SHIPPED, agency_req(world), "k").claim
    assert (submitted.id, submitted.status, submitted.amount_fen) == (draft.id, "submitted",
                                                                       311_00)
    assert submitted.trace["eligible"] is True
