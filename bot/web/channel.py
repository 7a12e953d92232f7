"""The web chat as a channel: the page, the widget, and the JSON API the page calls.

A visitor is a random id kept in a cookie (and in the page's localStorage, for the widget
inside another site's page, where the cookie may be refused). Questions and button
presses go to the same dispatcher as Telegram and Zalo; what it answers comes back in the
API response (a retry with the same ``client_id`` gets the same answer, never a second), and what arrives later (an officer's reply) is pushed to the
open page with Server-Sent Events. Everything is stored, so a reload shows the history.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.broadcast.media import PHOTO_ONLY, BroadcastPhotos, photo_path
from bot.core.commands import as_number
from bot.core.messages import Inbound, Outbound, SendResult
from bot.core.records import BroadcastRecord
from bot.inputs import Malformed, parse_json, read_body
from bot.strings import answers as replies
from bot.strings import conversation as texts
from bot.strings import errors
from bot.strings import web as words
from bot.web.files import PageFiles
from bot.web.messages import BROADCAST_KIND, message_json, notice_json
from bot.web.security import MAX_API_BODY, security_headers
from bot.web.visitors import VisitorTokens
from bot.web.waiting import Answering

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.dispatcher import Dispatcher
    from bot.core.ports import Answerer
    from bot.store.repository import Store

logger = logging.getLogger(__name__)

PLATFORM = "web"
HISTORY = 200  # messages shown to a returning visitor
HEARTBEAT = 15.0  # seconds between SSE comments: proxies drop silent connections
_CLIENT_ID = re.compile(r"^[0-9A-Za-z-]{1,64}$")
_ACTION = re.compile(
    r"^(fb:(up|dn):\d{1,12}|handoff|sub|unsub|ex:\d{1,2}|full:\d{1,12}:\d{1,3}"
    r"|sg:\d{1,12}:\d{1,2}|del:(?:yes|no)(?::en)?)$"
)


class WebChannel:
    platform = PLATFORM

    def __init__(
        self, dispatcher: Dispatcher, store: Store, answerer: Answerer, settings: Settings
    ) -> None:
        self.dispatcher = dispatcher
        self.store = store
        self.answerer = answerer
        self.settings = settings
        self.photos = BroadcastPhotos(store)
        self._streams: dict[str, set[asyncio.Queue[dict[str, Any] | None]]] = defaultdict(set)
        self._stopping = False
        self.answering = Answering()
        self._tokens: VisitorTokens | None = None  # loaded at start (the secret is stored)
        self.files = PageFiles(settings, answerer.document_names)

    def routes(self) -> list[web.RouteDef]:
        return [
            *self.files.routes(),
            web.get("/api/session", self.session),
            web.post("/api/ask", self.ask),
            web.post("/api/action", self.action),
            web.get("/api/conversations/{visitor}", self.conversation),
            web.get("/api/events", self.events),
            web.get("/api/passage", self.passage),
        ]

    async def start(self) -> None:
        secure = self.settings.public_base_url.startswith("https://")
        self._tokens = await VisitorTokens.load(self.store, secure_cookie=secure)
        logger.info("web chat at /")

    async def stop(self) -> None:
        """Close the open pages' streams (they reconnect to the next run by themselves)."""
        self._stopping = True
        for queues in self._streams.values():
            for queue in queues:
                queue.put_nowait(None)
        await self.answering.settle()

    def _visitors(self) -> VisitorTokens:
        if self._tokens is None:  # the server listens a moment before channels start
            raise web.HTTPServiceUnavailable(reason=errors.BUSY)
        return self._tokens

    # ---- API ----------------------------------------------------------------------------
    async def session(self, request: web.Request) -> web.Response:
        """Who the visitor is (a new id if the request carries no token the server signed),
        their history and the starter questions."""
        visitor = self._visitors().caller(request) or self._visitors().new_visitor()
        response = web.json_response(
            {
                "visitor": visitor,
                "token": self._visitors().token(visitor),  # the page's X-Visitor
                "stream": self._visitors().stream_token(visitor),  # /api/events?t=
                "title": self.files.title(),
                "greeting": words.greeting(self.answerer.document_names()),
                "starters": list(replies.EXAMPLES_VI),
                "messages": await self._history(visitor),
            }
        )
        self._visitors().remember(response, visitor)
        return response

    async def conversation(self, request: web.Request) -> web.Response:
        visitor = request.match_info["visitor"]
        if visitor != self._visitors().caller(request):
            raise web.HTTPForbidden(reason=errors.NOT_YOURS)
        return web.json_response({"visitor": visitor, "messages": await self._history(visitor)})

    async def ask(self, request: web.Request) -> web.Response:
        visitor, body = await self._caller(request)
        text = body.get("text")
        if not isinstance(text, str):
            raise web.HTTPBadRequest(reason=errors.NO_QUESTION)
        return await self._handle(request, visitor, body, text=text)

    async def action(self, request: web.Request) -> web.Response:
        visitor, body = await self._caller(request)
        action = body.get("action")
        if not isinstance(action, str) or not _ACTION.match(action):
            raise web.HTTPBadRequest(reason=errors.BAD_ACTION)
        return await self._handle(request, visitor, body, action=action)

    async def _caller(self, request: web.Request) -> tuple[str, dict[str, Any]]:
        try:
            body = parse_json(await read_body(request, MAX_API_BODY))
        except Malformed:  # not JSON, not UTF-8, nested too deep, a broken gzip stream
            raise web.HTTPBadRequest(reason=errors.BAD_REQUEST) from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(reason=errors.BAD_REQUEST)
        visitor = self._visitors().caller(request)
        if visitor is None:
            raise web.HTTPForbidden(reason=errors.RELOAD)
        return visitor, body

    async def _handle(
        self, request: web.Request, visitor: str, body: dict[str, Any], **fields: str
    ) -> web.Response:
        client_id = body.get("client_id")
        if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
            client_id = uuid.uuid4().hex  # no retry protection without one, but still served
        inbound = Inbound(
            platform=PLATFORM,
            user_id=visitor,
            chat_id=visitor,
            update_key=f"{visitor}:{client_id}",
            message_id=client_id,
            display_name="",
            language=None,
            **fields,  # type: ignore[arg-type]
        )
        # Bounded wait: a stalled database or a queue of questions must not hold the
        # page; the answer is still made and stored, and the page's retry (same
        # client_id) or the event stream brings it.
        mine = await self.answering.within(self.dispatcher.dispatch(inbound))
        messages = [await self._json(o) for o in mine]
        response = web.json_response({"messages": [m for m in messages if m]})
        self._visitors().remember(response, visitor)
        return response

    async def passage(self, request: web.Request) -> web.Response:
        doc, section = request.query.get("doc", ""), request.query.get("section", "")
        try:
            text = self.answerer.passage(doc, section)
        except (KeyError, ValueError, LookupError):
            raise web.HTTPNotFound(reason=errors.NO_SUCH_SECTION) from None
        return web.json_response({"doc": doc, "section": section, "text": text})

    # ---- server push ------------------------------------------------------------------
    async def events(self, request: web.Request) -> web.StreamResponse:
        visitor = self._visitors().caller(request) or self._visitors().streamer_of(
            request.query.get("t")
        )
        if visitor is None:
            raise web.HTTPForbidden(reason=errors.NO_VISITOR)
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",  # nginx: do not hold the stream back
            }
        )
        security_headers(response, self.settings.web_allowed_origins)
        await response.prepare(request)
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._streams[visitor].add(queue)
        try:
            # What was said while the page was away (a restart, a dropped connection).
            after = _int(request.headers.get("Last-Event-ID") or request.query.get("after"))
            if after is not None:
                for message in await self._history(visitor):
                    # The page shows the visitor's own words itself: only replies are sent.
                    if message["id"] > after and message["author"] != "user":
                        await _write_event(response, message)
            while not self._stopping:
                try:
                    message = await asyncio.wait_for(queue.get(), HEARTBEAT)
                except TimeoutError:
                    await response.write(b": still here\n\n")
                    continue
                if message is None:
                    break
                await _write_event(response, message)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._streams[visitor].discard(queue)
            if not self._streams[visitor]:
                del self._streams[visitor]
        return response

    async def send(self, outbound: Outbound) -> SendResult:
        """Pushed to the visitor's open pages; stored already, so a page that is not open
        shows it at the next visit."""
        # Not stored (the apology when the store failed): only the asking request shows it.
        message = None if outbound.record_id is None else await self._json(outbound)
        if message is not None:
            for queue in list(self._streams.get(outbound.chat_id, ())):
                queue.put_nowait(message)
        return SendResult("sent", message_id=str(outbound.record_id or ""))

    async def deliver_broadcast(self, chat_id: str, broadcast: BroadcastRecord) -> SendResult:
        """An officer's update lands in the visitor's conversation: pushed to an open page,
        shown at the next visit otherwise; its photo (when kept) above the text."""
        person = await self.store.find_person(PLATFORM, chat_id)
        if person is None:
            return SendResult("failed", "không tìm thấy khách truy cập này")
        has_photo = await self.photos.facts(broadcast) is not None
        if not has_photo and not broadcast.text.strip():
            return SendResult("skipped", PHOTO_ONLY)
        record = await self.store.add_message(
            person.id, "out", broadcast.text, BROADCAST_KIND, broadcast_id=broadcast.id
        )
        message = message_json(record, (), photo_path(broadcast.id) if has_photo else None)
        for queue in list(self._streams.get(chat_id, ())):
            queue.put_nowait(message)
        return SendResult("sent", message_id=str(record.id))

    # ---- messages as the page sees them -------------------------------------------------
    async def _json(self, outbound: Outbound) -> dict[str, Any] | None:
        if outbound.record_id is None:  # not stored: the apology when the store failed
            return notice_json(outbound.text)
        record = await self.store.get_message(outbound.record_id)
        return None if record is None else message_json(record, outbound.buttons)

    async def _history(self, visitor: str) -> list[dict[str, Any]]:
        person = await self.store.find_person(PLATFORM, visitor)
        if person is None:
            return []
        records = await self.store.recent_messages(person.id, HISTORY)
        with_photo = await self.store.broadcasts_with_photo(
            r.broadcast_id for r in records if r.broadcast_id is not None
        )
        return [
            message_json(
                r,
                texts.buttons_for(r),
                photo_path(r.broadcast_id) if r.broadcast_id in with_photo else None,
            )
            for r in records
        ]


def _int(value: str | None) -> int | None:
    return as_number(value) if value else None


async def _write_event(response: web.StreamResponse, message: dict[str, Any]) -> None:
    data = json.dumps(message, ensure_ascii=False)
    await response.write(f"id: {message['id']}\nevent: message\ndata: {data}\n\n".encode())
