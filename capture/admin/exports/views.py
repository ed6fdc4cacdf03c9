"""Exporting the prospects list as the viewer sees it (filters in the query string, sales
only their own): a page to choose the language (column names, and ``;`` or ``,`` for CSV),
the CSV streamed straight away, and XLSX prepared by a background job, then downloaded
from its page until it expires."""

from __future__ import annotations

from datetime import timedelta
from itertools import chain
from pathlib import Path
from urllib.parse import parse_qs

from flask import (
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from redis.exceptions import RedisError

from capture import redis_client
from capture.admin.auth import login_required, viewer
from capture.admin.exports import bp
from capture.admin.imports.views import LANGUAGE_NAMES, chosen_language
from capture.database import db_session, streamed
from capture.instance import settings
from crm_core.clock import now
from crm_core.prospects.filters import parse_filter
from crm_core.prospects.queries import count_matching
from crm_core.transfer.exporting import export_header, prospect_rows
from crm_core.transfer.models import Export, ExportStatus
from crm_core.transfer.queries import get_export, recent_exports
from crm_core.transfer.services import start_export
from crm_core.transfer.storage import new_path
from crm_core.transfer.writing import csv_chunks, delimiter_for
from worker.queues import enqueue_export, transfers_queue

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/exports/prospects", endpoint="prospects")
@login_required
def export_prospects() -> str:
    flt, errors = parse_filter(request.args)
    db = db_session()
    user = viewer()
    return render_template(
        "admin/exports/prospects.html",
        flt=flt,
        errors=errors,
        total=count_matching(db, user, flt),
        languages=LANGUAGE_NAMES,
        language=chosen_language(),
        exports=recent_exports(db, user),
        list_url=url_for("admin.prospects.index") + (f"?{flt.to_query()}" if flt.to_query() else ""),
    )


@bp.get("/exports/prospects.csv", endpoint="prospects_csv")
@login_required
def export_prospects_csv() -> Response:
    """Streamed as it is read: constant memory whatever the size of the list."""
    flt, _errors = parse_filter(request.args)
    language = chosen_language(request.args.get("lang"))
    user = viewer()
    rows = chain([export_header(language)], streamed(lambda session: prospect_rows(session, user, flt)))
    body = csv_chunks(rows, delimiter=delimiter_for(language))
    response = Response(stream_with_context(body), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="prospects-{now():%Y-%m-%d-%H%M}.csv"'
    return response


@bp.post("/exports/prospects.xlsx", endpoint="prospects_xlsx")
@login_required
def export_prospects_xlsx() -> Response:
    flt, _errors = parse_filter(parse_qs(request.form.get("query", "")))
    language = chosen_language(request.form.get("lang"))
    db = db_session()
    configured = settings()
    record = start_export(
        db,
        viewer(),
        query=flt.to_query(),
        language=language,
        stored_path=str(new_path(configured.upload_dir, "exports", ".xlsx")),
        keep_file=timedelta(hours=configured.export_file_hours),
    )
    db.commit()
    try:
        enqueue_export(transfers_queue(redis_client.redis()), record.id)
    except RedisError:
        record.status = ExportStatus.FAILED
        record.message = "The job queue could not be reached; try again shortly."
        db.commit()
    return redirect(url_for("admin.exports.detail", export_id=record.id))


def _status_json(record: Export) -> dict[str, object]:
    return {
        "status": record.status,
        "rows": record.rows,
        "finished": record.status in (ExportStatus.DONE, ExportStatus.FAILED),
        "message": record.message,
    }


@bp.get("/exports/<int:export_id>", endpoint="detail")
@login_required
def export_detail(export_id: int) -> str:
    record = get_export(db_session(), viewer(), export_id)
    return render_template(
        "admin/exports/detail.html",
        record=record,
        data=_status_json(record),
        available=_available(record),
    )


@bp.get("/exports/<int:export_id>/status.json", endpoint="status")
@login_required
def export_status(export_id: int) -> Response:
    return jsonify(_status_json(get_export(db_session(), viewer(), export_id)))


@bp.get("/exports/<int:export_id>/download", endpoint="download")
@login_required
def export_download(export_id: int) -> Response:
    record = get_export(db_session(), viewer(), export_id)
    if not _available(record):
        flash(
            "This export is no longer available (exports are kept for a while); export the list again.",
            "error",
        )
        return redirect(url_for("admin.exports.detail", export_id=export_id))
    return send_file(
        record.stored_path,
        mimetype=_XLSX,
        as_attachment=True,
        download_name=f"prospects-{record.created_at:%Y-%m-%d-%H%M}.xlsx",
    )


def _available(record: Export) -> bool:
    return (
        record.status == ExportStatus.DONE
        and bool(record.stored_path)
        and (record.expires_at is None or record.expires_at > now())
        and Path(record.stored_path).exists()
    )
