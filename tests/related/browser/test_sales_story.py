"""Issue 16's sales story, end to end in a real browser: open a prospect, add
a contact, log a held call, plan a meeting, create a task due tomorrow,
complete it from the Tasks page, write a note, and see all of it in the
timeline in order; then move the prospect to a status with a task template
and see the automatic task appear — with not one CSP violation."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session, sessionmaker

from crm_core.clock import today
from crm_core.db import transaction
from crm_core.tasks.automation import add_template
from tests.related.browser.conftest import Problems
from tests.related.browser.test_card_browser import entries, kinds, log_in

pytestmark = pytest.mark.browser


def test_the_sales_story(
    open_context: Callable[..., tuple[Any, Problems]],
    live_server: Any,
    staff: dict[str, Any],
    add_prospect: Callable[..., int],
    list_ids: dict[str, int],
    session_factory: sessionmaker[Session],
) -> None:
    sales = staff["sales"]
    pid = add_prospect(owner_id=sales.id, name="Mara Dinu", company="Lumina SRL")
    with transaction(session_factory) as session:
        add_template(
            session,
            {"status_id": str(list_ids["Qualified"]), "name": "Prepare the offer", "due_in_days": "3"},
        )
    base, card = live_server.url, f"/admin/prospects/{pid}"
    tomorrow = (today(ZoneInfo("UTC")) + timedelta(days=1)).isoformat()
    context, problems = open_context(1440, 900)
    page = context.new_page()
    log_in(page, base, card, sales.email)

    page.get_by_text("Add contact", exact=True).click()
    page.locator("#contact-form").get_by_label("Name").fill("Dan Dinu")
    page.locator("#contact-form").get_by_role("button", name="Save contact").click()
    expect(page.locator("#contacts .contact-list")).to_contain_text("Dan Dinu")

    page.get_by_text("Log call", exact=True).click()
    page.get_by_role("button", name="Save call").click()
    page.wait_for_url(re.compile(r"#activities$"))

    page.get_by_text("Plan or log an activity", exact=True).click()
    form = page.locator("#activity-form")
    form.get_by_label("Kind").select_option(label="Meeting")
    form.get_by_label("Subject").fill("Site visit")
    form.get_by_label("Starts").fill(f"{tomorrow}T09:30")
    form.get_by_role("button", name="Save activity").click()
    expect(page.locator("#activities .upcoming-list")).to_contain_text("Site visit")

    form = page.locator("#task-form")
    form.get_by_label("Task").fill("Call back about pricing")
    form.get_by_label("Due").fill(tomorrow)
    form.get_by_role("button", name="Add task").click()
    expect(page.locator("#tasks .task-list").first).to_contain_text("Call back about pricing")

    # Completed from the Tasks page, not the card.
    page.goto(base + "/admin/tasks")
    upcoming = page.locator("#group-upcoming")
    expect(upcoming).to_contain_text("Call back about pricing")
    upcoming.get_by_role("button", name="Complete “Call back about pricing”").click()
    expect(page.locator("#group-upcoming")).not_to_contain_text("Call back about pricing")

    page.goto(base + card)
    page.get_by_label("Write a note").fill("Budget approved next week.")
    page.get_by_role("button", name="Save note").click()
    page.wait_for_url(re.compile(r"#timeline$"))
    assert kinds(page)[:5] == ["note", "task_done", "task", "activity", "activity"]
    texts = entries(page).all_inner_texts()
    assert "Budget approved" in texts[0] and "Call back about pricing" in texts[1]
    assert "Site visit" in texts[3] and "Call" in texts[4]

    # Into a status with a template: the automatic task appears, once.
    page.goto(base + f"{card}/edit")
    page.get_by_label("Status").select_option(label="Qualified")
    page.get_by_role("button", name=re.compile("Save")).click()
    page.wait_for_url(re.compile(rf"{card}(#.*)?$"))
    open_tasks = page.locator("#tasks .task-list").first
    expect(open_tasks).to_contain_text("Prepare the offer")
    expect(open_tasks.locator("li", has_text="Prepare the offer")).to_have_count(1)
    assert problems.violations == [] and problems.errors == []
