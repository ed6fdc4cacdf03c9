"""Alembic is the only way the schema changes: the migrations build exactly
the models' schema, and every one of them can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from crm_core.db import make_engine
from crm_core.migrate import downgrade, upgrade
from crm_core.models import Base


def schema_diff(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def test_migrations_match_the_models_and_downgrade_cleanly(fresh_database_url: str) -> None:
    upgrade(fresh_database_url)
    assert schema_diff(fresh_database_url) == []
    downgrade(fresh_database_url, "base")
    upgrade(fresh_database_url)
    assert schema_diff(fresh_database_url) == []


def test_saved_filters_made_before_0012_stay_the_prospects_lists(fresh_database_url: str) -> None:
    from sqlalchemy import text

    upgrade(fresh_database_url, "0011")
    engine = make_engine(fresh_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (email, name, password_hash, role, active, created_at) "
                    "VALUES ('a@example.com', 'A', 'x', 'admin', true, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO saved_filters (user_id, name, query, created_at) "
                    "SELECT id, 'Mine', 'owner=me', CURRENT_TIMESTAMP FROM users"
                )
            )
        upgrade(fresh_database_url)
        with engine.begin() as conn:
            assert conn.execute(text("SELECT list_name, name FROM saved_filters")).all() == [
                ("prospects", "Mine")
            ]
            conn.execute(
                text(
                    "INSERT INTO saved_filters (user_id, list_name, name, query, created_at) "
                    "SELECT id, 'accounts', 'Mine', 'type=person', CURRENT_TIMESTAMP FROM users"
                )
            )
        downgrade(fresh_database_url, "0011")
        with engine.begin() as conn:
            assert conn.execute(text("SELECT name, query FROM saved_filters")).all() == [("Mine", "owner=me")]
    finally:
        engine.dispose()
