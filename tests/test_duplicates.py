"""Per-form duplicate handling: a repeat visitor (same email) either becomes a
new prospect or is attached to the existing one's history — never dropped."""

from __future__ import annotations

import uuid

from rq import Queue
from rq.job import Job
from sqlalchemy import select

from crm_core.models import Prospect, ProspectChange
from worker.queues import SUBMISSIONS

ORIGIN = {"Origin": "https://example.com", "Accept": "application/json"}


def submit(client, form, **values) -> str:  # type: ignore[no-untyped-def]
    response = client.post(f"/f/{form['key']}", data={**values, "_lc_id": str(uuid.uuid4())}, headers=ORIGIN)
    assert response.status_code == 202
    return response.json["id"]


def test_attach_mode_adds_the_submission_to_the_existing_prospect(client, make_form, drain, db, redis):
    form = make_form(duplicate_mode="attach")
    submit(client, form, name="Ana Pop", email="ana@example.com")
    assert drain() == 1
    again = submit(client, form, name="Ana P.", email="ANA@example.com", description="Call me back")
    assert drain() == 1
    [prospect] = db.scalars(select(Prospect)).unique().all()
    assert prospect.name == "[Web] Ana Pop"
    [entry] = db.scalars(select(ProspectChange)).all()
    assert entry.prospect_id == prospect.id and entry.action == "submission" and entry.submission_id == again
    assert entry.changes["description"] == ["", "Call me back"]

    # The same job again (a retry after a crash): still one history entry, still one prospect.
    queue = Queue(SUBMISSIONS, connection=redis, serializer="json")
    queue.enqueue_job(Job.fetch(again, connection=redis, serializer="json"))
    drain()
    db.expire_all()
    assert len(db.scalars(select(ProspectChange)).all()) == 1
    assert len(db.scalars(select(Prospect)).unique().all()) == 1


def test_attach_mode_in_one_batch_and_create_mode(client, make_form, drain, db):
    attach = make_form(duplicate_mode="attach")
    create = make_form(name="Create")
    for _ in range(3):
        submit(client, attach, name="Jonas", email="jonas@example.lt")
        submit(client, create, name="Marie", email="marie@example.fr")
    assert drain() == 6  # one worker batch
    names = sorted(p.name for p in db.scalars(select(Prospect)).unique())
    assert names == ["[Web] Jonas", "[Web] Marie", "[Web] Marie", "[Web] Marie"]
    assert len(db.scalars(select(ProspectChange).where(ProspectChange.action == "submission")).all()) == 2


def test_the_detail_page_shows_an_attached_submission(make_form, client, drain, session_factory, db):
    form = make_form(duplicate_mode="attach")
    submit(client, form, name="Ana", email="ana@example.com")
    submit(client, form, name="Ana <script>x</script>", email="ana@example.com")
    drain()
    prospect_id = db.scalar(select(Prospect.id))
    from crm_core.users.services import create_user
    from tests.admin.conftest import sign_in

    with session_factory.begin() as session:
        user = create_user(session, "boss@example.com", "correct horse battery", "admin")
        session.expunge(user)
    client.application.config["WTF_CSRF_ENABLED"] = False
    page = (
        sign_in(client, session_factory, user).get(f"/admin/prospects/{prospect_id}").get_data(as_text=True)
    )
    assert "submitted the form again" in page
    assert "Ana &lt;script&gt;x&lt;/script&gt;" in page


def test_duplicate_mode_is_validated(session_factory):
    import pytest

    from crm_core.errors import ValidationFailed
    from crm_core.forms.services import create_form
    from tests.conftest import form_config

    with pytest.raises(ValidationFailed) as info, session_factory.begin() as session:
        create_form(session, form_config(duplicate_mode="merge"))
    assert "duplicate_mode" in info.value.fields
