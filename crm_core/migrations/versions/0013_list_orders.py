"""What keeps the accounts and offers lists at one index walk per page at
200,000 accounts and 500,000 offers (``bench/accounts_offers.py``):

- offers in name order and in total order get their ``(name, id)`` and
  ``(total, id)`` indexes (without them each page sorted every offer);
- on PostgreSQL, statistics on ``lower(country)`` and ``lower(county)`` of
  accounts, the expressions the accounts list filters on. Without them the
  planner guesses that 0.5 % of accounts match any country and sorts a whole
  sequential scan (41 ms at 200,000 accounts) instead of walking the
  ``(created_at, id)`` index backwards until a page is full (1.2 ms).
  Statistics objects are not part of the models' metadata (SQLite has none,
  and Alembic does not compare them).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

STATISTICS = {"st_accounts_country": "lower(country)", "st_accounts_county": "lower(county)"}


def upgrade() -> None:
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index("ix_offers_name_id", ["name", "id"], unique=False)
        batch_op.create_index("ix_offers_total_id", ["total", "id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for name, expression in STATISTICS.items():
            op.execute(f"CREATE STATISTICS IF NOT EXISTS {name} ON ({expression}) FROM accounts")
        op.execute("ANALYZE accounts")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in STATISTICS:
            op.execute(f"DROP STATISTICS IF EXISTS {name}")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index("ix_offers_total_id")
        batch_op.drop_index("ix_offers_name_id")
