"""Task reminders: each open task's assignee is mailed once, their chosen
time (``reminder_minutes``) before the task is due — again only if the task
is moved to another due moment. A task due on a day without an hour is due
at ``DEFAULT_DUE_TIME`` in the instance's time zone. A task already past due
gets no reminder (the worker was down, or it was made late): the Tasks page
shows it as overdue instead. Run every minute by the worker's sweep."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.clock import now
from crm_core.notifications.messages import language_of
from crm_core.notifications.models import OutboxMail, TaskReminder
from crm_core.notifications.planning import SETTINGS_PATH, local_due, task_link
from crm_core.notifications.queries import preferences
from crm_core.notifications.rendering import render
from crm_core.notifications.schemas import REMINDER_CHOICES
from crm_core.notifications.services import MailContext, queue_mail
from crm_core.tasks.models import Task, open_status

DEFAULT_DUE_TIME = time(9, 0)
_HORIZON = timedelta(minutes=max(REMINDER_CHOICES)) + timedelta(days=1)


def due_moment(task: Task, zone: ZoneInfo) -> datetime | None:
    if task.due_date is None:
        return None
    return datetime.combine(task.due_date, task.due_time or DEFAULT_DUE_TIME, tzinfo=zone).astimezone(
        ZoneInfo("UTC")
    )


def queue_due_reminders(session: Session, context: MailContext, zone: ZoneInfo) -> list[OutboxMail]:
    moment = now()
    today = moment.astimezone(zone).date()
    rows = session.execute(
        select(Task, TaskReminder)
        .outerjoin(TaskReminder, TaskReminder.task_id == Task.id)
        .where(
            open_status(),
            Task.owner_id.is_not(None),
            Task.due_date >= today - timedelta(days=1),
            Task.due_date <= (moment + _HORIZON).astimezone(zone).date(),
        )
    ).all()
    mails: list[OutboxMail] = []
    for task, sent in rows:
        due_at = due_moment(task, zone)
        if due_at is None or due_at <= moment or (sent is not None and sent.due_at == due_at):
            continue
        owner = task.owner
        if owner is None or not owner.active:
            continue
        wanted = preferences(session, owner.id)
        if not wanted.task_reminder or due_at - timedelta(minutes=wanted.reminder_minutes) > moment:
            continue
        when = local_due(due_at, zone)
        parent = {"type": str(task.parent_type.value), "id": task.parent_id} if task.parent_type else None
        rendered = render(
            "task_reminder", owner.language, "task_reminder.subject",
            task={"name": task.name}, due=when, link=task_link(context, {"parent": parent}),
            settings_url=context.link(SETTINGS_PATH), subject_values={"task": task.name, "when": when},
        )  # fmt: skip
        mail = queue_mail(
            session, context, dedupe_key=f"reminder:{task.id}:{due_at:%Y%m%d%H%M}",
            kind="task_reminder", recipient=owner.email, language=language_of(owner.language),
            rendered=rendered,
        )  # fmt: skip
        if sent is None:
            session.add(TaskReminder(task_id=task.id, due_at=due_at, sent_at=moment))
        else:
            sent.due_at, sent.sent_at = due_at, moment
        if mail is not None:
            mails.append(mail)
    session.flush()
    return mails
