"""The records that hang off a prospect, an account or an offer (contacts,
activities, tasks, notes) are listed and added under their parent —
``/prospects/{id}/notes``, ``/accounts/{id}/notes``, ``/offers/{id}/notes`` —
and read, changed and deleted at their own address (``/notes/{id}``).
Whoever may see the parent may see and add its records
(``crm_core.related``)."""

from __future__ import annotations

from typing import Any

from capture.api import problems
from crm_core.paging import decode_cursor
from crm_core.parents import Parent, ParentType

PARENTS: dict[str, ParentType] = {
    "prospects": ParentType.PROSPECT,
    "accounts": ParentType.ACCOUNT,
    "offers": ParentType.OFFER,
}
SINGULAR = {"prospects": "prospect", "accounts": "account", "offers": "offer"}


def parent_of(segment: str, parent_id: int) -> Parent:
    return Parent(PARENTS[segment], parent_id)


def bad_cursor(args: dict[str, Any], sort: str) -> Any:
    """A 422 for an ``after`` / ``before`` that is not a cursor of this list, else ``None``."""
    for name in ("after", "before"):
        token = args.get(name)
        if token and decode_cursor(token, sort) is None:
            return problems.validation_problem(
                {name: ["This cursor is not from this list; start again from the first page."]}
            )
    return None


def page_answer(page: Any) -> dict[str, Any]:
    return {
        "items": [row[0] for row in page.rows],
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
    }
