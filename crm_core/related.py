"""What the records hanging off a parent (contacts, activities, tasks, notes)
share: who may see and add them — whoever may see the parent — and deleting
them with their parent, in the caller's transaction.

Each kind of parent has its visibility check in ``_VISIBLE`` and calls
``delete_related`` from its delete service."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crm_core.accounts.visibility import get_visible_account
from crm_core.activities.models import Activity
from crm_core.contacts.models import Contact
from crm_core.errors import NotFound
from crm_core.notes.models import Note
from crm_core.offers.visibility import get_visible_offer
from crm_core.parents import Parent, ParentType
from crm_core.prospects.models import Prospect
from crm_core.prospects.visibility import get_visible_prospect
from crm_core.tasks.models import Task
from crm_core.users.models import User

_VISIBLE: dict[ParentType, Callable[[Session, User, int], object]] = {
    ParentType.PROSPECT: get_visible_prospect,
    ParentType.ACCOUNT: get_visible_account,
    ParentType.OFFER: get_visible_offer,
}


def check_parent_visible(session: Session, viewer: User, parent: Parent) -> object:
    """The parent record, or ``NotFound`` when it does not exist or ``viewer``
    may not see it (and so may not see or add its records either)."""
    check = _VISIBLE.get(parent.type)
    if check is None:
        raise NotFound("No such record.")
    return check(session, viewer, parent.id)


def delete_related(session: Session, parent_type: ParentType, parent_ids: Sequence[int]) -> None:
    """Delete every contact, activity, task and note of these parents (the
    activities' contact links go with them by foreign key)."""
    if not parent_ids:
        return
    for model in (Activity, Contact, Task, Note):
        session.execute(
            delete(model)
            .where(model.parent_type == parent_type, model.parent_id.in_(list(parent_ids)))
            .execution_options(synchronize_session=False)
        )


def lock_prospect(session: Session, prospect_id: int) -> bool:
    """Lock the prospect's row for this transaction (PostgreSQL; SQLite has one
    writer anyway) so two changes to its tasks or activities cannot both write
    a stale summary. ``False`` when it does not exist."""
    stmt = select(Prospect.id).where(Prospect.id == prospect_id).with_for_update()
    return session.scalar(stmt) is not None
