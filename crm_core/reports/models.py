"""Running tallies of prospects, so the board, the home page and the reports
count a million prospects by reading a few thousand rows.

Each row says "``n`` prospects created on UTC ``day`` with these values" —
two tables because the figures need two different cuts:

- ``prospect_source_tallies``: day by status, source, form and converted
  (new leads per week or month by source or status, the forms report, the
  funnel by source and form, the board's column counts);
- ``prospect_owner_tallies``: day by owner, status and converted (the owners
  report, the funnel by owner, a sales person's own counts).

Database triggers on ``prospects`` (migration 0007) append a row for every
insert, delete and change of those values, in the same transaction as the
change — whichever code path made it: the web intake, an edit, a bulk
change, an import, a foreign-key cascade. Appending never waits on another
transaction, so two workers inserting leads of the same form do not queue
behind one hot counter row. ``n`` is +k or -k; a key may have many rows until
``crm_core.reports.tallies.compact`` merges them (rows appended since are
``compacted = false``). Readers always ``SUM(n)``, so a merge never changes
an answer."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Index, Integer, text
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db import Base


class SourceTally(Base):
    __tablename__ = "prospect_source_tallies"
    __table_args__ = (
        Index("ix_prospect_source_tallies_day", "day", "status_id", "source_id", "form_id"),
        Index(
            "ix_prospect_source_tallies_fresh",
            "day",
            postgresql_where=text("NOT compacted"),
            sqlite_where=text("compacted = 0"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    # Plain integers, no foreign keys: a tally outlives nothing and blocks no delete.
    status_id: Mapped[int | None] = mapped_column(Integer)
    source_id: Mapped[int | None] = mapped_column(Integer)
    form_id: Mapped[int | None] = mapped_column(Integer)
    converted: Mapped[bool] = mapped_column(Boolean)
    n: Mapped[int] = mapped_column(Integer)
    compacted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class OwnerTally(Base):
    __tablename__ = "prospect_owner_tallies"
    __table_args__ = (
        Index("ix_prospect_owner_tallies_day", "day", "owner_id", "status_id"),
        Index("ix_prospect_owner_tallies_owner", "owner_id", "day"),
        Index(
            "ix_prospect_owner_tallies_fresh",
            "day",
            postgresql_where=text("NOT compacted"),
            sqlite_where=text("compacted = 0"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    status_id: Mapped[int | None] = mapped_column(Integer)
    converted: Mapped[bool] = mapped_column(Boolean)
    n: Mapped[int] = mapped_column(Integer)
    compacted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
