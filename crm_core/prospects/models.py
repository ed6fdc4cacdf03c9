"""A prospect (lead): the 16 SmartCRM fields plus where and how it was captured,
who changed what on it, and the named filters people keep for the list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.db import Base, UTCDateTime, utcnow
from crm_core.forms.models import WebForm
from crm_core.lists.models import Priority, Source, Status
from crm_core.users.models import User

# Visitor-fillable prospect attributes and their column lengths; a form field
# mapped to one of these is capped at the same length.
PROSPECT_TEXT_FIELDS: dict[str, int] = {
    "name": 200,
    "company": 200,
    "trade_register_no": 50,
    "registration_code": 50,
    "address": 300,
    "postal_code": 20,
    "city": 100,
    "county": 100,
    "country": 100,
    "phone": 50,
    "email": 254,
    "description": 5000,
}

ATTRIBUTION_PARAMS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "gclid",
    "fbclid",
)


class Prospect(Base):
    __tablename__ = "prospects"
    # Every list order is (sort column, id), so each sortable text column has
    # a (column, id) index and keyset pages are index range scans. Owner and
    # status lead the composite indexes because sales always filter by owner.
    __table_args__ = (
        Index("ix_prospects_created_at_id", "created_at", "id"),
        Index("ix_prospects_name_id", "name", "id"),
        Index("ix_prospects_company_id", "company", "id"),
        Index("ix_prospects_email_id", "email", "id"),
        Index("ix_prospects_phone_id", "phone", "id"),
        Index("ix_prospects_owner_created", "owner_id", "created_at", "id"),
        Index("ix_prospects_owner_status_created", "owner_id", "status_id", "created_at", "id"),
        Index("ix_prospects_status_created", "status_id", "created_at", "id"),
        # search_text (see crm_core.text.search) is read two ways: "starts
        # with" (the email filter) through a b-tree, and "contains" (quick
        # search, other text filters) through a trigram GIN index, which only
        # PostgreSQL has; on SQLite that index is declared but kept empty
        # (partial on an impossible condition) and the b-tree serves both.
        Index("ix_prospects_search_text", "search_text"),
        # Reports: every value a report counts by, so the days a period boundary
        # cuts (and filters the tallies cannot answer) are index-only scans.
        Index(
            "ix_prospects_created_dims",
            "created_at",
            "status_id",
            "source_id",
            "form_id",
            "owner_id",
            "priority_id",
            "converted_at",
        ),
        # Conversions (a few percent of prospects): when, whose, from where.
        Index(
            "ix_prospects_converted",
            "converted_at",
            "id",
            "created_at",
            "owner_id",
            "source_id",
            "form_id",
            postgresql_where=text("converted_at IS NOT NULL"),
            sqlite_where=text("converted_at IS NOT NULL"),
        ),
        # Duplicate look-ups (imports: a million rows against a million prospects) are
        # ``IN`` lists on these normalised keys; email is matched through search_text.
        Index("ix_prospects_phone_digits", "phone_digits"),
        Index("ix_prospects_registration_key", "registration_key"),
        # "Has overdue tasks" (next_task_due before today) among the prospects the
        # list shows (not converted), everyone's or one owner's: the page and its
        # capped count are index range scans, the count never reads the table.
        Index(
            "ix_prospects_open_next_task_due",
            "next_task_due",
            postgresql_where=text("converted_at IS NULL"),
            sqlite_where=text("converted_at IS NULL"),
        ),
        Index(
            "ix_prospects_owner_next_task_due",
            "owner_id",
            "next_task_due",
            postgresql_where=text("converted_at IS NULL"),
            sqlite_where=text("converted_at IS NULL"),
        ),
        Index(
            "ix_prospects_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            sqlite_where=text("search_text IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(250))
    status_id: Mapped[int | None] = mapped_column(ForeignKey("statuses.id", ondelete="SET NULL"))
    priority_id: Mapped[int | None] = mapped_column(
        ForeignKey("priorities.id", ondelete="SET NULL"), index=True
    )
    company: Mapped[str] = mapped_column(String(200), default="")
    trade_register_no: Mapped[str] = mapped_column(String(50), default="")
    registration_code: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    county: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # Derived from name/company/email/phone/registration code (crm_core.text.search);
    # written on every insert and edit, never shown.
    # Byte order ("C") on PostgreSQL, as SQLite compares, so a prefix is a range.
    search_text: Mapped[str] = mapped_column(
        Text().with_variant(postgresql.TEXT(collation="C"), "postgresql"), default="", server_default=""
    )
    # Derived like search_text (crm_core.text.search.match_keys): the phone's digits and the
    # registration code folded to letters and digits, for finding duplicates.
    phone_digits: Mapped[str] = mapped_column(String(50), default="", server_default="")
    registration_key: Mapped[str] = mapped_column(String(50), default="", server_default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"), index=True)

    # Capture metadata.
    form_id: Mapped[int | None] = mapped_column(ForeignKey("web_forms.id", ondelete="SET NULL"), index=True)
    submission_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    page_url: Mapped[str] = mapped_column(String(2000), default="")
    referrer: Mapped[str] = mapped_column(String(2000), default="")
    attribution: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    consent_given: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_text: Mapped[str] = mapped_column(Text, default="")
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The import that created it (crm_core.transfer): what revert deletes, what history names.
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id", ondelete="SET NULL"), index=True)

    # Kept by the task and activity services in the same transaction as the
    # change, so the list can filter ("has overdue tasks") and show "next task
    # due" / "last activity" at a million prospects without a join.
    # Set by convert / allocate: the account it became (the offer made then
    # points back here, ``Offer.prospect_id``).
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    converted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    converted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    open_tasks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_task_due: Mapped[date | None] = mapped_column(Date)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    status: Mapped[Status | None] = relationship(lazy="joined")
    priority: Mapped[Priority | None] = relationship(lazy="joined")
    source: Mapped[Source | None] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    form: Mapped[WebForm | None] = relationship(lazy="joined")


class ProspectChange(Base):
    __tablename__ = "prospect_history"
    __table_args__ = (Index("ix_prospect_history_prospect_created", "prospect_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prospect_id: Mapped[int] = mapped_column(ForeignKey("prospects.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))  # created | updated | submission
    # Set when a web submission was attached to an existing prospect: one entry
    # per submission, however often its job runs.
    submission_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # {field: [old, new]} as people read them ("New" → "Qualified", not ids),
    # so the history stays true after a status or user is renamed or removed.
    changes: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship(lazy="joined")


class SavedFilter(Base):
    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("user_id", "list_name", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Which list it filters: "prospects", "accounts" or "offers".
    list_name: Mapped[str] = mapped_column(String(20), default="prospects", server_default="prospects")
    name: Mapped[str] = mapped_column(String(100))
    # The normalised query string (``status=2&owner=me``), never a raw request.
    query: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
