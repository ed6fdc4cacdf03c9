"""Imports and exports as records: who brought which file in (with how it was read, mapped
and what happened to every row), the mappings remembered for the next file with the same
header, and the spreadsheets prepared for download.

An import's ``position`` is the number of the last file row whose outcome is committed; the
job writes it in the same transaction as those rows, so a restarted job carries on after it
and no row is imported twice. The prospects an import created point back at it
(``Prospect.import_id``): that link is what revert deletes and what the prospect's history
names ("imported from leads.csv").
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.db import Base, UTCDateTime, utcnow
from crm_core.users.models import User


class ImportStatus(enum.StrEnum):
    DRAFT = "draft"  # uploaded, being mapped
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    REVERTED = "reverted"


ACTIVE_STATUSES = (ImportStatus.QUEUED, ImportStatus.RUNNING)
FINISHED_STATUSES = (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.REVERTED)


class Import(Base):
    __tablename__ = "imports"
    __table_args__ = (Index("ix_imports_created_at_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="prospects")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_size: Mapped[int] = mapped_column(Integer, default=0)
    # The uploaded file, kept for resuming and for the failed rows; "" once deleted.
    stored_path: Mapped[str] = mapped_column(String(1000), default="")
    file_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    file_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # {"format", "encoding", "delimiter"}: crm_core.transfer.reading.Layout.
    layout: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    header: Mapped[list[str]] = mapped_column(JSON, default=list)
    header_row: Mapped[int] = mapped_column(Integer, default=1)
    # One field key (or null: ignored) per column of the header.
    mapping: Mapped[list[str | None]] = mapped_column(JSON, default=list)
    # crm_core.transfer.schemas.ImportOptions as JSON (duplicates, defaults, unknown values, limits).
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=ImportStatus.DRAFT)
    message: Mapped[str] = mapped_column(Text, default="")
    # How many times it was queued: part of the job id, so a new run is a new job.
    runs: Mapped[int] = mapped_column(Integer, default=0)

    rows_total: Mapped[int] = mapped_column(Integer, default=0)  # data rows (exact once checked)
    rows_total_exact: Mapped[bool] = mapped_column(Boolean, default=False)
    # The whole file was read once with this layout without a refusal: nothing stops half-way.
    checked: Mapped[bool] = mapped_column(Boolean, default=False)
    rows_checked: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The job's last sign of life (each batch); the page says when it stalls.
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where the current pace (rows a second, time left) is measured from: the start of this
    # job's run or of its current phase, and the rows done (or checked) by then.
    pace_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pace_rows: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reverted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class ImportRowError(Base):
    """One problem with one row: which column, what it held, and what is wrong, in plain words."""

    __tablename__ = "import_errors"
    __table_args__ = (Index("ix_import_errors_import_row", "import_id", "row_number", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"))
    row_number: Mapped[int] = mapped_column(Integer)
    column_index: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(200), default="")
    value: Mapped[str] = mapped_column(String(500), default="")
    message: Mapped[str] = mapped_column(String(500))


class ImportMapping(Base):
    """The last mapping and options used for a header row, proposed for the next such file."""

    __tablename__ = "import_mappings"
    __table_args__ = (UniqueConstraint("kind", "header_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="prospects")
    header_key: Mapped[str] = mapped_column(String(64))  # sha256 of the folded header names
    mapping: Mapped[list[str | None]] = mapped_column(JSON, default=list)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Export(Base):
    """A spreadsheet prepared in the background (XLSX is too slow to stream), kept for a while."""

    __tablename__ = "exports"
    __table_args__ = (Index("ix_exports_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="prospects")
    format: Mapped[str] = mapped_column(String(10), default="xlsx")
    language: Mapped[str] = mapped_column(String(5), default="en")
    # The list's normalised query string: the same rows the list shows.
    query: Mapped[str] = mapped_column(String(2000), default="")
    status: Mapped[str] = mapped_column(String(20), default=ExportStatus.QUEUED)
    message: Mapped[str] = mapped_column(Text, default="")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str] = mapped_column(String(255), default="")
    stored_path: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    file_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
