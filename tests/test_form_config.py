"""What an admin may configure on a form: redirect URLs, rich text, domains."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from crm_core.forms.schemas import check_redirect_url
from crm_core.text.rich import clean_rich_text, plain_text

REDIRECT_ABUSE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/thanks",
    "/relative/thanks",
    "https://user:pass@example.com/thanks",
    "https://example.com/thanks\r\nSet-Cookie: x=1",
    "https://example.com/\x00",
    "ftp://example.com/file",
    "https:///no-host",
    "http:evil.example",
    "",
]


@pytest.mark.parametrize("url", REDIRECT_ABUSE)
def test_redirect_url_abuse_is_refused(url: str) -> None:
    with pytest.raises(ValidationError):
        check_redirect_url(url)


@pytest.mark.parametrize("url", ["https://example.com/thanks?x=1#top", "http://localhost:5000/ok"])
def test_plain_http_addresses_are_accepted(url: str) -> None:
    assert check_redirect_url(url) == url


def test_rich_text_keeps_only_safe_markup() -> None:
    dirty = (
        'I agree to the <a href="https://example.com/privacy" onclick="steal()">policy</a>'
        '<script>alert(1)</script><img src=x onerror=alert(1)> <a href="javascript:alert(1)">x</a> & more'
    )
    clean = clean_rich_text(dirty)
    assert (
        clean == 'I agree to the <a href="https://example.com/privacy">policy</a>alert(1) <a>x</a> &amp; more'
    )
    assert plain_text(clean) == "I agree to the policyalert(1) x & more"
