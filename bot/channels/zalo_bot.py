"""Zalo Bot Platform adapter: a thin aiohttp client of Zalo's Telegram-like bot API.

python-telegram-bot cannot parse this API (no update_id, one update per getUpdates, string
ids, no first_name in getMe: shared/design/CHANNELS.md section 2), so the five methods the
bot needs are called directly. Webhook events are checked against the shared secret, kept
in the EventInbox and acknowledged at once; polled updates are handled before the next
poll. Both are deduplicated by the dispatcher on the message id. Zalo Bot shows no
buttons, so a line saying what to type stands in for them. A broadcast's photo is sent by
URL (sendPhoto fetches it): ``PUBLIC_BASE_URL`` + ``/media/broadcast/<id>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.broadcast.media import PHOTO_ONLY, BroadcastPhotos, photo_path
from bot.channels.inbox import EventInbox
from bot.channels.text import split_text
from bot.channels.zalo_bot_client import ZaloBotClient, ZaloBotError
from bot.channels.zalo_bot_updates import PLATFORM, from_webhook, parse_update, sender_of
from bot.channels.zalo_protocol import (
    BOT_MAX_CAPTION,
    BOT_MAX_TEXT,
    BOT_POLL_TIMEOUT,
    BOT_SECRET_HEADER,
    BOT_SECRET_MAX,
    BOT_SECRET_MIN,
)
from bot.conversation.shortcuts import text_hint
from bot.core.messages import Outbound, SendResult
from bot.core.records import BroadcastRecord
from bot.errors import BotError
from bot.inputs import Malformed, parse_json, read_body

if TYPE_CHECKING:
    from bot.core.dispatcher import Dispatcher
    from bot.store.repository import Store

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/zalo/bot/webhook"
MAX_BODY_BYTES = 1 << 20  # Zalo events are small; anything bigger is not from Zalo
SEND_ATTEMPTS = 3
RETRY_BACKOFF = 0.5  # seconds, times the attempt number
ERROR_PAUSE = 2.0  # seconds between polls after a failed one: no busy loop
Piece = tuple[str, str | None]  # one message: its text (a caption with a photo), the photo URL


class ZaloBotChannel:
    platform = PLATFORM

    def __init__(
        self,
        dispatcher: Dispatcher,
        store: Store,
        token: str,
        base_url: str,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        public_base_url: str = "",
    ) -> None:
        if webhook_url and not (BOT_SECRET_MIN <= len(webhook_secret or "") <= BOT_SECRET_MAX):
            raise BotError(
                f"ZALO_BOT_WEBHOOK_SECRET phải dài {BOT_SECRET_MIN}–{BOT_SECRET_MAX} ký tự "
                "khi đặt ZALO_BOT_WEBHOOK_URL"
            )
        self.dispatcher = dispatcher
        self.client = ZaloBotClient(token, base_url)
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.inbox = EventInbox(
            store, PLATFORM, self._handle_update, sender_of, tell_officers=dispatcher.tell_officers
        )
        self.public_base_url = public_base_url.rstrip("/")
        self.photos = BroadcastPhotos(store)
        self._photo_warned: set[int | None] = set()  # broadcasts (None: the setting) logged
        self._poller: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._in_flight: set[asyncio.Task[Any]] = set()

    # ---- lifecycle --------------------------------------------------------------------
    async def start(self) -> None:
        await self.client.open()
        try:
            me = await self.client.get_me()
            await self.inbox.start()
            if self.webhook_url and self.webhook_secret:
                await self.client.set_webhook(self.webhook_url, self.webhook_secret)
                logger.info("Zalo Bot %s: webhook set", me.get("account_name", ""))
            else:
                await self.client.delete_webhook()
                self._poller = asyncio.create_task(self._poll(), name="zalo-bot-poller")
                logger.info("Zalo Bot %s: long polling started", me.get("account_name", ""))
        except BaseException:
            await self.inbox.stop()
            await self.client.close()
            raise

    async def stop(self) -> None:
        """Stop taking updates, finish what is in flight, then close the client."""
        self._stopping.set()
        if self._poller is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        if self._in_flight:  # webhook calls still writing their event to the inbox
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        await self.inbox.stop()
        await self.client.close()

    # ---- long polling -----------------------------------------------------------------
    async def _poll(self) -> None:
        while not self._stopping.is_set():
            try:
                update = await self._next_update()
            except ZaloBotError as exc:
                logger.warning("Zalo Bot polling: %s", exc)
                await self._pause(ERROR_PAUSE)
                continue
            except Exception:
                logger.exception("Zalo Bot polling failed")
                await self._pause(ERROR_PAUSE)
                continue
            if update is not None:
                # Handled before the next poll; no offset exists, dedup is by message id.
                await self._handle_update(update)

    async def _next_update(self) -> dict[str, Any] | None:
        """The next update, or None once stopping: a waiting long poll is abandoned."""
        fetch = asyncio.ensure_future(self.client.get_updates(BOT_POLL_TIMEOUT))
        stopping = asyncio.ensure_future(self._stopping.wait())
        done, _ = await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if fetch in done:
            return fetch.result()
        fetch.cancel()
        with contextlib.suppress(asyncio.CancelledError, ZaloBotError):
            await fetch
        return None

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    # ---- webhook --------------------------------------------------------------------
    def routes(self, path: str = WEBHOOK_PATH) -> list[web.RouteDef]:
        return [web.post(path, self.webhook)]

    async def webhook(self, request: web.Request) -> web.Response:
        if self._stopping.is_set():
            return web.Response(status=503, text="shutting down")
        if not self._authorised(request):
            logger.warning("Zalo Bot webhook call with a wrong or missing secret")
            return web.Response(status=403, text="forbidden")
        async with self._tracked():
            try:
                data = parse_json(await read_body(request, MAX_BODY_BYTES))
            except Malformed as exc:
                logger.warning("unreadable Zalo Bot webhook body refused: %s", exc)
                return web.Response(status=400, text="malformed body")
            try:
                update, inbound = from_webhook(data)
            except (ValueError, KeyError, TypeError) as exc:
                # Acknowledged all the same: a refused event would be sent again and again.
                logger.warning("malformed Zalo Bot event skipped: %s", exc)
                return web.Response(text="ok")
            if inbound is not None and not await self.inbox.accept(inbound.update_key, update):
                logger.info("Zalo Bot event %s received again", inbound.update_key)
        return web.Response(text="ok")

    def _authorised(self, request: web.Request) -> bool:
        given = request.headers.get(BOT_SECRET_HEADER, "")
        expected = self.webhook_secret or ""
        # A plain shared secret, compared in constant time all the same.
        return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())

    @contextlib.asynccontextmanager
    async def _tracked(self) -> AsyncIterator[None]:
        """Lets stop() wait for a webhook call that is writing its event."""
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._in_flight.discard(task)

    # ---- to the dispatcher ---------------------------------------------------------------
    async def _handle_update(self, update: dict[str, Any]) -> None:
        try:
            inbound = parse_update(update)
        except (ValueError, KeyError, TypeError) as exc:
            logger.warning("malformed Zalo Bot update skipped: %r", exc)
            return
        if inbound is not None:
            await self.dispatcher.dispatch(inbound)

    # ---- to Zalo ----------------------------------------------------------------------
    async def send(self, outbound: Outbound) -> SendResult:
        text = _with_hint(outbound)
        if not text.strip():
            return SendResult("failed", "tin nhắn rỗng")
        try:
            # An answer someone waits for: a failed network call is tried again at once.
            message_id = await self._send_pieces(outbound.chat_id, text, attempts=SEND_ATTEMPTS)
        except ZaloBotError as exc:
            return SendResult("blocked" if exc.blocked else "failed", str(exc))
        return SendResult("sent", message_id=message_id)

    async def deliver_broadcast(self, chat_id: str, broadcast: BroadcastRecord) -> SendResult:
        """One broadcast message; the delivery loop paces and retries."""
        photo_url = await self._photo_url(broadcast)
        if photo_url is None and not broadcast.text.strip():
            return SendResult("skipped", PHOTO_ONLY)
        try:
            try:
                first = await self._send_pieces(chat_id, broadcast.text, photo_url)
            except ZaloBotError as exc:
                if not _photo_refused(exc) or not broadcast.text.strip():
                    raise
                # Zalo could not take the photo (not reachable at PUBLIC_BASE_URL?): the
                # text still goes out; nothing was sent before the photo.
                self._warn(broadcast.id, f"Zalo Bot refused the photo ({exc}): text only")
                first = await self._send_pieces(chat_id, broadcast.text)
        except ZaloBotError as exc:
            if exc.blocked:
                return SendResult("blocked", str(exc))
            return SendResult("retry" if exc.transient else "failed", str(exc))
        return SendResult("sent", message_id=first)

    async def _photo_url(self, broadcast: BroadcastRecord) -> str | None:
        """Where Zalo fetches the broadcast's photo, or None to send the text alone."""
        if not broadcast.has_photo:
            return None
        if not self.public_base_url:
            self._warn(None, "PUBLIC_BASE_URL is not set: broadcasts go to Zalo Bot without photos")
            return None
        if await self.photos.facts(broadcast) is None:
            self._warn(broadcast.id, "its photo was not fetched from Telegram: text only")
            return None
        return self.public_base_url + photo_path(broadcast.id)

    def _warn(self, broadcast_id: int | None, why: str) -> None:
        """Once per broadcast (or once, for the setting): not at every recipient."""
        if broadcast_id not in self._photo_warned:
            self._photo_warned.add(broadcast_id)
            where = f"broadcast {broadcast_id}: " if broadcast_id is not None else ""
            logger.warning("Zalo Bot %s%s", where, why)

    async def _send_pieces(
        self, chat_id: str, text: str, photo_url: str | None = None, *, attempts: int = 1
    ) -> str:
        """The photo (the text as its caption when it fits), then the text in pieces of
        2,000 characters; the first message's id. Raises the first ZaloBotError."""
        first = ""
        for n, piece in enumerate(pieces(text, photo_url)):
            message_id = await self._send_piece(chat_id, piece, attempts)
            if n == 0:
                first = message_id
        return first

    async def _send_piece(self, chat_id: str, piece: Piece, attempts: int) -> str:
        text, photo_url = piece
        for attempt in range(1, attempts + 1):
            try:
                if photo_url:
                    return await self.client.send_photo(chat_id, photo_url, text)
                return await self.client.send_message(chat_id, text)
            except ZaloBotError as exc:
                if not exc.transient or exc.maybe_delivered or attempt == attempts:
                    raise  # final: or Zalo may have it already (a second would repeat it)
                logger.info("Zalo Bot send failed (%s), trying again", exc)
                await asyncio.sleep(RETRY_BACKOFF * attempt)
        raise AssertionError("unreachable")


def pieces(text: str, photo_url: str | None = None) -> list[Piece]:
    """The messages that carry ``text`` (and the photo): a caption when the text fits in
    one, else the photo alone and then the text."""
    if photo_url and len(text) <= BOT_MAX_CAPTION:
        return [(text, photo_url)]
    photo: list[Piece] = [("", photo_url)] if photo_url else []
    return photo + [(piece, None) for piece in split_text(text, BOT_MAX_TEXT)]


def _photo_refused(exc: ZaloBotError) -> bool:
    return exc.method == "sendPhoto" and not (exc.transient or exc.blocked)


def _with_hint(outbound: Outbound) -> str:
    """Zalo Bot shows no buttons: say what to type instead."""
    hint = text_hint(outbound.buttons) if outbound.buttons else ""
    return f"{outbound.text}\n\n{hint}" if hint else outbound.text
