"""No input to ``POST /f/<key>`` makes a 500: arbitrary bodies, content types,
charsets and headers, through the whole WSGI stack (the JSON path ahead of
Flask, and Flask's HTML path for ``Accept: text/html``), and never a traceback
or an error in the log. Every answer that lets a page read it names only a
canonical, allowed origin (or ``*`` for a refusal)."""

from __future__ import annotations

import io
import json
import logging
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder

from capture.app import create_app
from crm_core.forms.domains import canonical_origin, origin_allowed

FIELDS = [
    {"name": "name", "label": "Name", "required": True},
    {"name": "email", "label": "Email", "type": "email", "required": True},
    {"name": "phone", "label": "Phone", "type": "tel"},
    {"name": "description", "label": "Message", "type": "textarea"},
    {"name": "cf_budget", "label": "Budget", "type": "select", "options": ["small", "large"]},
    {"name": "cf_terms", "label": "Terms", "type": "checkbox"},
]
ALLOWED = ["example.com", "*.example.org"]
OWN_ORIGIN = "http://localhost"  # what the test environ's host makes of our own origin

# Any character a header or a body can carry, lone surrogates included.
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
LATIN1 = st.text(st.characters(max_codepoint=255), max_size=60)


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, each drawn about ``weight`` times in a hundred
    (``one_of`` leans hard on its first branch and on the simplest values)."""
    slots = [index for index, (weight, _) in enumerate(choices) for _ in range(weight)]
    return st.sampled_from(slots).flatmap(lambda index: choices[index][1])


NAMES = st.one_of(
    st.sampled_from(
        [f["name"] for f in FIELDS]
        + ["_lc_id", "_lc_hp", "_lc_ts", "_lc_page", "_lc_ref", "_lc_consent", "utm_source", "gclid", ""]
    ),
    ANY_TEXT,
)
VALUES = st.one_of(
    st.sampled_from(["Ana", "ana@example.com", "+40 721 000 000", "small", "on", "", "Ștefan Žemaitė"]),
    ANY_TEXT,
)
EXTRA_PAIRS = st.lists(st.tuples(NAMES, VALUES), max_size=8)
VALID = [("name", "Ana"), ("email", "ana@example.com"), ("_lc_consent", "1")]


@st.composite
def pairs(draw: st.DrawFn) -> list[tuple[str, str]]:
    """Mostly a valid submission with something added or changed."""
    base = draw(st.sampled_from([VALID, VALID, VALID[:2], []]))
    extra = draw(EXTRA_PAIRS)
    mixed = [*base, *extra]
    return draw(st.permutations(mixed)) if draw(st.booleans()) else mixed


def _encoded(text: str, charset: str) -> bytes:
    return text.encode(charset, "surrogatepass" if charset == "utf-8" else "replace")


@st.composite
def urlencoded(draw: st.DrawFn) -> tuple[bytes, str]:
    charset = draw(st.sampled_from(["utf-8", "cp1250", "latin-1"]))
    content_type = "application/x-www-form-urlencoded"
    if charset != "utf-8" or draw(st.booleans()):
        content_type += f"; charset={charset}"
    items = draw(pairs())
    if draw(st.booleans()):
        return "&".join(
            f"{quote(_encoded(k, charset))}={quote(_encoded(v, charset))}" for k, v in items
        ).encode(), (content_type)
    # Raw, unescaped bytes, as a careless client sends them.
    return b"&".join(_encoded(k, charset) + b"=" + _encoded(v, charset) for k, v in items), content_type


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | VALUES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NAMES, inner, max_size=4),
    max_leaves=20,
)


@st.composite
def json_body(draw: st.DrawFn) -> tuple[bytes, str]:
    content_type = draw(st.sampled_from(["application/json", "application/json; charset=utf-8"]))
    kind = draw(st.sampled_from(["object", "object", "any", "nested", "unclosed"]))
    if kind == "object":
        data: dict[str, Any] = dict(draw(pairs()))
        data.update(draw(st.dictionaries(NAMES, JSON_VALUES, max_size=4)))
        return json.dumps(data).encode(), content_type
    if kind == "any":
        return json.dumps(draw(JSON_VALUES)).encode(), content_type
    depth = draw(st.integers(1, 3000))
    opener = draw(st.sampled_from(["[", '{"a":', '{"name": [']))
    closer = {"[": "]", '{"a":': "}", '{"name": [': "]}"}[opener]
    tail = closer * depth if kind == "nested" else ""
    return (opener * depth + "1" + tail).encode(), content_type


@st.composite
def multipart(draw: st.DrawFn) -> tuple[bytes, str]:
    boundary = "XyZ"
    parts = []
    for name, value in draw(pairs()):
        header = f'Content-Disposition: form-data; name="{name}"'
        if draw(st.integers(0, 9)) == 0:
            header += '; filename="a.txt"'
        if draw(st.integers(0, 5)) == 0:
            header += "\r\nContent-Type: " + draw(
                st.sampled_from(["text/plain; charset=latin-1", "text/plain"])
            )
        parts.append(
            _encoded(f"--{boundary}\r\n{header}\r\n\r\n", "utf-8") + _encoded(value, "utf-8") + b"\r\n"
        )
    ending = draw(st.sampled_from([f"--{boundary}--\r\n".encode()] * 4 + [b"", b"--"]))
    return b"".join(parts) + ending, f"multipart/form-data; boundary={boundary}"


COHERENT = st.one_of(urlencoded(), json_body(), multipart())
CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=UTF-8",
            "application/x-www-form-urlencoded; charset=windows-1250",
            "application/x-www-form-urlencoded; charset=latin-1",
            "application/x-www-form-urlencoded; charset=utf-16",
            "application/x-www-form-urlencoded; charset=shift_jis",
            "application/x-www-form-urlencoded; charset=no-such-thing",
            "application/json",
            "application/json; charset=utf-8",
            "application/json; charset=cp1250",
            "application/json; charset=utf-32",
            "application/merge-patch+json",
            "multipart/form-data; boundary=XyZ",
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "text/plain",
            "",
        ]
    ),
    LATIN1,
)
ORIGINS = weighted(
    (70, st.sampled_from(["https://example.com", "https://www.example.org", "https://shop.example.org"])),
    (
        15,
        st.sampled_from(
            [
                None,
                "https://EXAMPLE.com.",
                "https://example.org",
                "https://evil.com\x00.example.org",
                "https://a..example.org",
                "https://xn--zz.example.org",
                "http://localhost",
                "null",
                "https://m\xc3\xbcnchen.example.org",  # UTF-8 bytes as a server hands them over
            ]
        ),
    ),
    (15, LATIN1),
)
ACCEPTS = weighted(
    (45, st.just("application/json")),
    (30, st.sampled_from(["text/html,application/xhtml+xml,*/*;q=0.8", "text/html"])),
    (15, st.sampled_from([None, "*/*", "text/*", "application/json, text/html;q=0.9"])),
    (10, LATIN1),
)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly a body in the content type it claims (mostly a real submission
    with a twist), else any body with any content type."""
    if draw(st.sampled_from([True] * 7 + [False] * 3)):
        body, content_type = draw(COHERENT)
    else:
        body = draw(st.one_of(COHERENT.map(lambda pair: pair[0]), st.binary(max_size=2000)))
        content_type = draw(CONTENT_TYPES)
    length = draw(
        weighted(
            (70, st.just(str(len(body)))),
            (10, st.none()),
            (10, st.integers(0, 70_000).map(str)),
            (10, LATIN1),
        )
    )
    return {
        "body": body,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": length,
        "HTTP_ORIGIN": draw(ORIGINS),
        "HTTP_REFERER": draw(
            weighted((80, st.none()), (10, st.just("https://www.example.org/page?x=1")), (10, LATIN1))
        ),
        "HTTP_ACCEPT": draw(ACCEPTS),
        "key": draw(weighted((90, st.just("FORM")), (5, st.just("nope")), (5, LATIN1))),
    }


@pytest.fixture
def wide_open_app(settings):  # type: ignore[no-untyped-def]
    """Production-like (not TESTING: errors are handled and logged, as in
    production), with rate limits out of the way so accepted paths stay covered."""
    app = create_app(
        replace(
            settings, rate_limit_ip="1000000/60", rate_limit_form="1000000/60", rate_limit_global="1000000/60"
        )
    )
    yield app
    app.extensions["lc_redis"].close()
    app.extensions["lc_engine"].dispose()


def _call(app: Any, request: dict[str, Any], key: str) -> tuple[int, dict[str, str], bytes]:
    path = "/f/" + (key if request["key"] == "FORM" else request["key"])
    environ = EnvironBuilder(path="/", method="POST").get_environ()
    environ["PATH_INFO"] = path.encode("utf-8", "surrogatepass").decode("latin-1")
    environ["wsgi.input"] = io.BytesIO(request["body"])
    for name in ("CONTENT_TYPE", "CONTENT_LENGTH", "HTTP_ORIGIN", "HTTP_REFERER", "HTTP_ACCEPT"):
        environ.pop(name, None)
        if request[name] is not None:
            environ[name] = request[name]
    started: list[tuple[str, list[tuple[str, str]]]] = []
    answer = app(environ, lambda status, headers, exc_info=None: started.append((status, headers)))
    try:
        body = b"".join(answer)
    finally:
        getattr(answer, "close", lambda: None)()
    [(status, headers)] = started
    return int(status[:3]), dict(headers), body


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the submit path reads no database
def test_no_input_makes_a_500_or_an_error_in_the_log(wide_open_app, make_form, caplog):
    form = make_form(allowed_domains=ALLOWED, fields=FIELDS, consent_enabled=True, consent_text="I agree")

    @settings(
        max_examples=250,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(request=requests())
    def check(request: dict[str, Any]) -> None:
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            status, headers, body = _call(wide_open_app, request, form["key"])
        assert 200 <= status < 300 or status == 303 or 400 <= status < 500, (status, body[:500])
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
        assert "Traceback" not in caplog.text
        allowed = headers.get("Access-Control-Allow-Origin")
        if allowed is not None:
            assert allowed == "*" or (
                canonical_origin(allowed) == allowed
                and (origin_allowed(allowed, ALLOWED) or allowed == OWN_ORIGIN)
            ), allowed
        if headers.get("Content-Type") == "application/json":
            assert isinstance(json.loads(body), dict)

    check()
