"""Alembic migration chain for workbridge (runs on SQLite and PostgreSQL)."""
