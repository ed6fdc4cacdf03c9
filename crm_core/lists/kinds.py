"""The admin-editable lists — prospect statuses, sources, priorities, offer
statuses — described once, so the settings pages, the services and the usage
counts walk the same table instead of repeating "if status … elif source …"."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from crm_core.errors import NotFound
from crm_core.forms.models import WebForm
from crm_core.lists.models import OfferStatus, OfferStatusKind, Priority, Source, Status, StatusKind
from crm_core.offers.models import Offer
from crm_core.prospects.models import Prospect
from crm_core.tasks.models import Task, TaskTemplate

ListValue = Status | Source | Priority | OfferStatus


@dataclass(frozen=True)
class Referrer:
    """Records that point at a list's values: what a delete must move first."""

    noun: str  # "prospect", counted as "3 prospects"
    model: Any
    column: str


@dataclass(frozen=True)
class ListKind:
    slug: str
    model: type[Status] | type[Source] | type[Priority] | type[OfferStatus]
    singular: str
    plural: str
    used_by: tuple[Referrer, ...]
    has_color: bool
    # The meanings a value can have (status kinds), with their labels; empty: none.
    kind_labels: dict[Any, str]

    @property
    def has_kind(self) -> bool:
        return bool(self.kind_labels)

    def kind_enum(self) -> type[enum.Enum] | None:
        return type(next(iter(self.kind_labels))) if self.kind_labels else None


STATUS_KIND_LABELS: dict[StatusKind, str] = {
    StatusKind.OPEN: "Open — still being worked",
    StatusKind.QUALIFIED: "Qualified — ready to convert",
    StatusKind.CONVERTED: "Converted — became an account",
    StatusKind.JUNK: "Junk — not a real lead",
}
OFFER_STATUS_KIND_LABELS: dict[OfferStatusKind, str] = {
    OfferStatusKind.DRAFT: "Draft — being prepared",
    OfferStatusKind.SENT: "Sent — waiting for the customer",
    OfferStatusKind.ACCEPTED: "Accepted — won",
    OfferStatusKind.REJECTED: "Rejected — lost",
    OfferStatusKind.EXPIRED: "Expired — sent and past its expiry date",
}

_PROSPECTS_AND_FORMS = lambda column: (  # noqa: E731 (a table row builder)
    Referrer("prospect", Prospect, column),
    Referrer("form", WebForm, column),
)

KINDS: dict[str, ListKind] = {
    "statuses": ListKind(
        "statuses", Status, "status", "Statuses", _PROSPECTS_AND_FORMS("status_id"), True, STATUS_KIND_LABELS
    ),
    "sources": ListKind("sources", Source, "source", "Sources", _PROSPECTS_AND_FORMS("source_id"), False, {}),
    "priorities": ListKind(
        "priorities",
        Priority,
        "priority",
        "Priorities",
        (
            *_PROSPECTS_AND_FORMS("priority_id"),
            Referrer("task", Task, "priority_id"),
            Referrer("task template", TaskTemplate, "priority_id"),
            Referrer("offer", Offer, "priority_id"),
        ),
        True,
        {},
    ),
    "offer-statuses": ListKind(
        "offer-statuses",
        OfferStatus,
        "offer status",
        "Offer statuses",
        (Referrer("offer", Offer, "status_id"),),
        True,
        OFFER_STATUS_KIND_LABELS,
    ),
}


def get_kind(slug: str) -> ListKind:
    try:
        return KINDS[slug]
    except KeyError:
        raise NotFound("There is no such list.") from None
