"""Work the prospect: contacts, activities (+ the contacts involved), tasks,
task templates per status, notes — each hanging off a parent by type + id —
and the prospect's task and activity summary columns (existing prospects
start with no open tasks and no activity).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("call", "email", "meeting", name="activitykind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "status",
            sa.Enum("planned", "held", "not_held", name="activitystatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "direction",
            sa.Enum("inbound", "outbound", name="direction", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "parent_type",
            sa.Enum("prospect", "account", "offer", name="parent_type", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_activities_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_activities_owner_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activities_owner_status_starts", ["owner_id", "status", "starts_at"], unique=False
        )
        batch_op.create_index(
            "ix_activities_parent_created", ["parent_type", "parent_id", "created_at", "id"], unique=False
        )

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("job_title", sa.String(length=100), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "parent_type",
            sa.Enum("prospect", "account", "offer", name="parent_type", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_contacts_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index("ix_contacts_parent", ["parent_type", "parent_id", "id"], unique=False)

    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "parent_type",
            sa.Enum("prospect", "account", "offer", name="parent_type", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_notes_author_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notes_parent_created", ["parent_type", "parent_id", "created_at", "id"], unique=False
        )

    op.create_table(
        "task_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("due_in_days", sa.Integer(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=True),
        sa.Column(
            "assign_to",
            sa.Enum("owner", "user", name="assignee", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["priority_id"],
            ["priorities.id"],
            name=op.f("fk_task_templates_priority_id_priorities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_task_templates_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_task_templates_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_templates")),
    )
    with op.batch_alter_table("task_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_templates_status_id"), ["status_id"], unique=False)

    op.create_table(
        "activity_contacts",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_contacts_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_activity_contacts_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", "contact_id", name=op.f("pk_activity_contacts")),
    )
    with op.batch_alter_table("activity_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_contacts_contact_id"), ["contact_id"], unique=False)

    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "parent_type",
            sa.Enum("prospect", "account", "offer", name="parent_type", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_time", sa.Time(), nullable=True),
        sa.Column("priority_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open", "in_progress", "done", "cancelled", name="taskstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_tasks_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_tasks_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["priority_id"],
            ["priorities.id"],
            name=op.f("fk_tasks_priority_id_priorities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["task_templates.id"],
            name=op.f("fk_tasks_template_id_task_templates"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tasks_owner_status_due", ["owner_id", "status", "due_date", "id"], unique=False
        )
        batch_op.create_index(
            "ix_tasks_parent_completed", ["parent_type", "parent_id", "completed_at"], unique=False
        )
        batch_op.create_index(
            "ix_tasks_parent_created", ["parent_type", "parent_id", "created_at", "id"], unique=False
        )

    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_tasks", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("next_task_due", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_prospects_next_task_due", ["next_task_due"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.drop_index("ix_prospects_next_task_due")
        batch_op.drop_column("last_activity_at")
        batch_op.drop_column("next_task_due")
        batch_op.drop_column("open_tasks")

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_parent_created")
        batch_op.drop_index("ix_tasks_parent_completed")
        batch_op.drop_index("ix_tasks_owner_status_due")

    op.drop_table("tasks")
    with op.batch_alter_table("activity_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_contacts_contact_id"))

    op.drop_table("activity_contacts")
    with op.batch_alter_table("task_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_templates_status_id"))

    op.drop_table("task_templates")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index("ix_notes_parent_created")

    op.drop_table("notes")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_parent")

    op.drop_table("contacts")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_parent_created")
        batch_op.drop_index("ix_activities_owner_status_starts")

    op.drop_table("activities")
