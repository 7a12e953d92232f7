"""Messages are found by age: the retention period (RETENTION_DAYS) deletes the oldest.

Without the index each hourly pass would read the whole table to find none. And every
deleted message is checked against tickets.last_answer_id (its foreign key): indexed too.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_messages_created_at"
ANSWER_INDEX = "ix_tickets_last_answer_id"


def upgrade() -> None:
    op.create_index(INDEX, "messages", ["created_at"])
    op.create_index(ANSWER_INDEX, "tickets", ["last_answer_id"])


def downgrade() -> None:
    op.drop_index(ANSWER_INDEX, table_name="tickets")
    op.drop_index(INDEX, table_name="messages")
