"""One import: its progress (a page that refreshes itself without JavaScript, and a JSON
twin ``imports.js`` polls to move the bar), its row errors, the failed rows as a CSV to fix
and upload again, and revert."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Response, flash, jsonify, redirect, render_template, request, stream_with_context, url_for

from capture.admin.auth import roles_required, viewer
from capture.admin.imports import bp
from capture.database import db_session, streamed
from crm_core.errors import DomainError, NotFound
from crm_core.permissions import IMPORTERS
from crm_core.transfer.importing import layout_of
from crm_core.transfer.models import Import, ImportStatus
from crm_core.transfer.queries import (
    Progress,
    created_ids,
    failed_rows,
    get_import,
    progress,
    row_errors,
    touched_prospects,
)
from crm_core.transfer.reading import FileRefused, read_rows
from crm_core.transfer.schemas import ImportOptions
from crm_core.transfer.services import revert_import
from crm_core.transfer.writing import csv_chunks, delimiter_for

ERRORS_PER_PAGE = 50


def progress_json(record: Import, shown: Progress) -> dict[str, Any]:
    return {
        "status": shown.status,
        "phase": shown.phase,
        "done": shown.done,
        "total": shown.total,
        "total_exact": shown.total_exact,
        "percent": shown.percent,
        "rate": round(shown.rate, 1),
        "seconds_left": shown.seconds_left,
        "time_left": duration(shown.seconds_left),
        "stalled": shown.stalled,
        "finished": shown.phase == "finished",
        "dry_run": record.dry_run,
        "counts": {
            "created": record.created_count,
            "updated": record.updated_count,
            "skipped": record.skipped_count,
            "failed": record.failed_count,
        },
        "message": record.message,
    }


def duration(seconds: int | None) -> str:
    """``130`` → ``"2 min 10 s"``: time left as people say it."""
    if seconds is None:
        return "—"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


@bp.get("/imports/<int:import_id>", endpoint="detail")
@roles_required(*IMPORTERS)
def import_detail(import_id: int) -> str:
    db = db_session()
    record = get_import(db, viewer(), import_id)
    after = request.args.get("after", "")
    errors = row_errors(
        db, import_id, after_row=int(after) if after.isdigit() else 0, limit=ERRORS_PER_PAGE + 1
    )
    more = len(errors) > ERRORS_PER_PAGE
    errors = errors[:ERRORS_PER_PAGE]
    shown = progress(record)
    return render_template(
        "admin/imports/detail.html",
        record=record,
        shown=shown,
        data=progress_json(record, shown),
        errors=errors,
        next_after=errors[-1].row_number if more and errors else None,
        can_set_up=record.status == ImportStatus.DRAFT
        or (
            record.status in (ImportStatus.DONE, ImportStatus.FAILED)
            and (record.dry_run or not record.rows_done)
        ),
        can_revert=record.status == ImportStatus.DONE and not record.dry_run and record.created_count > 0,
    )


@bp.get("/imports/<int:import_id>/progress.json", endpoint="progress")
@roles_required(*IMPORTERS)
def import_progress(import_id: int) -> Response:
    record = get_import(db_session(), viewer(), import_id)
    response = jsonify(progress_json(record, progress(record)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/imports/<int:import_id>/failed-rows.csv", endpoint="failed_rows")
@roles_required(*IMPORTERS)
def import_failed_rows(import_id: int) -> Response | tuple[str, int]:
    """The rows that failed, as the file had them, with what is wrong in a last column: fix
    them in a spreadsheet and upload the file again (our CSV's formula guard is undone then)."""
    db = db_session()
    record = get_import(db, viewer(), import_id)
    if not record.stored_path or not Path(record.stored_path).exists():
        flash("The uploaded file is no longer kept, so its failed rows cannot be written out.", "error")
        return redirect(url_for("admin.imports.detail", import_id=import_id))
    options = ImportOptions.from_json(record.options)
    rows = streamed(lambda session: _failed_rows(record, options, failed_rows(session, import_id)))
    body = csv_chunks(rows, delimiter=delimiter_for(options.language))
    stem = Path(record.file_name).stem or "import"
    response = Response(stream_with_context(body), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{_ascii(stem)}-failed-rows.csv"'
    return response


def _failed_rows(
    record: Import, options: ImportOptions, failures: Iterator[tuple[int, list[str]]]
) -> Iterator[list[str]]:
    """The header, then each failed row with its messages: the error list and the file are
    both in row order, so they are walked side by side in constant memory."""
    yield [*record.header, "Errors"]
    wanted = next(failures, None)
    if wanted is None:
        return
    try:
        for row in read_rows(
            record.stored_path, layout_of(record), start_after=record.header_row, limits=options.limits
        ):
            while wanted is not None and wanted[0] < row.number:
                wanted = next(failures, None)
            if wanted is None:
                return
            if wanted[0] == row.number:
                values = row.values + [""] * (len(record.header) - len(row.values))
                yield [*values, " ".join(wanted[1])]
    except FileRefused:
        return  # the rows before the unreadable part were written


def _ascii(name: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)[:80]


@bp.get("/imports/<int:import_id>/revert", endpoint="revert_confirm")
@roles_required(*IMPORTERS)
def import_revert_confirm(import_id: int) -> str:
    db = db_session()
    record = get_import(db, viewer(), import_id)
    return render_template(
        "admin/imports/revert.html",
        record=record,
        created=len(created_ids(db, import_id)),
        touched=touched_prospects(db, import_id),
    )


@bp.post("/imports/<int:import_id>/revert", endpoint="revert")
@roles_required(*IMPORTERS)
def import_revert(import_id: int) -> Response:
    db = db_session()
    try:
        deleted = revert_import(db, viewer(), import_id)
    except NotFound:
        raise
    except DomainError as exc:
        db.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.imports.detail", import_id=import_id))
    db.commit()
    flash(f"Reverted: {deleted:,} prospect{'' if deleted == 1 else 's'} deleted.", "success")
    return redirect(url_for("admin.imports.detail", import_id=import_id))
