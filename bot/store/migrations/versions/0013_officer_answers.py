"""Officers' answers kept for reuse, and their versions.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "officer_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(128), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("approved_version", sa.Integer(), nullable=True),
        sa.Column("approved_by", sa.String(128), nullable=True),
        sa.Column("approved_at", TS, nullable=True),
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_officer_answers"),
    )
    op.create_index(
        "ix_officer_answers_state_id_approved_version",
        "officer_answers",
        ["state", "id", "approved_version"],
    )
    op.create_table(
        "officer_answer_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["officer_answers.id"],
            name="fk_officer_answer_versions_entry_id_officer_answers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_officer_answer_versions"),
        sa.UniqueConstraint(
            "entry_id", "version", name="uq_officer_answer_versions_entry_id_version"
        ),
    )


def downgrade() -> None:
    op.drop_table("officer_answer_versions")
    op.drop_index("ix_officer_answers_state_id_approved_version", table_name="officer_answers")
    op.drop_table("officer_answers")
