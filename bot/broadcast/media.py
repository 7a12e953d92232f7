"""Broadcast photos for the platforms that need their bytes (Zalo) or a URL (the web).

Telegram sends a broadcast's photo by its file id. The Telegram adapter fetches the bytes
once, when an officer sends the photo while composing, and keeps them in the database
(``Store.keep_photo``); Zalo OA uploads them, Zalo Bot and the web chat point at
``/media/broadcast/<id>``. A broadcast whose bytes are missing (the fetch failed) goes out
as text on those platforms. A photo uploaded in the web console has no file id: it is kept
under ``upload:<sha256>``, and Telegram is sent its bytes as well.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from bot.core.records import BroadcastRecord, PhotoRecord
from bot.store.repository import Store

MAX_PHOTO_BYTES = 10 * 1024 * 1024  # Telegram's own limit for a photo
PHOTO_PATH = "/media/broadcast/{id}"
UPLOADED = "upload:"  # the start of a photo key that is not a Telegram file id
# A broadcast that is only a photo, on a platform the photo cannot reach: nothing to send.
PHOTO_ONLY = "thông báo chỉ có ảnh, mà ảnh chưa gửi được qua kênh này"
T = TypeVar("T")
REMEMBERED = 32  # broadcasts a process keeps what it worked out for (PerBroadcast)
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


def upload_key(data: bytes) -> str:
    """The ``photo`` of a broadcast whose photo was uploaded in the web console: it has no
    Telegram file id, so Telegram is sent its bytes too (TelegramSender)."""
    return UPLOADED + hashlib.sha256(data).hexdigest()


def photo_path(broadcast_id: int) -> str:
    return PHOTO_PATH.format(id=broadcast_id)


class PerBroadcast(Generic[T]):
    """What a process worked out once for each of the last few broadcasts (an upload, a
    lookup): a broadcast goes to many people at once, and each would otherwise repeat it.
    Asked together, the first asker computes and the others wait for its answer."""

    def __init__(self) -> None:
        self._known: OrderedDict[int, T] = OrderedDict()
        self._lock = asyncio.Lock()

    async def get(self, broadcast_id: int, compute: Callable[[], Awaitable[T]]) -> T:
        async with self._lock:
            if broadcast_id not in self._known:
                self._known[broadcast_id] = await compute()  # an error is not remembered
                while len(self._known) > REMEMBERED:
                    self._known.popitem(last=False)
            return self._known[broadcast_id]


class BroadcastPhotos:
    """Whether a broadcast's photo bytes are kept, asked of the database once per broadcast
    (the bytes are kept before the broadcast can be confirmed, so the answer does not
    change while it is sent)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._facts: PerBroadcast[PhotoRecord | None] = PerBroadcast()

    async def facts(self, broadcast: BroadcastRecord) -> PhotoRecord | None:
        """The kept photo of ``broadcast`` (without its bytes), or None."""
        photo = broadcast.photo
        if not photo:
            return None
        return await self._facts.get(broadcast.id, lambda: self.store.photo(photo))
