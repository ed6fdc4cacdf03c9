"""The three admin-editable lists — statuses, sources, priorities — described
once, so the settings pages, the services and the usage counts walk the same
table instead of repeating "if status … elif source …"."""

from __future__ import annotations

from dataclasses import dataclass

from crm_core.errors import NotFound
from crm_core.lists.models import Priority, Source, Status, StatusKind

ListValue = Status | Source | Priority


@dataclass(frozen=True)
class ListKind:
    slug: str
    model: type[Status] | type[Source] | type[Priority]
    singular: str
    plural: str
    column: str  # the foreign key on prospects and forms
    has_color: bool
    has_kind: bool


KINDS: dict[str, ListKind] = {
    "statuses": ListKind("statuses", Status, "status", "Statuses", "status_id", True, True),
    "sources": ListKind("sources", Source, "source", "Sources", "source_id", False, False),
    "priorities": ListKind("priorities", Priority, "priority", "Priorities", "priority_id", True, False),
}

STATUS_KIND_LABELS: dict[StatusKind, str] = {
    StatusKind.OPEN: "Open — still being worked",
    StatusKind.QUALIFIED: "Qualified — ready to convert",
    StatusKind.CONVERTED: "Converted — became an account",
    StatusKind.JUNK: "Junk — not a real lead",
}


def get_kind(slug: str) -> ListKind:
    try:
        return KINDS[slug]
    except KeyError:
        raise NotFound("There is no such list.") from None
