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
