"""Setting up an import: how the file is read (encoding and delimiter, changeable, the
preview read again so wrongly decoded letters show before anything is written), which
field each column fills, duplicates, defaults and unknown values — then a dry run or the
import itself, queued for the worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from redis.exceptions import RedisError
from werkzeug.datastructures import MultiDict

from capture import redis_client
from capture.admin.auth import roles_required, viewer
from capture.admin.imports import bp
from capture.admin.imports.views import LANGUAGE_NAMES
from capture.database import db_session
from crm_core.errors import DomainError, ValidationFailed
from crm_core.permissions import IMPORTERS
from crm_core.transfer.csv_files import DELIMITER_NAMES
from crm_core.transfer.fields import PROSPECT_FIELDS
from crm_core.transfer.formats import FileFormat
from crm_core.transfer.headers import propose_mapping
from crm_core.transfer.importing import layout_of
from crm_core.transfer.limits import column_name
from crm_core.transfer.mapping import Choices
from crm_core.transfer.models import Import, ImportStatus
from crm_core.transfer.queries import get_import, remembered_mapping
from crm_core.transfer.reading import FileRefused, Preview, preview
from crm_core.transfer.schemas import (
    DUPLICATE_LABELS,
    LIST_FIELDS,
    LIST_LABELS,
    MATCH_LABELS,
    ImportOptions,
    mapping_from_form,
    options_from_form,
)
from crm_core.transfer.services import change_layout, queue_import
from worker.queues import enqueue_import, transfers_queue

# What a person recognises, with Python's codec names as the values.
ENCODINGS = [
    ("utf-8", "UTF-8"),
    ("utf-8-sig", "UTF-8 with BOM (Excel “CSV UTF-8”)"),
    ("utf-16", "UTF-16 (Excel “Unicode text”)"),
    ("cp1250", "Windows-1250 (Central European: Romanian, Polish…)"),
    ("cp1257", "Windows-1257 (Baltic: Lithuanian…)"),
    ("cp1252", "Windows-1252 (Western: French, English…)"),
    ("iso8859-16", "ISO-8859-16 (Romanian)"),
    ("iso8859-2", "ISO-8859-2 (Central European)"),
    ("iso8859-13", "ISO-8859-13 (Baltic)"),
    ("iso8859-15", "ISO-8859-15 (Western)"),
]
# Delimiters travel in URLs by name (a tab in a query string is easy to lose).
DELIMITERS = {name.replace(" ", "_"): char for char, name in DELIMITER_NAMES.items()}
DELIMITER_OF = {char: name for name, char in DELIMITERS.items()}
FIELD_LABELS = {field.key: field.header("en") for field in PROSPECT_FIELDS}
PREVIEW_ROWS = 10


def _setup_allowed(record: Import) -> bool:
    return record.status == ImportStatus.DRAFT or (
        record.status in (ImportStatus.DONE, ImportStatus.FAILED) and (record.dry_run or not record.rows_done)
    )


def _read(record: Import, encoding: str | None, delimiter: str | None) -> Preview:
    options = ImportOptions.from_json(record.options)
    return preview(
        record.stored_path,
        encoding,
        delimiter,
        rows=PREVIEW_ROWS,
        language=options.language,
        limits=options.limits,
    )


def _asked_layout(record: Import, args: Any) -> tuple[str | None, str | None]:
    """The encoding and delimiter asked for in ``args``, else the import's own."""
    current = layout_of(record)
    encoding = (args.get("encoding") or "").strip() or current.encoding
    delimiter = DELIMITERS.get(args.get("delimiter") or "", current.delimiter)
    return encoding, delimiter


def _render(
    record: Import,
    shown: Preview | None,
    *,
    refusal: str = "",
    form: MultiDict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    db = db_session()
    choices = Choices(db)
    options = ImportOptions.from_json(record.options)
    header = [value.strip() for value in shown.header.values] if shown and shown.header else record.header
    if header == record.header:
        mapping = list(record.mapping)
    else:  # another delimiter split the header anew: propose for what is shown now
        remembered = remembered_mapping(db, record.kind, header)
        proposed = propose_mapping(header)
        mapping = list(remembered.mapping) if remembered else [proposed[i] for i in range(len(header))]
    if form is not None:
        mapping = mapping_from_form(form, len(header))
    layout = shown.layout if shown else layout_of(record)
    encodings = list(ENCODINGS)
    if layout.encoding and layout.encoding not in dict(encodings):
        encodings.insert(0, (layout.encoding, layout.encoding))
    return (
        render_template(
            "admin/imports/setup.html",
            record=record,
            shown=shown,
            header=header,
            mapping=mapping,
            layout=layout,
            is_csv=layout.format is FileFormat.CSV,
            detected=layout_of(record),
            encodings=encodings,
            delimiters=DELIMITER_OF,
            delimiter_names=DELIMITER_NAMES,
            field_labels=FIELD_LABELS,
            options=options,
            choices=choices.names,
            list_fields=LIST_FIELDS,
            list_labels=LIST_LABELS,
            duplicate_labels=DUPLICATE_LABELS,
            match_labels=MATCH_LABELS,
            language_name=LANGUAGE_NAMES.get(options.language, options.language),
            column_name=column_name,
            refusal=refusal,
            form=form,
            errors=errors or {},
        ),
        status,
    )


@bp.get("/imports/<int:import_id>/setup", endpoint="setup")
@roles_required(*IMPORTERS)
def import_setup(import_id: int) -> Response | tuple[str, int]:
    record = get_import(db_session(), viewer(), import_id)
    if not _setup_allowed(record):
        return redirect(url_for("admin.imports.detail", import_id=import_id))
    if not record.stored_path or not Path(record.stored_path).exists():
        flash("The uploaded file is no longer kept; upload it again.", "error")
        return redirect(url_for("admin.imports.detail", import_id=import_id))
    encoding, delimiter = _asked_layout(record, request.args)
    try:
        shown = _read(record, encoding, delimiter)
    except FileRefused as exc:
        return _render(record, None, refusal=str(exc), status=400)
    return _render(record, shown)


@bp.post("/imports/<int:import_id>/start", endpoint="start")
@roles_required(*IMPORTERS)
def import_start(import_id: int) -> Response | tuple[str, int]:
    db = db_session()
    user = viewer()
    record = get_import(db, user, import_id)
    if not _setup_allowed(record):
        flash("This import has already run; its settings can no longer change.", "error")
        return redirect(url_for("admin.imports.detail", import_id=import_id))
    if not record.stored_path or not Path(record.stored_path).exists():
        flash("The uploaded file is no longer kept; upload it again.", "error")
        return redirect(url_for("admin.imports.detail", import_id=import_id))
    encoding, delimiter = _asked_layout(record, request.form)
    try:
        shown = _read(record, encoding, delimiter)
        if shown.layout != layout_of(record):
            record = change_layout(db, user, import_id, shown)
        options = ImportOptions.from_json(record.options)
        chosen = options_from_form(
            request.form, language=options.language, limits=options.limits, choices=Choices(db).names
        )
        mapping = mapping_from_form(request.form, len(record.header))
        record = queue_import(
            db, user, import_id, mapping, chosen, dry_run=request.form.get("action") == "dry_run"
        )
    except FileRefused as exc:
        db.rollback()
        return _render(get_import(db, user, import_id), None, refusal=str(exc), status=400)
    except ValidationFailed as exc:
        db.rollback()
        record = get_import(db, user, import_id)
        return _render(
            record, _read(record, encoding, delimiter), form=request.form, errors=exc.fields, status=400
        )
    except DomainError as exc:
        db.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.imports.detail", import_id=import_id))
    db.commit()
    try:
        enqueue_import(transfers_queue(redis_client.redis()), record.id, record.runs)
    except RedisError:
        record.status = ImportStatus.DRAFT
        db.commit()
        flash(
            "The job queue cannot be reached right now, so the import was not started; try again shortly.",
            "error",
        )
        return redirect(url_for("admin.imports.setup", import_id=import_id))
    return redirect(url_for("admin.imports.detail", import_id=import_id))
