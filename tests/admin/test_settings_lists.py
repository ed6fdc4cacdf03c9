"""Settings: statuses, sources, priorities and offer statuses. A value in use is never
deleted out from under prospects or forms; it can be moved, then deleted."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.accounts.services import create_account
from crm_core.db import transaction
from crm_core.lists.models import OfferStatus, OfferStatusKind
from crm_core.models import Priority, Prospect, Source, Status, StatusKind, User, WebForm
from crm_core.offers.models import Offer
from crm_core.offers.services import create_offer
from tests.admin.test_form_builder import words


def _id(session_factory: sessionmaker[Session], model: Any, name: str) -> int:
    with session_factory() as session:
        value = session.scalar(select(model.id).where(model.name == name))
        assert value is not None
        return value


def _prospects(session_factory: sessionmaker[Session], count: int, **values: Any) -> None:
    with transaction(session_factory) as session:
        for n in range(count):
            session.add(Prospect(name=f"Lead {n}", **values))


def test_add_edit_and_single_default(admin: FlaskClient, session_factory: sessionmaker[Session]) -> None:
    response = admin.post(
        "/admin/settings/statuses",
        data={
            "name": "Waiting for reply",
            "color": "#0EA5E9",
            "kind": "open",
            "position": "7",
            "is_default": "on",
        },
    )
    assert response.status_code == 302
    with session_factory() as session:
        added = session.scalar(select(Status).where(Status.name == "Waiting for reply"))
        assert added is not None
        assert (added.color, added.kind, added.position, added.is_default) == (
            "#0ea5e9",
            StatusKind.OPEN,
            7,
            True,
        )
        assert session.scalars(select(Status.name).where(Status.is_default.is_(True))).all() == [
            "Waiting for reply"
        ]
    new_id = _id(session_factory, Status, "New")
    response = admin.post(
        f"/admin/settings/statuses/{new_id}",
        data={"name": "Fresh", "color": "#2563eb", "kind": "junk", "position": "0", "is_default": "on"},
    )
    assert response.status_code == 302
    with session_factory() as session:
        fresh = session.get(Status, new_id)
        assert fresh is not None and fresh.name == "Fresh" and fresh.kind == StatusKind.JUNK
        assert session.scalars(select(Status.name).where(Status.is_default.is_(True))).all() == ["Fresh"]


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("statuses", {"name": "", "color": "#000000"}, "Fill this in"),
        ("statuses", {"name": "new", "color": "#000000"}, "There is already a status named “new”."),
        ("statuses", {"name": "Odd", "color": "blue"}, "Use a colour like #1f6feb."),
        ("statuses", {"name": "   ", "color": "#000000"}, "Fill this in"),
        (
            "statuses",
            {"name": "Odd", "color": "#000000", "kind": "lost"},
            "Choose open, qualified, converted or junk.",
        ),
        (
            "priorities",
            {"name": "Urgent", "color": "#000000", "position": "-1"},
            "Use a number from 0 to 10000.",
        ),
        (
            "priorities",
            {"name": "Urgent", "color": "#000000", "position": "first"},
            "Use a number from 0 to 10000.",
        ),
        ("sources", {"name": "x" * 81}, "Fill this in (at most 80 characters)."),
    ],
)
def test_invalid_values_are_explained(
    admin: FlaskClient, session_factory: sessionmaker[Session], kind: str, data: dict[str, str], message: str
) -> None:
    response = admin.post(f"/admin/settings/{kind}", data=data)
    assert response.status_code == 400
    assert message in words(response)


def test_deleting_a_value_in_use_is_refused_with_a_way_out(
    admin: FlaskClient, make_form: Callable[..., dict[str, Any]], session_factory: sessionmaker[Session]
) -> None:
    new_id = _id(session_factory, Status, "New")
    _prospects(session_factory, 3, status_id=new_id)
    make_form()  # forms get the default status, "New"
    confirm = words(admin.get(f"/admin/settings/statuses/{new_id}/delete"))
    assert "“New” is used by 3 prospects and 1 form." in confirm
    assert "Move and delete" in confirm
    response = admin.post(f"/admin/settings/statuses/{new_id}/delete")
    assert response.status_code == 409
    assert (
        "“New” is used by 3 prospects and 1 form. Choose another status to move them to, then delete."
        in words(response)
    )
    with session_factory() as session:
        assert session.get(Status, new_id) is not None


def test_reassign_and_delete(
    admin: FlaskClient,
    client: FlaskClient,
    make_form: Callable[..., dict[str, Any]],
    redis: Redis,
    session_factory: sessionmaker[Session],
) -> None:
    new_id = _id(session_factory, Status, "New")
    other_id = _id(session_factory, Status, "In progress")
    _prospects(session_factory, 2, status_id=new_id)
    form = make_form()
    response = admin.post(f"/admin/settings/statuses/{new_id}/delete", data={"move_to": str(other_id)})
    assert response.status_code == 302
    assert "Its prospects and forms now use “In progress”." in words(admin.get(response.headers["Location"]))
    with session_factory() as session:
        assert session.get(Status, new_id) is None
        assert set(session.scalars(select(Prospect.status_id))) == {other_id}
        web_form = session.get(WebForm, form["form_id"])
        assert web_form is not None and web_form.status_id == other_id
        # "New" was the default; the replacement takes over.
        assert session.scalars(select(Status.id).where(Status.is_default.is_(True))).all() == [other_id]
    # The cached definition the submit path reads carries the new preset.
    assert json.loads(redis.get(f"lc:form:{form['key']}"))["presets"]["status_id"] == other_id


def test_an_unused_value_is_deleted_after_confirmation(
    admin: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    event_id = _id(session_factory, Source, "Event")
    assert "No prospect or form uses it." in words(admin.get(f"/admin/settings/sources/{event_id}/delete"))
    assert admin.post(f"/admin/settings/sources/{event_id}/delete").status_code == 302
    with session_factory() as session:
        assert session.get(Source, event_id) is None


def test_the_last_value_of_a_list_stays(admin: FlaskClient, session_factory: sessionmaker[Session]) -> None:
    ids = [_id(session_factory, Priority, name) for name in ("Low", "Medium", "High")]
    for value_id in ids[:2]:
        assert admin.post(f"/admin/settings/priorities/{value_id}/delete").status_code == 302
    response = admin.post(f"/admin/settings/priorities/{ids[2]}/delete")
    assert response.status_code == 409
    assert "Keep at least one priority." in words(response)


def test_lists_show_usage(admin: FlaskClient, session_factory: sessionmaker[Session]) -> None:
    high_id = _id(session_factory, Priority, "High")
    _prospects(session_factory, 4, priority_id=high_id)
    text = words(admin.get("/admin/settings/priorities"))
    assert re.search(r"4 prospects", text)


def test_unknown_list_is_404(admin: FlaskClient) -> None:
    assert admin.get("/admin/settings/colours").status_code == 404


def test_offer_statuses_are_the_fourth_list(
    admin: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    page = words(admin.get("/admin/settings/offer-statuses"))
    assert "Offer statuses" in page
    for name in ("Draft", "Sent", "Accepted", "Rejected", "Expired"):
        assert name in page
    assert "Sent — waiting for the customer" in page
    tabs = admin.get("/admin/settings/statuses").get_data(as_text=True)
    assert 'href="/admin/settings/offer-statuses"' in tabs

    response = admin.post(
        "/admin/settings/offer-statuses",
        data={"name": "Negotiating", "color": "#0ea5e9", "kind": "sent", "position": "2"},
    )
    assert response.status_code == 302
    with session_factory() as session:
        added = session.scalar(select(OfferStatus).where(OfferStatus.name == "Negotiating"))
        assert added.kind == OfferStatusKind.SENT
        sent = session.scalar(select(OfferStatus.id).where(OfferStatus.name == "Sent"))
        draft = session.scalar(select(OfferStatus.id).where(OfferStatus.name == "Draft"))
    refused = admin.post("/admin/settings/offer-statuses", data={"name": "Odd", "kind": "won"})
    assert refused.status_code == 400 and "Choose draft, sent, accepted, rejected or expired." in words(
        refused
    )

    with transaction(session_factory) as session:
        user = session.scalars(select(User)).first()
        account = create_account(session, user, {"name": "A"})
        for _ in range(2):
            offer = create_offer(session, user, account.id, {"name": "O", "currency": "EUR"})
            offer.status_id = sent
    confirm = words(admin.get(f"/admin/settings/offer-statuses/{sent}/delete"))
    assert "“Sent” is used by 2 offers." in confirm and "Move and delete" in confirm
    response = admin.post(f"/admin/settings/offer-statuses/{sent}/delete", data={"move_to": str(draft)})
    assert response.status_code == 302
    assert "Its offers now use “Draft”." in words(admin.get(response.headers["Location"]))
    with session_factory() as session:
        assert set(session.scalars(select(Offer.status_id))) == {draft}
    unused = session_factory().scalar(select(OfferStatus.id).where(OfferStatus.name == "Rejected"))
    assert "No offer uses it." in words(admin.get(f"/admin/settings/offer-statuses/{unused}/delete"))
