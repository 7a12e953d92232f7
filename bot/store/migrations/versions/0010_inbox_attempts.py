"""Webhook events that keep failing stop being retried: attempts, the last failure, dead.

An event whose handling failed (or killed the process) was retried at every start,
forever; enough of them would also crowd real leftovers out of the first page loaded.
Now each attempt is counted; after a few the event is ``dead`` with its reason.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("failure", sa.Text(), nullable=True))
        batch.add_column(sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        for column in ("dead_at", "failure", "attempts"):
            batch.drop_column(column)
