"""Each update keeps how far its handling got, so a crash loses nothing and repeats nothing.

``processed_updates`` was a set of keys marked before the answer existed: a crash between
the two lost the question, and the platform's retry was ignored. It now holds the update
itself, its state (received → answered → delivered), the process handling it, the replies
and how many of them were sent. Rows written before this revision were finished.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "processed_updates"


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(
            sa.Column("state", sa.String(16), nullable=False, server_default="delivered")
        )
        batch.add_column(sa.Column("owner", sa.String(64), nullable=True))
        batch.add_column(sa.Column("inbound", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("outbox", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("sent", sa.Integer(), nullable=False, server_default="0"))
    op.create_index(f"ix_{TABLE}_state_id", TABLE, ["state", "id"])


def downgrade() -> None:
    op.drop_index(f"ix_{TABLE}_state_id", table_name=TABLE)
    with op.batch_alter_table(TABLE) as batch:
        for column in ("sent", "outbox", "message_id", "person_id", "inbound", "owner", "state"):
            batch.drop_column(column)
