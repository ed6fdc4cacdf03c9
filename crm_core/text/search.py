"""Diacritics-folded, lower-case text for searching prospects.

Sales type "Stefan" and expect "Ștefan", "stefan@…" and "ȘTEFAN SRL" alike, on
SQLite and PostgreSQL. Rather than rely on a database extension (``unaccent``
is neither portable nor index-safe), every prospect keeps one derived column,
``search_text``: the folded name, company, email, phone and registration code,
each in its own segment. A filter on one field matches inside its segment; the
quick search matches anywhere. Search terms go through the same ``fold``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

# Segment order inside ``search_text``; the separator cannot survive ``fold``.
# Email comes first so "email starts with" is a prefix of the whole text (a range scan).
SEARCH_FIELDS = ("email", "name", "company", "phone", "registration_code")
SEPARATOR = "\x1f"

# Letters NFKD does not decompose into base letter + accent.
_EXTRA = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "\u0131": "i"})
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x1f\x7f\s]+")


def fold(value: str) -> str:
    """``"  ȘTEFAN  Țăran "`` → ``"stefan taran"``: no accents, lower case, single spaces."""
    if value.isascii():  # most emails, phones and codes: nothing to decompose (an import folds millions)
        return _CONTROL_OR_SPACE.sub(" ", value.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", value.lower().translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _CONTROL_OR_SPACE.sub(" ", stripped.casefold()).strip()


def _phone_segment(phone: str) -> str:
    # "+40 722 123 456" is also found as "0722123456"-style digit runs.
    digits = "".join(ch for ch in phone if ch.isdigit())
    folded = fold(phone)
    return f"{folded} {digits}" if digits and digits != folded else folded


def search_text(values: Mapping[str, Any]) -> str:
    segments = []
    for field in SEARCH_FIELDS:
        raw = str(values.get(field) or "")
        segments.append(_phone_segment(raw) if field == "phone" else fold(raw))
    return SEPARATOR.join(segments)


def phone_digits(phone: str) -> str:
    """``"+40 (722) 123-456"`` → ``"40722123456"``: how duplicates are matched on phone."""
    return "".join(ch for ch in phone if "0" <= ch <= "9")[:50]


def registration_key(code: str) -> str:
    """``"RO 123.456-78"`` → ``"ro12345678"``: how duplicates are matched on registration code."""
    return "".join(ch for ch in fold(code) if ch.isascii() and ch.isalnum())[:50]


def match_keys(values: Mapping[str, Any]) -> dict[str, str]:
    """The prospect's derived duplicate keys, written with ``search_text`` on every insert and edit."""
    return {
        "phone_digits": phone_digits(str(values.get("phone") or "")),
        "registration_key": registration_key(str(values.get("registration_code") or "")),
    }


def email_range(email: str) -> tuple[str, str] | None:
    """``[low, high)`` of the ``search_text`` values whose email segment is exactly ``email``
    (case and accents ignored): an index range scan, with no column of its own."""
    key = fold(email)
    if not key:
        return None
    return key + SEPARATOR, key + chr(ord(SEPARATOR) + 1)


LIKE_ESCAPE = "\\"


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def prefix_range(term: str) -> tuple[str, str]:
    """``[low, high)`` holding every text that starts with ``term`` in byte / code point order."""
    return term, term[:-1] + chr(ord(term[-1]) + 1)


def anywhere_pattern(term: str) -> str:
    """LIKE pattern for a folded term anywhere in ``search_text``."""
    return f"%{_escape_like(term)}%"


def field_pattern(field: str, term: str, *, prefix: bool = False) -> str:
    """LIKE pattern matching a folded term inside one field's segment.

    ``search_text`` holds exactly ``len(SEARCH_FIELDS) - 1`` separators, so
    pinning the number of separators before and after the term pins it to
    its segment: company "%" + SEP + "%ana%" + SEP + "%" + SEP + "%" + SEP + "%".
    With ``prefix`` the term must start the segment.
    """
    index = SEARCH_FIELDS.index(field)
    before = (f"%{SEPARATOR}" * index) if index else ""
    after = f"%{SEPARATOR}" * (len(SEARCH_FIELDS) - 1 - index) + "%"
    start = "" if prefix else "%"
    return f"{before}{start}{_escape_like(term)}{after}"
