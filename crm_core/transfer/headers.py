"""Proposing which field each column of an uploaded file fills, from its header.

Headers are compared as *keys*: folded like the prospect search text (no accents, lower
case: ``search_text.fold``), then stripped of everything but letters and digits, so
"Cod poștal", "COD POSTAL", "Cod_Postal" and "codpostal" are all ``codpostal``. A column
whose key is one of a field's names in any language gets that field. A column that only
*contains* a field's name as words ("Numele prospectului", "Mobile phone (work)") gets the
field with the longest such name, if no column took it exactly. A field is never proposed
twice: the first column wins, the rest are left for the person to map.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from crm_core.text.search import fold
from crm_core.transfer.fields import PROSPECT_FIELDS, ImportField

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def header_words(text: str) -> str:
    """``"Nr. Reg. Com.*"`` → ``"nr reg com"``: folded words separated by single spaces."""
    return _NOT_ALNUM.sub(" ", fold(text)).strip()


def header_key(text: str) -> str:
    """``"E-mail"`` → ``"email"``: the words of a header without spaces."""
    return header_words(text).replace(" ", "")


def _names_by_key(fields: Sequence[ImportField]) -> dict[str, str]:
    return {
        header_key(name): field.key for field in fields for names in field.names.values() for name in names
    }


def propose_mapping(
    header: Sequence[str], fields: Sequence[ImportField] = PROSPECT_FIELDS
) -> dict[int, str | None]:
    """``{column index: field key or None}`` for every column of ``header``."""
    exact = _names_by_key(fields)
    mapping: dict[int, str | None] = dict.fromkeys(range(len(header)))
    used: set[str] = set()
    for index, text in enumerate(header):
        key = exact.get(header_key(text))
        if key is not None and key not in used:
            mapping[index] = key
            used.add(key)
    phrases = sorted(
        {
            (header_words(name), field.key)
            for field in fields
            for names in field.names.values()
            for name in names
        },
        key=lambda item: -len(item[0]),
    )
    for index, text in enumerate(header):
        if mapping[index] is not None or header_key(text) in exact:
            continue
        words = f" {header_words(text)} "
        for phrase, key in phrases:
            if key not in used and phrase and f" {phrase} " in words:
                mapping[index] = key
                used.add(key)
                break
    return mapping
