"""The board in a real browser under the strict CSP: drag a card to another
column (SortableJS) and the status, history and automatic task change; the
"Move to" control does the same from the keyboard, and without JavaScript; a
move the server refuses puts the card back and says why; a drop on a
converted column opens Convert; load more; 1440 and 390 px wide."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import transaction
from crm_core.models import Prospect, ProspectChange, User
from crm_core.prospects.services import delete_prospect
from crm_core.tasks.automation import add_template
from crm_core.tasks.models import Task
from tests.pipeline.browser.conftest import no_page_scroll


def column(page: Any, name: str) -> Any:
    return page.locator("section.board-column", has=page.get_by_role("heading", name=name, exact=True))


def card(page: Any, name: str) -> Any:
    return page.locator(".board-card", has_text=name)


def drag(page: Any, source: Any, target: Any) -> None:
    """A person's drag: press, move in small steps (SortableJS follows the pointer), release."""
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + 20, start["y"] + 12)
    page.mouse.down()
    for step in range(1, 16):
        page.mouse.move(
            start["x"] + 20 + (end["x"] + 40 - start["x"] - 20) * step / 15,
            start["y"] + 12 + (end["y"] + 30 - start["y"] - 12) * step / 15,
        )
    page.mouse.up()


def state(
    session_factory: sessionmaker[Session], prospect_id: int
) -> tuple[int | None, list[Any], list[str]]:
    with session_factory() as session:
        prospect = session.get(Prospect, prospect_id)
        history = [
            c.changes
            for c in session.scalars(select(ProspectChange).where(ProspectChange.prospect_id == prospect_id))
        ]
        tasks = list(session.scalars(select(Task.name).where(Task.parent_id == prospect_id)))
        return (prospect.status_id if prospect else None), history, tasks


def test_drag_a_card_to_another_column(
    signed_in, add_prospect, list_ids, staff, session_factory, live_server
) -> None:
    with transaction(session_factory) as session:
        add_template(
            session, {"status_id": list_ids["In progress"], "name": "Pirmas skambutis", "due_in_days": "1"}
        )
    lead = add_prospect(name="Ana Pop", company="Agro SRL", owner_id=staff["sales"].id)
    add_prospect(name="Other lead")
    page = signed_in("sales")
    page.goto(f"{live_server.url}/admin/board")
    expect(column(page, "New").locator("[data-count-text]")).to_have_text("1")
    drag(page, card(page, "Ana Pop"), column(page, "In progress").locator("[data-cards]"))
    expect(page.locator("[data-board-status]")).to_have_text("“Ana Pop” moved to In progress.")
    expect(column(page, "In progress").locator(".board-card", has_text="Ana Pop")).to_be_visible()
    expect(column(page, "In progress").locator("[data-count-text]")).to_have_text("1")
    expect(column(page, "New").locator("[data-count-text]")).to_have_text("0")
    status, history, tasks = state(session_factory, lead)
    assert status == list_ids["In progress"]
    assert {"status_id": ["New", "In progress"]} in history
    assert tasks == ["Pirmas skambutis"]
    page.reload()
    expect(column(page, "In progress").locator(".board-card", has_text="Ana Pop")).to_be_visible()
    no_page_scroll(page)


def test_the_move_to_control_from_the_keyboard(
    signed_in, add_prospect, list_ids, session_factory, live_server
) -> None:
    lead = add_prospect(name="Jonas Kazlauskas")
    page = signed_in("admin")
    page.goto(f"{live_server.url}/admin/board")
    select = page.get_by_label("Move to — Jonas Kazlauskas")
    select.focus()
    select.select_option(label="Qualified")
    page.keyboard.press("Tab")
    expect(card(page, "Jonas Kazlauskas").get_by_role("button", name="Move")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("[data-board-status]")).to_have_text("“Jonas Kazlauskas” moved to Qualified.")
    expect(column(page, "Qualified").locator(".board-card", has_text="Jonas Kazlauskas")).to_be_visible()
    # Focus stays with the card, in its new column.
    expect(page.get_by_label("Move to — Jonas Kazlauskas")).to_be_focused()
    status, history, _tasks = state(session_factory, lead)
    assert status == list_ids["Qualified"] and {"status_id": ["New", "Qualified"]} in history


def test_the_move_to_control_without_javascript(
    signed_in, add_prospect, list_ids, session_factory, live_server
) -> None:
    lead = add_prospect(name="Élodie Martin")
    page = signed_in("admin", javascript=False)
    page.goto(f"{live_server.url}/admin/board?q=elodie")
    page.get_by_label("Move to — Élodie Martin").select_option(label="In progress")
    card(page, "Élodie Martin").get_by_role("button", name="Move").click()
    expect(page.locator(".flash.success")).to_have_text("“Élodie Martin” moved to In progress.")
    assert "q=elodie" in page.url
    expect(column(page, "In progress").locator(".board-card", has_text="Élodie Martin")).to_be_visible()
    assert state(session_factory, lead)[0] == list_ids["In progress"]


def test_a_refused_move_snaps_back_and_says_why(
    signed_in, add_prospect, list_ids, staff, session_factory, live_server
) -> None:
    gone = add_prospect(name="Deleted meanwhile")
    page = signed_in("admin")
    page.goto(f"{live_server.url}/admin/board")
    with transaction(session_factory) as session:
        delete_prospect(session, session.get(User, staff["admin"].id), gone)
    drag(page, card(page, "Deleted meanwhile"), column(page, "Qualified").locator("[data-cards]"))
    alert = page.locator("[data-board-message]")
    expect(alert).to_be_visible()
    expect(alert).to_have_text(re.compile("This prospect is no longer there"))
    expect(column(page, "New").locator(".board-card", has_text="Deleted meanwhile")).to_be_visible()
    expect(column(page, "Qualified").locator(".board-card")).to_have_count(0)
    expect(column(page, "New").locator("[data-count-text]")).to_have_text("1")


def test_a_drop_on_converted_opens_convert(
    signed_in, add_prospect, list_ids, session_factory, live_server
) -> None:
    lead = add_prospect(name="Nearly won", status_id=list_ids["Qualified"])
    page = signed_in("admin")
    page.goto(f"{live_server.url}/admin/board?status={list_ids['Qualified']}&status={list_ids['Converted']}")
    drag(page, card(page, "Nearly won"), column(page, "Converted").locator("[data-cards]"))
    page.wait_for_url(re.compile(rf"/admin/prospects/{lead}"))
    assert state(session_factory, lead)[0] == list_ids["Qualified"]


def test_load_more_and_a_phone_width(signed_in, add_prospect, live_server) -> None:
    for n in range(25):
        add_prospect(name=f"Lead {n:02d}")
    page = signed_in("admin", width=390, height=844)
    page.goto(f"{live_server.url}/admin/board")
    new = column(page, "New")
    expect(new.locator(".board-card")).to_have_count(20)
    new.get_by_role("link", name="Load more").click()
    expect(new.locator(".board-card")).to_have_count(25)
    expect(new.get_by_role("link", name="Load more")).to_have_count(0)
    no_page_scroll(page)
    # The board scrolls sideways inside its own box.
    assert page.evaluate(
        "(() => { const b = document.querySelector('[data-board]'); return b.scrollWidth > b.clientWidth })()"
    )
    for path in ("/admin/home", "/admin/board/offers", "/admin/reports", "/admin/reports/funnel"):
        page.goto(f"{live_server.url}{path}")
        no_page_scroll(page)


def test_offers_board_sums_per_currency(signed_in, add_offer, live_server) -> None:
    add_offer(total="1000.00", currency="EUR", probability=50, status="Sent", name="Kitchen")
    add_offer(total="250.00", currency="EUR", probability=20, status="Sent", name="Spare parts")
    add_offer(total="4500", currency="RON", probability=10, status="Sent", name="Install")
    page = signed_in("admin")
    page.goto(f"{live_server.url}/admin/board/offers")
    sent = column(page, "Sent")
    expect(sent.locator("[data-count-text]")).to_have_text("3")
    sums = sent.locator("[data-sums]")
    expect(sums).to_contain_text("Total EUR")
    expect(sums).to_contain_text("€1,250.00")
    expect(sums).to_contain_text("€550.00")  # 500 + 50
    expect(sums).to_contain_text("RON4,500.00")
    expect(sums).to_contain_text("RON450.00")
    drag(page, card(page, "Kitchen"), column(page, "Accepted").locator("[data-cards]"))
    expect(page.locator("[data-board-status]")).to_have_text("“Kitchen” moved to Accepted.")
    no_page_scroll(page)
