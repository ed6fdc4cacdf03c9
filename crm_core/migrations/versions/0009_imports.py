"""Imports and exports: import records with their row errors and remembered mappings,
prepared exports; prospects gain the import that created them and two duplicate keys
(phone digits, folded registration code), filled here for existing rows.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crm_core.migrations.sqlite_tables import keeping_triggers
from crm_core.text.search import phone_digits, registration_key

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_BACKFILL_BATCH = 2000


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_size", sa.Integer(), nullable=False),
        sa.Column("stored_path", sa.String(length=1000), nullable=False),
        sa.Column("file_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("file_deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("layout", sa.JSON(), nullable=False),
        sa.Column("header", sa.JSON(), nullable=False),
        sa.Column("header_row", sa.Integer(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_total_exact", sa.Boolean(), nullable=False),
        sa.Column("checked", sa.Boolean(), nullable=False),
        sa.Column("rows_checked", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("updated_count", sa.Integer(), nullable=False),
        sa.Column("skipped_count", sa.Integer(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progress_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pace_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pace_rows", sa.Integer(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reverted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reverted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_imports_user_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["reverted_by_id"],
            ["users.id"],
            name=op.f("fk_imports_reverted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.create_index("ix_imports_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_imports_user_id"), ["user_id"], unique=False)

    op.create_table(
        "import_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("column_index", sa.Integer(), nullable=True),
        sa.Column("column", sa.String(length=200), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_import_errors_import_id_imports"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_errors")),
    )
    with op.batch_alter_table("import_errors", schema=None) as batch_op:
        batch_op.create_index("ix_import_errors_import_row", ["import_id", "row_number", "id"], unique=False)

    op.create_table(
        "import_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("header_key", sa.String(length=64), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_import_mappings_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mappings")),
        sa.UniqueConstraint("kind", "header_key", name=op.f("uq_import_mappings_kind_header_key")),
    )

    op.create_table(
        "exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("stored_path", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("file_deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_exports_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
    )
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.create_index("ix_exports_user_created", ["user_id", "created_at"], unique=False)

    # SQLite copies the table to add the foreign key: its tally triggers go with it.
    with keeping_triggers("prospects"), op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phone_digits", sa.String(length=50), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("registration_key", sa.String(length=50), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_prospects_phone_digits", ["phone_digits"], unique=False)
        batch_op.create_index("ix_prospects_registration_key", ["registration_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_prospects_import_id"), ["import_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_prospects_import_id_imports"),
            "imports",
            ["import_id"],
            ["id"],
            ondelete="SET NULL",
        )
    _backfill_keys()


def _backfill_keys() -> None:
    """Existing prospects get their duplicate keys, a batch of ids at a time."""
    prospects = sa.table(
        "prospects",
        sa.column("id", sa.Integer),
        sa.column("phone", sa.String),
        sa.column("registration_code", sa.String),
        sa.column("phone_digits", sa.String),
        sa.column("registration_key", sa.String),
    )
    bind = op.get_bind()
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(prospects.c.id, prospects.c.phone, prospects.c.registration_code)
            .where(prospects.c.id > last_id)
            .order_by(prospects.c.id)
            .limit(_BACKFILL_BATCH)
        ).all()
        if not rows:
            return
        changed = [
            {
                "pid": row.id,
                "phone_digits": phone_digits(row.phone),
                "registration_key": registration_key(code),
            }
            for row in rows
            for code in [row.registration_code]
            if row.phone or code
        ]
        if changed:
            bind.execute(prospects.update().where(prospects.c.id == sa.bindparam("pid")), changed)
        last_id = rows[-1].id


def downgrade() -> None:
    with keeping_triggers("prospects"), op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_prospects_import_id_imports"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_prospects_import_id"))
        batch_op.drop_index("ix_prospects_registration_key")
        batch_op.drop_index("ix_prospects_phone_digits")
        batch_op.drop_column("import_id")
        batch_op.drop_column("registration_key")
        batch_op.drop_column("phone_digits")

    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.drop_index("ix_exports_user_created")
    op.drop_table("exports")
    op.drop_table("import_mappings")
    with op.batch_alter_table("import_errors", schema=None) as batch_op:
        batch_op.drop_index("ix_import_errors_import_row")
    op.drop_table("import_errors")
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imports_user_id"))
        batch_op.drop_index("ix_imports_created_at_id")
    op.drop_table("imports")
