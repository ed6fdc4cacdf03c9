"""What every page with related records shares — a prospect's card, an
account's card, an offer's page: the state of each card form (what was typed,
the messages by field, open or not), the defaults of a fresh form, the words
and choices of the panels, and ``CardLinks``, the addresses the shared panel
templates (``templates/admin/prospects/_contacts.html`` and its siblings) post
to and link to, so one set of templates serves every kind of parent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import url_for
from werkzeug.datastructures import MultiDict

from capture.admin.auth import viewer
from capture.instance import zone
from crm_core.activities.models import ActivityKind, ActivityStatus, Direction
from crm_core.clock import now, to_local, today
from crm_core.contacts.models import Contact
from crm_core.parents import Parent, ParentType
from crm_core.permissions import can_edit_note
from crm_core.timeline import FILTER_LABELS
from crm_core.users.models import User

INPUT_MINUTES = "%Y-%m-%dT%H:%M"  # <input type=datetime-local>
# Fields that a form posts several times (checkboxes).
LIST_FIELDS = ("contact_ids",)

KIND_LABELS = {ActivityKind.CALL: "Call", ActivityKind.EMAIL: "Email", ActivityKind.MEETING: "Meeting"}
STATUS_LABELS = {
    ActivityStatus.PLANNED: "Planned",
    ActivityStatus.HELD: "Held",
    ActivityStatus.NOT_HELD: "Not held",
}
DIRECTION_LABELS = {Direction.OUTBOUND: "Outbound", Direction.INBOUND: "Inbound"}

# Each kind of parent: its card's endpoint and the URL argument naming it.
CARD_ENDPOINTS = {
    ParentType.PROSPECT: ("admin.prospects.detail", "prospect_id"),
    ParentType.ACCOUNT: ("admin.accounts.detail", "account_id"),
    ParentType.OFFER: ("admin.offers.detail", "offer_id"),
}


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


@dataclass(frozen=True)
class CardLinks:
    """The addresses of one parent's panels: ``to("contact_add")`` is the
    endpoint ``<prefix>contact_add`` with the parent's id, ``card()`` the page
    the panels sit on."""

    parent: Parent
    prefix: str  # "admin.prospects." or "admin.related.account_"

    @property
    def kind(self) -> str:
        return self.parent.type.value

    def _args(self) -> dict[str, int]:
        return {CARD_ENDPOINTS[self.parent.type][1]: self.parent.id}

    def to(self, action: str, **values: Any) -> str:
        return url_for(self.prefix + action, **self._args(), **values)

    def card(self, **values: Any) -> str:
        return url_for(CARD_ENDPOINTS[self.parent.type][0], **self._args(), **values)


def parent_card_url(parent_type: ParentType | str, parent_id: int) -> str:
    """The page of a task's (or any record's) prospect, account or offer."""
    return CardLinks(Parent(ParentType(parent_type), parent_id), "").card()


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


def default_forms(primary: Contact | None, user: User) -> dict[str, FormState]:
    """The card's forms as a fresh page shows them: a call now with the primary
    contact, a meeting at the next full hour, tasks for oneself."""
    local_now = to_local(now(), zone()).replace(second=0, microsecond=0)
    next_hour = local_now.replace(minute=0) + timedelta(hours=1)
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
