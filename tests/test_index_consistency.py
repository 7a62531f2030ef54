"""The indexes follow the database through the services: random change sequences
(hypothesis), concurrent searches during updates, and each service's index effect."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule
from sqlalchemy import delete, func, select

from matcher.errors import Conflict, NotFound, Refused, ValidationFailed
from matcher.index.hooks import people_changed
from matcher.index.kinds import KINDS
from matcher.index.registry import Registry, get_registry
from matcher.models import (
    AuditLog,
    Enterprise,
    HRAgency,
    JobSeeker,
    Recommendation,
    SurplusEmployee,
    Vacancy,
)
from matcher.recommend.service import recommend_vacancies
from matcher.runtime import Runtime
from matcher.seekers.services import (
    SeekerInput,
    create_seeker,
    delete_seeker,
    update_seeker,
    withdraw_consent,
)
from matcher.vacancies.services import (
    VacancyInput,
    close_vacancy,
    delete_vacancy,
    edit_vacancy,
    fill_vacancy,
    post_vacancy,
)
from matcher.validators import make_id_number

TITLES = ["仓库叉车司机", "护士", "快递员 courier", "厨师", "保安", "电工", "收银员"]
SKILLS = ["叉车证", "护士证", "电动车", "C1驾照", "电工证", "收银"]


def make_enterprise(rt: Runtime, ext: str = "E") -> int:
    with rt.uow() as uow:
        ent = Enterprise(external_id=ext, name=ext)
        uow.s.add(ent)
        uow.commit()
        return ent.id


def member_keys(rt: Runtime, kind: str) -> list[int]:
    with rt.uow() as uow:
        return KINDS[kind].member_keys(uow.s).tolist()


class Counting:
    """Wraps an encoder and counts the texts it embeds."""

    def __init__(self, inner: Any):
        self.inner, self.name, self.dim, self.version = inner, inner.name, inner.dim, inner.version
        self.texts = 0

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64,
                       show_progress: bool = False) -> np.ndarray:
        self.texts += len(texts)
        return self.inner.encode_queries(texts)

    def encode_documents(self, texts: Sequence[str], batch_size: int = 64,
                         show_progress: bool = False) -> np.ndarray:
        self.texts += len(texts)
        return self.inner.encode_documents(texts)


class IndexFollowsDatabase(RuleBasedStateMachine):
    """Random service calls; after each, every index holds exactly the rows it should."""

    rt: Runtime
    enterprise: int
    vacancies = Bundle("vacancies")
    seekers = Bundle("seekers")
    surplus = Bundle("surplus")

    def __init__(self) -> None:
        """Each example starts from no vacancies or people and no index files."""
        super().__init__()
        self.n = 0
        with self.rt.uow() as uow:
            for model in (SurplusEmployee, JobSeeker, Vacancy):
                uow.s.execute(delete(model))
            uow.commit()
        shutil.rmtree(self.rt.settings.index_dir, ignore_errors=True)
        self.rt.index_registry = Registry(self.rt, sync_interval=None)

    def _ext(self) -> str:
        self.n += 1
        return f"x{id(self)}-{self.n}"

    def _do(self, fn: Any, *args: Any, **kw: Any) -> Any:
        with self.rt.uow() as uow:
            try:
                out = fn(self.rt, uow, *args, actor="hypothesis", **kw)
            except (NotFound, Refused, Conflict):
                return None
            uow.commit()
            return out

    @rule(target=vacancies, title=st.sampled_from(TITLES), headcount=st.integers(1, 3),
          skills=st.lists(st.sampled_from(SKILLS), max_size=2))
    def post(self, title: str, headcount: int, skills: list[str]) -> int:
        view = self._do(post_vacancy, VacancyInput(
            external_id=self._ext(), enterprise_id=self.enterprise, title=title,
            headcount=headcount, required_skills=tuple(skills)))
        return view.id

    @rule(vid=vacancies, title=st.sampled_from(TITLES), headcount=st.integers(1, 4))
    def edit(self, vid: int, title: str, headcount: int) -> None:
        with self.rt.uow() as uow:
            try:
                edit_vacancy(self.rt, uow, vid, {"title": title, "headcount": headcount},
                             actor="hypothesis")
            except (NotFound, ValidationFailed):
                return
            uow.commit()

    @rule(vid=vacancies)
    def close(self, vid: int) -> None:
        self._do(close_vacancy, vid)

    @rule(vid=vacancies, n=st.integers(1, 2))
    def fill(self, vid: int, n: int) -> None:
        self._do(fill_vacancy, vid, n)

    @rule(vid=vacancies)
    def delete(self, vid: int) -> None:
        self._do(delete_vacancy, vid)

    @rule(target=seekers, skills=st.lists(st.sampled_from(SKILLS), min_size=1, max_size=2))
    def create(self, skills: list[str]) -> int:
        view = self._do(create_seeker, SeekerInput(external_id=self._ext(), skills=tuple(skills)))
        return view.id

    @rule(sid=seekers, skills=st.lists(st.sampled_from(SKILLS), min_size=1, max_size=2),
          consent=st.booleans())
    def update(self, sid: int, skills: list[str], consent: bool) -> None:
        self._do(update_seeker, sid, {"skills": skills, "consent_matching": consent})

    @rule(sid=seekers)
    def withdraw(self, sid: int) -> None:
        self._do(withdraw_consent, sid)

    @rule(sid=seekers)
    def forget(self, sid: int) -> None:
        self._do(delete_seeker, sid)

    @rule(target=surplus, consent=st.booleans())
    def declare(self, consent: bool) -> int:
        with self.rt.uow() as uow:
            emp = SurplusEmployee(external_id=self._ext(), enterprise_id=self.enterprise,
                                  skills=["叉车"], consent=consent)
            uow.s.add(emp)
            uow.s.flush()
            people_changed(self.rt, uow, surplus_ids=[emp.id])
            uow.commit()
            return emp.id

    @rule(eid=surplus, consent=st.booleans())
    def set_consent(self, eid: int, consent: bool) -> None:
        with self.rt.uow() as uow:
            uow.s.get(SurplusEmployee, eid).consent = consent  # type: ignore[union-attr]
            people_changed(self.rt, uow, surplus_ids=[eid])
            uow.commit()

    @rule()
    def reload(self) -> None:
        """Save, forget the in-memory indexes, load the files again (another process)."""
        get_registry(self.rt).flush()
        self.rt.index_registry = Registry(self.rt, sync_interval=None)

    @invariant()
    def indexes_hold_exactly_the_matchable_rows(self) -> None:
        registry = get_registry(self.rt)
        for kind in KINDS:
            assert registry.keys(kind).tolist() == member_keys(self.rt, kind), kind


def test_random_changes_keep_the_indexes_equal_to_the_database(rt: Runtime) -> None:
    IndexFollowsDatabase.rt = rt
    IndexFollowsDatabase.enterprise = make_enterprise(rt)
    run = IndexFollowsDatabase.TestCase
    run.settings = settings(max_examples=8, stateful_step_count=12, deadline=None,
                            suppress_health_check=[HealthCheck.too_slow])
    run().runTest()


def test_concurrent_searches_during_updates(rt: Runtime) -> None:
    ent = make_enterprise(rt)
    with rt.uow() as uow:
        seeker = create_seeker(rt, uow, SeekerInput(external_id="s", skills=("叉车证",),
                                                    desired_positions=("叉车司机",)), actor="t")
        ids = [post_vacancy(rt, uow, VacancyInput(external_id=f"v{i}", enterprise_id=ent,
                                                  title=TITLES[i % 7]), actor="t").id
               for i in range(30)]
        uow.commit()
    get_registry(rt).keys("vacancies")
    closed: set[int] = set()
    errors: list[BaseException] = []
    stop = threading.Event()
    searches = [0]

    def searcher() -> None:
        while not stop.is_set():
            gone = set(closed)
            try:
                found = {r.vacancy_id for r in recommend_vacancies(rt, seeker.id, k=15)}
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                return
            searches[0] += 1
            if found & gone:
                errors.append(AssertionError(f"closed vacancies returned: {found & gone}"))

    threads = [threading.Thread(target=searcher) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for i in range(40):
            with rt.uow() as uow:
                if i % 2:
                    close_vacancy(rt, uow, ids[i // 2], actor="t")
                else:
                    ids.append(post_vacancy(rt, uow, VacancyInput(
                        external_id=f"w{i}", enterprise_id=ent, title="叉车司机"),
                        actor="t").id)
                uow.commit()
            if i % 2:
                closed.add(ids[i // 2])
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors[:3]
    assert searches[0] >= 4
    assert get_registry(rt).keys("vacancies").tolist() == member_keys(rt, "vacancies")


# -- each service's effect ----------------------------------------------------------------
def test_posting_embeds_only_the_new_vacancy_and_edits_reembed(rt: Runtime) -> None:
    ent = make_enterprise(rt)
    counting = Counting(rt.encoder)
    rt.set_encoder(counting)
    with rt.uow() as uow:
        for i in range(20):
            post_vacancy(rt, uow, VacancyInput(external_id=f"v{i}", enterprise_id=ent,
                                               title=f"普工{i}"), actor="t")
        uow.commit()
    registry = get_registry(rt)
    registry.keys("vacancies")
    counting.texts = 0
    with rt.uow() as uow:
        view = post_vacancy(rt, uow, VacancyInput(external_id="n", enterprise_id=ent,
                                                  title="护士"), actor="t")
        assert view.id not in registry.keys("vacancies")  # not before the commit
        uow.commit()
    assert view.id in registry.keys("vacancies")
    assert counting.texts <= 2  # the new vacancy's fields, not a rebuild
    before = registry.vector("vacancies", view.id)
    assert before is not None
    with rt.uow() as uow:
        edit_vacancy(rt, uow, view.id, {"headcount": 3}, actor="t")
        uow.commit()
    assert np.array_equal(registry.vector("vacancies", view.id), before)  # type: ignore[arg-type]
    with rt.uow() as uow:
        edit_vacancy(rt, uow, view.id, {"title": "厨师 cook"}, actor="t")
        uow.commit()
    after = registry.vector("vacancies", view.id)
    assert after is not None and not np.array_equal(after, before)


def test_a_rolled_back_change_does_not_reach_the_index(rt: Runtime) -> None:
    ent = make_enterprise(rt)
    registry = get_registry(rt)
    registry.keys("vacancies")
    with rt.uow() as uow:
        post_vacancy(rt, uow, VacancyInput(external_id="n", enterprise_id=ent, title="护士"),
                     actor="t")
    assert registry.keys("vacancies").tolist() == [] == member_keys(rt, "vacancies")


def test_fill_counts_hires_and_a_full_vacancy_leaves(rt: Runtime) -> None:
    ent = make_enterprise(rt)
    with rt.uow() as uow:
        vid = post_vacancy(rt, uow, VacancyInput(external_id="v", enterprise_id=ent,
                                                 title="保安", headcount=3), actor="t").id
        uow.commit()
    registry = get_registry(rt)
    with rt.uow() as uow:
        view = fill_vacancy(rt, uow, vid, 2, actor="t")
        uow.commit()
    assert (view.filled, view.status, view.remaining) == (2, "open", 1)
    assert vid in registry.keys("vacancies")
    with rt.uow() as uow, pytest.raises(Refused, match="Only 1 positions are left"):
        fill_vacancy(rt, uow, vid, 2, actor="t")
    with rt.uow() as uow:
        view = fill_vacancy(rt, uow, vid, 1, actor="t")
        uow.commit()
    assert (view.filled, view.status) == (3, "filled")
    assert vid not in registry.keys("vacancies")
    with rt.uow() as uow, pytest.raises(Refused) as refused:
        fill_vacancy(rt, uow, vid, 1, actor="t")
    assert refused.value.code == "vacancy_not_open"


def test_delete_vacancy_and_referenced_vacancies(rt: Runtime) -> None:
    ent = make_enterprise(rt)
    with rt.uow() as uow:
        free = post_vacancy(rt, uow, VacancyInput(external_id="a", enterprise_id=ent,
                                                  title="保安"), actor="t").id
        used = post_vacancy(rt, uow, VacancyInput(external_id="b", enterprise_id=ent,
                                                  title="保安"), actor="t").id
        seeker = create_seeker(rt, uow, SeekerInput(external_id="s", skills=("保安证",)),
                               actor="t").id
        agency = HRAgency(external_id="h", name="h")
        uow.s.add(agency)
        uow.s.flush()
        uow.s.add(Recommendation(agency_id=agency.id, seeker_id=seeker, vacancy_id=used))
        uow.commit()
    registry = get_registry(rt)
    assert registry.keys("vacancies").tolist() == [free, used]
    with rt.uow() as uow:
        delete_vacancy(rt, uow, free, actor="t")
        with pytest.raises(Conflict, match="close it instead"):
            delete_vacancy(rt, uow, used, actor="t")
        uow.commit()
    assert registry.keys("vacancies").tolist() == [used]
    with rt.uow() as uow:
        assert uow.s.get(Vacancy, free) is None and uow.s.get(Vacancy, used) is not None


def test_delete_seeker_anonymizes_and_keeps_the_row(rt: Runtime) -> None:
    id_number = make_id_number("110105", date(1990, 3, 7), 12)
    with rt.uow() as uow:
        sid = create_seeker(rt, uow, SeekerInput(
            external_id="s", name="张三", id_number=id_number, phone="13812345678",
            skills=("叉车证",), experience="五年", latitude=39.9, longitude=116.4),
            actor="t").id
        uow.commit()
    registry = get_registry(rt)
    assert sid in registry.keys("people")
    with rt.uow() as uow:
        view = delete_seeker(rt, uow, sid, actor="admin")
        uow.commit()
    assert view.status == "deleted" and view.name is None and view.id_number_masked is None
    assert sid not in registry.keys("people")
    with rt.uow() as uow:
        row = uow.s.get(JobSeeker, sid)
        assert row is not None
        cleared = (row.name, row.id_number_enc, row.id_number_hash, row.phone_enc,
                   row.latitude, row.experience, row.skills)
        assert cleared == (None, None, None, None, None, "", [])
        actions = uow.s.scalars(select(AuditLog.action).where(AuditLog.entity_id == str(sid)))
        assert {"seeker.create", "seeker.delete"} <= set(actions)
        assert uow.s.scalar(select(func.count()).select_from(JobSeeker)) == 1


def test_seeker_input_is_validated_and_identifiers_are_encrypted(rt: Runtime) -> None:
    with rt.uow() as uow, pytest.raises(ValidationFailed) as bad:
        create_seeker(rt, uow, SeekerInput(external_id="s", id_number="110105199003071230",
                                           phone="12", latitude=39.9), actor="t")
    assert {"id_number", "phone", "longitude"} <= set(bad.value.fields)
    id_number = make_id_number("110105", date(1990, 3, 7), 12)
    with rt.uow() as uow:
        view = create_seeker(rt, uow, SeekerInput(external_id="s", id_number=id_number,
                                                  phone="138 1234 5678", skills=("a",)),
                             actor="t")
        uow.commit()
        row = uow.s.get(JobSeeker, view.id)
        assert row is not None and id_number not in (row.id_number_enc or "")
        assert rt.cipher.decrypt(row.id_number_enc) == id_number
        assert view.phone_masked == "138****5678"
    with rt.uow() as uow, pytest.raises(Conflict):
        create_seeker(rt, uow, SeekerInput(external_id="s2", id_number=id_number,
                                           skills=("a",)), actor="t")


def test_vacancy_input_is_validated(rt: Runtime) -> None:
    ent = make_enterprise(rt)
    with rt.uow() as uow, pytest.raises(ValidationFailed) as bad:
        post_vacancy(rt, uow, VacancyInput(external_id="v", enterprise_id=ent, title=" ",
                                           headcount=0, wage_min=500, wage_max=100,
                                           urgency="soon"), actor="t")  # type: ignore[arg-type]
    assert set(bad.value.fields) == {"title", "headcount", "wage_max", "urgency"}
    assert member_keys(rt, "vacancies") == []
