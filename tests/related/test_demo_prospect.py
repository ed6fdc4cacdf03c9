"""The demo prospect ``leadcapture serve`` shows: a contact, a held call, an
open task and a note — once, however often the server starts — and a card
that shows them."""

from __future__ import annotations

from sqlalchemy import func, select

from crm_core.activities.models import Activity, ActivityStatus
from crm_core.contacts.models import Contact
from crm_core.db import transaction
from crm_core.notes.models import Note
from crm_core.prospects.demo import DEMO_PROSPECT_NAME, ensure_demo_prospect
from crm_core.prospects.models import Prospect
from crm_core.tasks.models import Task, TaskStatus


def test_the_demo_prospect_is_made_once_with_a_record_of_each_kind(session_factory, staff, as_user) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        with transaction(session_factory) as session:
            pid = ensure_demo_prospect(session, session.get(type(staff["sales"]), staff["sales"].id)).id
    with session_factory() as session:
        prospect = session.scalars(select(Prospect)).one()
        assert (prospect.name, prospect.owner_id) == (DEMO_PROSPECT_NAME, staff["sales"].id)
        call = session.scalars(select(Activity)).one()
        assert (call.status, [c.name for c in call.contacts]) == (ActivityStatus.HELD, ["Ioana Marin"])
        assert session.scalars(select(Task)).one().status == TaskStatus.OPEN
        assert prospect.open_tasks == 1 and prospect.last_activity_at == call.starts_at
        for model in (Contact, Note):
            assert session.scalar(select(func.count()).select_from(model)) == 1
    page = as_user("sales").get(f"/admin/prospects/{pid}").get_data(as_text=True)
    for shown in (
        "Director de achiziții",
        "First call",
        "Send the price offer",
        'href="https://example.com/specs"',
    ):
        assert shown in page
