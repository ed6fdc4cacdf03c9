"""The submit endpoint's JSON answers come from ``capture.public.json_path``,
ahead of Flask; requests that prefer HTML and every other route still go
through Flask. Real app, real Redis."""

from __future__ import annotations

import io
import json
import logging
from dataclasses import replace

import pytest
from rq import Queue
from werkzeug.test import EnvironBuilder

from capture.app import create_app
from worker.queues import SUBMISSIONS

ORIGIN = {"Origin": "https://example.com", "Accept": "application/json"}
VISITOR = {"name": "Ana", "email": "ana@example.com"}


def queued(redis) -> int:  # type: ignore[no-untyped-def]
    return Queue(SUBMISSIONS, connection=redis).count


@pytest.fixture
def flask_requests(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The paths of the requests that reached Flask."""
    seen: list[str] = []
    app.before_request(lambda: seen.append(__import__("flask").request.path))
    return seen


def test_the_snippets_post_is_answered_before_flask_with_the_same_headers(
    client, make_form, redis, flask_requests
):
    form = make_form()
    response = client.post(f"/f/{form['key']}", data=VISITOR, headers=ORIGIN)
    assert response.status_code == 202
    assert response.mimetype == "application/json"
    assert set(response.get_json()) == {"id", "message"}
    assert response.headers["Access-Control-Allow-Origin"] == "https://example.com"
    assert response.headers["Access-Control-Expose-Headers"] == "Retry-After"
    assert response.headers["Vary"] == "Origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "nonce" not in response.headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response.headers
    assert "Set-Cookie" not in response.headers
    assert queued(redis) == 1
    assert flask_requests == []


def test_a_post_that_prefers_html_goes_through_flask(client, make_form, redis, flask_requests):
    form = make_form()
    response = client.post(
        f"/f/{form['key']}",
        data=VISITOR,
        headers={"Origin": "http://localhost", "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/f/{form['key']}/thanks")
    assert flask_requests == [f"/f/{form['key']}"]
    assert queued(redis) == 1


def test_other_routes_and_methods_go_through_flask(client, make_form, flask_requests):
    form = make_form()
    assert client.get(f"/f/{form['key']}.json").status_code == 200
    preflight = client.options(
        f"/f/{form['key']}", headers={**ORIGIN, "Access-Control-Request-Method": "POST"}
    )  # answered by our view, not by Flask's automatic OPTIONS (which sends no CORS headers)
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://example.com"
    assert preflight.headers["Access-Control-Allow-Headers"] == "Content-Type, Accept"
    foreign = client.options(f"/f/{form['key']}", headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert client.post(f"/f/{form['key']}/thanks", headers=ORIGIN).status_code == 405
    assert flask_requests == [
        f"/f/{form['key']}.json",
        f"/f/{form['key']}",
        f"/f/{form['key']}",
        f"/f/{form['key']}/thanks",
    ]


def test_multipart_and_json_bodies_are_read_and_a_json_array_is_refused(client, make_form, redis):
    form = make_form()
    multipart = client.post(
        f"/f/{form['key']}", data={**VISITOR, "photo": (io.BytesIO(b"x"), "a.txt")}, headers=ORIGIN
    )
    assert multipart.status_code == 202
    as_json = client.post(f"/f/{form['key']}", json=VISITOR, headers=ORIGIN)
    assert as_json.status_code == 202
    bogus_charset = client.post(
        f"/f/{form['key']}",
        data="name=Ana&email=ana%40example.com",
        headers=ORIGIN,
        content_type="application/x-www-form-urlencoded; charset=no-such-charset",
    )
    assert bogus_charset.status_code == 415  # refused, never guessed (tests/test_public_edges.py)
    broken_multipart = client.post(
        f"/f/{form['key']}",
        data=b"--x\r\nnot a part",
        headers=ORIGIN,
        content_type="multipart/form-data; boundary=x",
    )
    assert (broken_multipart.status_code, broken_multipart.get_json()) == (
        400,
        {"error": "Send the form as form fields or a JSON object.", "fields": {}},
    )
    array = client.post(f"/f/{form['key']}", json=[VISITOR], headers=ORIGIN)
    assert (array.status_code, array.get_json()) == (
        400,
        {"error": "Send the form as form fields or a JSON object.", "fields": {}},
    )
    assert queued(redis) == 2


def test_a_chunked_body_over_the_limit_is_refused_without_reading_it_all(app, make_form, redis):
    """No Content-Length (as gunicorn passes a chunked body): the limit is
    enforced while reading."""
    form = make_form()
    limit = app.config["LC_SETTINGS"].max_body_bytes
    body = ("name=Ana&email=ana%40example.com&description=" + "x" * limit).encode()
    environ = EnvironBuilder(
        path=f"/f/{form['key']}",
        method="POST",
        data=body,
        headers=ORIGIN,
        content_type="application/x-www-form-urlencoded",
    ).get_environ()
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    started: list[str] = []
    answer = b"".join(app.wsgi_app(environ, lambda status, headers, exc=None: started.append(status)))
    assert started == ["413 Request Entity Too Large"]
    assert json.loads(answer) == {"error": "The submission is too large."}
    assert queued(redis) == 0


def test_an_unexpected_error_is_logged_and_answered_in_json(
    app, client, make_form, redis, caplog, monkeypatch
):
    form = make_form()

    def broken(key: str) -> None:
        raise RuntimeError("cache exploded")

    monkeypatch.setattr(app.extensions["lc_form_cache"], "recent_definition", broken)
    with caplog.at_level(logging.ERROR):
        response = client.post(f"/f/{form['key']}", data=VISITOR, headers=ORIGIN)
    assert (response.status_code, response.get_json()) == (
        500,
        {"error": "Something went wrong. Please try again."},
    )
    assert "cache exploded" in caplog.text
    assert queued(redis) == 0


def test_behind_a_trusted_proxy_the_forwarded_scheme_and_address_are_used(settings, make_form, redis):
    app = create_app(replace(settings, trusted_proxy_hops=1, rate_limit_ip="2/60"))
    try:
        client = app.test_client()
        form = make_form()
        proxied = {**ORIGIN, "X-Forwarded-Proto": "https"}
        statuses = [
            client.post(
                f"/f/{form['key']}", data=VISITOR, headers={**proxied, "X-Forwarded-For": ip}
            ).status_code
            for ip in ("203.0.113.7", "203.0.113.7", "203.0.113.7", "198.51.100.1")
        ]
        assert statuses == [202, 202, 429, 202]  # the limit is per forwarded address
        https = client.post(
            f"/f/{form['key']}", data=VISITOR, headers={**proxied, "X-Forwarded-For": "192.0.2.9"}
        )
        assert https.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        app.extensions["lc_redis"].close()
        app.extensions["lc_engine"].dispose()
