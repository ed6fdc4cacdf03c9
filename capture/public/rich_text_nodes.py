"""Admin-authored rich text (the consent text) as a tree of plain values, for the
snippet to build with ``createElement`` and text nodes.

The snippet must not parse HTML: on a host page that enforces Trusted Types
(``require-trusted-types-for 'script'``) every string-to-HTML call
(``innerHTML``, ``DOMParser``, ``createContextualFragment``) throws. Python's
parser decodes every character reference exactly, which a few hundred bytes of
JavaScript could not."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from crm_core.text.rich import ALLOWED_TAGS

# A node is a string (text) or [tag, {"href": url} or {}, *children].
Node = str | list[Any]


def rich_text_nodes(html: str) -> list[Node]:
    """The tree of an already sanitised rich text: ``a b i strong em`` and text;
    anything else is unwrapped to its text; ``a`` keeps only an http(s) ``href``."""
    parser = _TreeBuilder()
    parser.feed(html)
    parser.close()
    return parser.root


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: list[Node] = []
        self.open: list[list[Any]] = []  # the elements not yet closed, outermost first

    def _children(self) -> list[Any]:
        return self.open[-1] if self.open else self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            return
        href = dict(attrs).get("href") or ""
        keep = {"href": href} if tag == "a" and href.lower().startswith(("https://", "http://")) else {}
        element: list[Any] = [tag, keep]
        self._children().append(element)
        self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        children = self._children()
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)
