"""Mails rendered from Jinja templates (``templates/<kind>.html`` and
``.txt``, around a shared layout) in the recipient's language. The HTML part
is autoescaped — a visitor's ``<script>`` arrives as text — and uses no
styles or scripts, so it reads the same in every mail client and in the
admin's Outbox under a strict CSP; the text part is the same words, unescaped."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from crm_core.notifications.messages import language_of, text


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("crm_core.notifications", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(kind: str, language: str, subject: str, **context: Any) -> Rendered:
    """``subject`` is a message key; ``context`` fills it and the templates."""
    language = language_of(language)

    def t(key: str, **values: Any) -> str:
        return text(language, key, **values)

    env = _environment()
    title = " ".join(t(subject, **context.pop("subject_values", {})).split())[:300]
    values = {"t": t, "language": language, "title": title, "settings_url": None, **context}
    return Rendered(
        subject=title,
        text=env.get_template(f"{kind}.txt").render(values),
        html=env.get_template(f"{kind}.html").render(values),
    )
