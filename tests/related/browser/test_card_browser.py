"""The sales day on a prospect's card, in a real browser against the real app
(CSRF on, strict CSP): open a prospect, add a contact, log a held call in two
clicks, plan a meeting, add a task due tomorrow and complete it there, write
a note with a link, see all of it in the timeline in order, page the
timeline, filter it — at 1440 px and at 390 px wide, without one CSP
violation, page error or console error."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session, sessionmaker

from crm_core.clock import today
from crm_core.db import transaction
from crm_core.notes.models import Note
from crm_core.parents import ParentType
from tests.prospects.conftest import PASSWORD
from tests.related.browser.conftest import Problems

pytestmark = pytest.mark.browser

OLD_NOTES = 35
LONG_URL = "https://example.com/" + "a-very-long-path-segment-" * 12 + "end"


def log_in(page: Any, base: str, url: str, email: str) -> None:
    page.goto(base + url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + url)


def fits_the_width(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def check_the_csp_recorder(page: Any, problems: Problems) -> None:
    """The recorder must see a violation when there is one, or "none seen" proves nothing."""
    page.evaluate("document.body.setAttribute('style', 'outline: 1px solid red')")
    page.wait_for_function("() => window.__csp.length > 0")
    assert any("style-src" in v for v in page.evaluate("window.__csp"))
    page.evaluate("document.body.removeAttribute('style'); window.__csp.length = 0")
    problems.violations.clear()
    problems.errors.clear()


def entries(page: Any) -> Any:
    return page.locator("#timeline-list > li.entry")


def kinds(page: Any) -> list[str]:
    return entries(page).evaluate_all("items => items.map(item => item.dataset.kind)")


def test_a_sales_day_on_the_card(
    open_context: Callable[..., tuple[Any, Problems]],
    live_server: Any,
    staff: dict[str, Any],
    add_prospect: Callable[..., int],
    session_factory: sessionmaker[Session],
    artifacts: Path,
) -> None:
    sales = staff["sales"]
    long_ago = datetime.now(UTC) - timedelta(days=60)
    pid = add_prospect(
        owner_id=sales.id,
        name="Ana Pop",
        company="Brădet SRL",
        created_at=long_ago,
        submission_id="sub-browser-1",
        page_url="https://example.com/pricing?utm_source=newsletter",
        attribution={"utm_source": "newsletter"},
    )
    with transaction(session_factory) as session:
        for n in range(OLD_NOTES):
            at = long_ago + timedelta(days=1, hours=n)
            body = f"Old note {n}" + (f"\n{LONG_URL}" if n == OLD_NOTES - 1 else "")
            session.add(
                Note(
                    parent_type=ParentType.PROSPECT,
                    parent_id=pid,
                    author_id=sales.id,
                    body=body,
                    created_at=at,
                    updated_at=at,
                )
            )
    base, card = live_server.url, f"/admin/prospects/{pid}"
    tomorrow = (today(ZoneInfo("UTC")) + timedelta(days=1)).isoformat()

    context, problems = open_context(1440, 900)
    page = context.new_page()
    log_in(page, base, card, sales.email)
    check_the_csp_recorder(page, problems)
    expect(page.get_by_role("heading", name="Ana Pop", level=1)).to_be_visible()

    # A contact.
    page.get_by_text("Add contact", exact=True).click()
    form = page.locator("#contact-form")
    form.get_by_label("Name").fill("Ion Ionescu")
    form.get_by_label("Job title").fill("Director de vânzări")
    form.get_by_label("Phone").fill("+40 722 000 111")
    form.get_by_label("Email").fill("ion@example.com")
    form.get_by_role("button", name="Save contact").click()
    page.wait_for_url(re.compile(r"#contacts$"))
    contacts = page.locator("#contacts .contact-list")
    expect(contacts).to_contain_text("Ion Ionescu")
    expect(contacts).to_contain_text("Primary")

    # A call that just happened: two clicks.
    page.get_by_text("Log call", exact=True).click()
    page.get_by_role("button", name="Save call").click()
    page.wait_for_url(re.compile(r"#activities$"))
    expect(entries(page).first).to_contain_text("Call")
    expect(entries(page).first).to_contain_text("Held")
    expect(entries(page).first).to_contain_text("with Ion Ionescu")

    # A meeting tomorrow.
    page.get_by_text("Plan or log an activity", exact=True).click()
    form = page.locator("#activity-form")
    form.get_by_label("Kind").select_option(label="Meeting")
    form.get_by_label("Subject").fill("Demo at their office")
    form.get_by_label("Starts").fill(f"{tomorrow}T10:00")
    form.get_by_label("Duration (minutes)").fill("45")
    form.get_by_role("button", name="Save activity").click()
    page.wait_for_url(re.compile(r"#activities$"))
    upcoming = page.locator("#activities .upcoming-list")
    expect(upcoming).to_contain_text("Demo at their office")
    expect(upcoming).to_contain_text(f"{tomorrow} 10:00")

    # A task due tomorrow, added and completed on the card.
    form = page.locator("#task-form")
    form.get_by_label("Task").fill("Send the offer")
    form.get_by_label("Due").fill(tomorrow)
    form.get_by_role("button", name="Add task").click()
    page.wait_for_url(re.compile(r"#tasks$"))
    task = page.locator("#tasks .task-list li", has_text="Send the offer")
    expect(task).to_contain_text(f"due {tomorrow}")
    expect(task).to_contain_text(sales.name)
    task.get_by_role("button", name="Complete Send the offer").click()
    page.wait_for_url(re.compile(r"#tasks$"))
    expect(page.locator("#tasks")).to_contain_text("No open tasks.")
    done = page.locator("#tasks details.done-tasks")
    expect(done.locator("summary")).to_have_text("Recently done (1)")
    expect(done.locator("s", has_text="Send the offer")).to_be_hidden()  # collapsed
    done.locator("summary").click()
    expect(done.locator("s", has_text="Send the offer")).to_be_visible()

    # A note with a link.
    page.get_by_label("Write a note").fill("Spoke to Ion.\nSpecs: https://example.com/specs?a=1&b=2.")
    page.get_by_role("button", name="Save note").click()
    page.wait_for_url(re.compile(r"#timeline$"))
    link = entries(page).first.get_by_role("link", name="https://example.com/specs?a=1&b=2")
    expect(link).to_have_attribute("href", "https://example.com/specs?a=1&b=2")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")

    # Everything in the timeline, newest first.
    assert kinds(page)[:6] == ["note", "task_done", "task", "activity", "activity", "note"]
    texts = entries(page).all_inner_texts()
    assert "Spoke to Ion." in texts[0] and "Send the offer" in texts[1] and "Send the offer" in texts[2]
    assert "Demo at their office" in texts[3] and "Planned" in texts[3]
    assert "Call" in texts[4] and "Held" in texts[4]
    assert "Old note 34" in texts[5]

    # The side column sits beside the timeline at 1440 px; nothing scrolls sideways.
    side, timeline = page.locator(".card-side").bounding_box(), page.locator("#timeline").bounding_box()
    assert side["x"] > timeline["x"] + timeline["width"] - 1
    assert fits_the_width(page)
    page.screenshot(path=str(artifacts / "card-1440.png"), full_page=True)

    # Older entries: appended in place by the card's script.
    expect(entries(page)).to_have_count(30)
    url_before = page.url
    page.get_by_role("link", name="Show older").click()
    expect(entries(page)).to_have_count(5 + OLD_NOTES + 1)
    assert page.url == url_before
    assert kinds(page)[-1] == "captured"
    expect(entries(page).last).to_contain_text("Captured by the form")
    expect(entries(page).last).to_contain_text("newsletter")
    expect(page.get_by_role("link", name="Show older")).to_have_count(0)

    # Filters, kept in the address and by "Show older".
    page.locator(".timeline-filters").get_by_role("link", name="Notes").click()
    page.wait_for_url(re.compile(r"filter=notes"))
    expect(entries(page)).to_have_count(30)
    page.get_by_role("link", name="Show older").click()
    expect(entries(page)).to_have_count(1 + OLD_NOTES)
    assert set(kinds(page)) == {"note"}
    page.locator(".timeline-filters").get_by_role("link", name="Activities & tasks").click()
    page.wait_for_url(re.compile(r"filter=work"))
    assert kinds(page) == ["task_done", "task", "activity", "activity"]
    page.locator(".timeline-filters").get_by_role("link", name="Changes").click()
    page.wait_for_url(re.compile(r"filter=changes"))
    assert kinds(page) == ["captured"]

    assert problems.violations == [] and problems.errors == []

    # At 390 px wide: one column, no sideways scrolling, with every form open.
    phone, phone_problems = open_context(390, 844)
    small = phone.new_page()
    log_in(small, base, card + "?filter=notes", sales.email)
    expect(small.locator("#timeline-list")).to_contain_text("a-very-long-path-segment")
    assert fits_the_width(small)
    for summary in ("Add contact", "Log call", "Plan or log an activity"):
        small.get_by_text(summary, exact=True).click()
    expect(small.locator("#activity-form")).to_be_visible()
    small.locator("#tasks details.done-tasks summary").click()
    assert fits_the_width(small)
    side, fields = small.locator(".card-side").bounding_box(), small.locator(".card-fields").bounding_box()
    assert side["y"] > fields["y"]  # stacked, not side by side
    small.screenshot(path=str(artifacts / "card-390.png"), full_page=True)
    assert phone_problems.violations == [] and phone_problems.errors == []
