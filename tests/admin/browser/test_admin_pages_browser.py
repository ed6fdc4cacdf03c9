"""The admin pages a newcomer opens first, in a real browser at real widths:
the prospects list fits a laptop and scrolls inside its table, the navigation
works on a phone, the counters and buttons look like the rest, and the consent
a visitor agreed to shows as they saw it — a link, never markup, never script."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import transaction
from crm_core.lists.queries import default_priority_id, default_source_id, default_status_id
from crm_core.models import Prospect, Role, User
from crm_core.text.search import search_text
from tests.admin.conftest import PASSWORD, UserFactory

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def admin_page(browser: Any, live_server: Any, make_user: UserFactory) -> Iterator[Callable[..., Page]]:
    """``admin_page(viewport)`` → a page signed in as an admin, with every page error collected."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_page(viewport: dict[str, int], user: User | None = None) -> Page:
        user = user or make_user(Role.ADMIN, name="Ada Lovelace")
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        page.goto(f"{live_server.url}/admin/login")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/admin/home$"))  # signing in lands on the home page
        page.goto(f"{live_server.url}/admin/")
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert errors == []


def add_prospects(session_factory: sessionmaker[Session], owner: User, count: int) -> None:
    """Prospects as a web form leaves them: long company names and emails, every default column filled."""
    started = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with transaction(session_factory) as session:
        for n in range(count):
            values = {
                "name": f"[Website contact form] Alexandra-Ioana Constantinescu-Popescu {n}",
                "company": f"Transilvania Logistics & Distribution International S.R.L. {n}",
                "email": f"alexandra.constantinescu.popescu{n}@transilvania-logistics-international.ro",
                "phone": "+40 721 234 567",
                "owner_id": owner.id,
                "status_id": default_status_id(session),
                "source_id": default_source_id(session),
                "priority_id": default_priority_id(session),
                "created_at": started + timedelta(minutes=n),
            }
            session.add(Prospect(**values, search_text=search_text(values)))


def page_scrolls_sideways(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def wider_than_the_page(page: Page) -> list[str]:
    """For the failure message: the outermost elements that stick out on the right."""
    return page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
            .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= innerWidth + 0.5)
            .map(e => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ").join(".") : ""))"""
    )


def test_the_prospects_list_fits_a_laptop_and_scrolls_inside_its_table(
    admin_page: Callable[..., Page],
    artifacts: Path,
    make_user: UserFactory,
    session_factory: sessionmaker[Session],
) -> None:
    owner = make_user(Role.SALES, name="Bartholomew Vasilescu-Ionescu")
    add_prospects(session_factory, owner, 12)
    page = admin_page(LAPTOP)
    table = page.locator("table.prospects")
    expect(table.locator("tbody tr")).to_have_count(12)
    created = table.locator("thead th").last
    expect(created).to_contain_text("Created")

    # 1440 px: every default column, Created last, is on screen without scrolling anything.
    assert not page_scrolls_sideways(page)
    wrap = page.locator(".table-wrap")
    wrap_box, created_box = wrap.bounding_box(), created.bounding_box()
    assert wrap_box and created_box
    assert created_box["x"] + created_box["width"] <= wrap_box["x"] + wrap_box["width"] + 1, (
        f"Created is cut off: {created_box} outside {wrap_box}"
    )
    assert wrap_box["x"] + wrap_box["width"] <= LAPTOP["width"]

    # Narrower (a small laptop, a tablet): the table scrolls sideways inside its box, the page does not.
    page.screenshot(path=str(artifacts / "admin-prospects-1440.png"))
    for width in (1024, 768):
        page.set_viewport_size({"width": width, "height": 900})
        assert not page_scrolls_sideways(page), (
            f"the page scrolls sideways at {width} px: {wider_than_the_page(page)}"
        )
        assert wrap.evaluate("w => w.scrollWidth > w.clientWidth"), f"the table should scroll at {width} px"
        wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
        expect(created).to_be_in_viewport()
        wrap_box, created_box = wrap.bounding_box(), created.bounding_box()
        assert wrap_box and created_box
        assert created_box["x"] + created_box["width"] <= wrap_box["x"] + wrap_box["width"] + 1
        wrap.evaluate("w => { w.scrollLeft = 0; }")


# Each page of the navigation, the menu it sits in on a laptop (None: the bar
# itself) and its heading.
NAVIGATION = [
    ("Home", None, "Hello, Ada"),
    ("Prospects", None, "Prospects"),
    ("Accounts", None, "Accounts"),
    ("Offers", None, "Offers"),
    ("Tasks", None, "Tasks"),
    ("Board", None, "Board"),
    ("Reports", None, "Reports"),
    ("Imports", "Admin", "Imports"),
    ("Forms", "Admin", "Forms"),
    ("Products", "Admin", "Products and services"),
    ("Users", "Admin", "Users"),
    ("Submissions", "Admin", "Submissions"),
    ("Webhooks", "Admin", "Webhooks"),
    ("Settings", "Admin", "Settings"),
    ("Change password", "account", "Change your password"),
    ("Notifications", "account", "My notifications"),
    ("API tokens", "account", "API tokens"),
]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_every_page_of_the_navigation_is_reachable(
    admin_page: Callable[..., Page], live_server: Any, viewport: dict[str, int], artifacts: Path
) -> None:
    """On a laptop the day's work is in the bar, the setup pages behind "Admin"
    and one's own pages behind the avatar; on a phone all of them behind "Menu".
    Every link is on screen when its menu is open, marks the page it opens, and
    no page scrolls sideways."""
    page = admin_page(viewport)
    phone = viewport is PHONE
    summaries = {
        "Menu": page.locator("summary", has_text="Menu"),
        "Admin": page.locator("nav summary", has_text="Admin"),
        "account": page.locator("summary.who"),
    }

    def link(name: str, menu: str | None) -> Any:
        scope = (
            page.locator("details[open]") if (phone or menu) else page.get_by_role("navigation", name="Main")
        )
        return scope.get_by_role("link", name=name, exact=True)

    for name, menu, heading in NAVIGATION:
        opener = "Menu" if phone else menu
        if opener:
            expect(link(name, menu)).to_have_count(0)  # behind its menu until it opens
            summaries[opener].click()
        expect(link(name, menu)).to_be_visible()
        link(name, menu).scroll_into_view_if_needed()  # a phone's menu scrolls within the screen
        expect(link(name, menu)).to_be_in_viewport(ratio=1)
        link(name, menu).click()
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        assert not page_scrolls_sideways(page), f"{name} scrolls sideways: {wider_than_the_page(page)}"
        if opener:
            summaries[opener].click()
            if phone:
                page.screenshot(path=str(artifacts / f"admin-menu-390-{name.lower().replace(' ', '-')}.png"))
        expect(link(name, menu)).to_have_attribute("aria-current", "page")
        if opener:
            page.keyboard.press("Escape")  # closes it (admin.js), as a click on its summary does without it
            expect(link(name, menu)).to_have_count(0)
    if not phone:
        page.screenshot(path=str(artifacts / "admin-bar-1440.png"))
        # One menu at a time: opening the account menu closes "Admin".
        summaries["Admin"].click()
        summaries["account"].click()
        expect(page.locator("details[open]")).to_have_count(1)
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()


def test_the_submission_counters_and_form_buttons_look_like_the_rest(
    admin_page: Callable[..., Page],
    live_server: Any,
    make_form: Callable[..., dict[str, Any]],
    artifacts: Path,
) -> None:
    make_form(name="Contact us")
    page = admin_page(LAPTOP)
    page.goto(f"{live_server.url}/admin/forms")
    style = "e => { const s = getComputedStyle(e); return [s.fontSize, s.fontWeight, s.color, s.display]; }"
    forms_number = page.locator(".form-card dd").first.evaluate(style)
    forms_label = page.locator(".form-card dt").first.evaluate(style)
    card = page.locator(".form-card").first
    buttons = "e => { const s = getComputedStyle(e); return [s.backgroundColor, s.borderColor, s.color, s.height]; }"
    assert card.get_by_role("button", name="Duplicate").evaluate(buttons) == (
        card.get_by_role("button", name="Deactivate").evaluate(buttons)
    )

    page.goto(f"{live_server.url}/admin/submissions")
    counters = page.locator("main dl").first
    expect(counters.locator("dt")).to_have_text(
        ["Accepted", "Queued", "Processing", "Waiting to retry", "Failed", "Spam"]
    )
    assert counters.locator("dd").first.evaluate(style) == forms_number
    assert counters.locator("dt").first.evaluate(style) == forms_label
    assert counters.evaluate("e => getComputedStyle(e).display") == "grid"
    # Side by side on a laptop, not one per line.
    tops = counters.locator("dd").evaluate_all(
        "dds => dds.map(d => Math.round(d.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, tops
    page.screenshot(path=str(artifacts / "admin-submissions.png"))
    page.set_viewport_size(PHONE)
    assert not page_scrolls_sideways(page), wider_than_the_page(page)
    page.screenshot(path=str(artifacts / "admin-submissions-390.png"), full_page=True)


def test_the_consent_shows_as_the_visitor_saw_it(
    admin_page: Callable[..., Page],
    artifacts: Path,
    live_server: Any,
    client: Any,
    make_form: Callable[..., dict[str, Any]],
    drain: Callable[[], int],
    session_factory: sessionmaker[Session],
) -> None:
    consent = 'I agree to be contacted (<a href="https://example.com/privacy">privacy policy</a>).'
    form = make_form(consent_enabled=True, consent_text=consent)
    answer = client.post(
        f"/f/{form['key']}",
        data={"name": "Ana Popescu", "email": "ana@example.ro", "_lc_consent": "1"},
        headers={"Origin": "https://example.com"},
    )
    assert answer.status_code == 202, answer.get_data(as_text=True)
    assert drain() == 1
    # A prospect captured long ago, by a form version whose text was never cleaned.
    legacy = (
        'Old terms <a href="https://example.com/terms" onclick="window.pwned=1">terms</a>'
        '<script>window.pwned=2</script><img src="x" onerror="window.pwned=3">'
        '<a href="javascript:window.pwned=4">click</a>'
    )
    with transaction(session_factory) as session:
        values = {"name": "Old Lead", "consent_given": True, "consent_text": legacy}
        session.add(Prospect(**values, search_text=search_text(values), submission_id="legacy-1"))

    page = admin_page(LAPTOP)
    page.get_by_role("link", name="[Web] Ana Popescu").click()
    quote = page.locator("blockquote.consent-text")
    expect(quote).to_have_text("I agree to be contacted (privacy policy).")
    link = quote.get_by_role("link", name="privacy policy")
    expect(link).to_have_attribute("href", "https://example.com/privacy")
    assert "<a" not in quote.inner_text()
    page.locator(".detail-grid").screenshot(path=str(artifacts / "admin-prospect-consent.png"))

    page.get_by_role("link", name="← Prospects").click()
    page.get_by_role("link", name="Old Lead").click()
    quote = page.locator("blockquote.consent-text")
    expect(quote).to_contain_text("Old terms terms")
    expect(quote.get_by_role("link", name="terms")).to_have_attribute("href", "https://example.com/terms")
    assert quote.locator("script, img, [onclick], [onerror], a[href^='javascript']").count() == 0
    assert "<" not in quote.inner_text()
    quote.get_by_text("click").click()  # an <a> without its javascript: href does nothing
    assert page.evaluate("window.pwned") is None
