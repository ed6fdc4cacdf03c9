"""The home page: where signing in lands; my overdue and today's tasks; new
prospects today, this week and last week; the pipeline per status; forms with
spam held (admins only) — each for the viewer's own prospects when sales."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from crm_core.clock import today
from crm_core.db import transaction
from crm_core.models import User
from crm_core.reports.dashboard import new_prospects
from crm_core.tasks.models import Task, TaskStatus
from tests.prospects.conftest import _CSRF, PASSWORD


def test_signing_in_lands_on_home_and_the_root_goes_there(app, staff) -> None:
    client = app.test_client()
    token = _CSRF.search(client.get("/admin/login").get_data(as_text=True))[1]
    response = client.post(
        "/admin/login", data={"email": staff["sales"].email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/admin/home"
    assert client.get("/").headers["Location"] == "/admin/home"
    assert client.get("/admin/login").headers["Location"] == "/admin/home"
    assert client.get("/admin/").status_code == 200  # the prospects list stays where it was


def test_my_overdue_and_todays_tasks(
    as_user, staff, session_factory: sessionmaker[Session], add_prospect
) -> None:
    sam = staff["sales"].id
    lead = add_prospect(name="Ana Pop", owner_id=sam)
    day = today(ZoneInfo("UTC"))
    with transaction(session_factory) as session:
        session.add_all(
            [
                Task(name="Call back Ana", owner_id=sam, due_date=day - timedelta(days=2), parent_type="prospect", parent_id=lead),
                Task(name="Send the quote", owner_id=sam, due_date=day),
                Task(name="Next week", owner_id=sam, due_date=day + timedelta(days=7)),
                Task(name="Done already", owner_id=sam, due_date=day - timedelta(days=1), status=TaskStatus.DONE),
                Task(name="Someone else's", owner_id=staff["sales2"].id, due_date=day),
            ]
        )  # fmt: skip
    html = as_user("sales").get("/admin/home").get_data(as_text=True)
    assert "Call back Ana" in html and f'href="/admin/prospects/{lead}">Ana Pop</a>' in html
    assert "Send the quote" in html
    for absent in ("Next week", "Done already", "Someone else"):
        assert absent not in html


def test_new_prospects_this_week_against_last_week(db, add_prospect, staff) -> None:
    zone = ZoneInfo("Europe/Vilnius")
    moment = datetime(2026, 3, 11, 10, 0, tzinfo=UTC)  # Wednesday, 12:00 in Vilnius
    for when in [
        moment - timedelta(hours=1),  # today
        moment - timedelta(hours=11),  # Wednesday 01:00 local: today
        moment - timedelta(days=2),  # Monday: this week
        moment - timedelta(days=7, hours=1),  # last Wednesday, before this point
        moment - timedelta(days=6),  # last Thursday: last week, after this point
        moment - timedelta(days=10),  # last Sunday... the week before? (1 March is a Sunday)
    ]:
        add_prospect(created_at=when)
    admin = db.get(User, staff["admin"].id)
    new = new_prospects(db, admin, zone, moment)
    assert (new.today, new.this_week, new.last_week_to_date, new.last_week) == (2, 3, 1, 2)
    assert new.week_start.isoformat() == "2026-03-09"
    assert round(new.change or 0, 2) == 2.0


def test_pipeline_counts_every_status_and_sales_see_their_own(as_user, add_prospect, list_ids, staff) -> None:
    for status, owner in [("New", "sales"), ("New", "sales2"), ("Qualified", "sales"), ("Unqualified", None)]:
        add_prospect(status_id=list_ids[status], owner_id=staff[owner].id if owner else None)

    def pipeline(html: str) -> dict[str, str]:
        items = re.findall(
            r'<li>\s*<a href="[^"]*status=(\d+)"><span[^>]*></span>([^<]+)</a>.*?<span class="pipeline-count">([^<]+)</span>',
            html,
            re.S,
        )
        return {name: count for _id, name, count in items}

    admin = pipeline(as_user("admin").get("/admin/home").get_data(as_text=True))
    assert admin == {"New": "2", "In progress": "0", "Qualified": "1", "Unqualified": "1", "Converted": "0"}
    sales = pipeline(as_user("sales").get("/admin/home").get_data(as_text=True))
    assert sales == {"New": "1", "In progress": "0", "Qualified": "1", "Unqualified": "0", "Converted": "0"}


def test_forms_with_spam_held_are_shown_to_admins_only(as_user, make_form, redis) -> None:
    form = make_form(name="Newsletter")
    make_form(name="Quiet form")
    redis.lpush(f"lc:spam:{form['key']}", "{}", "{}")
    html = as_user("admin").get("/admin/home").get_data(as_text=True)
    assert "Newsletter</a>" in html and "2 spam held" in html and "Quiet form" not in html
    for role in ("marketing", "sales"):
        assert "Forms to look at" not in as_user(role).get("/admin/home").get_data(as_text=True)
