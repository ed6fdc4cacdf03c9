"""Visitor text as a database can hold it.

A JSON body can carry characters no store accepts: PostgreSQL refuses NUL in
text (and in JSONB), and a lone UTF-16 surrogate (``"\\ud800"``) cannot be
encoded as UTF-8 by any driver. Neither can come from a keyboard, and an
undecodable byte in a body is read as such a surrogate too, so the capture
endpoint refuses them (``is_storable``), naming the field. The worker still
drops them (``storable``) as a last line of defence, for data queued before
that check existed or by other means: left in, one such value fails the insert
of every submission batched with it."""

from __future__ import annotations

import re
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def is_storable(text: str) -> bool:
    return _UNSTORABLE.search(text) is None


def marked(text: str) -> str:
    """``text`` with each unstorable character shown as U+FFFD, for echoing it
    back to the visitor in an error (it could not even be encoded otherwise)."""
    return _UNSTORABLE.sub("\ufffd", text)


def storable(value: Any) -> Any:
    """``value`` with every string in it (keys and items of dicts and lists too) made storable."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("", value)
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value
