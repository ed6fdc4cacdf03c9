"""The Origin check: exact host or explicit *. wildcard, never suffix/substring."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_core.forms.domains import (
    InvalidDomain,
    canonical_origin,
    normalize_domains,
    origin_allowed,
    origin_of,
)

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")

ALLOWED = normalize_domains(["example.com", "*.example.org", "localhost:5000", "https://shop.example.net"])


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://example.com", True),
        ("http://example.com", True),
        ("https://EXAMPLE.com", True),
        ("https://www.example.com", False),  # no wildcard for example.com
        ("https://evil-example.com", False),
        ("https://example.com.evil.net", False),
        ("https://notexample.com", False),
        ("https://example.com:8443", False),  # other port
        ("ftp://example.com", False),  # other scheme
        ("https://a.example.org", True),
        ("https://a.b.example.org", True),
        ("https://example.org", False),  # the wildcard is for subdomains only
        ("https://evilexample.org", False),
        ("https://example.org.evil.com", False),
        ("http://localhost:5000", True),
        ("http://localhost:5001", False),
        ("http://localhost", False),
        ("https://shop.example.net", True),
        ("http://shop.example.net", False),  # the entry pins https
        ("null", False),
        ("", False),
        (None, False),
        ("https://user:pw@example.com", False),
        ("javascript:alert(1)", False),
    ],
)
def test_origin_cases(origin: str | None, allowed: bool) -> None:
    assert origin_allowed(origin, ALLOWED) is allowed


def test_entries_are_normalised_and_validated() -> None:
    assert normalize_domains([" Example.COM. ", "*.Example.org", "münchen.de", "example.com"]) == [
        "example.com",
        "*.example.org",
        "xn--mnchen-3ya.de",
    ]
    for bad in [
        "exa mple.com",
        "*.com",
        "foo.*.com",
        "https://example.com/path",
        "ftp://x.com",
        "a:99999",
        "-a.com",
    ]:
        with pytest.raises(InvalidDomain):
            normalize_domains([bad])


def test_referer_gives_its_origin() -> None:
    assert origin_of("https://www.example.com/page?x=1#f") == "https://www.example.com"
    assert origin_of("http://localhost:5000/") == "http://localhost:5000"
    assert origin_of("about:blank") is None


_label = st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True)


@given(
    prefix=st.text(alphabet="abcxyz-.", min_size=1, max_size=8), suffix=st.text(alphabet="abc.-", max_size=8)
)
def test_near_misses_never_pass(prefix: str, suffix: str) -> None:
    """Whatever is glued before or after the allowed host, it is a different host."""
    for host in (f"{prefix}example.com{suffix}", f"example.com{suffix}x"):
        if host in ("example.com",):
            continue
        assert not origin_allowed(f"https://{host}", ["example.com"])


@given(sub=_label)
def test_wildcard_allows_any_subdomain(sub: str) -> None:
    assert origin_allowed(f"https://{sub}.example.org", ["*.example.org"])


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.com\x00.example.org",  # NUL: a different host to any resolver, never a subdomain
        "https://a..example.org",  # empty label
        "https://-a.example.org",  # a label starting with a hyphen
        "https://a-.example.org",  # … or ending with one
        "https://a_b.example.org",  # not a DNS label
        "https://" + "a" * 64 + ".example.org",  # a label longer than 63
        "https://%65vil.example.org",  # percent-encoded
        "https://evil.com%2e.example.org",
        "https://evil.com\\.example.org",
        "https://evil.com .example.org",
        "https://evil.com\t.example.org",
        "https://xn--.example.org",  # punycode garbage
        "https://xn--zz.example.org",
        "https://xn--abc-.example.org",  # an A-label that does not decode to anything non-ASCII
        "https://.example.org",
        "https://*.example.org",
        "https://a.example.org..",
        "https://a.example.org/path",  # an Origin has no path …
        "https://a.example.org?x",  # … query …
        "https://a.example.org#x",  # … or fragment
        "https://a.example.org:0",
        "https://a.example.org:99999",
        "https://a.example.org:abc",
        "https://[::1]",
    ],
)
def test_a_malformed_host_never_matches_a_wildcard(origin: str) -> None:
    assert not origin_allowed(origin, ["*.example.org"])
    assert canonical_origin(origin) is None


@pytest.mark.parametrize(
    ("origin", "canonical"),
    [
        ("https://A.Example.ORG", "https://a.example.org"),
        ("https://a.example.org:443", "https://a.example.org"),
        ("https://bücher.example.org", "https://xn--bcher-kva.example.org"),
        ("https://BÜCHER.example.org", "https://xn--bcher-kva.example.org"),
        ("https://XN--BCHER-KVA.example.org", "https://xn--bcher-kva.example.org"),
        ("https://bücher。example。org", "https://xn--bcher-kva.example.org"),  # ideographic full stops
    ],
)
def test_case_and_unicode_forms_match_as_their_punycode(origin: str, canonical: str) -> None:
    assert canonical_origin(origin) == canonical
    assert origin_allowed(origin, ["*.example.org"])
    assert origin_allowed(origin, [canonical.removeprefix("https://")])


def test_a_unicode_rule_matches_the_punycode_a_browser_sends() -> None:
    assert origin_allowed("https://xn--mnchen-3ya.de", ["münchen.de"])
    assert origin_allowed("https://shop.xn--mnchen-3ya.de", ["*.MÜNCHEN.de"])


def test_characters_that_idna_2003_and_browsers_map_differently_are_refused() -> None:
    """Python's codec (IDNA 2003) maps ß to ss; browsers (UTS-46) keep it, so
    "faß.de" would silently allow fass.de, a different site."""
    with pytest.raises(InvalidDomain):
        normalize_domains(["faß.de"])
    assert not origin_allowed("https://faß.de", ["fass.de"])
    assert normalize_domains(["xn--fa-hia.de"]) == ["xn--fa-hia.de"]
    assert origin_allowed("https://xn--fa-hia.de", ["xn--fa-hia.de"])


def test_a_trailing_dot_is_the_same_host_and_the_origin_keeps_it() -> None:
    """``example.com.`` is the fully qualified form of ``example.com`` (same DNS
    name, same site); a browser on it sends ``Origin: https://example.com.``
    and compares our Access-Control-Allow-Origin with that byte for byte."""
    assert origin_allowed("https://example.com.", ["example.com"])
    assert origin_allowed("https://a.example.org.", ["*.example.org"])
    assert origin_allowed("https://example.com", ["example.com."])
    assert not origin_allowed("https://example.org.", ["*.example.org"])
    assert canonical_origin("https://Example.COM.:443") == "https://example.com."
    assert origin_of("https://example.com./page") == "https://example.com."
    assert not origin_allowed("https://example.com..", ["example.com"])


@given(host=st.text(min_size=1, max_size=30))
def test_whatever_the_host_a_match_is_a_real_subdomain(host: str) -> None:
    origin = canonical_origin(f"https://{host}")
    if origin_allowed(f"https://{host}", ["*.example.org"]):
        assert origin is not None
        labels = origin.removeprefix("https://").rstrip(".").split(".")
        assert labels[-2:] == ["example", "org"] and len(labels) > 2
        assert all(_LABEL.fullmatch(label) for label in labels)
