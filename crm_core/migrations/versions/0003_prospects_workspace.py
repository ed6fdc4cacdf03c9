"""prospects workspace: search text, list indexes, history, saved filters

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from crm_core.text.search import search_text

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BACKFILL_BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "search_text",
                sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql"),
                server_default="",
                nullable=False,
            )
        )
        batch_op.drop_index("ix_prospects_email")
        batch_op.drop_index("ix_prospects_owner_id")
        batch_op.drop_index("ix_prospects_status_id")
        batch_op.create_index("ix_prospects_name_id", ["name", "id"], unique=False)
        batch_op.create_index("ix_prospects_company_id", ["company", "id"], unique=False)
        batch_op.create_index("ix_prospects_email_id", ["email", "id"], unique=False)
        batch_op.create_index("ix_prospects_phone_id", ["phone", "id"], unique=False)
        batch_op.create_index("ix_prospects_owner_created", ["owner_id", "created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_prospects_owner_status_created", ["owner_id", "status_id", "created_at", "id"], unique=False
        )
        batch_op.create_index("ix_prospects_status_created", ["status_id", "created_at", "id"], unique=False)
    _backfill_search_text()
    if op.get_bind().dialect.name == "postgresql":
        # pg_trgm is a trusted extension: a database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index("ix_prospects_search_text", "prospects", ["search_text"])
    # Trigram GIN on PostgreSQL; on SQLite a never-filled stand-in with the same name.
    op.create_index(
        "ix_prospects_search_text_trgm",
        "prospects",
        ["search_text"],
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
        sqlite_where=sa.text("search_text IS NULL"),
    )

    op.create_table(
        "prospect_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prospect_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["prospect_id"],
            ["prospects.id"],
            name=op.f("fk_prospect_history_prospect_id_prospects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_prospect_history_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prospect_history")),
    )
    with op.batch_alter_table("prospect_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_prospect_history_prospect_created", ["prospect_id", "created_at"], unique=False
        )

    op.create_table(
        "saved_filters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_saved_filters_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_filters")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_saved_filters_user_id_name")),
    )


def _backfill_search_text() -> None:
    prospects = sa.table(
        "prospects",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("company", sa.String),
        sa.column("email", sa.String),
        sa.column("phone", sa.String),
        sa.column("registration_code", sa.String),
        sa.column("search_text", sa.Text),
    )
    bind = op.get_bind()
    last_id = 0
    while True:
        rows = (
            bind.execute(
                sa.select(prospects)
                .where(prospects.c.id > last_id)
                .order_by(prospects.c.id)
                .limit(_BACKFILL_BATCH)
            )
            .mappings()
            .all()
        )
        if not rows:
            return
        bind.execute(
            prospects.update().where(prospects.c.id == sa.bindparam("pid")),
            [{"pid": row["id"], "search_text": search_text(row)} for row in rows],
        )
        last_id = rows[-1]["id"]


def downgrade() -> None:
    op.drop_table("saved_filters")
    with op.batch_alter_table("prospect_history", schema=None) as batch_op:
        batch_op.drop_index("ix_prospect_history_prospect_created")
    op.drop_table("prospect_history")
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.drop_index("ix_prospects_search_text_trgm")
        batch_op.drop_index("ix_prospects_search_text")
        batch_op.drop_index("ix_prospects_status_created")
        batch_op.drop_index("ix_prospects_owner_status_created")
        batch_op.drop_index("ix_prospects_owner_created")
        batch_op.drop_index("ix_prospects_phone_id")
        batch_op.drop_index("ix_prospects_email_id")
        batch_op.drop_index("ix_prospects_company_id")
        batch_op.drop_index("ix_prospects_name_id")
        batch_op.create_index("ix_prospects_status_id", ["status_id"], unique=False)
        batch_op.create_index("ix_prospects_owner_id", ["owner_id"], unique=False)
        batch_op.create_index("ix_prospects_email", ["email"], unique=False)
        batch_op.drop_column("search_text")
