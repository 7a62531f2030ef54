"""The migration chain upgrades an empty database to head and back (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DatabaseError

from matcher import migrate
from matcher.models import Base


def test_upgrade_matches_models_and_downgrade_empties(db_url: str) -> None:
    migrate.downgrade(db_url, "base")
    assert migrate.current_tables(db_url) <= {"alembic_version"}
    migrate.upgrade(db_url)
    tables = migrate.current_tables(db_url)
    assert set(Base.metadata.tables) <= tables
    migrate.downgrade(db_url, "base")
    assert migrate.current_tables(db_url) <= {"alembic_version"}
    migrate.upgrade(db_url)  # and again: the chain is repeatable


def test_models_and_migrations_agree(db_url: str) -> None:
    """Autogenerate finds nothing to do: the migration chain is up to date with the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": False})
            diff = compare_metadata(ctx, Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


@pytest.mark.parametrize("table", ["audit_log", "ledger_entries"])
def test_append_only_tables_refuse_update_and_delete(db_url: str, table: str) -> None:
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            if table == "audit_log":
                conn.execute(text(
                    "INSERT INTO audit_log (at, actor, action, entity, entity_id, data) "
                    "VALUES (CURRENT_TIMESTAMP, 'test', 'create', 'x', '1', '{}')"
                ))
            else:
                _insert_ledger_row(conn)
        for sql in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
            with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
                conn.execute(text(sql))
        with engine.connect() as conn:
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 1
        assert "id" in {c["name"] for c in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def _insert_ledger_row(conn) -> None:  # type: ignore[no-untyped-def]
    now = "CURRENT_TIMESTAMP"
    conn.execute(text(
        "INSERT INTO enterprises (external_id, name, city, size_class, key_tier, created_at,"
        f" updated_at) VALUES ('e1', 'E', 'Beijing', 'small', 'none', {now}, {now})"))
    conn.execute(text(
        "INSERT INTO hr_agencies (external_id, name, created_at, updated_at)"
        f" VALUES ('a1', 'A', {now}, {now})"))
    conn.execute(text(
        "INSERT INTO job_seekers (external_id, skills, experience, desired_positions, categories,"
        " consent_matching, consent_share_with_agencies, status, created_at, updated_at)"
        f" VALUES ('s1', '[]', '', '[]', '[]', true, true, 'active', {now}, {now})"))
    conn.execute(text(
        "INSERT INTO vacancies (external_id, enterprise_id, title, description, required_skills,"
        " preferred_skills, headcount, filled, employment_type, accepts_borrowed, urgency, status,"
        " created_at, updated_at) VALUES ('v1', 1, 'T', '', '[]', '[]', 1, 0, 'long_term', false,"
        f" 'normal', 'open', {now}, {now})"))
    conn.execute(text(
        "INSERT INTO placements (seeker_id, vacancy_id, enterprise_id, hired_on, contract_start,"
        " contract_months, social_insurance_months, agency_charged_worker, created_at, updated_at)"
        f" VALUES (1, 1, 1, CURRENT_DATE, CURRENT_DATE, 12, 1, false, {now}, {now})"))
    conn.execute(text(
        "INSERT INTO subsidy_claims (placement_id, rule_code, rule_version, tranche,"
        " claimant_kind, amount_fen, status, trace, created_at, updated_at)"
        f" VALUES (1, 'r', 1, 1, 'agency', 31100, 'paid', '{{}}', {now}, {now})"))
    conn.execute(text(
        "INSERT INTO ledger_entries (claim_id, kind, amount_fen, created_at, note)"
        f" VALUES (1, 'payment', 31100, {now}, '')"))
