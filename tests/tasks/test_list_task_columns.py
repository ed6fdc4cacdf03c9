"""The prospects list's task filters ("has open tasks", "has overdue tasks",
"no open tasks") and its "Next task due" / "Last activity" columns, read from
the summary the task and activity services keep on each prospect; "overdue"
counted from today in the instance's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from crm_core.activities.services import log_activity
from crm_core.db import transaction
from crm_core.parents import Parent
from crm_core.prospects.filters import ProspectFilter, parse_filter
from tests.tasks.conftest import ZONE
from tests.tasks.pages import csrf_token


def names(client, query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(f"/admin/prospects.json?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted(item["name"] for item in response.json["items"])


def test_task_filters_use_the_summary_and_the_zone(
    as_user, add_prospect, add_task, staff, zone_today
) -> None:  # type: ignore[no-untyped-def]
    utc_today = datetime.now(UTC).date()
    late = add_prospect(name="Late", owner_id=staff["sales"].id)
    add_task("Was due yesterday", due=zone_today - timedelta(days=1), prospect_id=late)
    add_task("Due later", due=zone_today + timedelta(days=5), prospect_id=late)
    add_task("Due today", due=zone_today, prospect_id=add_prospect(name="Today"))
    # Due on whichever of the two dates comes first: overdue here only if the zone is ahead of UTC.
    add_task("Edge", due=min(zone_today, utc_today), prospect_id=add_prospect(name="Edge"))
    add_task(
        "Done", due=zone_today - timedelta(days=9), prospect_id=add_prospect(name="Only done"), status="done"
    )
    add_prospect(name="Untouched")

    admin = as_user("admin")
    assert names(admin, "tasks=open") == ["Edge", "Late", "Today"]
    overdue = ["Edge", "Late"] if zone_today > utc_today else ["Late"]
    assert names(admin, "tasks=overdue") == overdue
    assert names(admin, "tasks=none") == ["Only done", "Untouched"]
    assert names(admin, "tasks=overdue&owner=me") == []
    assert names(as_user("sales"), "tasks=overdue") == ["Late"], "sales still see only their own"
    response = admin.get("/admin/prospects.json?tasks=someday")
    assert response.json["errors"] == {"tasks": ["Choose “open”, “overdue” or “none”."]}
    assert len(response.json["items"]) == 5
    assert response.json["total"]["value"] == 5

    page = admin.get("/admin/?tasks=overdue").get_data(as_text=True)
    assert '<option value="overdue" selected>Has overdue tasks</option>' in page
    assert f"{len(overdue)} match" in page
    assert re.search(r'<a href="/admin/\?tasks=overdue" class="chip active">Overdue tasks</a>', page)


def test_the_filter_round_trips_through_the_url() -> None:
    flt, errors = parse_filter({"tasks": "overdue", "q": "ana"})
    assert errors == {} and flt == ProspectFilter(q="ana", tasks="overdue")
    assert flt.to_query() == "q=ana&tasks=overdue"
    assert parse_filter({"tasks": "none"})[0].tasks == "none"


def test_next_task_due_and_last_activity_columns(
    as_user, add_prospect, add_task, staff, session_factory, zone_today
) -> None:  # type: ignore[no-untyped-def]
    late = add_prospect(name="Late")
    add_task("Yesterday's", due=zone_today - timedelta(days=1), prospect_id=late)
    later = add_prospect(name="Later")
    add_task("Next week's", due=zone_today + timedelta(days=7), prospect_id=later)
    quiet = add_prospect(name="Quiet")
    with transaction(session_factory) as session:
        log_activity(
            session,
            staff["admin"],
            Parent.prospect(later),
            {"kind": "call", "starts_at": "2026-03-02 09:30", "status": "held"},
            ZONE,
        )
    admin = as_user("admin")
    token = csrf_token(admin)
    admin.post(
        "/admin/prospects/columns",
        data={
            "csrf_token": token,
            "order": ["name", "next_task_due", "last_activity"],
            "columns": ["name", "next_task_due", "last_activity"],
        },
    )
    page = admin.get("/admin/?sort=name").get_data(as_text=True)
    headers = re.findall(r"<th[^>]*>(.*?)</th>", page, re.S)
    assert [re.sub(r"<[^>]+>", "", h).strip() for h in headers[1:]] == [
        "Name ▲",
        "Next task due",
        "Last activity",
    ]
    assert "<a" not in headers[2] and "<a" not in headers[3], "the summary columns are not sortable"
    yesterday = (zone_today - timedelta(days=1)).isoformat()
    assert (
        f'<time datetime="{yesterday}" class="overdue-date">{yesterday}</time> <span class="overdue-note">overdue</span>'
        in page
    )
    next_week = (zone_today + timedelta(days=7)).isoformat()
    assert f'<time datetime="{next_week}">{next_week}</time>' in page
    called = datetime(2026, 3, 2, 9, 30, tzinfo=ZONE)
    assert f">{called.strftime('%Y-%m-%d %H:%M')}</time>" in page, "shown in the instance's zone"
    chooser = page.split('class="card column-chooser"')[1]
    assert "Next task due" in chooser and "Last activity" in chooser

    items = {item["name"]: item for item in admin.get("/admin/prospects.json").json["items"]}
    assert (items["Late"]["open_tasks"], items["Late"]["next_task_due"]) == (1, yesterday)
    assert items["Later"]["last_activity_at"] == called.astimezone(UTC).isoformat()
    assert (
        items["Quiet"]["open_tasks"],
        items["Quiet"]["next_task_due"],
        items["Quiet"]["last_activity_at"],
    ) == (0, None, None)
    assert quiet
    assert admin.get("/admin/?sort=next_task_due").status_code == 200  # an unknown sort is ignored, not a 500
