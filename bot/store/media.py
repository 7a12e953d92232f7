"""Broadcast photos as bytes: Zalo uploads them and the web serves them, where Telegram
needs only its file id.

A photo is kept under the broadcast's ``photo`` value (the Telegram file id) when the
officer sends it, before the broadcast exists; a photo kept for a draft that was never
sent is forgotten after a while (``forget_unused_photos``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select

from bot.core.records import PhotoRecord
from bot.store.base import StoreBase
from bot.store.columns import utcnow
from bot.store.models import Broadcast, BroadcastMedia

_FACTS = (
    BroadcastMedia.photo,
    BroadcastMedia.content_type,
    BroadcastMedia.size,
    BroadcastMedia.sha256,
    BroadcastMedia.created_at,
)


class MediaMixin(StoreBase):
    async def keep_photo(self, photo: str, data: bytes, content_type: str) -> None:
        """Keep the bytes of ``photo``; a photo kept already stays as it is (same file)."""
        statement = (
            self._insert(BroadcastMedia)
            .values(
                photo=photo,
                content_type=content_type,
                data=data,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=[BroadcastMedia.photo])
        )
        async with self._write() as session:
            await session.execute(statement)

    async def photo(self, photo: str, *, with_data: bool = False) -> PhotoRecord | None:
        """The kept photo, or None; its bytes only when asked (they may be large)."""
        columns = (*_FACTS, BroadcastMedia.data) if with_data else _FACTS
        query = select(*columns).where(BroadcastMedia.photo == photo)
        async with self._read() as session:
            row = (await session.execute(query)).one_or_none()
        return None if row is None else PhotoRecord(*row)

    async def broadcasts_with_photo(self, broadcast_ids: Iterable[int]) -> set[int]:
        """Which of these broadcasts have their photo's bytes kept."""
        ids = set(broadcast_ids)
        if not ids:
            return set()
        query = (
            select(Broadcast.id)
            .join(BroadcastMedia, BroadcastMedia.photo == Broadcast.photo)
            .where(Broadcast.id.in_(ids))
        )
        async with self._read() as session:
            return set((await session.scalars(query)).all())

    async def forget_unused_photos(self, kept_before: datetime) -> int:
        """Photos kept before ``kept_before`` that no broadcast uses (abandoned drafts)."""
        used = select(Broadcast.photo).where(Broadcast.photo.is_not(None))
        statement = delete(BroadcastMedia).where(
            BroadcastMedia.created_at < kept_before, BroadcastMedia.photo.not_in(used)
        )
        async with self._write() as session:
            return (await session.execute(statement)).rowcount or 0
