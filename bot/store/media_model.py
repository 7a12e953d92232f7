"""The bytes of broadcast photos (a table of its own module: models.py keeps the rest)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.columns import Base, utcnow


class BroadcastMedia(Base):
    """The bytes of a broadcast's photo, kept for the platforms that cannot use Telegram's file.

    Keyed by ``broadcasts.photo`` (the Telegram file id): the photo is fetched when the
    officer sends it, before the broadcast exists, and one photo may serve several broadcasts.
    """

    __tablename__ = "broadcast_media"

    photo: Mapped[str] = mapped_column(String(255), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
