"""The admin-editable lists that forms, prospects and offers point at."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Boolean, Enum, Integer, String, true
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db import Base


class StatusKind(enum.StrEnum):
    OPEN = "open"
    QUALIFIED = "qualified"
    CONVERTED = "converted"
    JUNK = "junk"


# Kinds a board leaves out unless an admin asks for them: a converted prospect
# lives on as an account, and junk is not worked.
OFF_BOARD_KINDS = frozenset({StatusKind.CONVERTED, StatusKind.JUNK})


def on_board_by_default(kind: StatusKind | str | None) -> bool:
    return StatusKind(kind or StatusKind.OPEN) not in OFF_BOARD_KINDS


def _on_board_default(context: DefaultExecutionContext) -> bool:
    """A new status without an explicit choice gets its kind's default, so every
    path that adds one (defaults, settings, a script) agrees."""
    params: dict[str, Any] = context.get_current_parameters()
    return on_board_by_default(params.get("kind"))


class Status(Base):
    __tablename__ = "statuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    color: Mapped[str] = mapped_column(String(7), default="#6b7280")
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[StatusKind] = mapped_column(
        Enum(StatusKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=StatusKind.OPEN,
    )
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether the board shows a column for it (an admin chooses on the board).
    on_board: Mapped[bool] = mapped_column(Boolean, default=_on_board_default, server_default=true())


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class Priority(Base):
    __tablename__ = "priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    color: Mapped[str] = mapped_column(String(7), default="#6b7280")
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class OfferStatusKind(enum.StrEnum):
    """What an offer status means, whatever an admin names it."""

    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"


class OfferStatus(Base):
    __tablename__ = "offer_statuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    color: Mapped[str] = mapped_column(String(7), default="#6b7280")
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[OfferStatusKind] = mapped_column(
        Enum(OfferStatusKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=OfferStatusKind.DRAFT,
    )
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
