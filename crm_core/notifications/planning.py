"""Who is told what when an event is dispatched — the rules in one place:

- ``prospect.created`` → its owner (unless they made it themselves, their
  preference is off, or the form's "mail the owner" is off), the form's extra
  recipients, and — for a web submission with an e-mail address, when the
  form's autoresponder is on — the visitor, at most ``AUTORESPONDER_LIMIT``
  times a day per address;
- ``task.assigned`` (recorded only when someone else assigned it) → the assignee.

Each mail's ``dedupe_key`` names its event and recipient, so dispatching an
event twice could never mail anyone twice."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from crm_core.clock import now
from crm_core.events.models import OutboxEvent
from crm_core.forms.models import WebForm
from crm_core.notifications.messages import language_of, text
from crm_core.notifications.models import OutboxMail
from crm_core.notifications.queries import form_options, preferences, recent_autoresponses
from crm_core.notifications.rendering import render
from crm_core.notifications.services import MailContext, queue_mail
from crm_core.prospects.models import Prospect
from crm_core.users.models import User

AUTORESPONDER_LIMIT = 3  # per address per 24 hours: a form cannot be used to flood someone's inbox
SETTINGS_PATH = "/admin/notifications"


def mails_for_event(
    session: Session, context: MailContext, event: OutboxEvent, zone: ZoneInfo
) -> list[OutboxMail]:
    if event.type == "prospect.created":
        return _new_prospect(session, context, event)
    if event.type == "task.assigned":
        return _task_assigned(session, context, event, zone)
    return []


def _user(session: Session, user_id: Any) -> User | None:
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    return user if user is not None and user.active else None


def _new_prospect(session: Session, context: MailContext, event: OutboxEvent) -> list[OutboxMail]:
    data = event.data.get("prospect") or {}
    prospect = session.get(Prospect, data.get("id")) if data.get("id") else None
    form = session.get(WebForm, data.get("form_id")) if data.get("form_id") else None
    options = form_options(session, form.id) if form is not None else None
    values = {
        "name": prospect.name if prospect else data.get("name") or "",
        "company": prospect.company if prospect else data.get("company") or "",
        "email": prospect.email if prospect else data.get("email") or "",
        "phone": prospect.phone if prospect else data.get("phone") or "",
    }
    common = {
        "prospect": values,
        "rows": [
            (f"field.{key}", values[key]) for key in ("name", "company", "email", "phone") if values[key]
        ],
        "message": prospect.description if prospect else "",
        "form_name": form.name if form else "",
        "link": context.link(f"/admin/prospects/{data.get('id')}"),
        "subject_values": {"name": values["name"]},
    }
    mails: list[OutboxMail | None] = []
    owner = _user(session, data.get("owner_id"))
    if (
        owner is not None
        and owner.id != event.data.get("by_user_id")
        and (options is None or options.notify_owner)
        and preferences(session, owner.id).new_prospect
    ):
        rendered = render(
            "new_prospect",
            owner.language,
            "new_prospect.subject",
            settings_url=context.link(SETTINGS_PATH),
            **_copy(common),
        )
        mails.append(
            queue_mail(
                session,
                context,
                dedupe_key=f"{event.event_id}:owner",
                kind="new_prospect",
                recipient=owner.email,
                language=language_of(owner.language),
                rendered=rendered,
            )
        )
    if form is not None and options is not None:
        language = language_of(form.language)
        for address in options.extra_recipients or []:
            rendered = render("new_prospect", language, "new_prospect.subject", **_copy(common))
            mails.append(
                queue_mail(
                    session,
                    context,
                    dedupe_key=f"{event.event_id}:cc:{address.lower()}"[:120],
                    kind="new_prospect",
                    recipient=address,
                    language=language,
                    rendered=rendered,
                )
            )
        if options.autoresponder and data.get("submission_id") and _plausible_address(values["email"]):
            mails.append(_autoresponse(session, context, event, form, options, values))
    return [mail for mail in mails if mail is not None]


def _copy(common: dict[str, Any]) -> dict[str, Any]:
    return {**common, "subject_values": dict(common["subject_values"])}


def _plausible_address(address: str) -> bool:
    local, _, domain = address.partition("@")
    return bool(local) and "." in domain and " " not in address and len(address) <= 254


def _autoresponse(
    session: Session,
    context: MailContext,
    event: OutboxEvent,
    form: WebForm,
    options: Any,
    values: dict[str, str],
) -> OutboxMail | None:
    address = values["email"].strip()
    if recent_autoresponses(session, address, now() - timedelta(days=1)) >= AUTORESPONDER_LIMIT:
        return None
    language = language_of(form.language)
    visitor = (
        str(values["name"]).removeprefix(form.name_prefix).strip() if form.name_prefix else values["name"]
    )
    body = options.autoresponder_text.strip() or (
        text(language, "autoresponder.text", name=visitor)
        if visitor
        else text(language, "autoresponder.no_name")
    )
    rendered = render("autoresponder", language, "autoresponder.subject", body=body)
    if options.autoresponder_subject.strip():
        rendered = type(rendered)(
            " ".join(options.autoresponder_subject.split()), rendered.text, rendered.html
        )
    return queue_mail(
        session,
        context,
        dedupe_key=f"{event.event_id}:visitor",
        kind="autoresponder",
        recipient=address,
        language=language,
        rendered=rendered,
    )


def due_text(due_date: date | None, due_time: time | None) -> str:
    if due_date is None:
        return ""
    return f"{due_date.isoformat()} {due_time.strftime('%H:%M')}" if due_time else due_date.isoformat()


def task_link(context: MailContext, task: dict[str, Any]) -> str:
    parent = task.get("parent") or {}
    if parent.get("type") == "prospect" and parent.get("id"):
        return context.link(f"/admin/prospects/{parent['id']}")
    return context.link("/admin/tasks")


def _task_assigned(
    session: Session, context: MailContext, event: OutboxEvent, zone: ZoneInfo
) -> list[OutboxMail]:
    task = event.data.get("task") or {}
    assignee = _user(session, task.get("owner_id"))
    if assignee is None or assignee.id == event.data.get("by_user_id"):
        return []
    if not preferences(session, assignee.id).task_assigned:
        return []
    by = _user(session, event.data.get("by_user_id"))
    due_date = date.fromisoformat(task["due_date"]) if task.get("due_date") else None
    due_time = time.fromisoformat(task["due_time"]) if task.get("due_time") else None
    rendered = render(
        "task_assigned",
        assignee.language,
        "task_assigned.subject",
        task={"name": task.get("name", "")},
        by=by.display_name if by else "",
        due=due_text(due_date, due_time),
        link=task_link(context, task),
        settings_url=context.link(SETTINGS_PATH),
        subject_values={"task": task.get("name", "")},
    )
    mail = queue_mail(
        session,
        context,
        dedupe_key=f"{event.event_id}:assignee",
        kind="task_assigned",
        recipient=assignee.email,
        language=language_of(assignee.language),
        rendered=rendered,
    )
    return [mail] if mail else []


def local_due(due: datetime, zone: ZoneInfo) -> str:
    return due.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def endpoint_disabled_mails(
    session: Session, context: MailContext, endpoint_id: int, url: str, reason: str, disabled_at: datetime
) -> list[OutboxMail]:
    """A webhook endpoint was switched off by the worker → every active admin who wants to know."""
    from sqlalchemy import select

    from crm_core.users.models import Role

    mails: list[OutboxMail] = []
    admins = session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True)))
    for admin in admins:
        if not preferences(session, admin.id).webhook_disabled:
            continue
        rendered = render(
            "webhook_disabled",
            admin.language,
            "webhook_disabled.subject",
            url=url,
            reason=reason,
            link=context.link(f"/admin/webhooks/{endpoint_id}"),
            settings_url=context.link(SETTINGS_PATH),
            subject_values={"url": url[:150]},
        )
        mail = queue_mail(
            session,
            context,
            dedupe_key=f"webhook-disabled:{endpoint_id}:{disabled_at:%Y%m%d%H%M%S}:{admin.id}",
            kind="webhook_disabled",
            recipient=admin.email,
            language=language_of(admin.language),
            rendered=rendered,
        )
        if mail is not None:
            mails.append(mail)
    return mails
