"""Reports on both databases with known data: ISO weeks across a year with a
week 53, months across a daylight-saving change, in a zone that is not UTC;
the funnel, forms, owners and traceability figures; sales counted only for
themselves; and every report's CSV equal to its table."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from crm_core.activities.models import Activity, ActivityKind, ActivityStatus
from crm_core.clock import today
from crm_core.db import transaction
from crm_core.models import Prospect
from crm_core.settings import Settings
from crm_core.tasks.models import Task, TaskStatus

ZONE = "Europe/Bucharest"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, time_zone=ZONE)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def table(html: str, key: str) -> list[list[str]]:
    """A report table's text, row by row (header first), as a reader sees it."""
    found = re.search(rf'<table data-report-table="{key}">(.*?)</table>', html, re.S)
    assert found, f"no table {key}"
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", found[1], re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


def csv_rows(client: Any, slug: str, query: str, key: str, delimiter: str = ",") -> list[list[str]]:
    response = client.get(f"/admin/reports/{slug}/csv?{query}&table={key}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def column(rows: list[list[str]], name: str) -> dict[str, str]:
    index = rows[0].index(name)
    return {row[0]: row[index] for row in rows[1:]}


def test_iso_weeks_across_new_year_with_a_week_53(as_user, add_prospect, list_ids) -> None:
    referral = list_ids["Referral"]
    for moment, source in [
        (utc(2026, 12, 27, 21, 59), referral),  # Sunday 23:59 in Bucharest: 2026-W52
        (utc(2026, 12, 27, 22, 0), referral),  # Monday 00:00: 2026-W53
        (utc(2026, 12, 31, 22, 30), list_ids["Web form"]),  # 1 Jan 2027 00:30: still 2026-W53
        (utc(2027, 1, 3, 21, 59), referral),  # Sunday 3 Jan 23:59: 2026-W53
        (utc(2027, 1, 3, 22, 0), referral),  # Monday 4 Jan 00:00: 2027-W01
        (utc(2027, 1, 10, 22, 0), referral),  # 11 Jan local: after the range
    ]:
        add_prospect(created_at=moment, source_id=source)
    client = as_user("admin")
    query = "start=2026-12-21&end=2027-01-10"
    html = client.get(f"/admin/reports/leads-weekly?{query}").get_data(as_text=True)
    rows = table(html, "weeks")
    assert rows[0] == ["Week", "Web form", "Referral", "Total"]
    assert rows[1:] == [
        ["2026-W52", "0", "1", "1"],
        ["2026-W53", "1", "2", "3"],
        ["2027-W01", "0", "1", "1"],
        ["Total", "1", "4", "5"],
    ]
    assert csv_rows(client, "leads-weekly", query, "weeks") == rows


def test_months_across_a_daylight_saving_change(as_user, add_prospect, list_ids) -> None:
    for moment, status in [
        (utc(2026, 3, 28, 23, 30), "New"),  # 29 Mar 01:30 EET
        (utc(2026, 3, 31, 20, 59), "Qualified"),  # 31 Mar 23:59 EEST
        (utc(2026, 3, 31, 21, 30), "New"),  # 1 Apr 00:30 EEST: April
        (utc(2026, 2, 28, 21, 59), "New"),  # 28 Feb 23:59 EET: before the range
    ]:
        add_prospect(created_at=moment, status_id=list_ids[status])
    client = as_user("admin")
    html = client.get("/admin/reports/leads-monthly?start=2026-03-01&end=2026-04-30").get_data(as_text=True)
    rows = table(html, "months")
    assert rows[0] == ["Month", "Source", "New", "Qualified", "Total"]
    assert rows[1:] == [
        ["Mar 2026", "All sources", "1", "1", "2"],
        ["Mar 2026", "Web form", "1", "1", "2"],
        ["Apr 2026", "All sources", "1", "0", "1"],
        ["Apr 2026", "Web form", "1", "0", "1"],
    ]
    # In the reader's language: Romanian month names, and ";" between CSV cells.
    ro = {"Accept-Language": "ro-RO,ro;q=0.9"}
    html_ro = client.get("/admin/reports/leads-monthly?start=2026-03-01&end=2026-04-30", headers=ro)
    rows_ro = table(html_ro.get_data(as_text=True), "months")
    assert rows_ro[1][0] == "mar. 2026"
    response = client.get("/admin/reports/leads-monthly/csv?start=2026-03-01&end=2026-04-30", headers=ro)
    text = response.get_data(as_text=True)[1:]
    assert list(csv.reader(io.StringIO(text), delimiter=";")) == rows_ro


def test_funnel_by_source_owner_and_form(as_user, add_prospect, list_ids, staff, make_form) -> None:
    form_id = make_form(name="Quote")["form_id"]
    sam = staff["sales"].id
    base = utc(2026, 5, 4, 9)
    statuses = ["New", "Qualified", "Unqualified", "Converted", "Converted"]
    for n, status in enumerate(statuses):
        converted = status == "Converted"
        add_prospect(
            name=f"F{n}",
            created_at=base + timedelta(hours=n),
            status_id=list_ids[status],
            owner_id=sam if n % 2 else None,
            form_id=form_id if n < 3 else None,
            converted_at=base + timedelta(hours=n, days=2 * n) if converted else None,
        )
    client = as_user("admin")
    query = "start=2026-05-01&end=2026-05-31"
    html = client.get(f"/admin/reports/funnel?{query}").get_data(as_text=True)
    by_source = table(html, "source")
    assert by_source[0] == [
        "Source", "Created", "Reached qualified", "Converted", "Junk", "Conversion rate", "Median time to conversion",
    ]  # fmt: skip
    # Converted after 6 and 8 days: the median is 7.
    assert by_source[1] == ["Web form", "5", "3", "2", "1", "40.0%", "7.0 days"]
    by_owner = table(html, "owner")
    assert by_owner[1:] == [
        ["Sam Sales", "2", "2", "1", "0", "50.0%", "6.0 days"],
        ["(nobody)", "3", "1", "1", "1", "33.3%", "8.0 days"],
        ["Total", "5", "3", "2", "1", "40.0%", "7.0 days"],
    ]
    by_form = table(html, "form")
    assert by_form[1][:5] == ["Quote", "3", "1", "0", "1"]
    for key in ("source", "owner", "form"):
        assert csv_rows(client, "funnel", query, key) == table(html, key)
    # Sales count only their own.
    mine = table(as_user("sales").get(f"/admin/reports/funnel?{query}").get_data(as_text=True), "source")
    assert mine[1][:4] == ["Web form", "2", "2", "1"]


def test_forms_report_puts_counters_beside_prospects(as_user, add_prospect, make_form, redis) -> None:
    form = make_form(name="Contact")
    redis.set(f"lc:stats:views:{form['key']}", 120)
    redis.set(f"lc:stats:submissions:{form['key']}", 12)
    redis.set(f"lc:stats:spam:{form['key']}", 3)
    redis.lpush(f"lc:spam:{form['key']}", "{}")
    for n in range(4):
        add_prospect(form_id=form["form_id"], created_at=utc(2026, 6, 1 + n, 10))
    client = as_user("marketing")
    query = "start=2026-06-01&end=2026-06-14"
    html = client.get(f"/admin/reports/forms?{query}").get_data(as_text=True)
    rows = table(html, "forms")
    assert rows[1] == ["Contact", "120", "12", "3", "1", "4", "0", "0.0%"]
    weeks = table(html, "weeks")
    assert weeks[1:] == [["2026-W23", "4", "4"], ["2026-W24", "0", "0"]]
    for key in ("forms", "weeks"):
        assert csv_rows(client, "forms", query, key) == table(html, key)
    # Sales get their own prospects and no site-wide counters.
    sales = table(as_user("sales").get(f"/admin/reports/forms?{query}").get_data(as_text=True), "forms")
    assert sales[0] == ["Form", "Prospects in the range", "Of them converted", "Conversion rate"]


def test_owners_report(
    as_user, add_prospect, list_ids, staff, session_factory: sessionmaker[Session]
) -> None:
    sam = staff["sales"].id
    now = datetime.now(UTC)
    add_prospect(owner_id=sam, created_at=now - timedelta(days=3))
    add_prospect(owner_id=sam, created_at=now - timedelta(days=2), converted_at=now - timedelta(days=1))
    add_prospect(owner_id=staff["sales2"].id, created_at=now - timedelta(days=2))
    with transaction(session_factory) as session:
        session.add_all(
            [
                Activity(
                    kind=ActivityKind.CALL, subject="Call", starts_at=now - timedelta(days=1),
                    status=ActivityStatus.HELD, owner_id=sam, parent_type="prospect", parent_id=1,
                ),
                Task(name="Done", owner_id=sam, status=TaskStatus.DONE, completed_at=now - timedelta(hours=5)),
                Task(name="Late", owner_id=sam, status=TaskStatus.OPEN, due_date=today(ZONE_INFO) - timedelta(days=1)),
            ]
        )  # fmt: skip
    client = as_user("admin")
    start = (now - timedelta(days=10)).date().isoformat()
    query = f"start={start}&end={(now + timedelta(days=1)).date().isoformat()}"
    html = client.get(f"/admin/reports/owners?{query}").get_data(as_text=True)
    rows = table(html, "owners")
    assert rows[0] == [
        "Owner",
        "New prospects",
        "Conversions",
        "Activities held",
        "Tasks done",
        "Tasks overdue now",
    ]
    assert ["Sam Sales", "2", "1", "1", "1", "1"] in rows
    assert ["Sue Sales", "1", "0", "0", "0", "0"] in rows
    assert csv_rows(client, "owners", query, "owners") == rows
    own = table(as_user("sales2").get(f"/admin/reports/owners?{query}").get_data(as_text=True), "owners")
    assert own[1:] == [["Sue Sales", "1", "0", "0", "0", "0"], ["Total", "1", "0", "0", "0", "0"]]


def test_traceability_sums_each_currency_on_its_own(as_user, add_prospect, add_offer, list_ids) -> None:
    converted = utc(2026, 7, 10, 12)
    lead = add_prospect(
        name='=HYPERLINK("http://evil.example")', status_id=list_ids["Converted"], converted_at=converted
    )
    other = add_prospect(
        name="Lidl", status_id=list_ids["Converted"], converted_at=converted + timedelta(days=1)
    )
    add_offer(total="1000.50", currency="EUR", status="Sent", prospect_id=lead, name="Kitchen")
    add_offer(total="4500", currency="RON", status="Accepted", prospect_id=lead, name="Install")
    add_offer(total="99.49", currency="EUR", status="Sent", prospect_id=other, name="Spare parts")
    client = as_user("admin")
    query = "start=2026-07-01&end=2026-07-31"
    html = client.get(f"/admin/reports/traceability?{query}").get_data(as_text=True)
    totals = table(html, "totals")
    assert totals[1:] == [["Sent", "EUR", "2", "€1,099.99"], ["Accepted", "RON", "1", "RON4,500.00"]]
    trace = table(html, "trace")
    assert [row[5] for row in trace[1:]] == ["Spare parts", "Kitchen", "Install"]
    months = table(html, "months")
    assert months[1] == ["Jul 2026", "0", "1", "1", "0"]
    exported = csv_rows(client, "traceability", query, "trace")
    # A visitor's "formula" is text in a spreadsheet: a leading apostrophe, nothing else changed.
    assert exported[2][1] == "'" + trace[2][1]
    assert [row[:1] + row[2:] for row in exported] == [row[:1] + row[2:] for row in trace]
    assert csv_rows(client, "traceability", query, "totals") == totals


def test_reports_refuse_bad_dates_in_plain_words(as_user) -> None:
    client = as_user("admin")
    html = client.get("/admin/reports/leads-weekly?start=yesterday&end=2020-01-01").get_data(as_text=True)
    assert "“yesterday” is not a date (YYYY-MM-DD); the default was used." in html
    assert "The end date is before the start date" in html
    assert client.get("/admin/reports/nonsense").status_code == 404
    assert client.get("/admin/reports/funnel/csv?table=nonsense").status_code == 404


def test_reports_index_lists_six(as_user) -> None:
    html = as_user("sales").get("/admin/reports").get_data(as_text=True)
    assert len(re.findall(r'<li class="card"><h2>', html)) == 6


from zoneinfo import ZoneInfo  # noqa: E402

ZONE_INFO = ZoneInfo(ZONE)
_ = (Decimal, Prospect)
