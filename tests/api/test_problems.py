"""Every error of the API is problem details (RFC 9457) — for 401, 403, 404,
405, 413, 415, 422, 429 and 400 — and the app's strict security headers hold."""

from __future__ import annotations

import pytest
from flask import Flask

from crm_core.models import Role
from tests.api.conftest import ApiClient, ClientFactory, assert_problem


def test_unknown_route_and_record(admin_api: ApiClient) -> None:
    assert_problem(admin_api.get("/api/v1/no-such-thing"), 404, "not-found")
    assert_problem(admin_api.get("/api/v1/prospects/123456"), 404, "not-found")
    # Beyond the database's integer range: simply not found, never an overflow.
    assert_problem(admin_api.get("/api/v1/prospects/99999999999999999999"), 404)
    assert_problem(admin_api.get("/api/v1/prospects/0"), 404)


def test_wrong_method_names_the_allowed_ones(admin_api: ApiClient) -> None:
    answer = admin_api.open("PUT", "/api/v1/prospects", json={})
    assert_problem(answer, 405)
    assert set(answer.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_body_too_large(admin_api: ApiClient) -> None:
    answer = admin_api.post("/api/v1/prospects", json={"name": "x", "description": "y" * (1024 * 1024)})
    assert_problem(answer, 413)


def test_body_that_is_not_json(admin_api: ApiClient, app: Flask) -> None:
    answer = admin_api.client.post(
        "/api/v1/prospects",
        data="name=Ana",
        headers={
            "Authorization": f"Bearer {admin_api.token}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert_problem(answer, 415, "unsupported-media-type")
    broken = admin_api.client.post(
        "/api/v1/prospects",
        data='{"name": ',
        headers={"Authorization": f"Bearer {admin_api.token}", "Content-Type": "application/json"},
    )
    assert "Invalid JSON body." in assert_problem(broken, 400, "malformed-request")["detail"]


def test_validation_errors_name_each_field_with_dotted_paths(admin_api: ApiClient) -> None:
    account = admin_api.post("/api/v1/accounts", json={"name": "Pop SRL"}).get_json()
    offer = admin_api.post(
        "/api/v1/offers", json={"account_id": account["id"], "name": "O", "currency": "EUR"}
    )
    assert offer.status_code == 201, offer.get_json()
    answer = admin_api.put(
        f"/api/v1/offers/{offer.get_json()['id']}/lines",
        json={"lines": [{"name": "ok"}, {"name": "bad", "quantity": "-1"}, {"quantity": "1"}]},
    )
    body = assert_problem(answer, 422, "validation-failed")
    assert body["errors"] == {
        "lines.1.quantity": ["Use a quantity above 0."],
        "lines.2.name": ["Pick a product or name the line."],
    }


@pytest.mark.parametrize("bad", ["a\x00b", "\ud800"])
def test_text_no_database_can_hold_is_refused_naming_the_field(admin_api: ApiClient, bad: str) -> None:
    answer = admin_api.post("/api/v1/prospects", json={"name": "Ana", "company": bad})
    assert "company" in assert_problem(answer, 422, "validation-failed")["errors"]
    assert "q" in assert_problem(admin_api.get("/api/v1/prospects?q=a%00b"), 422)["errors"]
    assert admin_api.get("/api/v1/prospects").get_json()["items"] == []


def test_json_nested_too_deep_is_a_400(admin_api: ApiClient) -> None:
    deep: object = "x"
    for _ in range(40):
        deep = [deep]
    assert_problem(admin_api.post("/api/v1/prospects", json={"name": "A", "company": deep}), 400)


def test_a_read_token_writing_and_a_role_without_access(api_as: ClientFactory) -> None:
    reader = api_as(Role.ADMIN, scopes="read")
    answer = reader.post("/api/v1/prospects", json={"name": "Ana"})
    body = assert_problem(answer, 403, "insufficient-scope")
    assert 'error="insufficient_scope"' in answer.headers["WWW-Authenticate"]
    assert "read" in body["detail"]
    sales = api_as(Role.SALES)
    assert "marketing" in assert_problem(sales.get("/api/v1/forms"), 403, "forbidden")["detail"]


def test_the_strict_headers_hold_and_nothing_is_cached(admin_api: ApiClient) -> None:
    for answer in (admin_api.get("/api/v1/prospects"), admin_api.get("/api/v1/nothing")):
        assert answer.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert "Access-Control-Allow-Origin" not in answer.headers  # no CORS: token clients are servers
    assert admin_api.get("/api/v1/prospects").headers["Cache-Control"] == "no-store"


def test_no_csrf_token_needed_but_a_session_cookie_alone_is_nothing(
    app: Flask, admin_api: ApiClient, make_user: object
) -> None:
    assert admin_api.post("/api/v1/prospects", json={"name": "Ana"}).status_code == 201  # CSRF-exempt
    from tests.admin.conftest import sign_in

    browser = sign_in(app.test_client(), app.extensions["lc_db"], admin_api.user)
    assert browser.get("/admin/").status_code == 200  # signed in to the admin…
    assert_problem(browser.get("/api/v1/prospects"), 401)  # …which gives no power over the API
    assert_problem(browser.post("/api/v1/prospects", json={"name": "Bob"}), 401)


def test_the_admin_and_public_errors_are_unchanged(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/admin/nothing-here").mimetype != "application/problem+json"
    assert client.get("/f/no-such-form.json").mimetype != "application/problem+json"


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/prospects?owner=5240322523",
        "/api/v1/prospects?status=99999999999",
        "/api/v1/prospects?form=-1",
        "/api/v1/tasks?owner=5240322523",
        "/api/v1/accounts?owner=99999999999",
        "/api/v1/offers?status=99999999999",
        "/api/v1/offers?account=99999999999",
    ],
)
def test_ids_beyond_the_databases_range_are_a_422_not_a_500(admin_api: ApiClient, query: str) -> None:
    """Found by schemathesis: on PostgreSQL such a number overflowed the
    integer column in the query and answered 500."""
    assert_problem(admin_api.get(query), 422, "validation-failed")
