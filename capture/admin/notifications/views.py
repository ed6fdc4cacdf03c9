"""My notifications (everyone), a form's mails (form managers) and the
Outbox (admins). The Outbox shows each mail as its recipient would get it:
the text part, and the HTML part in a sandboxed frame served under its own
policy (no scripts, no styles, nothing loaded)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from capture.admin.auth import login_required, roles_required, viewer
from capture.admin.notifications import bp
from capture.database import db_session
from crm_core.errors import NotFound, ValidationFailed
from crm_core.forms.models import WebForm
from crm_core.notifications.messages import LANGUAGE_NAMES
from crm_core.notifications.models import MailState
from crm_core.notifications.queries import form_options, get_mail, outbox, outbox_counts, preferences
from crm_core.notifications.schemas import REMINDER_CHOICES
from crm_core.notifications.services import save_form_options, save_preferences
from crm_core.permissions import FORM_MANAGERS, OUTBOX_VIEWERS, can_manage_forms
from crm_core.users.models import Role

MAIL_FRAME_CSP = "default-src 'none'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"
PREFERENCE_KEYS = ("new_prospect", "task_assigned", "task_reminder", "webhook_disabled")


def _reminder_label(minutes: int) -> str:
    if minutes == 0:
        return "when it is due"
    if minutes < 60:
        return f"{minutes} minutes before"
    if minutes < 1440:
        return f"{minutes // 60} hour{'s' if minutes >= 120 else ''} before"
    return f"{minutes // 1440} day{'s' if minutes >= 2880 else ''} before"


def _mine_page(status: int = 200, errors: dict[str, list[str]] | None = None) -> tuple[str, int]:
    user = viewer()
    db = db_session()
    forms = list(db.query(WebForm).order_by(WebForm.name)) if can_manage_forms(user) else []
    page = render_template(
        "admin/notifications/mine.html",
        prefs=preferences(db, user.id),
        language=user.language,
        languages=LANGUAGE_NAMES,
        reminders=[(m, _reminder_label(m)) for m in REMINDER_CHOICES],
        is_admin=user.role == Role.ADMIN,
        forms=forms,
        errors=errors or {},
    )
    return page, status


@bp.get("/notifications", endpoint="mine")
@login_required
def mine() -> tuple[str, int]:
    return _mine_page()


@bp.post("/notifications", endpoint="save_mine")
@login_required
def save_mine() -> Response | tuple[str, int]:
    user = viewer()
    db = db_session()
    form: dict[str, Any] = {key: request.form.get(key) == "1" for key in PREFERENCE_KEYS}
    form["language"] = request.form.get("language", "")
    form["reminder_minutes"] = request.form.get("reminder_minutes", "")
    if user.role != Role.ADMIN:
        form.pop("webhook_disabled")  # not theirs to receive; keep the stored value
    try:
        save_preferences(db, user.id, form)
    except ValidationFailed as exc:
        db.rollback()
        return _mine_page(400, exc.fields)
    db.commit()
    flash("Your notification settings are saved.", "success")
    return redirect(url_for("admin.notifications.mine"))


def _form_page(
    form_id: int, status: int = 200, errors: dict[str, list[str]] | None = None, values: Any = None
) -> tuple[str, int]:
    db = db_session()
    web_form = db.get(WebForm, form_id)
    if web_form is None:
        raise NotFound("No such form.")
    options = form_options(db, form_id)
    page = render_template(
        "admin/notifications/form.html",
        web_form=web_form,
        options=values or options,
        extra=", ".join(options.extra_recipients or [])
        if values is None
        else values.get("extra_recipients", ""),
        language=LANGUAGE_NAMES.get(web_form.language, web_form.language),
        errors=errors or {},
    )
    return page, status


@bp.get("/forms/<int:form_id>/mails", endpoint="form_mails")
@roles_required(*FORM_MANAGERS)
def form_mails(form_id: int) -> tuple[str, int]:
    return _form_page(form_id)


@bp.post("/forms/<int:form_id>/mails", endpoint="save_form_mails")
@roles_required(*FORM_MANAGERS)
def save_form_mails(form_id: int) -> Response | tuple[str, int]:
    db = db_session()
    form = {
        "notify_owner": request.form.get("notify_owner") == "1",
        "extra_recipients": request.form.get("extra_recipients", ""),
        "autoresponder": request.form.get("autoresponder") == "1",
        "autoresponder_subject": request.form.get("autoresponder_subject", ""),
        "autoresponder_text": request.form.get("autoresponder_text", ""),
    }
    try:
        save_form_options(db, form_id, form)
    except ValidationFailed as exc:
        db.rollback()
        return _form_page(form_id, 400, exc.fields, form)
    db.commit()
    flash("The form's mail options are saved.", "success")
    return redirect(url_for("admin.notifications.form_mails", form_id=form_id))


@bp.get("/outbox", endpoint="outbox")
@roles_required(*OUTBOX_VIEWERS)
def outbox_page() -> str:
    state = request.args.get("state", "")
    if state not in {s.value for s in MailState}:
        state = ""
    db = db_session()
    return render_template(
        "admin/notifications/outbox.html",
        mails=outbox(db, state or None),
        counts=outbox_counts(db),
        state=state,
        states=[s.value for s in MailState],
    )


@bp.get("/outbox/<int:mail_id>", endpoint="mail")
@roles_required(*OUTBOX_VIEWERS)
def mail(mail_id: int) -> str:
    return render_template("admin/notifications/mail.html", mail=get_mail(db_session(), mail_id))


@bp.get("/outbox/<int:mail_id>/html", endpoint="mail_html")
@roles_required(*OUTBOX_VIEWERS)
def mail_html(mail_id: int) -> Response:
    """The HTML part exactly as sent, for the sandboxed frame of the mail page."""
    response = Response(get_mail(db_session(), mail_id).html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = MAIL_FRAME_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
