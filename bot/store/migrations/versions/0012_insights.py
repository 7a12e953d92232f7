"""The console's insights (Số liệu) count messages, tickets and votes of a day, week,
month or year: indexes that let the database count them without reading the tables.

messages (direction, created_at, kind, person_id): questions and the bot's replies of a
period, by kind and by citizen, read from the index alone (PostgreSQL: an index-only
scan). messages (person_id, created_at, kind) where direction = 'in': what each recipient
of a broadcast wrote within 24 h of it. tickets (opened_at) and feedback (updated_at):
a period's tickets and votes.
On PostgreSQL, messages.citations becomes JSONB: the cited section of a month's answers
is read from the binary form instead of parsing each answer's JSON text (four times
faster). Both rewrite or read the whole messages table once: seconds per million rows.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    (
        "ix_messages_direction_created_at_kind_person_id",
        "messages",
        ["direction", "created_at", "kind", "person_id"],
    ),
    ("ix_tickets_opened_at", "tickets", ["opened_at"]),
    ("ix_feedback_updated_at", "feedback", ["updated_at"]),
)


INBOUND = "ix_messages_person_id_created_at_kind"
INBOUND_ONLY = sa.text("direction = 'in'")


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    op.create_index(
        INBOUND,
        "messages",
        ["person_id", "created_at", "kind"],
        sqlite_where=INBOUND_ONLY,
        postgresql_where=INBOUND_ONLY,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "messages",
            "citations",
            type_=postgresql.JSONB(),
            existing_type=sa.JSON(),
            postgresql_using="citations::jsonb",
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "messages",
            "citations",
            type_=sa.JSON(),
            existing_type=postgresql.JSONB(),
            postgresql_using="citations::json",
        )
    op.drop_index(INBOUND, table_name="messages")
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
