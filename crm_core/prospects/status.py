"""What happens when a prospect's status changes — in one place, whichever
page, job or API made the change (detail edit, inline list change, bulk
change, the board, an import, the API, a web form):

1. the change is checked (``check_status_change``): the status exists; a
   converted prospect is read-only until an admin reopens it; a status of
   kind "converted" is reached only through convert / allocate
   (``crm_core.prospects.conversion``), so no converted prospect is left
   without an account;
2. the history records "Status: New → Qualified" (by the caller's edit);
3. ``entered_status`` runs the consequences of *entering* a status, once per
   entry and never when the status was saved unchanged: the status's task
   templates create their tasks (``crm_core.tasks.automation``).

``change_status`` is the one-prospect entry point (inline change, board, API);
the edit form and bulk changes go through ``crm_core.prospects.services``,
which call ``entered_status`` for the prospects whose status really changed."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.errors import AlreadyConverted, DomainError
from crm_core.lists.models import Status, StatusKind
from crm_core.prospects.models import Prospect
from crm_core.tasks.automation import tasks_for_status_entry
from crm_core.tasks.models import Task
from crm_core.users.models import User

UTC_ZONE = ZoneInfo("UTC")

# (prospect id, its owner id, the status it entered)
Entry = tuple[int, int | None, int]


CONVERT_FIRST = (
    "To convert a prospect, use “Convert” (a new account and offer) or “Allocate to an account”: "
    "a converted prospect needs its account."
)
READ_ONLY = "This prospect was converted to an account and is read-only; an admin can reopen it."


def converted_status_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Status.id).where(Status.kind == StatusKind.CONVERTED)))


def check_editable(prospect: Prospect) -> None:
    if prospect.converted_at is not None:
        raise AlreadyConverted(READ_ONLY)


def check_status_change(session: Session, prospect: Prospect, new_status_id: int | None) -> None:
    """Refuse a status change that would leave a converted prospect without its account."""
    if (
        new_status_id is not None
        and prospect.account_id is None
        and new_status_id in converted_status_ids(session)
    ):
        raise DomainError(CONVERT_FIRST)


def entered_status(
    session: Session, entries: Sequence[Entry], actor: User | None, zone: ZoneInfo = UTC_ZONE
) -> list[Task]:
    """The consequences of prospects entering a status. Call it exactly for the
    prospects whose status changed (or that were created with one)."""
    entries = [entry for entry in entries if entry[2] is not None]
    if not entries:
        return []
    return tasks_for_status_entry(session, entries, zone, actor.id if actor else None)


def change_status(
    session: Session, editor: User, prospect_id: int, status_id: int, zone: ZoneInfo = UTC_ZONE
) -> Prospect:
    """One prospect to another status: validated, recorded in the history, and
    its consequences run — or nothing at all when it already has that status."""
    from crm_core.prospects.services import update_prospect  # the edit path owns validation and history

    return update_prospect(session, editor, prospect_id, {"status_id": str(status_id)}, zone=zone)
