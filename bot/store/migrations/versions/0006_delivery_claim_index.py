"""The claim's index ends with ``id``: the claim reads due rows in index order, no sort.

Without it PostgreSQL sorted every queued row on each claim (about 200 ms with 100,000
queued), which slowed a broadcast below its configured rate.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "ix_deliveries_platform_state_next_attempt_at"
NEW = "ix_deliveries_platform_state_next_attempt_at_id"


def upgrade() -> None:
    op.drop_index(OLD, table_name="deliveries")
    op.create_index(NEW, "deliveries", ["platform", "state", "next_attempt_at", "id"])


def downgrade() -> None:
    op.drop_index(NEW, table_name="deliveries")
    op.create_index(OLD, "deliveries", ["platform", "state", "next_attempt_at"])
