"""Server-side sign-in sessions. The browser holds a random token; the row
keyed by its hash is the session. Ending a session deletes the row, so a copy
of the cookie taken before a logout or a password change no longer works."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from crm_core.db import utcnow
from crm_core.users.models import User, UserSession

IDLE_TIMEOUT = timedelta(hours=2)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
# Writing last_seen_at on every request would turn each page view into a write.
_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Resumed:
    user: User | None
    expired: bool = False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, ip: str = "", user_agent: str = "") -> str:
    """A new session for ``user``; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    # Sessions nobody came back to are removed when their user next signs in.
    session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            (UserSession.created_at < now - ABSOLUTE_TIMEOUT)
            | (UserSession.last_seen_at < now - IDLE_TIMEOUT),
        )
    )
    session.add(
        UserSession(
            id=_digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            ip=ip[:45],
            user_agent=user_agent[:300],
        )
    )
    user.last_login_at = now
    session.flush()
    return token


def resume_session(session: Session, token: str, now: datetime | None = None) -> Resumed:
    """The signed-in user for a cookie token, or why there is none."""
    now = now or utcnow()
    row = session.get(UserSession, _digest(token)) if token else None
    if row is None:
        return Resumed(None)
    if now - row.created_at > ABSOLUTE_TIMEOUT or now - row.last_seen_at > IDLE_TIMEOUT:
        session.delete(row)
        session.flush()
        return Resumed(None, expired=True)
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        session.delete(row)
        session.flush()
        return Resumed(None)
    if now - row.last_seen_at > _TOUCH_EVERY:
        row.last_seen_at = now
        session.flush()
    return Resumed(user)


def end_session(session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.id == _digest(token)))


def end_all_sessions(session: Session, user_id: int) -> int:
    result = session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
