"""The form editor (admin and marketing): "Form data" and "Customization"
tabs, a live preview through the real embed snippet, and the embed code.

Saving is one transaction, then the definition is published to the cache the
public endpoints read, so the change is live at once. The preview never
touches the saved form: each draft is published under a throw-away key that
expires, and the preview page is sandboxed, so a test submission from it is
refused instead of creating a prospect."""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from markupsafe import escape
from redis.exceptions import RedisError
from werkzeug.wrappers import Response

from capture import redis_client
from capture.admin.auth import roles_required
from capture.admin.forms import bp
from capture.admin.forms.editor_state import (
    CUSTOM,
    FIELD_TYPE_LABELS,
    LANGUAGE_LABELS,
    PROSPECT_FIELD_LABELS,
    apply_row_action,
    blank_row,
    config_from_state,
    error_summary,
    plain_words,
    state_from_form,
    state_from_request,
    tabs_with_errors,
)
from capture.admin.forms.views import commit_form_change, counters
from capture.database import db_session
from capture.public.form_cache import publish
from crm_core.errors import ValidationFailed
from crm_core.forms.colours import contrast_warning
from crm_core.forms.definition import FormDefinition, form_definition
from crm_core.forms.models import WebForm
from crm_core.forms.queries import form_activity, get_form
from crm_core.forms.services import draft_form, update_form
from crm_core.lists.kinds import KINDS
from crm_core.lists.queries import list_values
from crm_core.permissions import FORM_MANAGERS
from crm_core.users.queries import active_users

PREVIEW_TTL = 30 * 60
_PREVIEW_KEY = re.compile(r"^pv[A-Za-z0-9_-]{16}$")


def embed_codes(form: WebForm) -> dict[str, str]:
    base = current_app.config["LC_SETTINGS"].public_base_url or request.host_url.rstrip("/")
    page = f"{base}/f/{form.key}"
    title = str(escape(form.name))  # the code is pasted into someone's HTML
    return {
        "script": (
            f'<script src="{base}/embed.js" data-form="{form.key}" async></script>\n'
            f'<noscript><a href="{page}">{title}</a></noscript>'
        ),
        "iframe": (
            f'<iframe src="{page}?frame=1" title="{title}" width="100%" height="640" '
            'style="border:0;max-width:40rem" loading="lazy"></iframe>'
        ),
        "link": f'<a href="{page}">{title}</a>',
    }


def _choices() -> dict[str, Any]:
    db = db_session()
    return {
        "statuses": list_values(db, KINDS["statuses"]),
        "sources": list_values(db, KINDS["sources"]),
        "priorities": list_values(db, KINDS["priorities"]),
        "owners": active_users(db),
    }


def _editor(
    form: WebForm,
    state: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    unsaved: bool = False,
) -> tuple[str, int]:
    db = db_session()
    stats = (counters([form.key]) or {}).get(form.key)
    page = render_template(
        "admin/forms/edit.html",
        form=form,
        state=state,
        errors=errors or {},
        error_tabs=tabs_with_errors(errors or {}),
        error_summary=error_summary(errors or {}),
        unsaved=unsaved,
        codes=embed_codes(form),
        contrast=contrast_warning(state.get("button_fg", ""), state.get("button_bg", "")),
        field_types=FIELD_TYPE_LABELS,
        prospect_fields=PROSPECT_FIELD_LABELS,
        languages=LANGUAGE_LABELS,
        custom=CUSTOM,
        blank=blank_row(),
        stats=stats,
        activity=form_activity(db).get(form.id),
        **_choices(),
    )
    return page, status


@bp.get("/forms/<int:form_id>", endpoint="edit")
@roles_required(*FORM_MANAGERS)
def form_edit(form_id: int) -> tuple[str, int]:
    form = get_form(db_session(), form_id)
    return _editor(form, state_from_form(form))


@bp.post("/forms/<int:form_id>", endpoint="save")
@roles_required(*FORM_MANAGERS)
def form_save(form_id: int) -> Response | tuple[str, int]:
    db = db_session()
    form = get_form(db, form_id)
    state = state_from_request(request.form)
    action = request.form.get("action", "save")
    if action != "save":  # a no-JavaScript add / move / remove button: show, do not save
        apply_row_action(state, action)
        return _editor(form, state, unsaved=True)
    try:
        update_form(db, form_id, config_from_state(state))
    except ValidationFailed as exc:
        db.rollback()
        form = get_form(db, form_id)
        return _editor(form, state, plain_words(exc.fields), status=400, unsaved=True)
    commit_form_change(db)
    warning = contrast_warning(form.button_fg, form.button_bg)
    flash("Saved. The live form shows the change now.", "success")
    if warning:
        flash(warning, "warning")
    return redirect(url_for("admin.forms.edit", form_id=form_id) + "#" + request.form.get("tab", "form-data"))


def _preview_definition(form: WebForm) -> FormDefinition:
    """A throw-away copy of the form: same look and fields, no presets, no
    allowed domains, never linked to the saved form."""
    definition = form_definition(form)
    definition.update(
        key="pv" + secrets.token_urlsafe(12),
        form_id=None,
        active=True,
        allowed_domains=[],
        presets={
            "name_prefix": "",
            "status_id": None,
            "source_id": None,
            "priority_id": None,
            "owner_id": None,
        },
    )
    return definition


def _publish_preview(form: WebForm) -> str:
    definition = _preview_definition(form)
    publish(redis_client.redis(), definition, ttl=PREVIEW_TTL)
    return definition["key"]


@bp.post("/forms/<int:form_id>/draft", endpoint="draft")
@roles_required(*FORM_MANAGERS)
def form_draft(form_id: int) -> Response:
    """The editor's current input, validated but not saved, as a preview."""
    db = db_session()
    get_form(db, form_id)
    state = state_from_request(request.form)
    try:
        draft = draft_form(db, config_from_state(state))
    except ValidationFailed as exc:
        db.rollback()
        return jsonify(errors=plain_words(exc.fields), preview_url=None)
    try:
        key = _publish_preview(draft)
    except RedisError:
        return jsonify(errors={"": ["The preview is unavailable for a moment."]}, preview_url=None)
    return jsonify(
        errors={},
        preview_url=url_for("admin.forms.preview", form_id=form_id, key=key),
        contrast=contrast_warning(draft.button_fg, draft.button_bg),
    )


@bp.get("/forms/<int:form_id>/preview", endpoint="preview")
@roles_required(*FORM_MANAGERS)
def form_preview(form_id: int) -> str | tuple[str, int]:
    form = get_form(db_session(), form_id)
    key = request.args.get("key", "")
    if not _PREVIEW_KEY.match(key):
        try:
            key = _publish_preview(form)
        except RedisError:
            return render_template("admin/forms/preview.html", form=form, key=None), 503
    return render_template("admin/forms/preview.html", form=form, key=key)
