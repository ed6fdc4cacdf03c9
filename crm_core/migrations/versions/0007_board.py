"""The board and the reports.

- Each status says whether the board shows it: existing statuses are shown
  except those of kind converted and junk (the rule a new status follows).
- Running tallies of prospects per UTC day (by status, source, form and
  converted; and by owner, status and converted), filled from the prospects
  already there and kept by triggers on ``prospects`` from now on, in the
  same transaction as every insert, delete and change
  (``crm_core.reports.models`` says why and how).
- Indexes for the reports: every value a report counts by, behind
  ``created_at``; the conversions (partial); the offers made from a prospect;
  open tasks by due date and done tasks by completion (partial), activities
  by status and start — each with its owner, for the owners report.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Frozen here (a migration must not change when the code does).
_PG_FUNCTION = """
CREATE FUNCTION lc_prospect_tallies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO prospect_source_tallies (day, status_id, source_id, form_id, converted, n)
      SELECT (created_at AT TIME ZONE 'UTC')::date, status_id, source_id, form_id, converted_at IS NOT NULL,
             count(*)
      FROM new_rows GROUP BY 1, 2, 3, 4, 5;
    INSERT INTO prospect_owner_tallies (day, owner_id, status_id, converted, n)
      SELECT (created_at AT TIME ZONE 'UTC')::date, owner_id, status_id, converted_at IS NOT NULL, count(*)
      FROM new_rows GROUP BY 1, 2, 3, 4;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO prospect_source_tallies (day, status_id, source_id, form_id, converted, n)
      SELECT (created_at AT TIME ZONE 'UTC')::date, status_id, source_id, form_id, converted_at IS NOT NULL,
             -count(*)
      FROM old_rows GROUP BY 1, 2, 3, 4, 5;
    INSERT INTO prospect_owner_tallies (day, owner_id, status_id, converted, n)
      SELECT (created_at AT TIME ZONE 'UTC')::date, owner_id, status_id, converted_at IS NOT NULL, -count(*)
      FROM old_rows GROUP BY 1, 2, 3, 4;
  ELSE
    INSERT INTO prospect_source_tallies (day, status_id, source_id, form_id, converted, n)
      SELECT day, status_id, source_id, form_id, converted, sum(n) FROM (
        SELECT (o.created_at AT TIME ZONE 'UTC')::date AS day, o.status_id, o.source_id, o.form_id,
               o.converted_at IS NOT NULL AS converted, -1 AS n
        FROM old_rows o JOIN new_rows w ON w.id = o.id
        WHERE (o.created_at, o.status_id, o.source_id, o.form_id, o.converted_at IS NOT NULL)
              IS DISTINCT FROM (w.created_at, w.status_id, w.source_id, w.form_id, w.converted_at IS NOT NULL)
        UNION ALL
        SELECT (w.created_at AT TIME ZONE 'UTC')::date, w.status_id, w.source_id, w.form_id,
               w.converted_at IS NOT NULL, 1
        FROM old_rows o JOIN new_rows w ON w.id = o.id
        WHERE (o.created_at, o.status_id, o.source_id, o.form_id, o.converted_at IS NOT NULL)
              IS DISTINCT FROM (w.created_at, w.status_id, w.source_id, w.form_id, w.converted_at IS NOT NULL)
      ) changed GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0;
    INSERT INTO prospect_owner_tallies (day, owner_id, status_id, converted, n)
      SELECT day, owner_id, status_id, converted, sum(n) FROM (
        SELECT (o.created_at AT TIME ZONE 'UTC')::date AS day, o.owner_id, o.status_id,
               o.converted_at IS NOT NULL AS converted, -1 AS n
        FROM old_rows o JOIN new_rows w ON w.id = o.id
        WHERE (o.created_at, o.owner_id, o.status_id, o.converted_at IS NOT NULL)
              IS DISTINCT FROM (w.created_at, w.owner_id, w.status_id, w.converted_at IS NOT NULL)
        UNION ALL
        SELECT (w.created_at AT TIME ZONE 'UTC')::date, w.owner_id, w.status_id, w.converted_at IS NOT NULL, 1
        FROM old_rows o JOIN new_rows w ON w.id = o.id
        WHERE (o.created_at, o.owner_id, o.status_id, o.converted_at IS NOT NULL)
              IS DISTINCT FROM (w.created_at, w.owner_id, w.status_id, w.converted_at IS NOT NULL)
      ) changed GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0;
  END IF;
  RETURN NULL;
END $$
"""
_PG_TRIGGERS = (
    "CREATE TRIGGER prospects_tally_insert AFTER INSERT ON prospects REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION lc_prospect_tallies()",
    "CREATE TRIGGER prospects_tally_delete AFTER DELETE ON prospects REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION lc_prospect_tallies()",
    "CREATE TRIGGER prospects_tally_update AFTER UPDATE ON prospects "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION lc_prospect_tallies()",
)


_SQLITE_ROWS = """
  INSERT INTO prospect_source_tallies (day, status_id, source_id, form_id, converted, n, compacted)
    VALUES (date(ROW.created_at), ROW.status_id, ROW.source_id, ROW.form_id,
            ROW.converted_at IS NOT NULL, SIGN1, 0);
  INSERT INTO prospect_owner_tallies (day, owner_id, status_id, converted, n, compacted)
    VALUES (date(ROW.created_at), ROW.owner_id, ROW.status_id, ROW.converted_at IS NOT NULL, SIGN1, 0);"""


def _sqlite_rows(ref: str, sign: str) -> str:
    """One tally row per table for the NEW (+1) or OLD (-1) row."""
    return _SQLITE_ROWS.replace("ROW.", f"{ref}.").replace("SIGN", sign)


_SQLITE_TRIGGERS = (
    "CREATE TRIGGER prospects_tally_insert AFTER INSERT ON prospects BEGIN"
    + _sqlite_rows("NEW", "")
    + "\nEND",
    "CREATE TRIGGER prospects_tally_delete AFTER DELETE ON prospects BEGIN"
    + _sqlite_rows("OLD", "-")
    + "\nEND",
    "CREATE TRIGGER prospects_tally_update AFTER UPDATE OF created_at, status_id, source_id, form_id, owner_id, "
    "converted_at ON prospects WHEN OLD.created_at IS NOT NEW.created_at OR OLD.status_id IS NOT NEW.status_id "
    "OR OLD.source_id IS NOT NEW.source_id OR OLD.form_id IS NOT NEW.form_id OR OLD.owner_id IS NOT NEW.owner_id "
    "OR (OLD.converted_at IS NULL) <> (NEW.converted_at IS NULL) BEGIN"
    + _sqlite_rows("OLD", "-")
    + _sqlite_rows("NEW", "")
    + "\nEND",
)

_FILL = (
    "INSERT INTO prospect_source_tallies (day, status_id, source_id, form_id, converted, n, compacted) "
    "SELECT DAY, status_id, source_id, form_id, converted_at IS NOT NULL, count(*), true FROM prospects "
    "GROUP BY 1, 2, 3, 4, 5",
    "INSERT INTO prospect_owner_tallies (day, owner_id, status_id, converted, n, compacted) "
    "SELECT DAY, owner_id, status_id, converted_at IS NOT NULL, count(*), true FROM prospects "
    "GROUP BY 1, 2, 3, 4",
)


def _fill(day: str) -> list[str]:
    """Count the prospects already there (``day``: the UTC date of created_at, per dialect)."""
    return [statement.replace("SELECT DAY,", f"SELECT {day},") for statement in _FILL]


def upgrade() -> None:
    # Plain ALTER TABLE, never a batch copy: on SQLite, copying ``statuses`` drops
    # the old table, and with foreign keys on that empties every prospect's status.
    op.add_column("statuses", sa.Column("on_board", sa.Boolean(), server_default=sa.true(), nullable=False))
    statuses = sa.table("statuses", sa.column("kind", sa.String()), sa.column("on_board", sa.Boolean()))
    op.execute(statuses.update().where(statuses.c.kind.in_(["converted", "junk"])).values(on_board=False))

    op.create_table(
        "prospect_source_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status_id", sa.Integer(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("form_id", sa.Integer(), nullable=True),
        sa.Column("converted", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("compacted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prospect_source_tallies")),
    )
    op.create_index(
        "ix_prospect_source_tallies_day",
        "prospect_source_tallies",
        ["day", "status_id", "source_id", "form_id"],
    )
    op.create_index(
        "ix_prospect_source_tallies_fresh",
        "prospect_source_tallies",
        ["day"],
        postgresql_where=sa.text("NOT compacted"),
        sqlite_where=sa.text("compacted = 0"),
    )
    op.create_table(
        "prospect_owner_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status_id", sa.Integer(), nullable=True),
        sa.Column("converted", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("compacted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prospect_owner_tallies")),
    )
    op.create_index(
        "ix_prospect_owner_tallies_day", "prospect_owner_tallies", ["day", "owner_id", "status_id"]
    )
    op.create_index("ix_prospect_owner_tallies_owner", "prospect_owner_tallies", ["owner_id", "day"])
    op.create_index(
        "ix_prospect_owner_tallies_fresh",
        "prospect_owner_tallies",
        ["day"],
        postgresql_where=sa.text("NOT compacted"),
        sqlite_where=sa.text("compacted = 0"),
    )

    op.create_index(
        "ix_prospects_created_dims",
        "prospects",
        ["created_at", "status_id", "source_id", "form_id", "owner_id", "priority_id", "converted_at"],
    )
    op.create_index(
        "ix_prospects_converted",
        "prospects",
        ["converted_at", "id", "created_at", "owner_id", "source_id", "form_id"],
        postgresql_where=sa.text("converted_at IS NOT NULL"),
        sqlite_where=sa.text("converted_at IS NOT NULL"),
    )

    op.create_index("ix_offers_prospect", "offers", ["prospect_id", "status_id", "currency", "total"])
    op.create_index(
        "ix_tasks_open_due",
        "tasks",
        ["due_date", "owner_id"],
        postgresql_where=sa.text("status IN ('open', 'in_progress')"),
        sqlite_where=sa.text("status IN ('open', 'in_progress')"),
    )
    op.create_index(
        "ix_tasks_completed",
        "tasks",
        ["completed_at", "owner_id"],
        postgresql_where=sa.text("completed_at IS NOT NULL"),
        sqlite_where=sa.text("completed_at IS NOT NULL"),
    )
    op.create_index("ix_activities_status_starts", "activities", ["status", "starts_at", "owner_id"])

    # The existing prospects, counted in the same transaction as the triggers
    # appear (PostgreSQL runs a migration in one transaction): none is missed or
    # counted twice.
    if op.get_bind().dialect.name == "postgresql":
        for statement in _fill("(created_at AT TIME ZONE 'UTC')::date"):
            op.execute(statement)
        op.execute(_PG_FUNCTION)
        for statement in _PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in _fill("date(created_at)"):
            op.execute(statement)
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("prospects_tally_update", "prospects_tally_delete", "prospects_tally_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON prospects")
        op.execute("DROP FUNCTION IF EXISTS lc_prospect_tallies()")
    else:
        for name in ("prospects_tally_update", "prospects_tally_delete", "prospects_tally_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_activities_status_starts", table_name="activities")
    op.drop_index("ix_tasks_completed", table_name="tasks")
    op.drop_index("ix_tasks_open_due", table_name="tasks")
    op.drop_index("ix_offers_prospect", table_name="offers")
    op.drop_index("ix_prospects_converted", table_name="prospects")
    op.drop_index("ix_prospects_created_dims", table_name="prospects")
    op.drop_table("prospect_owner_tallies")  # with its indexes
    op.drop_table("prospect_source_tallies")
    # SQLite 3.35+ drops a column in place (no table copy, see upgrade).
    op.drop_column("statuses", "on_board")
