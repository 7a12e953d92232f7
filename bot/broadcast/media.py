"""Broadcast photos for the platforms that need their bytes (Zalo) or a URL (the web).

Telegram sends a broadcast's photo by its file id. The Telegram adapter fetches the bytes
once, when an officer sends the photo while composing, and keeps them in the database
(``Store.keep_photo``); Zalo OA uploads them, Zalo Bot and the web chat point at
``/media/broadcast/<id>``. A broadcast whose bytes are missing (the fetch failed) goes out
as text on those platforms.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from bot.store.records import BroadcastRecord, PhotoRecord
from bot.store.repository import Store

MAX_PHOTO_BYTES = 10 * 1024 * 1024  # Telegram's own limit for a photo
PHOTO_PATH = "/media/broadcast/{id}"
# A broadcast that is only a photo, on a platform the photo cannot reach: nothing to send.
PHOTO_ONLY = "thông báo chỉ có ảnh, mà ảnh chưa gửi được qua kênh này"
REMEMBERED = 32  # broadcasts whose photo facts a process keeps in memory
# Magic numbers of the image formats that may be kept (anything else is refused: the web
# serves these bytes with the type found here).
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def image_type(data: bytes) -> str | None:
    """The content type of an image's bytes, or None when they are not a known image."""
    for magic, content_type in _SIGNATURES:
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def photo_path(broadcast_id: int) -> str:
    return PHOTO_PATH.format(id=broadcast_id)


class BroadcastPhotos:
    """Whether a broadcast's photo bytes are kept, asked of the database once per broadcast.

    A broadcast is delivered to many people at once: without this, each of them would
    cost a query (and the bytes are kept before the broadcast can be confirmed, so the
    answer does not change while it is sent).
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._known: OrderedDict[int, PhotoRecord | None] = OrderedDict()
        self._lock = asyncio.Lock()

    async def facts(self, broadcast: BroadcastRecord) -> PhotoRecord | None:
        """The kept photo of ``broadcast`` (without its bytes), or None."""
        if not broadcast.photo:
            return None
        async with self._lock:
            if broadcast.id not in self._known:
                self._known[broadcast.id] = await self.store.photo(broadcast.photo)
                while len(self._known) > REMEMBERED:
                    self._known.popitem(last=False)
            return self._known[broadcast.id]

    async def data(self, broadcast: BroadcastRecord) -> PhotoRecord | None:
        """The kept photo with its bytes (read each time: callers keep what they make of it)."""
        if not broadcast.photo:
            return None
        return await self.store.photo(broadcast.photo, with_data=True)
