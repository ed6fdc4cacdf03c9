"""Folding and the per-field LIKE patterns (no database)."""

from __future__ import annotations

import re

import pytest

from crm_core.text.search import SEARCH_FIELDS, field_pattern, fold, prefix_range, search_text


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Ștefan Țăran", "stefan taran"),
        ("ŞTEFAN ţăran", "stefan taran"),  # cedilla variants fold the same way
        ("Žalgiris Kęstutis Ūla", "zalgiris kestutis ula"),
        ("Élodie Lefèvre-Gaël", "elodie lefevre-gael"),
        ("Łódź  Straße\tØre", "lodz strasse ore"),
        ("a\x1fb", "a b"),  # the segment separator never survives
    ],
)
def test_fold(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def _like(pattern: str, value: str) -> bool:
    """LIKE semantics with a backslash escape, enough to check the patterns."""
    regex = ""
    chars = iter(pattern)
    for ch in chars:
        if ch == "\\":
            regex += re.escape(next(chars))
        elif ch == "%":
            regex += ".*"
        elif ch == "_":
            regex += "."
        else:
            regex += re.escape(ch)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def test_field_patterns_match_only_their_segment() -> None:
    values = {
        "name": "Ana Pop",
        "company": "Pop SRL",
        "email": "ana.pop@x.ro",
        "phone": "+40 722 123 456",
        "registration_code": "RO123",
    }
    text = search_text(values)
    assert text.count("\x1f") == len(SEARCH_FIELDS) - 1
    assert _like(field_pattern("company", "pop"), text)
    assert not _like(field_pattern("company", "ana"), text)
    assert _like(field_pattern("email", "ana.pop", prefix=True), text)
    assert not _like(field_pattern("email", "pop@", prefix=True), text)
    low, high = prefix_range("ana.pop")
    assert low <= text < high  # email leads, so its prefix is a range of the whole text
    assert not (low <= search_text({"email": "ana.pox@x.ro"}) < high)
    assert _like(field_pattern("phone", "722123456"), text)  # the digits-only form is searchable
    assert not _like(field_pattern("registration_code", "722"), text)


def test_like_wildcards_typed_by_users_are_literal() -> None:
    text = search_text({"name": "100% sure_thing"})
    assert _like(field_pattern("name", "100%"), text)
    assert not _like(field_pattern("name", "1%sure"), text)
    assert not _like(field_pattern("name", "sure-thing".replace("-", "_")[:4] + "x"), text)
