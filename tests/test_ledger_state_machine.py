"""Random sequences of recommend, withdraw, hire, social insurance, claim, approve, reject,
pay and reverse keep the database equal to a small in-memory model of the rules."""

from __future__ import annotations

import itertools
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from builders.subsidy import add_agency, add_enterprise, add_seeker, add_vacancy
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from hypothesis.stateful import run_state_machine_as_test as run_machine
from sqlalchemy import func, select

from matcher.enums import ClaimantKind
from matcher.errors import DomainError
from matcher.models.subsidy import LedgerEntry, SubsidyClaim
from matcher.runtime import Runtime
from matcher.subsidy import caps
from matcher.subsidy.actors import Actor
from matcher.subsidy.claims import ClaimRequest, approve_claim, reject_claim, submit_claim
from matcher.subsidy.evaluate import Claimant
from matcher.subsidy.ledger import pay_claim, reverse_payment
from matcher.subsidy.placements import HireRequest, hire, record_social_insurance
from matcher.subsidy.recommendations import recommend, withdraw
from matcher.subsidy.rules import parse_rules

AMOUNT, PERSON_CAP, AGENCY_CAP = 100_00, 75_00, 50_00
TRANCHE = AMOUNT // 2
RULES = parse_rules({"format": 1, "city": "北京市", "rules": [
    {"code": "sm", "version": 1, "name": "state machine rule", "claimant": "agency",
     "conditions": {"contract_months_min": 12},
     "tranches": [{"percent": 50, "conditions": {"social_insurance_months_min": 1}},
                  {"percent": 50, "conditions": {"social_insurance_months_min": 6}}],
     "values": [{"from": date(2024, 1, 1), "amount_yuan": AMOUNT // 100,
                 "caps": {"per_person_yuan": PERSON_CAP // 100,
                          "per_agency_per_year_yuan": AGENCY_CAP // 100}}]}]})
ADMIN = Actor.admin("admin")
HIRED_ON, CLAIM_ON = date(2024, 3, 10), date(2024, 9, 1)
HEADCOUNT = 3
idx = st.integers(min_value=0, max_value=50)


def hire_placement(uow: Any, rt: Runtime, req: HireRequest) -> Any:
    """:func:`hire` with the unit of work first, like the other services."""
    return hire(rt, uow, req, actor=ADMIN)


@dataclass
class Rec:
    id: int
    agency: int
    seeker: int
    vacancy: int
    withdrawn: bool = False
    attributed: bool = False


@dataclass
class Claim:
    id: int
    placement: int
    seeker: int
    agency: int
    status: str = "submitted"
    reversed: bool = False


@dataclass
class Model:
    recs: list[Rec] = field(default_factory=list)
    placements: dict[int, dict[str, Any]] = field(default_factory=dict)
    by_pair: dict[tuple[int, int], int] = field(default_factory=dict)
    filled: dict[int, int] = field(default_factory=dict)
    claims: dict[int, Claim] = field(default_factory=dict)
    claimed: set[tuple[int, int]] = field(default_factory=set)
    approved: dict[str, int] = field(default_factory=dict)  # cap subject -> fen


class LedgerMachine(RuleBasedStateMachine):
    rt: Runtime
    seen: Counter[str] = Counter()

    def __init__(self) -> None:
        super().__init__()
        self.m = Model()
        self.clock = itertools.count()
        with self.rt.uow() as uow:
            ent = add_enterprise(uow.s)
            self.agencies = [add_agency(uow.s), add_agency(uow.s)]
            self.seekers = [add_seeker(uow.s, self.rt.cipher) for _ in range(3)]
            self.vacancies = [add_vacancy(uow.s, ent, headcount=HEADCOUNT) for _ in range(2)]
            uow.commit()
        self.m.filled = dict.fromkeys(self.vacancies, 0)

    def call(self, fn: Any, *args: Any, **kw: Any) -> tuple[Any, str | None]:
        with self.rt.uow() as uow:
            try:
                result = fn(uow, *args, **kw)
            except DomainError as exc:
                self.seen[exc.code] += 1
                return None, exc.code
            uow.commit()
            self.seen[fn.__name__] += 1
            return result, None

    @rule(s=idx, v=idx, months=st.sampled_from([6, 12, 24, 24]), si=st.sampled_from([0, 1, 6, 6]),
          recs=st.lists(st.tuples(st.integers(0, 1), st.booleans()), min_size=1, max_size=3))
    def place(self, s: int, v: int, months: int, si: int, recs: list[tuple[int, bool]]) -> None:
        """Recommend (withdrawing some), hire, then try to withdraw the attributed one."""
        seeker, vacancy = self.seekers[s % 3], self.vacancies[v % 2]
        for agency_index, withdraw_it in recs:
            rec = self._recommend(self.agencies[agency_index], seeker, vacancy)
            if rec is not None and withdraw_it:
                self._withdraw(rec)
        self._hire(seeker, vacancy, months, si)
        for rec in self.m.recs:
            if rec.attributed and (rec.seeker, rec.vacancy) == (seeker, vacancy):
                self._withdraw(rec)

    def _recommend(self, agency: int, seeker: int, vacancy: int) -> Rec | None:
        at = datetime(2024, 3, 1, tzinfo=UTC) + timedelta(minutes=next(self.clock))
        view, code = self.call(recommend, agency_id=agency, seeker_id=seeker,
                               vacancy_id=vacancy, actor=ADMIN, at=at)
        if self.m.filled[vacancy] >= HEADCOUNT:
            assert code == "vacancy_not_open"
        elif (seeker, vacancy) in self.m.by_pair:
            assert code == "already_placed"
        elif any((r.agency, r.seeker, r.vacancy) == (agency, seeker, vacancy) and not r.withdrawn
                 for r in self.m.recs):
            assert code == "duplicate_recommendation"
        else:
            assert code is None
            self.m.recs.append(Rec(view.id, agency, seeker, vacancy))
            return self.m.recs[-1]
        return None

    def _withdraw(self, rec: Rec) -> None:
        _, code = self.call(withdraw, rec.id, actor=ADMIN)
        assert code == ("recommendation_attributed" if rec.attributed else None)
        rec.withdrawn = rec.withdrawn or not rec.attributed

    def _hire(self, seeker: int, vacancy: int, months: int, si: int) -> None:
        view, code = self.call(hire_placement, self.rt,
                               HireRequest(seeker, vacancy, HIRED_ON, HIRED_ON, months, si))
        if (seeker, vacancy) in self.m.by_pair:
            assert code == "already_placed"
            return
        if self.m.filled[vacancy] >= HEADCOUNT:
            assert code == "vacancy_not_open"
            return
        assert code is None
        valid = [r for r in self.m.recs if (r.seeker, r.vacancy) == (seeker, vacancy)
                 and not r.withdrawn]
        expected = valid[0] if valid else None
        assert view.recommendation_id == (expected.id if expected else None)
        if expected:
            expected.attributed = True
        self.m.filled[vacancy] += 1
        self.m.by_pair[(seeker, vacancy)] = view.id
        self.m.placements[view.id] = {"seeker": seeker, "months": months, "si": si,
                                      "agency": expected.agency if expected else None}

    @precondition(lambda self: self.m.placements)
    @rule(p=idx, months=st.integers(min_value=0, max_value=8))
    def social_insurance(self, p: int, months: int) -> None:
        pid = sorted(self.m.placements)[p % len(self.m.placements)]
        _, code = self.call(record_social_insurance, pid, months, actor=ADMIN)
        assert code is None
        self.m.placements[pid]["si"] = months

    def _attributed(self) -> list[int]:
        return sorted(pid for pid, pl in self.m.placements.items() if pl["agency"])

    @precondition(lambda self: self.m.placements)
    @rule(p=idx, tranche=st.sampled_from([1, 2]))
    def claim_any(self, p: int, tranche: int) -> None:
        self._claim(sorted(self.m.placements)[p % len(self.m.placements)], tranche)

    @precondition(lambda self: self._attributed())
    @rule(p=idx, tranche=st.sampled_from([1, 2]))
    def claim_attributed(self, p: int, tranche: int) -> None:
        attributed = self._attributed()
        self._claim(attributed[p % len(attributed)], tranche)

    def _claim(self, pid: int, tranche: int) -> None:
        pl = self.m.placements[pid]
        agency = pl["agency"] or self.agencies[0]
        req = ClaimRequest(Claimant(ClaimantKind.AGENCY, agency), pid, "sm", tranche)
        result, code = self.call(submit_claim, RULES, req, idempotency_key=uuid.uuid4().hex,
                                 actor=ADMIN, on_date=CLAIM_ON)
        eligible = (pl["agency"] == agency and pl["months"] >= 12
                    and pl["si"] >= (1 if tranche == 1 else 6))
        if not eligible:
            assert code == "not_eligible"
        elif (pid, tranche) in self.m.claimed:
            assert code == "duplicate_claim"
        else:
            assert code is None and result.claim.amount_fen == TRANCHE
            self.m.claimed.add((pid, tranche))
            self.m.claims[result.claim.id] = Claim(result.claim.id, pid, pl["seeker"], agency)

    def _in(self, status: str) -> list[Claim]:
        return [c for _, c in sorted(self.m.claims.items())
                if c.status == status and not c.reversed]

    @precondition(lambda self: self._in("submitted"))
    @rule(i=idx, action=st.sampled_from(["approve", "approve", "reject"]))
    def decide(self, i: int, action: str) -> None:
        self._act(self._in("submitted")[i % len(self._in("submitted"))], action)

    @precondition(lambda self: self._in("approved"))
    @rule(i=idx)
    def pay(self, i: int) -> None:
        self._act(self._in("approved")[i % len(self._in("approved"))], "pay")

    @precondition(lambda self: self._in("paid"))
    @rule(i=idx)
    def reverse(self, i: int) -> None:
        self._act(self._in("paid")[i % len(self._in("paid"))], "reverse")

    @precondition(lambda self: self.m.claims)
    @rule(i=idx, action=st.sampled_from(["approve", "reject", "pay", "reverse"]))
    def any_action(self, i: int, action: str) -> None:
        self._act(self.m.claims[sorted(self.m.claims)[i % len(self.m.claims)]], action)

    def _subjects(self, c: Claim) -> list[tuple[str, int]]:
        return [(f"seeker:{c.seeker}", PERSON_CAP), (f"agency:{c.agency}", AGENCY_CAP)]

    def _act(self, c: Claim, action: str) -> None:
        """Do ``action`` on claim ``c`` in the database and check it against the model."""
        if action == "approve":
            _, code = self.call(approve_claim, c.id, actor=ADMIN)
            if c.status != "submitted":
                assert code == "invalid_transition"
            elif any(self.m.approved.get(s, 0) + TRANCHE > cap for s, cap in self._subjects(c)):
                assert code == "cap_exceeded"
            else:
                assert code is None
                c.status = "approved"
                for s, _cap in self._subjects(c):
                    self.m.approved[s] = self.m.approved.get(s, 0) + TRANCHE
        elif action == "reject":
            _, code = self.call(reject_claim, c.id, actor=ADMIN, reason="random")
            assert code == (None if c.status == "submitted" else "invalid_transition")
            if c.status == "submitted":
                c.status = "rejected"
        elif action == "pay":
            _, code = self.call(pay_claim, c.id, actor=ADMIN)
            assert code == (None if c.status == "approved" else "invalid_transition")
            if c.status == "approved":
                c.status = "paid"
        else:
            _, code = self.call(reverse_payment, c.id, actor=ADMIN, reason="random")
            ok = c.status == "paid" and not c.reversed
            assert code == (None if ok else "not_reversible")
            if ok:
                c.reversed = True
                for s, _cap in self._subjects(c):
                    self.m.approved[s] -= TRANCHE

    @invariant()
    def database_matches_model(self) -> None:
        with self.rt.uow() as uow:
            s = uow.s
            ids = list(self.m.claims)
            net = dict(s.execute(select(LedgerEntry.claim_id, func.sum(LedgerEntry.amount_fen))
                                 .where(LedgerEntry.claim_id.in_(ids))
                                 .group_by(LedgerEntry.claim_id)).all())
            status = dict(s.execute(select(SubsidyClaim.id, SubsidyClaim.status)
                                    .where(SubsidyClaim.id.in_(ids))).all())
            for c in self.m.claims.values():
                expected = TRANCHE if c.status == "paid" and not c.reversed else 0
                assert net.get(c.id, 0) == expected
                assert status[c.id].value == c.status
            for agency in self.agencies:
                paid = sum(TRANCHE for c in self.m.claims.values()
                           if c.agency == agency and c.status == "paid" and not c.reversed)
                used = caps.usage(s, "sm", f"agency:{agency}", CLAIM_ON.year)
                assert used.get("paid", 0) == paid <= AGENCY_CAP
                assert used.get("approved", 0) == self.m.approved.get(f"agency:{agency}", 0)
            for seeker in self.seekers:
                used = caps.usage(s, "sm", f"seeker:{seeker}")
                assert used.get("approved", 0) == self.m.approved.get(f"seeker:{seeker}", 0)


def test_ledger_matches_the_model(rt: Runtime) -> None:
    LedgerMachine.rt = rt
    LedgerMachine.seen = Counter()
    run_machine(LedgerMachine, settings=settings(
        max_examples=10, stateful_step_count=100, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    # The runs reached the interesting paths, not just refusals.
    seen = LedgerMachine.seen
    for outcome in ("hire_placement", "submit_claim", "approve_claim", "pay_claim",
                    "reverse_payment", "cap_exceeded", "duplicate_claim",
                    "recommendation_attributed"):
        assert seen[outcome] > 0, (outcome, sorted(seen.items()))
