"""Zalo Official Account adapter: signed webhook in, consultation messages out.

``POST /zalo/oa/webhook`` checks ``X-ZEvent-Signature`` (constant time) and the event's
age, keeps the event (EventInbox) and answers 200 at once; the event is then handled in
the background. Zalo retries an event it did not get 200 for, so events are deduplicated
on ``msg_id``. Replies go through the consultation API, cut at 2,000 characters, with
the buttons of other platforms written as words to type ("gặp cán bộ"). A broadcast's
photo is uploaded once and shown above the first piece of its text.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.broadcast.media import PHOTO_ONLY, PerBroadcast
from bot.channels import zalo_protocol as zp
from bot.channels.inbox import EventInbox
from bot.channels.text import split_text
from bot.channels.zalo_oa_client import ZaloOAClient, ZaloOAError
from bot.channels.zalo_oa_events import (
    event_key,
    follower,
    is_user_id,
    message_id,
    message_text,
    person_of,
    sender,
    signature_matches,
    signature_of,
)
from bot.conversation.shortcuts import text_hint
from bot.core.messages import Inbound, Outbound, SendResult
from bot.core.records import BroadcastRecord
from bot.inputs import Malformed, parse_json, read_body

if TYPE_CHECKING:
    from bot.core.dispatcher import Dispatcher
    from bot.store.repository import Store

logger = logging.getLogger(__name__)

PLATFORM = "zalo_oa"
MAX_BODY_BYTES = 256 * 1024
PROMOTION_HEADER = "Thông báo"  # a promotion message's header when the unit is not known
FUTURE_SKEW_SECONDS = 300.0  # clocks differ a little; an event from the future is forged


class ZaloOAChannel:
    platform = PLATFORM

    def __init__(
        self,
        dispatcher: Dispatcher,
        store: Store,
        client: ZaloOAClient,
        *,
        app_id: str,
        oa_secret_key: str,
        max_event_age: float,
        promotion: bool = False,
    ) -> None:
        self.dispatcher = dispatcher
        self.store = store
        self.promotion = promotion  # outside the 7-day window, broadcasts as promotion
        self.client = client
        self.app_id = app_id
        self._oa_secret_key = oa_secret_key
        self.max_event_age = max_event_age
        self.inbox = EventInbox(
            store, PLATFORM, self._handle, person_of, tell_officers=dispatcher.tell_officers
        )
        # Each broadcast's photo is uploaded once (None: sent as text only).
        self._attachments: PerBroadcast[str | None] = PerBroadcast()

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/zalo/oa/webhook", self.webhook)]

    async def start(self) -> None:
        await self.client.start()
        await self.inbox.start()
        logger.info("Zalo OA webhook ready at /zalo/oa/webhook")

    async def stop(self) -> None:
        await self.inbox.stop()
        await self.client.close()

    # ---- webhook --------------------------------------------------------------------
    async def webhook(self, request: web.Request) -> web.Response:
        if not self.inbox.accepting:
            return web.Response(status=503, text="shutting down")  # Zalo retries later
        try:
            raw = await read_body(request, MAX_BODY_BYTES)
            event = parse_json(raw)
            if not isinstance(event, dict):
                raise Malformed("not an object")
        except Malformed:
            # Unparseable bodies cannot be checked: refused like forged ones.
            return self._refuse(request, "malformed body")
        problem = self._check(event, raw, request.headers.get(zp.OA_SIGNATURE_HEADER, ""))
        if problem:
            return self._refuse(request, problem)
        key = event_key(event)
        if key is not None and not is_user_id(person_of(event)):
            # Genuine but unusable (no one to answer): acknowledged, or Zalo resends it.
            logger.warning("Zalo OA event %s skipped: no usable sender", event.get("event_name"))
        elif key is not None and not await self.inbox.accept(key, event):
            logger.info("Zalo OA event %s already received", key)
        return web.json_response({"error": 0})

    def _check(self, event: dict[str, Any], raw: bytes, header: str) -> str | None:
        """Why the event is refused, or None when it is genuine and fresh."""
        if not header:
            return "unsigned"
        app_id, timestamp = str(event.get("app_id", "")), str(event.get("timestamp", ""))
        if app_id != self.app_id:
            return "another app"
        expected = signature_of(app_id, raw, timestamp, self._oa_secret_key)
        if not signature_matches(header, expected):
            return "bad signature"
        try:
            age = time.time() - int(timestamp) / 1000
        except (ValueError, OverflowError):
            return "no timestamp"
        if age > self.max_event_age or age < -FUTURE_SKEW_SECONDS:
            return "stale"
        return None

    @staticmethod
    def _refuse(request: web.Request, why: str) -> web.Response:
        logger.warning("Zalo OA webhook call refused (%s) from %s", why, request.remote)
        return web.Response(status=403, text="forbidden")

    # ---- events -----------------------------------------------------------------------
    async def _handle(self, event: dict[str, Any]) -> None:
        inbound = self._inbound(event)
        if inbound is not None and is_user_id(inbound.user_id):
            await self.dispatcher.dispatch(inbound)

    def _inbound(self, event: dict[str, Any]) -> Inbound | None:
        name = str(event.get("event_name", ""))
        key = event_key(event) or ""
        if name in (zp.OA_FOLLOW, zp.OA_UNFOLLOW):
            user = follower(event)
            return Inbound(
                platform=PLATFORM,
                user_id=user,
                chat_id=user,
                update_key=key,
                action="follow" if name == zp.OA_FOLLOW else "unfollow",
            )
        if not name.startswith(zp.OA_USER_SEND_PREFIX):
            return None
        user = sender(event)
        text = message_text(event)
        is_text = name == zp.OA_TEXT and text is not None
        return Inbound(
            platform=PLATFORM,
            user_id=user,
            chat_id=user,
            update_key=key,
            message_id=message_id(event),
            text=text if is_text else None,
            content="text" if is_text else "unsupported",
        )

    async def display_name(self, user_id: str) -> str:
        """Events carry no name; the dispatcher asks for it (NameSource)."""
        return await self.client.user_name(user_id)

    # ---- sending ------------------------------------------------------------------------
    async def deliver_broadcast(self, chat_id: str, broadcast: BroadcastRecord) -> SendResult:
        """A consultation message inside Zalo's 7-day window. Outside it (-230), a
        promotion message when ``ZALO_OA_PROMOTION`` allows it (the OA's quota); otherwise,
        and for people who do not follow the OA or when the quota is spent, the recipient
        is skipped with Zalo's reason."""
        try:
            attachment_id = await self._attachment(broadcast)
            if attachment_id is None and not broadcast.text.strip():
                return SendResult("skipped", PHOTO_ONLY)
            try:
                first = await self._send_pieces(chat_id, broadcast.text, attachment_id)
            except ZaloOAError as exc:
                if exc.code != zp.OA_ERROR_OUTSIDE_WINDOW or not self.promotion:
                    raise
                first = await self._send_promotion(chat_id, broadcast, attachment_id)
        except ZaloOAError as exc:
            if exc.code in zp.OA_UNREACHABLE:
                return SendResult("skipped", zp.OA_UNREACHABLE[exc.code])
            return SendResult("retry" if exc.code == -1 else "failed", str(exc))
        return SendResult("sent", message_id=first)

    async def _send_promotion(
        self, chat_id: str, broadcast: BroadcastRecord, attachment_id: str | None
    ) -> str:
        """The update as promotion messages: the unit as the header, the photo as the
        banner of the first, the text in paragraphs of Zalo's size."""
        header = (broadcast.unit or PROMOTION_HEADER)[: zp.OA_PROMOTION_MAX_HEADER]
        paragraphs = _promotion_paragraphs(broadcast.text) or [""]
        first = ""
        for start in range(0, len(paragraphs), zp.OA_PROMOTION_TEXTS):
            texts = paragraphs[start : start + zp.OA_PROMOTION_TEXTS]
            banner = attachment_id if start == 0 else None
            message_id = await self.client.send_promotion(chat_id, header, texts, banner)
            first = first or message_id
        return first

    async def send(self, outbound: Outbound) -> SendResult:
        text = outbound.text
        hint = text_hint(outbound.buttons)
        if hint:
            text = f"{text}\n\n{hint}"
        try:
            message_id = await self._send_pieces(outbound.chat_id, text)
        except ZaloOAError as exc:
            return SendResult("failed", zp.OA_UNREACHABLE.get(exc.code, str(exc)))
        return SendResult("sent", message_id=message_id)

    async def _send_pieces(self, chat_id: str, text: str, attachment_id: str | None = None) -> str:
        """``text`` cut at 2,000 characters, the image (if any) with the first piece; the
        first message's id. Raises ZaloOAError, whichever piece failed."""
        pieces = split_text(text, zp.OA_MAX_TEXT) or [""]
        if attachment_id:
            first = await self.client.send_image(chat_id, pieces[0], attachment_id)
        else:
            first = await self.client.send_text(chat_id, pieces[0])
        for piece in pieces[1:]:
            await self.client.send_text(chat_id, piece)
        return first

    async def _attachment(self, broadcast: BroadcastRecord) -> str | None:
        """The broadcast photo's attachment id, uploaded at the first recipient; None sends
        the text alone. A network failure raises (the delivery is tried again later)."""
        if not broadcast.has_photo:
            return None
        return await self._attachments.get(broadcast.id, lambda: self._upload(broadcast))

    async def _upload(self, broadcast: BroadcastRecord) -> str | None:
        photo = await self.store.photo(broadcast.photo or "", with_data=True)
        why = None
        if photo is None:
            why = "its bytes were not fetched from Telegram"
        elif photo.content_type not in zp.OA_IMAGE_TYPES:
            why = f"Zalo OA takes no {photo.content_type}"
        elif photo.size > zp.OA_MAX_IMAGE_BYTES:
            why = f"{photo.size} bytes is over Zalo OA's limit"
        if photo is None or why is not None:
            logger.warning("broadcast %s goes to Zalo OA without its photo: %s", broadcast.id, why)
            return None
        name = f"thong-bao-{broadcast.id}.{zp.OA_IMAGE_TYPES[photo.content_type]}"
        try:
            return await self.client.upload_image(photo.data, photo.content_type, name)
        except ZaloOAError as exc:
            if exc.code == -1:
                raise  # Zalo did not answer: the deliveries are retried, and so is this
            logger.warning(
                "Zalo OA refused broadcast %s's photo (%s): text only", broadcast.id, exc
            )
            return None


def _promotion_paragraphs(text: str) -> list[str]:
    """Pieces of Zalo's text-element size once each line break is written Zalo's way."""
    size = zp.OA_PROMOTION_MAX_TEXT
    while True:
        pieces = [p.replace("\n", zp.OA_PROMOTION_NEWLINE) for p in split_text(text, size)]
        if size <= 200 or all(len(p) <= zp.OA_PROMOTION_MAX_TEXT for p in pieces):
            return pieces
        size -= 100  # many short lines: each break grew into several characters
