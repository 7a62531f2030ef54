"""Concurrency: 16 threads started together by a Barrier, each with its own unit of work.

Run on SQLite and on PostgreSQL (WORKBRIDGE_TEST_PG_URL=...). The ``unprotected`` variants
drop the protecting constraint in the test's own database first and are strict expected
failures: they show that the schema, not Python, is what keeps the invariant.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from builders.subsidy import PlacedWorld, committing, placed_world
from sqlalchemy import create_engine, func, select, text

from matcher.enums import ClaimantKind
from matcher.errors import DomainError
from matcher.models import AuditLog
from matcher.models.subsidy import LedgerEntry, SubsidyCapCounter, SubsidyClaim
from matcher.runtime import Runtime
from matcher.subsidy.actors import Actor
from matcher.subsidy.claims import ClaimRequest, approve_claim, submit_claim
from matcher.subsidy.evaluate import Claimant
from matcher.subsidy.ledger import pay_claim, reverse_payment
from matcher.subsidy.rules import parse_rules

N = 16
ADMIN = Actor.admin("admin")
ON = date(2024, 5, 1)
RULES = parse_rules({"format": 1, "city": "北京市", "rules": [
    {"code": "one_fits", "version": 1, "name": "only one fits under the cap",
     "claimant": "agency",
     "values": [{"from": date(2024, 1, 1), "amount_yuan": 600,
                 "caps": {"per_agency_per_year_yuan": 1000}}]}]})
CLAIM_UNIQUES = ["uq_subsidy_claims_placement_id_rule_code_tranche",
                 "uq_subsidy_claims_idempotency_key"]
CAP_CHECK = "ck_subsidy_cap_counters_within_cap"
UNPROTECTED = pytest.param(False, id="unprotected", marks=pytest.mark.xfail(
    strict=True, raises=AssertionError, reason="demonstration: constraint dropped"))


def race(fn: Callable[[int], Any]) -> list[tuple[str, Any]]:
    """Run ``fn(i)`` in N threads released together; collect ("ok", value) or (code, msg)."""
    barrier = threading.Barrier(N)
    results: list[tuple[str, Any]] = [("not run", None)] * N

    def worker(i: int) -> None:
        barrier.wait()
        try:
            results[i] = ("ok", fn(i))
        except DomainError as exc:
            results[i] = (exc.code, exc.message)
        except Exception as exc:  # noqa: BLE001 - reported in the assertion below
            results[i] = ("error", repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not any(t.is_alive() for t in threads)
    assert not [r for r in results if r[0] in ("error", "not run")], results
    return results


def drop_constraints(rt: Runtime, table: str, names: list[str]) -> None:
    """Remove constraints from this test's own database (SQLite: rebuild the table)."""
    rt.dispose()
    engine = create_engine(rt.settings.database_url)
    try:
        with engine.begin() as conn:
            ops = Operations(MigrationContext.configure(conn))
            if conn.dialect.name == "sqlite":
                with ops.batch_alter_table(table, recreate="always") as batch:
                    for name in names:
                        batch.drop_constraint(name)
            else:
                for name in names:
                    ops.drop_constraint(name, table)
    finally:
        engine.dispose()


def request(world: PlacedWorld, i: int = 0) -> ClaimRequest:
    return ClaimRequest(Claimant(ClaimantKind.AGENCY, world.agency_id), world.placement_ids[i],
                        "one_fits")


def submit(rt: Runtime, world: PlacedWorld, key: str, i: int = 0) -> int:
    with committing(rt) as uow:
        return submit_claim(uow, RULES, request(world, i), idempotency_key=key,
                            actor=Actor.agency("staff", world.agency_id), on_date=ON).claim.id


def count(rt: Runtime, stmt: Any) -> int:
    with committing(rt) as uow:
        return int(uow.s.scalar(stmt) or 0)


@pytest.mark.parametrize("protected", [True, UNPROTECTED])
def test_same_key_from_16_threads_makes_one_claim(rt: Runtime, protected: bool) -> None:
    world = placed_world(rt, 1)
    if not protected:
        drop_constraints(rt, "subsidy_claims", CLAIM_UNIQUES)
    results = race(lambda i: submit(rt, world, "retry-me"))
    assert {code for code, _ in results} == {"ok"}
    assert len({claim_id for _, claim_id in results}) == 1
    assert count(rt, select(func.count()).select_from(SubsidyClaim)) == 1
    assert count(rt, select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "claim.submitted")) == 1


@pytest.mark.parametrize("protected", [True, UNPROTECTED])
def test_different_keys_from_16_threads_make_one_claim(rt: Runtime, protected: bool) -> None:
    world = placed_world(rt, 1)
    if not protected:
        drop_constraints(rt, "subsidy_claims", CLAIM_UNIQUES)
    results = race(lambda i: submit(rt, world, f"key-{i}"))
    assert Counter(code for code, _ in results) == {"ok": 1, "duplicate_claim": N - 1}
    assert count(rt, select(func.count()).select_from(SubsidyClaim)) == 1


def _submitted_claims(rt: Runtime) -> tuple[PlacedWorld, list[int]]:
    world = placed_world(rt, N)
    return world, [submit(rt, world, f"k{i}", i) for i in range(N)]


def _assert_one_payment_within_cap(rt: Runtime, world: PlacedWorld,
                                   results: list[tuple[str, Any]]) -> None:
    assert Counter(code for code, _ in results) == {"ok": 1, "cap_exceeded": N - 1}, results
    paid = count(rt, select(func.sum(LedgerEntry.amount_fen)).where(
        LedgerEntry.agency_id == world.agency_id))
    assert paid == 600_00 <= 1000_00
    assert count(rt, select(func.count()).select_from(LedgerEntry)) == 1
    assert count(rt, select(func.max(SubsidyCapCounter.used_fen))) == 600_00


@pytest.mark.parametrize("protected", [True, UNPROTECTED])
def test_16_threads_approving_and_paying_against_one_cap(rt: Runtime, protected: bool) -> None:
    world, claim_ids = _submitted_claims(rt)
    if not protected:
        drop_constraints(rt, "subsidy_cap_counters", [CAP_CHECK])

    def approve_and_pay(i: int) -> int:
        with committing(rt) as uow:
            approve_claim(uow, claim_ids[i], actor=ADMIN)
        with committing(rt) as uow:
            return pay_claim(uow, claim_ids[i], actor=ADMIN).id

    _assert_one_payment_within_cap(rt, world, race(approve_and_pay))
    assert count(rt, select(func.count()).select_from(SubsidyClaim).where(
        SubsidyClaim.status == "submitted")) == N - 1


@pytest.mark.parametrize("protected", [True, UNPROTECTED])
def test_16_threads_paying_against_one_cap(rt: Runtime, protected: bool) -> None:
    """Payment checks the cap on its own, even for claims approved outside the service."""
    world, claim_ids = _submitted_claims(rt)
    with committing(rt) as uow:
        uow.s.execute(text("UPDATE subsidy_claims SET status = 'approved'"))
        uow.commit()
    if not protected:
        drop_constraints(rt, "subsidy_cap_counters", [CAP_CHECK])

    def pay(i: int) -> int:
        with committing(rt) as uow:
            return pay_claim(uow, claim_ids[i], actor=ADMIN).id

    _assert_one_payment_within_cap(rt, world, race(pay))


def test_16_threads_paying_then_reversing_one_claim(rt: Runtime) -> None:
    world = placed_world(rt, 1)
    claim_id = submit(rt, world, "k")
    with committing(rt) as uow:
        approve_claim(uow, claim_id, actor=ADMIN)

    def pay(_i: int) -> int:
        with committing(rt) as uow:
            return pay_claim(uow, claim_id, actor=ADMIN).id

    def reverse(_i: int) -> int:
        with committing(rt) as uow:
            return reverse_payment(uow, claim_id, actor=ADMIN, reason="duplicate").id

    assert Counter(code for code, _ in race(pay)) == {"ok": 1, "invalid_transition": N - 1}
    assert Counter(code for code, _ in race(reverse)) == {"ok": 1, "not_reversible": N - 1}
    with committing(rt) as uow:
        rows = uow.s.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).all()
        assert [(e.kind.value, e.amount_fen) for e in rows] == [
            ("payment", 600_00), ("reversal", -600_00)]
        used = uow.s.scalars(select(SubsidyCapCounter.used_fen)).all()
        assert used and set(used) == {0}  # the reversal freed the cap at both stages
