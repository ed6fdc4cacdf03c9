"""Accounts, offers (with their lines and statuses) and the products catalogue;
prospects gain the account they became and when / by whom they were converted.
Existing prospects are unconverted. The trigram index on accounts needs
pg_trgm, which 0003 created.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offer_statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("color", sa.String(length=7), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "draft",
                "sent",
                "accepted",
                "rejected",
                "expired",
                name="offerstatuskind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_statuses")),
        sa.UniqueConstraint("name", name=op.f("uq_offer_statuses_name")),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("price", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("code", name=op.f("uq_products_code")),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "type",
            sa.Enum("company", "person", name="accounttype", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("registration_code", sa.String(length=50), nullable=False),
        sa.Column("trade_register_no", sa.String(length=50), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("county", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column(
            "search_text",
            sa.Text().with_variant(sa.TEXT(collation="C"), "postgresql"),
            server_default="",
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_accounts_owner_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index("ix_accounts_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_accounts_name_id", ["name", "id"], unique=False)
        batch_op.create_index("ix_accounts_owner_created", ["owner_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_accounts_registration_code", ["registration_code"], unique=False)
        batch_op.create_index("ix_accounts_search_text", ["search_text"], unique=False)
        batch_op.create_index(
            "ix_accounts_search_text_trgm",
            ["search_text"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            sqlite_where=sa.text("search_text IS NULL"),
        )

    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status_id", sa.Integer(), nullable=True),
        sa.Column("total", sa.Numeric(precision=16, scale=4), nullable=False),
        sa.Column("prospect_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_offers_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_offers_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_offers_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["priority_id"],
            ["priorities.id"],
            name=op.f("fk_offers_priority_id_priorities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["prospect_id"],
            ["prospects.id"],
            name=op.f("fk_offers_prospect_id_prospects"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["offer_statuses.id"],
            name=op.f("fk_offers_status_id_offer_statuses"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index("ix_offers_account", ["account_id", "created_at"], unique=False)
        batch_op.create_index("ix_offers_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_offers_expiry", ["expiry_date", "id"], unique=False)
        batch_op.create_index("ix_offers_owner_created", ["owner_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_offers_status_created", ["status_id", "created_at", "id"], unique=False)

    op.create_table(
        "offer_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("discount_pct", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("line_total", sa.Numeric(precision=16, scale=4), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_offer_lines_offer_id_offers"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_offer_lines_product_id_products"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_lines")),
    )
    with op.batch_alter_table("offer_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_lines_offer_id"), ["offer_id"], unique=False)

    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("converted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("converted_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_prospects_account_id"), ["account_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_prospects_converted_by_id_users"),
            "users",
            ["converted_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_prospects_account_id_accounts"),
            "accounts",
            ["account_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_prospects_account_id_accounts"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_prospects_converted_by_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_prospects_account_id"))
        batch_op.drop_column("converted_by_id")
        batch_op.drop_column("converted_at")
        batch_op.drop_column("account_id")

    with op.batch_alter_table("offer_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_lines_offer_id"))

    op.drop_table("offer_lines")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index("ix_offers_status_created")
        batch_op.drop_index("ix_offers_owner_created")
        batch_op.drop_index("ix_offers_expiry")
        batch_op.drop_index("ix_offers_created_at_id")
        batch_op.drop_index("ix_offers_account")

    op.drop_table("offers")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_accounts_search_text_trgm",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            sqlite_where=sa.text("search_text IS NULL"),
        )
        batch_op.drop_index("ix_accounts_search_text")
        batch_op.drop_index("ix_accounts_registration_code")
        batch_op.drop_index("ix_accounts_owner_created")
        batch_op.drop_index("ix_accounts_name_id")
        batch_op.drop_index("ix_accounts_created_at_id")

    op.drop_table("accounts")
    op.drop_table("products")
    op.drop_table("offer_statuses")
