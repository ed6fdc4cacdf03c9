"""Changing imports and exports: an upload becomes a draft import (mapping proposed or
remembered), the person's choices queue it (the caller enqueues the job after the commit),
revert deletes what it created while nobody has touched it, and files past their retention
are deleted. The rows themselves are written by ``importing.ImportRun`` in the job."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from crm_core.clock import now
from crm_core.db import utcnow
from crm_core.errors import DomainError, NotFound
from crm_core.permissions import can_import
from crm_core.prospects.services import MAX_BULK, bulk_delete
from crm_core.transfer.headers import propose_mapping
from crm_core.transfer.models import (
    ACTIVE_STATUSES,
    Export,
    ExportStatus,
    Import,
    ImportMapping,
    ImportRowError,
    ImportStatus,
)
from crm_core.transfer.queries import (
    created_ids,
    get_import,
    header_fingerprint,
    remembered_mapping,
    touched_prospects,
)
from crm_core.transfer.reading import Layout, Preview
from crm_core.transfer.schemas import ImportOptions, check_setup
from crm_core.users.models import User


def layout_json(layout: Layout) -> dict[str, Any]:
    return {"format": layout.format.value, "encoding": layout.encoding, "delimiter": layout.delimiter}


def start_import(
    session: Session,
    user: User,
    *,
    file_name: str,
    stored_path: str,
    file_size: int,
    preview: Preview,
    options: ImportOptions,
    keep_file: timedelta,
) -> Import:
    """A draft import of an uploaded (and previewed) file, with the mapping remembered for
    its header row, or one proposed from the header names."""
    if not can_import(user):
        raise NotFound("No such page.")
    record = Import(
        kind="prospects",
        user_id=user.id,
        file_name=file_name[:255] or "upload",
        file_size=file_size,
        stored_path=stored_path,
        file_expires_at=now() + keep_file,
        status=ImportStatus.DRAFT,
    )
    _apply_preview(session, record, preview, options)
    session.add(record)
    session.flush()
    return record


def change_layout(session: Session, user: User, import_id: int, preview: Preview) -> Import:
    """The person chose another encoding or delimiter: the draft reads the file that way now."""
    record = get_import(session, user, import_id, lock=True)
    _check_setup_allowed(record)
    record.checked = False
    _apply_preview(session, record, preview, ImportOptions.from_json(record.options))
    return record


def _apply_preview(session: Session, record: Import, preview: Preview, options: ImportOptions) -> None:
    if preview.header is None:
        raise DomainError("The file has no rows to import.")
    header = [value.strip() for value in preview.header.values]
    if header != record.header or not record.mapping:
        remembered = remembered_mapping(session, "prospects", header)
        if remembered is not None:
            record.mapping = list(remembered.mapping)
            kept = {k: v for k, v in remembered.options.items() if k not in ("language", "limits")}
            options = ImportOptions.from_json(
                {**kept, "language": options.language, "limits": options.to_json()["limits"]}
            )
        else:
            proposed = propose_mapping(header)
            record.mapping = [proposed[index] for index in range(len(header))]
    record.header = header
    record.header_row = preview.header.number
    record.layout = layout_json(preview.layout)
    record.options = options.to_json()
    record.rows_total = preview.total_rows
    record.rows_total_exact = preview.total_is_exact


def _check_setup_allowed(record: Import) -> None:
    if record.status in ACTIVE_STATUSES:
        raise DomainError("This import is running; its settings can no longer change.")
    if record.status == ImportStatus.REVERTED:
        raise DomainError("This import was reverted; upload the file again to import it anew.")
    if record.status != ImportStatus.DRAFT and not record.dry_run and record.rows_done:
        raise DomainError("This import has written rows already; its settings can no longer change.")


def queue_import(
    session: Session,
    user: User,
    import_id: int,
    mapping: Sequence[str | None],
    options: ImportOptions,
    *,
    dry_run: bool,
) -> Import:
    """Check and store the choices, remember them for this header row, and mark the import
    queued; the caller enqueues the job once this commits (``Import.runs`` names it)."""
    record = get_import(session, user, import_id, lock=True)
    _check_setup_allowed(record)
    check_setup(record.header, mapping, options)
    record.mapping = list(mapping)
    record.options = options.to_json()
    record.dry_run = dry_run
    record.status = ImportStatus.QUEUED
    record.message = ""
    record.runs += 1
    record.queued_at = utcnow()
    record.started_at = record.finished_at = record.progress_at = record.pace_since = None
    record.position = record.rows_done = record.rows_checked = record.pace_rows = 0
    record.created_count = record.updated_count = record.skipped_count = record.failed_count = 0
    session.execute(delete(ImportRowError).where(ImportRowError.import_id == record.id))
    _remember(session, user, record, options)
    return record


def _remember(session: Session, user: User, record: Import, options: ImportOptions) -> None:
    key = header_fingerprint(record.header)
    stored = options.to_json()
    stored.pop("limits", None)
    found = session.scalar(
        select(ImportMapping).where(ImportMapping.kind == record.kind, ImportMapping.header_key == key)
    )
    if found is None:
        session.add(
            ImportMapping(
                kind=record.kind, header_key=key, mapping=record.mapping, options=stored, user_id=user.id
            )
        )
    else:
        found.mapping, found.options, found.user_id, found.updated_at = (
            record.mapping,
            stored,
            user.id,
            utcnow(),
        )
    session.flush()


def fail_import(session: Session, import_id: int, message: str) -> None:
    """The job gave up (its last retry failed): the import says so instead of running forever."""
    session.execute(
        update(Import)
        .where(Import.id == import_id, Import.status.in_(ACTIVE_STATUSES))
        .values(status=ImportStatus.FAILED, message=message[:2000], finished_at=utcnow())
    )


def revert_import(session: Session, user: User, import_id: int) -> int:
    """Delete every prospect this import created — all of them or none: if any was changed
    since (``queries.touched_prospects``), refuse and say which. Prospects it updated keep
    their changes. Returns how many were deleted."""
    record = get_import(session, user, import_id, lock=True)
    if record.dry_run:
        raise DomainError("A dry run writes nothing, so there is nothing to revert.")
    if record.status in ACTIVE_STATUSES:
        raise DomainError("The import is still running; revert it once it has finished.")
    if record.status == ImportStatus.REVERTED:
        raise DomainError("This import was already reverted.")
    if record.status == ImportStatus.DRAFT:
        raise DomainError("This import has not run, so there is nothing to revert.")
    touched = touched_prospects(session, record.id)
    if touched.count:
        examples = "; ".join(f"#{pid} {name} ({what})" for pid, name, what in touched.examples)
        raise DomainError(
            f"{touched.count:,} of the prospects this import created changed since it ran, so it cannot be "
            f"reverted (nothing was deleted): {examples}. Revert only removes prospects nobody has touched; "
            "delete the others from the prospects list if you need to."
        )
    ids = created_ids(session, record.id)
    for start in range(0, len(ids), MAX_BULK):
        bulk_delete(session, user, ids[start : start + MAX_BULK])
    record.status = ImportStatus.REVERTED
    record.reverted_at = utcnow()
    record.reverted_by_id = user.id
    return len(ids)


# --- exports ---------------------------------------------------------------------------------


def start_export(
    session: Session, user: User, *, query: str, language: str, stored_path: str, keep_file: timedelta
) -> Export:
    """An XLSX export of the prospects list as ``query`` filters it, to be written by the job."""
    record = Export(
        user_id=user.id,
        kind="prospects",
        format="xlsx",
        language=language,
        query=query[:2000],
        status=ExportStatus.QUEUED,
        stored_path=stored_path,
        expires_at=now() + keep_file,
    )
    session.add(record)
    session.flush()
    return record


# --- retention --------------------------------------------------------------------------------


def delete_expired_files(session: Session, at: datetime | None = None) -> int:
    """Uploaded files and prepared exports past their retention: the file goes, the record
    stays (an import's counts and errors are still shown). Returns how many files went."""
    at = at or now()
    deleted = 0
    imports = session.scalars(
        select(Import).where(
            Import.file_expires_at < at,
            Import.file_deleted_at.is_(None),
            Import.status.not_in(ACTIVE_STATUSES),
        )
    ).all()
    for record in imports:
        deleted += _remove(record.stored_path)
        record.stored_path = ""
        record.file_deleted_at = at
    exports = session.scalars(
        select(Export).where(Export.expires_at < at, Export.file_deleted_at.is_(None))
    ).all()
    for export in exports:
        deleted += _remove(export.stored_path)
        export.stored_path = ""
        export.file_deleted_at = at
        if export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING):
            export.status = ExportStatus.FAILED
            export.message = "It took longer than its retention period."
    return deleted


def _remove(path: str) -> int:
    if not path:
        return 0
    try:
        os.remove(path)
    except FileNotFoundError:
        return 0
    return 1
