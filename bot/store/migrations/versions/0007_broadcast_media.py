"""Broadcast photos kept as bytes (Zalo and the web cannot use a Telegram file id), and the
broadcast a web message carries.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "broadcast_media",
        sa.Column("photo", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("photo", name=op.f("pk_broadcast_media")),
    )
    op.create_index(op.f("ix_broadcast_media_created_at"), "broadcast_media", ["created_at"])
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("broadcast_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("broadcast_id")
    op.drop_index(op.f("ix_broadcast_media_created_at"), table_name="broadcast_media")
    op.drop_table("broadcast_media")
