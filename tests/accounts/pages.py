"""Small helpers for the accounts and offers page tests: post a page's own
form (with its CSRF token) and read rows back."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def token_of(client: Any, path: str) -> str:
    match = _CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match[1]


def post(client: Any, path: str, data: dict[str, Any], token_from: str | None = None) -> Any:
    """POST ``data`` with the CSRF token of the page at ``token_from`` (default: the same path)."""
    return client.post(path, data={"csrf_token": token_of(client, token_from or path), **data})


def count(session: Session, model: Any, *where: Any) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def text(response: Any) -> str:
    return response.get_data(as_text=True)
