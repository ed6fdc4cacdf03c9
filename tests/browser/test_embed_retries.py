"""Idempotency through the real stack: whatever the network does to the first
attempt, a submission becomes exactly one prospect."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from capture.public.intake import submission_id

pytestmark = pytest.mark.browser

FORM = "[data-leadcapture-form]"


def fill(page) -> None:
    page.get_by_label("Name").fill("Ana Popescu")
    page.get_by_label("Email").fill("ana@example.com")


@pytest.mark.parametrize("failure", ["aborted", "reply lost", "503 Retry-After"])
def test_a_retried_submission_becomes_one_prospect(
    failure, page, live_server, host_form, host_page, allowed_host, prospects, drain
):
    form = host_form()
    attempts: list[dict[str, list[str]]] = []

    def first_attempt_fails(route) -> None:
        if route.request.method != "POST":
            return route.fallback()
        attempts.append(parse_qs(route.request.post_data or ""))
        if len(attempts) > 1:
            return route.continue_()
        if failure == "aborted":  # never reached the server
            return route.abort("connectionreset")
        if failure == "reply lost":  # the server accepted it, the browser never heard
            accepted = route.fetch()
            assert accepted.status == 202
            return route.abort("connectionreset")
        return route.fulfill(
            status=503,
            headers={
                "Retry-After": "1",
                "Access-Control-Allow-Origin": f"http://{allowed_host}",
                "Access-Control-Expose-Headers": "Retry-After",
            },
            json={"error": "The form is temporarily unavailable."},
        )

    page.route(f"{live_server.url}/f/{form['key']}", first_attempt_fails)
    page.goto(host_page(f'<div data-leadcapture-form="{form["key"]}"></div>'))
    fill(page)
    page.locator(f"{FORM} button").click()
    page.locator(f"{FORM} .ok").wait_for()

    assert len(attempts) == 2
    [first_id], [second_id] = attempts[0]["_lc_id"], attempts[1]["_lc_id"]
    assert first_id == second_id
    assert drain() == 1 and drain() == 0
    [prospect] = prospects()
    assert prospect.submission_id == submission_id(form["key"], first_id)


def test_a_double_click_becomes_one_prospect(page, live_server, host_form, host_page, prospects, drain):
    form = host_form()
    ids: list[str] = []
    page.on(
        "request",
        lambda r: r.method == "POST" and ids.extend(parse_qs(r.post_data or "").get("_lc_id", [])),
    )
    page.goto(host_page(f'<div data-leadcapture-form="{form["key"]}"></div>'))
    fill(page)
    page.locator(f"{FORM} button").dblclick()
    page.locator(f"{FORM} .ok").wait_for()
    assert len(set(ids)) == 1
    assert drain() == 1
    assert len(prospects()) == 1
