"""The prospect card's rendering, shared by the card itself and by every route
that posts from it: a form on the card that fails validation shows the card
again (400) with that form open, what was typed kept and the messages beside
its fields, while every other form keeps its defaults.

Also the card's template filters: times in the instance's zone (stored in
UTC, typed and shown as wall-clock times where the business is) and note text
with clickable links (``capture.admin.linkify``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import render_template, url_for
from werkzeug.datastructures import MultiDict

from capture.admin.auth import viewer
from capture.admin.linkify import linkify
from capture.admin.prospects import bp
from capture.database import db_session
from capture.instance import zone
from crm_core.activities.models import ActivityKind, ActivityStatus, Direction
from crm_core.clock import now, to_local, today
from crm_core.errors import NotFound
from crm_core.parents import Parent
from crm_core.permissions import can_edit_note
from crm_core.prospects.card import ProspectCard, load_card
from crm_core.prospects.labels import FIELD_LABELS
from crm_core.prospects.queries import find_duplicates
from crm_core.timeline import FILTER_LABELS, FILTERS
from crm_core.users.models import User

INPUT_MINUTES = "%Y-%m-%dT%H:%M"  # <input type=datetime-local>
SHOWN = "%Y-%m-%d %H:%M"
# Fields that a form posts several times (checkboxes).
LIST_FIELDS = ("contact_ids",)

KIND_LABELS = {ActivityKind.CALL: "Call", ActivityKind.EMAIL: "Email", ActivityKind.MEETING: "Meeting"}
STATUS_LABELS = {
    ActivityStatus.PLANNED: "Planned",
    ActivityStatus.HELD: "Held",
    ActivityStatus.NOT_HELD: "Not held",
}
DIRECTION_LABELS = {Direction.OUTBOUND: "Outbound", Direction.INBOUND: "Inbound"}


@dataclass
class FormState:
    """One form's values (as strings, or lists of strings for checkboxes),
    its messages by field, and whether its disclosure starts open."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    open: bool = False

    def value(self, key: str, default: str = "") -> Any:
        found = self.values.get(key)
        return default if found is None else found


def posted(form: MultiDict[str, str]) -> dict[str, Any]:
    """What a form sent, for a service (``contact_ids`` as a list) and for showing it again."""
    values: dict[str, Any] = {key: form.get(key, "") for key in form if key != "csrf_token"}
    for key in LIST_FIELDS:
        values[key] = form.getlist(key)
    return values


def failed(values: dict[str, Any], errors: dict[str, list[str]]) -> FormState:
    """A form that did not pass: what was typed, and the messages by field
    (a list's "contact_ids.0" shown at "contact_ids")."""
    by_field: dict[str, list[str]] = {}
    for key, messages in errors.items():
        by_field.setdefault(key.split(".")[0], []).extend(messages)
    return FormState(values, by_field, open=True)


def local_input(moment: datetime | None) -> str:
    return to_local(moment, zone()).strftime(INPUT_MINUTES) if moment else ""


def activity_values(activity: Any) -> dict[str, Any]:
    """An activity as its edit form shows it."""
    return {
        "kind": activity.kind.value,
        "subject": activity.subject,
        "starts_at": local_input(activity.starts_at),
        "ends_at": local_input(activity.ends_at),
        "duration_minutes": "",
        "status": activity.status.value,
        "direction": activity.direction.value if activity.direction else "",
        "contact_ids": [str(c.id) for c in activity.contacts],
        "owner_id": str(activity.owner_id or ""),
        "outcome": activity.outcome,
    }


def _default_forms(card: ProspectCard, user: User) -> dict[str, FormState]:
    local_now = to_local(now(), zone()).replace(second=0, microsecond=0)
    next_hour = local_now.replace(minute=0) + timedelta(hours=1)
    primary = card.primary_contact
    contacts = [str(primary.id)] if primary else []
    me = str(user.id)
    return {
        "contact": FormState(),
        "log_call": FormState(
            {
                "starts_at": local_now.strftime(INPUT_MINUTES),
                "direction": Direction.OUTBOUND.value,
                "contact_ids": contacts,
            }
        ),
        "activity": FormState(
            {
                "kind": ActivityKind.MEETING.value,
                "status": ActivityStatus.PLANNED.value,
                "starts_at": next_hour.strftime(INPUT_MINUTES),
                "duration_minutes": "30",
                "direction": Direction.OUTBOUND.value,
                "contact_ids": contacts,
                "owner_id": me,
            }
        ),
        "task": FormState({"owner_id": me}),
        "note": FormState(),
        "blank": FormState(),  # an upcoming activity's "what happened" form
    }


def render_card(
    prospect_id: int,
    *,
    form: str | None = None,
    state: FormState | None = None,
    filter_key: str = "all",
    after: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The card; ``form``/``state``: the card form that failed and what it holds."""
    session = db_session()
    user = viewer()
    filter_key = filter_key if filter_key in FILTERS else "all"
    card = load_card(session, user, prospect_id, filter_key=filter_key, after=after)
    forms = _default_forms(card, user)
    if form is not None and state is not None:
        forms[form] = state
    return (
        render_template(
            "admin/prospects/detail.html",
            p=card.prospect,
            card=card,
            forms=forms,
            labels=FIELD_LABELS,
            duplicates=find_duplicates(session, user, card.prospect),
            filter_key=filter_key,
            after=after,
            user_options=user_options(card.active_users),
            priority_options=[(p.id, p.name) for p in card.priorities],
            **card_vocabulary(),
        ),
        status,
    )


def card_vocabulary() -> dict[str, Any]:
    """The words and choices the card's templates (and the edit pages) share."""
    return {
        "filters": FILTER_LABELS,
        "kind_labels": KIND_LABELS,
        "status_labels": STATUS_LABELS,
        "direction_labels": DIRECTION_LABELS,
        "kind_options": [(k.value, label) for k, label in KIND_LABELS.items()],
        "status_options": [(s.value, label) for s, label in STATUS_LABELS.items()],
        "direction_options": [(d.value, label) for d, label in DIRECTION_LABELS.items()],
        "today": today(zone()),
        "now_utc": now(),
        "zone_name": zone().key,
        "can_edit_note": lambda author_id: can_edit_note(viewer(), author_id),
    }


def user_options(users: list[User]) -> list[tuple[int, str]]:
    return [(u.id, u.display_name) for u in users]


def check_on_prospect(parent: Parent | None, prospect_id: int) -> None:
    """A record reached through a prospect's URL must be that prospect's."""
    if parent != Parent.prospect(prospect_id):
        raise NotFound("This record is not on this prospect.")


def card_url(prospect_id: int, anchor: str) -> str:
    return url_for("admin.prospects.detail", prospect_id=prospect_id, _anchor=anchor)


@bp.app_template_filter("local_time")
def local_time(moment: datetime | None, fmt: str = SHOWN) -> str:
    """A stored (UTC) moment as a wall-clock time in the instance's zone."""
    return to_local(moment, zone()).strftime(fmt) if moment else ""


@bp.app_template_filter("local_span")
def local_span(start: datetime, end: datetime | None) -> str:
    """A meeting's time: "2030-01-02 10:00" to "11:00", the end's day shown only when it differs."""
    if end is None:
        return local_time(start)
    same_day = to_local(start, zone()).date() == to_local(end, zone()).date()
    return f"{local_time(start)}\u2013{local_time(end, '%H:%M' if same_day else SHOWN)}"


bp.add_app_template_filter(linkify, "linkify")
