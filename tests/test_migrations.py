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


def _insert(conn: object, table: str, values: dict[str, object]) -> None:
    """A row at an old revision: every NOT NULL column without a default gets a plain value."""
    import sqlalchemy as sa

    for column in sa.inspect(conn).get_columns(table):  # type: ignore[arg-type]
        if column["nullable"] or column.get("default") is not None or column.get("autoincrement") is True:
            continue
        if column["name"] in values or column["name"] == "id":
            continue
        kind = str(column["type"]).upper()
        values[column["name"]] = (
            0 if "INT" in kind or "NUMERIC" in kind
            else False if "BOOL" in kind
            else "2026-01-01 00:00:00" if "DATE" in kind or "TIME" in kind
            else "{}" if "JSON" in kind
            else ""
        )  # fmt: skip
    conn.execute(sa.table(table, *(sa.column(name) for name in values)).insert().values(values))  # type: ignore[attr-defined]


def test_a_table_copied_by_a_migration_keeps_its_children_and_triggers(fresh_database_url: str) -> None:
    """SQLite copies ``prospects`` to add a foreign key (0009): the history that
    cascades from a prospect and the tally triggers on it survive the copy."""
    from sqlalchemy import text

    upgrade(fresh_database_url, "0008")
    engine = make_engine(fresh_database_url)
    try:
        with engine.begin() as conn:
            _insert(conn, "statuses", {"name": "New", "position": 1})
            status_id = conn.execute(text("SELECT id FROM statuses")).scalar_one()
            _insert(conn, "prospects", {"name": "Kept", "status_id": status_id})
            prospect_id = conn.execute(text("SELECT id FROM prospects")).scalar_one()
            _insert(conn, "prospect_history", {"prospect_id": prospect_id})
        upgrade(fresh_database_url)
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM prospect_history")).scalar_one() == 1
            before = conn.execute(
                text("SELECT coalesce(sum(n), 0) FROM prospect_source_tallies")
            ).scalar_one()
            _insert(conn, "prospects", {"name": "Counted", "status_id": status_id})
            after = conn.execute(text("SELECT coalesce(sum(n), 0) FROM prospect_source_tallies")).scalar_one()
            assert after == before + 1, "the tally triggers are gone"
    finally:
        engine.dispose()
