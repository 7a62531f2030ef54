"""Dashboard series and CSV output; the demo scenario fills every desk."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from matcher.bureau import gaps, outbox, series, warning
from matcher.demo.seed import seed_demo
from matcher.enums import DispatchStatus, KeyTier, SupplySource
from matcher.models import DispatchAssignment, DispatchProposal, Enterprise
from matcher.runtime import Runtime

TODAY = date(2020, 4, 29)


def test_gap_series_counts_recruitment_by_day(rt: Runtime, tmp_path: Path) -> None:
    with rt.uow() as uow:
        e = Enterprise(external_id="E", name="物流", district="大兴区", industry="物流",
                       key_tier=KeyTier.KEY)
        uow.s.add(e)
        uow.s.flush()
        g = gaps.report_gap(uow, e.id, gaps.GapInput("分拣", 4, TODAY + timedelta(days=30)),
                            actor="t", today=TODAY - timedelta(days=14))
        gaps.report_gap(uow, e.id, gaps.GapInput("装卸", 2, TODAY + timedelta(days=30)),
                        actor="t", today=TODAY - timedelta(days=3))
        prop = DispatchProposal(day=TODAY, status=DispatchStatus.CONFIRMED)
        uow.s.add(prop)
        uow.s.flush()
        uow.s.add(DispatchAssignment(
            proposal_id=prop.id, gap_id=g, source=SupplySource.SEEKER, person_id=1, score=1,
            phase="key", status=DispatchStatus.CONFIRMED,
            confirmed_at=datetime.combine(TODAY - timedelta(days=5), datetime.min.time(),
                                          tzinfo=UTC)))
        uow.commit()
    with rt.uow() as uow:
        rows = series.gaps_over_time(uow.s, TODAY - timedelta(days=14), TODAY, step_days=7)
    assert [(r["day"], r["open_gaps"], r["needed"], r["recruited"], r["fill_rate"])
            for r in rows] == [
        ((TODAY - timedelta(days=14)).isoformat(), 1, 4, 0, 0.0),
        ((TODAY - timedelta(days=7)).isoformat(), 1, 4, 0, 0.0),
        (TODAY.isoformat(), 2, 6, 1, 0.1667)]
    assert rows[0]["district"] == "大兴区" and rows[0]["industry"] == "物流"
    path = tmp_path / "gaps.csv"
    assert series.write_csv(rows, path) == 3
    with path.open(encoding="utf-8-sig") as fh:
        back = list(csv.DictReader(fh))
    assert back[-1]["needed"] == "6" and back[-1]["district"] == "大兴区"


def test_demo_fills_every_desk(rt: Runtime, tmp_path: Path) -> None:
    result = seed_demo(rt, seed=7, size=60, today=TODAY)  # includes the bureau scenario
    assert result.seeded
    counts = result.counts
    with rt.uow() as uow:
        open_gaps = gaps.load_gaps(uow.s)
        transit = series.cohorts_in_transit(uow.s)
        watch = warning.watch_list(uow.s)
        msgs = outbox.messages(uow.s)
        gap_rows = series.series(uow.s, "gaps", TODAY)
    assert open_gaps and transit and watch and msgs, counts
    assert counts["cohort_placed"] > 0 and counts["dispatched"] > 0
    assert any(r["status"] == "departed" for r in transit)
    assert all(r["size"] <= r["capacity"] for r in transit)
    assert any(g.recruited > 0 for g in open_gaps) and gap_rows
    assert series.write_csv(watch, tmp_path / "watch.csv") == len(watch)


def test_cli_commands_on_the_demo(rt: Runtime, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from matcher.cli.bureau_cmds import bureau

    assert seed_demo(rt, seed=3, size=60, today=TODAY).seeded
    runner = CliRunner(env={
        "WORKBRIDGE_DATABASE_URL": rt.settings.database_url, "WORKBRIDGE_ENCODER": "fake",
        "WORKBRIDGE_SECRET_KEY": "test-secret", "WORKBRIDGE_INDEX_DIR": str(tmp_path / "ix")})
    day = ["--date", TODAY.isoformat()]

    def run(*args: str) -> str:
        result = runner.invoke(bureau, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    assert "gap " in run("gaps", *day, "--csv", str(tmp_path / "g.csv"))
    assert "proposal" in run("dispatch", *day)
    assert "added to the watch list" in run("warning", "scan", *day)
    out = run("cohorts", "manifest", "1")
    assert "cohort 1" in out and "****" in out
    run("series", "cohorts", "--csv", str(tmp_path / "c.csv"), *day)
    assert (tmp_path / "c.csv").read_text(encoding="utf-8-sig").startswith("cohort_id,")
    bad = runner.invoke(bureau, ["cohorts", "manifest", "999"])
    assert bad.exit_code == 1
