"""Officers' answers and their versions (tables of their own module: models.py keeps the rest)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.columns import ID, Base, created_column, utcnow


class OfficerAnswer(Base):
    """One officer answer; its texts are in ``officer_answer_versions``."""

    __tablename__ = "officer_answers"
    # The engine's poll reads (id, approved_version) of the approved ones every second.
    __table_args__ = (Index(None, "state", "id", "approved_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(128))
    created_by: Mapped[str] = mapped_column(ID)
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    latest_version: Mapped[int] = mapped_column(Integer, default=1)
    approved_version: Mapped[int | None] = mapped_column(Integer)
    approved_by: Mapped[str | None] = mapped_column(ID)
    approved_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(128), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class OfficerAnswerVersionRow(Base):
    __tablename__ = "officer_answer_versions"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("officer_answers.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    questions: Mapped[list[str]] = mapped_column(JSON)
    answer: Mapped[str] = mapped_column(Text)
    sections: Mapped[list[Any]] = mapped_column(JSON)  # [[doc, section], …]
    author: Mapped[str] = mapped_column(ID)
    created_at: Mapped[datetime] = created_column()
