"""Sending to Telegram: answers in pieces Telegram accepts, buttons, broadcasts, edits.

Text goes as escaped HTML (no user or document text is ever read as markup); a photo
carries the text as its caption. Interactive replies are retried a little (the citizen is
waiting); a broadcast delivery is classified for the delivery loop, which paces and
retries on its own.
"""

from __future__ import annotations

import asyncio
import html
import os

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.constants import MessageLimit, ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.broadcast.media import PHOTO_ONLY, UPLOADED, PerBroadcast
from bot.channels.telegram_http import MaybeSent
from bot.channels.text import split_text as split_plain
from bot.core.messages import Outbound, SendResult
from bot.core.records import BroadcastRecord
from bot.store.repository import Store

RETRY_EDIT_AFTER = 5.0  # seconds before a status edit that timed out is tried again

# PTB 22.2+ hands out retry_after as an int with a deprecation warning unless this opts in
# to timedelta (the future default); seconds() reads both.
os.environ.setdefault("PTB_TIMEDELTA", "true")

SEND_ATTEMPTS = 3
MAX_RETRY_AFTER = 30.0  # seconds we are willing to wait for one interactive reply


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Pieces that stay within ``limit`` once HTML-escaped, cut at sentence ends when possible."""
    return split_plain(text, limit, lambda piece: len(html.escape(piece, quote=False)))


class _NotUploaded(Exception):
    """The message that was to upload a broadcast's photo did not go out."""


class TelegramSender:
    def __init__(self, bot: Bot, store: Store | None = None) -> None:
        self.bot = bot
        self.store = store  # the bytes of photos uploaded in the web console
        self._file_ids: PerBroadcast[str | None] = PerBroadcast()

    async def send(self, outbound: Outbound) -> SendResult:
        """The text in pieces Telegram accepts (the buttons under the last); the first
        piece's message id. A piece that fails for good ends the message there."""
        pieces = split_text(outbound.text) or [""]
        markup = _keyboard(outbound)
        first: SendResult | None = None
        for n, piece in enumerate(pieces):
            last = n == len(pieces) - 1
            result = await self._send_piece(outbound, piece, markup if last else None)
            if result.status != "sent":
                return result if first is None else first
            first = first or result
        assert first is not None
        return first

    async def _send_piece(
        self, outbound: Outbound, piece: str, markup: InlineKeyboardMarkup | None
    ) -> SendResult:
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                # An attachment is an officer's preview of a broadcast with a photo.
                message = await _post(
                    self.bot, outbound.chat_id, piece, outbound.attachment, markup
                )
                return SendResult("sent", message_id=str(message.message_id))
            except RetryAfter as exc:
                wait = seconds(exc.retry_after)
                if wait > MAX_RETRY_AFTER or attempt == SEND_ATTEMPTS:
                    return SendResult("failed", f"Telegram yêu cầu chờ {wait:.0f} giây")
                await asyncio.sleep(wait)
            except Forbidden as exc:
                return SendResult("blocked", str(exc))
            except MaybeSent as exc:  # not again: Telegram may have it (a second repeats it)
                return SendResult("failed", f"Telegram không xác nhận: {exc}")
            except BadRequest as exc:  # a NetworkError too (chat not found…): again will not help
                return SendResult("failed", str(exc))
            except (TimedOut, NetworkError) as exc:  # not reached, or Telegram's own 5xx
                if attempt == SEND_ATTEMPTS:
                    return SendResult("failed", str(exc))
                await asyncio.sleep(0.5 * attempt)
            except TelegramError as exc:
                return SendResult("failed", str(exc))
        raise AssertionError("unreachable")

    async def edit_text(
        self, chat_id: str, message_id: str, text: str, buttons: tuple = ()
    ) -> float | None:
        """Edit an officer's status message in place (progress of a broadcast): None when
        done, or when there is nothing to do (not modified, deleted); else the seconds to
        wait before trying again (flood control, a timeout, the network)."""
        try:
            await self.bot.edit_message_text(
                html.escape(text, quote=False),
                chat_id=int(chat_id),
                message_id=int(message_id),
                parse_mode=ParseMode.HTML,
                reply_markup=_keyboard(Outbound("telegram", chat_id, text, buttons)),
            )
        except RetryAfter as exc:
            return seconds(exc.retry_after)
        except BadRequest:  # not modified, deleted: a NetworkError too, but nothing to retry
            return None
        except (TimedOut, NetworkError):  # NetworkError: also Telegram's own 5xx
            return RETRY_EDIT_AFTER
        except TelegramError:
            return None
        return None

    async def deliver_broadcast(self, chat_id: str, broadcast: BroadcastRecord) -> SendResult:
        if broadcast.photo and broadcast.photo.startswith(UPLOADED):
            return await self._deliver_uploaded(chat_id, broadcast)
        return (await _broadcast_one(self.bot, chat_id, broadcast.text, broadcast.photo))[0]

    async def _deliver_uploaded(self, chat_id: str, broadcast: BroadcastRecord) -> SendResult:
        """A photo uploaded in the web console has no Telegram file id: the first
        recipient's message carries its bytes, the others the file id Telegram gave them
        (once per broadcast and process). Without the bytes, the text goes alone."""
        ours: list[SendResult] = []

        async def upload() -> str | None:
            store = self.store
            kept = await store.photo(broadcast.photo or "", with_data=True) if store else None
            if kept is None:
                return None
            name = "thong-bao." + kept.content_type.rpartition("/")[2]
            result, message = await _broadcast_one(
                self.bot, chat_id, broadcast.text, InputFile(kept.data, filename=name)
            )
            ours.append(result)
            if message is None or not message.photo:
                raise _NotUploaded  # not remembered: the next recipient uploads
            return message.photo[-1].file_id

        try:
            file_id = await self._file_ids.get(broadcast.id, upload)
        except _NotUploaded:
            return ours[0]
        if ours:  # this recipient's message was the upload
            return ours[0]
        if file_id is None and not broadcast.text.strip():
            return SendResult("skipped", PHOTO_ONLY)
        return (await _broadcast_one(self.bot, chat_id, broadcast.text, file_id))[0]


async def _post(
    bot: Bot,
    chat_id: str,
    text: str,
    photo: str | InputFile | None,
    markup: InlineKeyboardMarkup | None = None,
    *,
    link_preview: bool = False,  # answers quote documents; a broadcast's link may show a card
) -> Message:
    """Text as escaped HTML, or a photo (a file id, or bytes to upload) with the text as
    its caption."""
    if photo:
        return await bot.send_photo(
            int(chat_id),
            photo,
            caption=html.escape(text[: MessageLimit.CAPTION_LENGTH], quote=False),
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
    return await bot.send_message(
        chat_id=int(chat_id),
        text=html.escape(text, quote=False),
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        disable_web_page_preview=not link_preview,
    )


async def _broadcast_one(
    bot: Bot, chat_id: str, text: str, photo: str | InputFile | None
) -> tuple[SendResult, Message | None]:
    """One broadcast message, classified for the delivery loop (which paces and retries),
    and the message when it was sent."""
    try:
        message = await _post(bot, chat_id, text, photo, link_preview=True)
    except RetryAfter as exc:
        wait = seconds(exc.retry_after)
        return SendResult("retry", "Telegram yêu cầu chờ", retry_after=wait), None
    except Forbidden as exc:
        return SendResult("blocked", str(exc)), None
    except BadRequest as exc:  # a NetworkError too (chat not found…): again will not help
        return SendResult("failed", str(exc)), None
    except (TimedOut, NetworkError) as exc:
        return SendResult("retry", str(exc)), None
    except TelegramError as exc:
        return SendResult("failed", str(exc)), None
    return SendResult("sent", message_id=str(message.message_id)), message


def _keyboard(outbound: Outbound) -> InlineKeyboardMarkup | None:
    if not outbound.buttons:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    row: list[InlineKeyboardButton] = []
    for button in outbound.buttons:
        data = button.action.encode()[:64].decode(errors="ignore")
        row.append(InlineKeyboardButton(button.label, callback_data=data))
        # A suggested section's label is long: it gets a row of its own.
        if len(row) == 2 or button.action.startswith("sg:"):
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return InlineKeyboardMarkup(rows)


def seconds(retry_after: object) -> float:
    """PTB gives an int, or a timedelta with PTB_TIMEDELTA=true."""
    total = getattr(retry_after, "total_seconds", None)
    return float(total()) if callable(total) else float(retry_after)  # type: ignore[arg-type]
