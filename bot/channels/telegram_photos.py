"""An officer's broadcast photo, fetched from Telegram once, for the other platforms.

Telegram sends a broadcast's photo by its file id; Zalo and the web need the bytes. They
are fetched when the officer sends the photo, not at the confirmation: the officer learns
at once if it failed, and the bytes are there before any sender can start.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.error import BadRequest, NetworkError, TelegramError

from bot.broadcast.media import MAX_PHOTO_BYTES, image_type
from bot.channels.telegram_send import SEND_ATTEMPTS
from bot.store.errors import StoreError
from bot.store.repository import Store
from bot.strings import broadcast as wording

logger = logging.getLogger(__name__)


class PhotoNotKept(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # in Vietnamese, for the officer


class DraftPhotos:
    def __init__(self, bot: Bot, store: Store) -> None:
        self.bot = bot
        self.store = store

    async def keep(self, file_id: str) -> str | None:
        """The photo's bytes kept in the store (once: a retried update finds them kept);
        None when kept, else why not (for the officer)."""
        try:
            if await self.store.photo(file_id) is None:
                await self._keep_photo(file_id)
        except PhotoNotKept as exc:
            logger.warning("broadcast photo not kept: %s", exc.reason)
            return exc.reason
        return None

    async def _keep_photo(self, file_id: str) -> None:
        data = await self._download(file_id)
        content_type = image_type(data)
        if content_type is None:
            raise PhotoNotKept(wording.PHOTO_NOT_IMAGE)
        try:
            await self.store.keep_photo(file_id, data, content_type)
        except StoreError as exc:  # the dialogue goes on; the officer knows
            logger.error("could not keep a broadcast photo: %s", exc)
            raise PhotoNotKept(wording.PHOTO_STORE_FAILED) from exc

    async def _download(self, file_id: str) -> bytes:
        """The photo's bytes (getFile, then the file itself); network errors tried again."""
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                file = await self.bot.get_file(file_id)
                if (file.file_size or 0) > MAX_PHOTO_BYTES:
                    raise PhotoNotKept(wording.PHOTO_TOO_BIG)
                data = bytes(await file.download_as_bytearray())
            except BadRequest as exc:  # a NetworkError too, but trying again will not help
                raise PhotoNotKept(wording.photo_refused(exc.message)) from None
            except NetworkError as exc:  # TimedOut as well
                if attempt == SEND_ATTEMPTS:
                    raise PhotoNotKept(wording.PHOTO_NO_CONNECTION) from exc
                await asyncio.sleep(0.5 * attempt)
                continue
            except TelegramError as exc:
                raise PhotoNotKept(wording.photo_refused(exc.message)) from None
            if len(data) > MAX_PHOTO_BYTES:
                raise PhotoNotKept(wording.PHOTO_TOO_BIG)
            return data
        raise AssertionError("unreachable")
