"""Admin-authored rich text (a consent text, a thank-you message) shown in the
admin as the visitor saw it: its links are links. Always cleaned again on the
way out — a prospect keeps the text of the form version the visitor saw, which
may predate today's cleaning rules — so stored text never reaches a page as is."""

from __future__ import annotations

from markupsafe import Markup

from crm_core.text.rich import clean_rich_text


def rich_text(value: str | None) -> Markup:
    """``{{ p.consent_text|rich_text }}``: the allowed tags, everything else escaped."""
    return Markup(clean_rich_text(value or ""))  # noqa: S704 (bleach's output: only the allowed tags)
