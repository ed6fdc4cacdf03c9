"""Admin-authored rich text (thank-you message, consent text). Visitor text is
never passed through here: it is stored as typed and escaped on output."""

from __future__ import annotations

import html

import bleach

ALLOWED_TAGS = frozenset({"a", "b", "i", "strong", "em"})


def _safe_href(tag: str, name: str, value: str) -> bool:
    return name == "href" and value.lower().startswith(("https://", "http://"))


def clean_rich_text(text: str) -> str:
    return bleach.clean(text, tags=ALLOWED_TAGS, attributes={"a": _safe_href}, strip=True).strip()


def plain_text(text: str) -> str:
    """The words of a rich text without any markup, for places that take text only."""
    return html.unescape(bleach.clean(text, tags=set(), strip=True)).strip()
