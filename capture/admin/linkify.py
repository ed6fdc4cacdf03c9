"""Text people typed (a note), shown as text with its web addresses clickable
— and nothing else ever becoming markup.

Every character is escaped: the text is cut into plain runs and http(s)
addresses, each run escaped, and only an address becomes an ``<a>`` whose
``href`` and text are that same escaped address. An address ends at a space,
``<``, ``>``, ``"`` or a backtick (none may appear in a URL unencoded), and
trailing punctuation (``.``, ``,``, ``)`` …) stays text, so "see
https://example.com/offer." links to the offer and not to "offer.". Other
schemes (``javascript:``, ``data:``, ``mailto:``) are never linked.

Line breaks are kept by the page's CSS (``white-space: pre-wrap``), not by
inserting markup."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# A candidate: the scheme, then anything up to a character no URL holds unencoded.
_CANDIDATE = re.compile(r"(?<![\w@.+-])https?://[^\s<>\"`{}|\\^]+", re.IGNORECASE)
# What must follow "scheme://": a host, not straight away a path, query or port.
_HAS_HOST = re.compile(r"^https?://[^/?#:@.\s][^/?#]*", re.IGNORECASE)
_TRAILING = ".,;:!?'*"
_CLOSING = {")": "(", "]": "["}
_LINK = Markup('<a href="{0}" rel="noopener noreferrer nofollow" target="_blank">{0}</a>')


def _trim(candidate: str) -> str:
    """Drop trailing punctuation, and a closing bracket that has no opening
    one inside the address ("(see https://example.com/a)")."""
    url = candidate
    while url:
        last = url[-1]
        unbalanced = last in _CLOSING and url.count(last) > url.count(_CLOSING[last])
        if last not in _TRAILING and not unbalanced:
            break
        url = url[:-1]
    return url


def linkify(text: str | None) -> Markup:
    if not text:
        return Markup("")
    parts: list[Markup] = []
    position = 0
    for match in _CANDIDATE.finditer(text):
        url = _trim(match.group())
        if not _HAS_HOST.match(url):
            continue
        parts.append(escape(text[position : match.start()]))
        parts.append(_LINK.format(url))
        position = match.start() + len(url)
    parts.append(escape(text[position:]))
    return Markup("").join(parts)
