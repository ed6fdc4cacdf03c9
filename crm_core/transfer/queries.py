"""Reading imports and exports: the list, one import with its progress and row errors, the
rows that failed (for the file to fix), what revert would have to leave alone, and the
exports a person may download."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from crm_core.activities.models import Activity
from crm_core.clock import now
from crm_core.contacts.models import Contact
from crm_core.errors import NotFound
from crm_core.notes.models import Note
from crm_core.offers.models import Offer
from crm_core.parents import ParentType
from crm_core.permissions import can_import
from crm_core.prospects.models import Prospect, ProspectChange
from crm_core.tasks.models import OPEN_STATUSES, Task
from crm_core.transfer.headers import header_key
from crm_core.transfer.models import Export, Import, ImportMapping, ImportRowError, ImportStatus
from crm_core.users.models import User

PAGE_SIZE = 50


def header_fingerprint(header: Sequence[str]) -> str:
    """The key a mapping is remembered under: the header names, folded, in order."""
    return hashlib.sha256("\x1f".join(header_key(name) for name in header).encode()).hexdigest()


def remembered_mapping(session: Session, kind: str, header: Sequence[str]) -> ImportMapping | None:
    found = session.scalar(
        select(ImportMapping).where(
            ImportMapping.kind == kind, ImportMapping.header_key == header_fingerprint(header)
        )
    )
    if found is None or len(found.mapping) != len(header):
        return None
    return found


def list_imports(session: Session, viewer: User, limit: int = 100) -> list[Import]:
    if not can_import(viewer):
        return []
    stmt = select(Import).order_by(Import.created_at.desc(), Import.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def get_import(session: Session, viewer: User, import_id: int, *, lock: bool = False) -> Import:
    """The import, or ``NotFound`` (also for a user who may not import)."""
    if not can_import(viewer):
        raise NotFound("No such import.")
    if lock:
        lock_import(session, import_id)
    record = session.get(Import, import_id)
    if record is None:
        raise NotFound("No such import.")
    return record


def lock_import(session: Session, import_id: int) -> None:
    """Hold the import's row for this transaction (PostgreSQL; SQLite has one writer anyway),
    so a click and the job never change it at the same moment."""
    session.execute(select(Import.id).where(Import.id == import_id).with_for_update())


def row_errors(
    session: Session, import_id: int, *, after_row: int = 0, limit: int = PAGE_SIZE
) -> list[ImportRowError]:
    """A page of errors in row order, after ``after_row``."""
    stmt = (
        select(ImportRowError)
        .where(ImportRowError.import_id == import_id, ImportRowError.row_number > after_row)
        .order_by(ImportRowError.row_number, ImportRowError.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def failed_rows(session: Session, import_id: int) -> Iterator[tuple[int, list[str]]]:
    """``(row number, its messages)`` for every row with an error, in row order, streamed."""
    stmt = (
        select(ImportRowError.row_number, ImportRowError.column, ImportRowError.message)
        .where(ImportRowError.import_id == import_id)
        .order_by(ImportRowError.row_number, ImportRowError.id)
        .execution_options(yield_per=2000)
    )
    current: int | None = None
    messages: list[str] = []
    for number, column, message in session.execute(stmt):
        if number != current:
            if current is not None:
                yield current, messages
            current, messages = number, []
        messages.append(f"{column}: {message}" if column else message)
    if current is not None:
        yield current, messages


@dataclass(frozen=True)
class Progress:
    status: str
    phase: str  # "waiting" | "checking" | "importing" | "finished"
    done: int
    total: int
    total_exact: bool
    rate: float  # rows a second
    seconds_left: int | None
    stalled: bool

    @property
    def percent(self) -> int:
        if self.phase == "finished":
            return 100
        return min(99, int(self.done * 100 / self.total)) if self.total else 0


STALLED_AFTER = 120  # seconds without a batch: the page says the job will be retried


def progress(record: Import, at: datetime | None = None) -> Progress:
    at = at or now()
    status = record.status
    if status in (ImportStatus.DRAFT, ImportStatus.QUEUED):
        phase = "waiting"
    elif status == ImportStatus.RUNNING:
        phase = "importing" if record.checked or record.dry_run else "checking"
    else:
        phase = "finished"
    done = record.rows_checked if phase == "checking" else record.rows_done
    total = record.rows_total
    rate = 0.0
    seconds_left: int | None = None
    if phase in ("checking", "importing") and record.pace_since is not None:
        elapsed = ((record.progress_at or at) - record.pace_since).total_seconds()
        moved = done - (record.pace_rows if phase == "importing" else 0)
        if elapsed > 0.5 and moved > 0:
            rate = moved / elapsed
            seconds_left = int(max(0, total - done) / rate) if total else None
    stalled = (
        status == ImportStatus.RUNNING
        and record.progress_at is not None
        and (at - record.progress_at).total_seconds() > STALLED_AFTER
    )
    return Progress(status, phase, done, total, record.rows_total_exact, rate, seconds_left, stalled)


# --- revert ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Touched:
    """Prospects an import created that something changed since (revert refuses then)."""

    count: int
    examples: list[tuple[int, str, str]]  # (id, name, what happened)


_EXAMPLES = 5


def touched_prospects(session: Session, import_id: int) -> Touched:
    """Created by this import and changed since: edited, converted, given activities,
    contacts, notes, offers or tasks of their own, or a repeat web submission."""
    on_prospect = ParentType.PROSPECT
    reasons = [
        ("edited since the import", Prospect.updated_at != Prospect.created_at),
        (
            "converted to an account",
            or_(Prospect.converted_at.is_not(None), Prospect.account_id.is_not(None)),
        ),
        (
            "has later history",
            exists().where(ProspectChange.prospect_id == Prospect.id, ProspectChange.action != "created"),
        ),
        (
            "has activities",
            exists().where(Activity.parent_type == on_prospect, Activity.parent_id == Prospect.id),
        ),
        (
            "has contacts",
            exists().where(Contact.parent_type == on_prospect, Contact.parent_id == Prospect.id),
        ),
        ("has notes", exists().where(Note.parent_type == on_prospect, Note.parent_id == Prospect.id)),
        ("has an offer", exists().where(Offer.prospect_id == Prospect.id)),
        (
            "has tasks added or worked on",
            exists().where(
                Task.parent_type == on_prospect,
                Task.parent_id == Prospect.id,
                or_(
                    Task.template_id.is_(None),
                    Task.updated_at != Task.created_at,
                    Task.status.not_in(OPEN_STATUSES),
                ),
            ),
        ),
    ]
    mine = Prospect.import_id == import_id
    any_reason = or_(*(condition for _, condition in reasons))
    count = session.scalar(select(func.count()).select_from(Prospect).where(mine, any_reason)) or 0
    examples: list[tuple[int, str, str]] = []
    if count:
        for prospect_id, name in session.execute(
            select(Prospect.id, Prospect.name).where(mine, any_reason).order_by(Prospect.id).limit(_EXAMPLES)
        ):
            what = [
                label
                for label, condition in reasons
                if session.scalar(
                    select(func.count()).select_from(Prospect).where(Prospect.id == prospect_id, condition)
                )
            ]
            examples.append((prospect_id, name, ", ".join(what)))
    return Touched(count, examples)


def created_ids(session: Session, import_id: int) -> list[int]:
    return list(
        session.scalars(select(Prospect.id).where(Prospect.import_id == import_id).order_by(Prospect.id))
    )


# --- exports ----------------------------------------------------------------------------------


def get_export(session: Session, viewer: User, export_id: int) -> Export:
    """One of ``viewer``'s own exports (an export holds what its author could see)."""
    record = session.get(Export, export_id)
    if record is None or record.user_id != viewer.id:
        raise NotFound("No such export.")
    return record


def recent_exports(session: Session, viewer: User, limit: int = 10) -> list[Export]:
    stmt = (
        select(Export)
        .where(Export.user_id == viewer.id, or_(Export.expires_at.is_(None), Export.expires_at > now()))
        .order_by(Export.created_at.desc(), Export.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))
