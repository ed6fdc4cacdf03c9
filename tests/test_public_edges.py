"""The edges of ``POST /f/<key>``: bodies nested too deeply, text no person can
type, declared charsets, too many fields, small error answers and CORS headers
that only ever name a normalised, allowed origin. Real app, real Redis."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from redis import Redis
from rq import Queue
from werkzeug.test import EnvironBuilder

from capture.app import create_app
from capture.public.intake import MAX_FIELDS
from crm_core.forms.messages import text
from worker.queues import SUBMISSIONS

JSON = {"Accept": "application/json"}
ORIGIN = {"Origin": "https://example.com", **JSON}
URLENCODED = "application/x-www-form-urlencoded"
VALID = "email=ana%40example.com"


def queue(redis: Redis) -> Queue:
    return Queue(SUBMISSIONS, connection=redis, serializer="json")


def post(client: Any, key: str, body: bytes | str, content_type: str, **headers: str) -> Any:
    return client.post(f"/f/{key}", data=body, content_type=content_type, headers={**ORIGIN, **headers})


def multipart(parts: list[tuple[str, bytes]], boundary: str = "XyZ") -> tuple[bytes, str]:
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
        for name, value in parts
    )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


# --- Nesting -------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 1000 + b"]" * 1000,
        b'{"name": ' + b"[" * 1000 + b"]" * 1000 + b"}",
        b'{"name": ' + b'{"a":' * 600 + b"1" + b"}" * 600 + b"}",
        b'{"name": "[[[[", "email": ' + b"[" * 5000,  # unclosed, and brackets inside a string
    ],
)
def test_deeply_nested_json_is_a_400_not_a_500(client, make_form, redis, body):
    form = make_form()
    response = post(client, form["key"], body, "application/json")
    assert response.status_code == 400
    assert "nested" in response.get_json()["error"]
    assert queue(redis).count == 0


def test_a_little_nesting_is_an_ordinary_field_error(client, make_form, redis):
    form = make_form()
    body = {"name": [["Ana"]], "email": "ana@example.com", "company": {"a": {"b": ["c"]}}}
    response = post(client, form["key"], json.dumps(body), "application/json")
    assert response.status_code == 400
    assert set(response.get_json()["fields"]) == {"name", "company"}


# --- Text no person can type -----------------------------------------------------


def _json_with(name_value: str) -> bytes:
    return b'{"email": "ana@example.com", "name": "' + name_value.encode() + b'"}'


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (f"name=Ana%00Pop&{VALID}".encode(), URLENCODED),  # NUL
        (f"name=Ana%FF&{VALID}".encode(), URLENCODED),  # invalid UTF-8, percent-encoded
        (b"name=Ana\xff&" + VALID.encode(), URLENCODED),  # invalid UTF-8, raw
        (b"name=%ED%A0%80&" + VALID.encode(), URLENCODED),  # a UTF-8-encoded surrogate
        (f"name=Ana%00&{VALID}".encode(), URLENCODED + "; charset=utf-8"),
        (_json_with("Ana\\u0000"), "application/json"),
        (_json_with("\\ud800"), "application/json"),  # a lone surrogate
        (_json_with("Ana\\udfff Pop"), "application/json"),
        (b'{"email": "ana@example.com", "name": "Ana\xff"}', "application/json"),
        (b'{"email": "ana@example.com", "name": "Ana\xed\xa0\x80"}', "application/json"),
        multipart([("name", b"Ana\xff"), ("email", b"ana@example.com")]),
        multipart([("name", b"Ana\x00"), ("email", b"ana@example.com")]),
    ],
)
@pytest.mark.parametrize("language", ["en", "ro", "lt", "fr"])
def test_text_no_person_can_type_is_refused_naming_the_field(
    client, make_form, redis, body, content_type, language
):
    form = make_form(language=language)
    response = post(client, form["key"], body, content_type)
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["fields"] == {"name": [text(language, "untypable")]}
    assert answer["error"] == text(language, "invalid")
    assert queue(redis).count == 0


def test_untypable_text_in_meta_fields_and_names_is_refused_too(client, make_form, redis):
    form = make_form()
    page = post(client, form["key"], f"name=Ana&{VALID}&_lc_page=https://example.com/%FF", URLENCODED)
    assert (page.status_code, page.get_json()["fields"]) == (400, {"_lc_page": [text("en", "untypable")]})
    name = post(
        client, form["key"], b'{"name": "Ana", "email": "a@example.com", "x\\ud800": 1}', "application/json"
    )
    assert name.status_code == 400
    assert name.get_json()["fields"] == {"x\ufffd": [text("en", "untypable")]}  # shown, never echoed raw
    assert queue(redis).count == 0


def test_the_page_without_javascript_shows_the_error_and_the_text_marked(client, make_form, redis):
    form = make_form()
    response = client.post(
        f"/f/{form['key']}",
        data=f"name=Ana%FFPop&{VALID}",
        content_type=URLENCODED,
        headers={"Origin": "https://example.com", "Accept": "text/html"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert text("en", "untypable") in page
    assert 'value="Ana\ufffdPop"' in page
    assert queue(redis).count == 0


# --- Declared charsets -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("name=Łukasz Šimon&".encode("cp1250") + VALID.encode(), URLENCODED + "; charset=windows-1250"),
        (b"name=%A3ukasz+%8Aimon&" + VALID.encode(), URLENCODED + "; charset=windows-1250"),
        (b"name=%A3ukasz+%8Aimon&" + VALID.encode(), URLENCODED + '; charset="CP1250"'),
        (
            '{"name": "Łukasz Šimon", "email": "ana@example.com"}'.encode("cp1250"),
            "application/json; charset=cp1250",
        ),
        ("name=Łukasz Šimon&".encode() + VALID.encode(), URLENCODED + "; charset=UTF-8"),
    ],
)
def test_a_declared_charset_is_honoured(client, make_form, redis, body, content_type):
    form = make_form()
    response = post(client, form["key"], body, content_type)
    assert response.status_code == 202, response.get_json()
    [payload] = queue(redis).fetch_job(response.get_json()["id"]).args
    assert payload["values"]["name"] == "Łukasz Šimon"


def test_a_byte_the_declared_charset_does_not_have_is_refused_naming_the_field(client, make_form, redis):
    form = make_form()
    response = post(client, form["key"], b"name=%81&" + VALID.encode(), URLENCODED + "; charset=windows-1250")
    assert (response.status_code, response.get_json()["fields"]) == (400, {"name": [text("en", "untypable")]})


@pytest.mark.parametrize(
    "charset",
    ["no-such-charset", "utf-16", "utf-7", "unicode_escape", "rot13", "base64", "idna", "x" * 300],
)
@pytest.mark.parametrize("mimetype", [URLENCODED, "application/json"])
def test_a_charset_that_cannot_be_read_is_refused_in_plain_words(client, make_form, redis, charset, mimetype):
    form = make_form()
    body = f"name=Ana&{VALID}" if mimetype == URLENCODED else '{"name": "Ana", "email": "ana@example.com"}'
    response = post(client, form["key"], body, f"{mimetype}; charset={charset}")
    assert response.status_code == 415
    assert "UTF-8" in response.get_json()["error"]
    assert len(response.get_data()) < 300
    assert queue(redis).count == 0


# --- Small error answers, field caps ---------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ro", "lt", "fr"])
def test_a_400_lists_at_most_five_unknown_fields(client, make_form, redis, language):
    form = make_form(language=language)
    body = {"name": "", "email": "ana@example.com", **{f"extra{n}": "x" for n in range(40)}}
    response = post(client, form["key"], json.dumps(body), "application/json")
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["fields"]["name"] == [text(language, "required")]
    unknown = [name for name in answer["fields"] if name.startswith("extra")]
    assert unknown == [f"extra{n}" for n in range(5)]
    assert answer["error"] == f"{text(language, 'invalid')} {text(language, 'more_unknown', n=35)}"


def test_a_long_unknown_name_is_shortened_in_the_answer(client, make_form):
    form = make_form()
    response = post(client, form["key"], f"name=Ana&{VALID}&{'y' * 20000}=1", URLENCODED)
    assert response.status_code == 400
    [name] = response.get_json()["fields"]
    assert name.startswith("yyy") and name.endswith("…") and len(name) <= 101
    assert len(response.get_data()) < 1000


def _too_many(kind: str) -> tuple[bytes, str]:
    names = ["name", "email"] + [f"f{n}" for n in range(MAX_FIELDS)]
    if kind == "json":
        return json.dumps(dict.fromkeys(names, "a@example.com")).encode(), "application/json"
    if kind == "multipart":
        return multipart([(name, b"a@example.com") for name in names])
    return "&".join(f"{name}=a%40example.com" for name in names).encode(), URLENCODED


@pytest.mark.parametrize("kind", ["urlencoded", "json", "multipart"])
def test_the_field_count_cap_applies_to_every_body_type(client, make_form, redis, kind):
    form = make_form()
    body, content_type = _too_many(kind)
    response = post(client, form["key"], body, content_type)
    assert response.status_code == 413
    assert response.get_json()["error"] == f"The submission has more than {MAX_FIELDS} fields."
    assert response.headers["Access-Control-Allow-Origin"] == "https://example.com"
    assert queue(redis).count == 0


# --- CORS --------------------------------------------------------------------------------


def _chunked_too_large(app: Any, key: str, origin: str) -> tuple[str, dict[str, str]]:
    limit = app.config["LC_SETTINGS"].max_body_bytes
    environ = EnvironBuilder(
        path=f"/f/{key}",
        method="POST",
        data=b"name=" + b"x" * limit,
        headers={"Origin": origin, **JSON},
        content_type=URLENCODED,
    ).get_environ()
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    started: list[tuple[str, dict[str, str]]] = []
    b"".join(app(environ, lambda status, headers, exc=None: started.append((status, dict(headers)))))
    return started[0]


@pytest.mark.parametrize(
    ("origin", "answered"),
    [
        ("https://EXAMPLE.com", "https://example.com"),
        ("https://example.com:443", "https://example.com"),
        ("HTTPS://www.Example.ORG", "https://www.example.org"),
        ("https://example.com.", "https://example.com."),  # the same host: its browser sends the dot
    ],
)
def test_cors_names_only_the_normalised_allowed_origin(app, client, make_form, redis, origin, answered):
    form = make_form()
    key = form["key"]
    headers = {"Origin": origin}

    def allow(response: Any) -> str | None:
        return response.headers.get("Access-Control-Allow-Origin")

    accepted = post(client, key, f"name=Ana&{VALID}", URLENCODED, **headers)
    assert (accepted.status_code, allow(accepted)) == (202, answered)
    invalid = post(client, key, "name=", URLENCODED, **headers)
    assert (invalid.status_code, allow(invalid)) == (400, answered)
    bad_body = post(client, key, "[1]", "application/json", **headers)
    assert (bad_body.status_code, allow(bad_body)) == (400, answered)
    status, too_large = _chunked_too_large(app, key, origin)
    assert (status[:3], too_large.get("Access-Control-Allow-Origin")) == ("413", answered)
    preflight = client.options(f"/f/{key}", headers={**headers, "Access-Control-Request-Method": "POST"})
    assert (preflight.status_code, allow(preflight)) == (204, answered)


def test_a_429_and_a_503_name_the_normalised_origin(settings, make_form, redis):
    app = create_app(replace(settings, rate_limit_ip="1/60"))
    form = make_form()
    client = app.test_client()
    headers = {"Origin": "https://Www.Example.org:443"}
    # A full Redis (maxmemory reached, noeviction) refuses writes: the cached form
    # is still read, the queueing fails.
    maxmemory = redis.config_get("maxmemory")["maxmemory"]
    redis.config_set("maxmemory", 1)
    try:
        unavailable = post(client, form["key"], f"name=Ana&{VALID}", URLENCODED, **headers)
    finally:
        redis.config_set("maxmemory", maxmemory)
    try:
        assert unavailable.status_code == 503
        assert unavailable.headers["Access-Control-Allow-Origin"] == "https://www.example.org"
        assert post(client, form["key"], f"name=Ana&{VALID}", URLENCODED, **headers).status_code == 202
        limited = post(client, form["key"], f"name=Bob&{VALID}", URLENCODED, **headers)
        assert limited.status_code == 429
        assert limited.headers["Access-Control-Allow-Origin"] == "https://www.example.org"
    finally:
        app.extensions["lc_redis"].close()
        app.extensions["lc_engine"].dispose()


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",  # well formed, not allowed
        "https://example.com/page",  # an Origin has no path
        "https://evil.com\x00.example.org",
        "https://a..example.org",
        "https://-a.example.org",
        "https://%65vil.example.org",
        "https://xn--zz.example.org",
        "https://ex ample.com",
        "null",
    ],
)
def test_a_refused_or_malformed_origin_is_never_reflected(app, client, make_form, redis, origin):
    form = make_form()
    key = form["key"]
    environ = EnvironBuilder(
        path=f"/f/{key}", method="POST", data=f"name=Ana&{VALID}", content_type=URLENCODED, headers=JSON
    ).get_environ()
    environ["HTTP_ORIGIN"] = origin  # as a server passes it, whatever the bytes
    started: list[tuple[str, dict[str, str]]] = []
    body = b"".join(app(environ, lambda status, headers, exc=None: started.append((status, dict(headers)))))
    [(status, headers)] = started
    assert status.startswith("403")
    # Readable by any page (the snippet says why), without naming the refused origin.
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert json.loads(body)["error"] == "This form does not accept submissions from this website."
    preflight_environ = {**environ, "REQUEST_METHOD": "OPTIONS", "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST"}
    started.clear()
    b"".join(
        app(preflight_environ, lambda status, headers, exc=None: started.append((status, dict(headers))))
    )
    [(status, headers)] = started
    assert status.startswith("403") and "Access-Control-Allow-Origin" not in headers
    assert queue(redis).count == 0


def test_an_origin_sent_as_utf8_bytes_is_read_as_its_punycode(app, make_form, redis):
    """A server hands header bytes over as latin-1 text; a (non-browser) client
    that sends a Unicode host is read as UTF-8, as its punycode."""
    form = make_form(allowed_domains=["münchen.de"])
    environ = EnvironBuilder(
        path=f"/f/{form['key']}",
        method="POST",
        data=f"name=Ana&{VALID}",
        content_type=URLENCODED,
        headers=JSON,
    ).get_environ()
    environ["HTTP_ORIGIN"] = "https://münchen.de".encode().decode("latin-1")
    started: list[tuple[str, dict[str, str]]] = []
    b"".join(app(environ, lambda status, headers, exc=None: started.append((status, dict(headers)))))
    [(status, headers)] = started
    assert status.startswith("202")
    assert headers["Access-Control-Allow-Origin"] == "https://xn--mnchen-3ya.de"


# --- Odd framing ---------------------------------------------------------------------------


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
@pytest.mark.parametrize(
    ("length", "status"),
    [
        ("9999", 400),  # more than arrives: the client went away mid-body
        ("²", 400),  # a digit to str.isdigit, not to int()
        ("-5", 400),
        ("5", 400),  # less than was sent: the rest is ignored
    ],
)
def test_a_content_length_that_does_not_match_the_body_is_a_4xx(
    app, make_form, redis, caplog, accept, length, status
):
    form = make_form()
    environ = EnvironBuilder(
        path=f"/f/{form['key']}",
        method="POST",
        data=f"name=Ana&{VALID}",
        content_type=URLENCODED,
        headers={"Origin": "https://example.com", "Accept": accept},
    ).get_environ()
    environ["CONTENT_LENGTH"] = length
    started: list[str] = []
    b"".join(app(environ, lambda status, headers, exc=None: started.append(status)))
    assert [int(s[:3]) for s in started] == [status]
    assert "ERROR" not in caplog.text and "Traceback" not in caplog.text
    assert queue(redis).count == 0
