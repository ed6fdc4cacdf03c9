"""What a migration needs around Alembic's batch copy of a SQLite table.

SQLite cannot add a foreign key or drop a constrained column in place, so Alembic
copies the table into a new one and drops the old. Dropping a table drops its
triggers with it (the report tallies are kept by triggers on ``prospects``), so a
migration that copies a table wraps the copy in :func:`keeping_triggers`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op


@contextmanager
def keeping_triggers(table: str) -> Iterator[None]:
    """Re-create ``table``'s triggers, as they were, after a batch copy on SQLite
    (a no-op on PostgreSQL, which alters tables in place)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    saved = bind.execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table"),
        {"table": table},
    ).all()
    yield
    for name, sql in saved:
        op.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        op.execute(sql)
