"""Note text: escaped, with http(s) addresses — and nothing else — made into
links; a unit test of the one function (``capture.admin.linkify``)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from capture.admin.linkify import linkify
from tests.prospects.test_escaping import PAYLOADS

ATTRS = 'rel="noopener noreferrer nofollow" target="_blank"'


def link(url: str) -> str:
    return f'<a href="{url}" {ATTRS}>{url}</a>'


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("plain text", "plain text"),
        ("see https://example.com/offer.", f"see {link('https://example.com/offer')}."),
        (
            "https://example.com/a, https://example.com/b;",
            f"{link('https://example.com/a')}, {link('https://example.com/b')};",
        ),
        ("(https://example.com/x)", f"({link('https://example.com/x')})"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)!", f"{link('https://en.wikipedia.org/wiki/Foo_(bar)')}!"),
        ("https://example.com/?a=1&b=2", link("https://example.com/?a=1&amp;b=2")),
        (
            'https://example.com/"onmouseover="alert(1)',
            f"{link('https://example.com/')}&#34;onmouseover=&#34;alert(1)",
        ),
        (
            "https://example.com/<script>alert(1)</script>",
            f"{link('https://example.com/')}&lt;script&gt;alert(1)&lt;/script&gt;",
        ),
        ("https://example.com/it's", link("https://example.com/it&#39;s")),
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("JavaScript://example.com/%0aalert(1)", "JavaScript://example.com/%0aalert(1)"),
        ("data:text/html,<b>x</b>", "data:text/html,&lt;b&gt;x&lt;/b&gt;"),
        ("javascript:https://example.com", f"javascript:{link('https://example.com')}"),
        ("xhttps://example.com", "xhttps://example.com"),
        ("https:// nothing", "https:// nothing"),
        ("http://", "http://"),
        ("HTTP://EXAMPLE.COM/Ș", link("HTTP://EXAMPLE.COM/Ș")),
        ("line one\nhttps://example.com\n<b>", f"line one\n{link('https://example.com')}\n&lt;b&gt;"),
        ("", ""),
    ],
)
def test_links_and_text(typed: str, shown: str) -> None:
    assert str(linkify(typed)) == shown


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text += data


CORPUS = [
    *PAYLOADS.values(),
    "<a href=javascript:alert(1)>x</a> https://ok.example/",
    'https://a.example/"><img src=x onerror=alert(1)>',
    "https://a.example/'onmouseover='alert(1)'",
    "&lt;script&gt; https://a.example/&amp;x",
    "`https://a.example/`x",
    "https://a.example/\u202e<svg/onload=alert(1)>",
]


@pytest.mark.parametrize("typed", CORPUS)
def test_the_output_reads_as_typed_and_holds_only_safe_links(typed: str) -> None:
    reader = _Reader()
    reader.feed(str(linkify(typed)))
    reader.close()
    assert reader.text == typed  # every character shown, none turned into markup
    for tag, attrs in reader.tags:
        assert tag == "a"
        assert set(attrs) == {"href", "rel", "target"}
        assert (attrs["href"] or "").lower().startswith(("http://", "https://"))
        assert attrs["rel"] == "noopener noreferrer nofollow" and attrs["target"] == "_blank"
