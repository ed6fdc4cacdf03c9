"""A personal API token (only its digest is kept), and the answers to creates
made with an ``Idempotency-Key``, kept so a retried request gets the first
answer instead of making a second record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.db import Base, UTCDateTime, utcnow
from crm_core.users.models import User

READ = "read"
WRITE = "write"
SCOPES = (READ, WRITE)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The token acts as its user, with the user's current role; deleting the
    # user deletes the tokens, deactivating them makes the tokens refused.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # sha256 hex of the whole token (crm_core.api_tokens.secret); never the token.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "lcp_AbC123…": enough to recognise it in the list, useless to an attacker.
    hint: Mapped[str] = mapped_column(String(20))
    # Space-separated, OAuth style: "read" or "read write".
    scopes: Mapped[str] = mapped_column(String(40), default=READ)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Written at most once a minute (crm_core.api_tokens.services.touch).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def allows(self, scope: str) -> bool:
        return scope in self.scope_set

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at <= now


class IdempotentRequest(Base):
    """One create made with an ``Idempotency-Key``: claimed by inserting this
    row in the create's own transaction, and completed with the answer before
    that transaction commits — so the record and the stored answer exist
    together or not at all, and a concurrent retry waits on the row's unique
    key instead of making a second record."""

    __tablename__ = "api_idempotent_requests"
    __table_args__ = (
        UniqueConstraint("token_id", "key"),
        Index("ix_api_idempotent_requests_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # sha256 of method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
