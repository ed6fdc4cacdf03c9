"""The Imports page: the imports so far, the template to download (in the chosen language)
and the upload, which stores the file, previews it and opens its set-up page."""

from __future__ import annotations

import os
from datetime import timedelta

from flask import Response, current_app, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import ValidationError

from capture.admin.auth import roles_required, viewer
from capture.admin.imports import bp
from capture.database import db_session
from capture.instance import settings
from crm_core.lists.models import Priority, Source, Status
from crm_core.permissions import IMPORTERS
from crm_core.transfer.fields import LANGUAGES
from crm_core.transfer.limits import FileRefused, Limits, megabytes
from crm_core.transfer.queries import list_imports, progress
from crm_core.transfer.reading import preview
from crm_core.transfer.schemas import ImportOptions
from crm_core.transfer.services import start_import
from crm_core.transfer.storage import new_path
from crm_core.transfer.template import template_csv, template_xlsx

LANGUAGE_NAMES = {"en": "English", "ro": "Română", "lt": "Lietuvių", "fr": "Français"}
LANGUAGE_KEY = "transfer_language"
_MB = 1024 * 1024
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def chosen_language(value: str | None = None) -> str:
    """The language asked for, else the one last chosen (kept in the session), else English."""
    if value in LANGUAGES:
        session[LANGUAGE_KEY] = value
        return value
    remembered = session.get(LANGUAGE_KEY)
    return remembered if remembered in LANGUAGES else "en"


def import_limits() -> Limits:
    configured = settings()
    return Limits(max_bytes=configured.import_max_mb * _MB, max_rows=configured.import_max_rows)


def _index(error: str = "", status: int = 200) -> tuple[str, int]:
    records = list_imports(db_session(), viewer())
    return (
        render_template(
            "admin/imports/list.html",
            imports=records,
            progress={record.id: progress(record) for record in records},
            languages=LANGUAGE_NAMES,
            language=chosen_language(),
            limits=import_limits(),
            megabytes=megabytes,
            error=error,
        ),
        status,
    )


@bp.get("/imports", endpoint="index")
@roles_required(*IMPORTERS)
def imports() -> tuple[str, int]:
    return _index()


@bp.get("/imports/template", endpoint="template")
@roles_required(*IMPORTERS)
def template() -> Response:
    """The import template with headers in the chosen language, listing the real choices."""
    language = chosen_language(request.args.get("lang"))
    db = db_session()
    lists = {
        name: list(db.scalars(select(model.name).order_by(model.position, model.id)))
        for name, model in (("statuses", Status), ("sources", Source), ("priorities", Priority))
    }
    if request.args.get("format") == "xlsx":
        body, mimetype, extension = template_xlsx(language, **lists), _XLSX, "xlsx"
    else:
        body, mimetype, extension = template_csv(language, **lists), "text/csv; charset=utf-8", "csv"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="leadcapture-import-{language}.{extension}"'
    )
    return response


@bp.post("/imports", endpoint="upload")
@roles_required(*IMPORTERS)
def upload() -> Response | tuple[str, int]:
    limits = import_limits()
    request.max_content_length = limits.max_bytes + _MB  # room for the form around the file
    try:
        form, files = request.form, request.files
    except RequestEntityTooLarge:
        return _index(f"The file is larger than {megabytes(limits.max_bytes)}, the most an import takes. "
                      "Split it into smaller files.", 413)  # fmt: skip
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(form.get("csrf_token"))
        except ValidationError as exc:
            raise CSRFError(str(exc)) from exc
    sent = files.get("file")
    if sent is None or not sent.filename:
        return _index("Choose a file to upload (CSV, XLSX or XLS).", 400)
    language = chosen_language(form.get("language"))
    stored = new_path(settings().upload_dir, "imports", ".upload")
    sent.save(stored)
    try:
        shown = preview(stored, language=language, limits=limits)
    except FileRefused as exc:
        os.remove(stored)
        return _index(str(exc), 400)
    db = db_session()
    try:
        record = start_import(
            db,
            viewer(),
            file_name=_base_name(sent.filename),
            stored_path=str(stored),
            file_size=stored.stat().st_size,
            preview=shown,
            options=ImportOptions(language=language, limits=limits),
            keep_file=_keep(),
        )
    except Exception:
        db.rollback()
        os.remove(stored)
        raise
    db.commit()
    return redirect(url_for("admin.imports.setup", import_id=record.id))


def _base_name(name: str) -> str:
    """Some browsers send the whole path of the file; keep its last part, as typed."""
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]


def _keep() -> timedelta:
    return timedelta(days=settings().import_file_days)
