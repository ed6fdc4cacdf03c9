"""Visitor text as a database can hold it.

A JSON body can carry characters no store accepts: PostgreSQL refuses NUL in
text (and in JSONB), and a lone UTF-16 surrogate (``"\\ud800"``) cannot be
encoded as UTF-8 by any driver. Left in, one such value fails the insert of
every submission batched with it, so they are dropped before the row is built;
nothing a person typed is lost, as neither can come from a keyboard."""

from __future__ import annotations

import re
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: Any) -> Any:
    """``value`` with every string in it (keys and items of dicts and lists too) made storable."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("", value)
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value
