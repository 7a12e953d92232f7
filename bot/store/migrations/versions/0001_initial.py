"""Initial schema: people, messages, tickets, ticket posts, feedback, updates, secrets.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(128)
TS = sa.DateTime(timezone=True)
LAST_ANSWER_FK = "fk_tickets_last_answer_id_messages"


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def upgrade() -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    op.create_table(
        "people",
        _id(),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("chat_id", ID, nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("subscribed", sa.Boolean(), nullable=False),
        sa.Column("subscribed_at", TS, nullable=True),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("blocked_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
        sa.UniqueConstraint("platform", "user_id", name="uq_people_platform_user_id"),
    )
    # tickets.last_answer_id -> messages.id closes a cycle with messages.ticket_id: SQLite
    # accepts the forward reference inline; PostgreSQL gets it by ALTER once messages exists.
    last_answer_fk = (
        [sa.ForeignKeyConstraint(["last_answer_id"], ["messages.id"], name=LAST_ANSWER_FK)]
        if sqlite
        else []
    )
    op.create_table(
        "tickets",
        _id(),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("last_answer_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("assigned_at", TS, nullable=True),
        sa.Column("assigned_by", ID, nullable=True),
        sa.Column("answered_at", TS, nullable=True),
        sa.Column("answered_by", ID, nullable=True),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("closed_by", ID, nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_tickets_person_id_people"),
        sa.CheckConstraint(
            "state IN ('open', 'assigned', 'answered', 'closed')", name="ck_tickets_state"
        ),
        *last_answer_fk,
    )
    op.create_index("ix_tickets_person_id", "tickets", ["person_id"])
    op.create_index(
        "uq_tickets_active_person",
        "tickets",
        ["person_id"],
        unique=True,
        sqlite_where=sa.text("state <> 'closed'"),
        postgresql_where=sa.text("state <> 'closed'"),
    )
    op.create_table(
        "messages",
        _id(),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("platform_message_id", ID, nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("citations", sa.JSON(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("grounded", sa.Boolean(), nullable=True),
        sa.Column("handoff", sa.Boolean(), nullable=False),
        sa.Column("index_version", sa.String(128), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_messages_person_id_people"),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name="fk_messages_ticket_id_tickets"
        ),
        sa.CheckConstraint("direction IN ('in', 'out')", name="ck_messages_direction"),
    )
    op.create_index("ix_messages_person_id_id", "messages", ["person_id", "id"])
    op.create_index("ix_messages_ticket_id", "messages", ["ticket_id"])
    if not sqlite:
        op.create_foreign_key(LAST_ANSWER_FK, "tickets", "messages", ["last_answer_id"], ["id"])
    op.create_table(
        "ticket_posts",
        _id(),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", ID, nullable=False),
        sa.Column("message_id", ID, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_posts"),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name="fk_ticket_posts_ticket_id_tickets"
        ),
        sa.UniqueConstraint("chat_id", "message_id", name="uq_ticket_posts_chat_id_message_id"),
    )
    op.create_index("ix_ticket_posts_ticket_id", "ticket_posts", ["ticket_id"])
    op.create_table(
        "feedback",
        _id(),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feedback"),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name="fk_feedback_message_id_messages"
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_feedback_person_id_people"),
        sa.UniqueConstraint("message_id", "person_id", name="uq_feedback_message_id_person_id"),
        sa.CheckConstraint("value IN (-1, 1)", name="ck_feedback_value"),
    )
    op.create_index("ix_feedback_person_id_updated_at", "feedback", ["person_id", "updated_at"])
    op.create_table(
        "processed_updates",
        _id(),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("update_key", sa.String(255), nullable=False),
        sa.Column("processed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_processed_updates"),
        sa.UniqueConstraint(
            "platform", "update_key", name="uq_processed_updates_platform_update_key"
        ),
    )
    op.create_index("ix_processed_updates_processed_at", "processed_updates", ["processed_at"])
    op.create_table(
        "secrets_kv",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_secrets_kv"),
    )


def downgrade() -> None:
    op.drop_table("secrets_kv")
    op.drop_table("processed_updates")
    op.drop_table("feedback")
    op.drop_table("ticket_posts")
    if op.get_context().dialect.name != "sqlite":
        op.drop_constraint(LAST_ANSWER_FK, "tickets", type_="foreignkey")
    op.drop_table("messages")
    op.drop_table("tickets")
    op.drop_table("people")
