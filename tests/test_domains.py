"""The Origin check: exact host or explicit *. wildcard, never suffix/substring."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_core.forms.domains import InvalidDomain, normalize_domains, origin_allowed, origin_of

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
