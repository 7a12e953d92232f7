"""The console's broadcasts section ("Thông báo", /console/thong-bao): the list with what
each broadcast reached (delivered, blocked, skipped, replies within 24 h), one broadcast
with its live progress, and pause / resume / cancel.

What the officer may do is the Telegram desk's: composing is broadcast_compose.py (the
desk's ``publish``), the controls are the desk's ``control`` (same states, same audit),
and the sending itself is the delivery loop's. An officer sees and controls the
broadcasts of their unit (and their own); an admin every one. Every change is audited,
carries the session's CSRF token and answers with a redirect.
"""

from __future__ import annotations

from aiohttp import web

from bot.broadcast.controls import RESULTS
from bot.broadcast.desk import BroadcastDesk
from bot.console import broadcast_views as views
from bot.console.broadcast_compose import Compose, Require, image_response, json_response, refusal
from bot.console.pages import posted, refuse_forgery, signed_page
from bot.console.signin import Session
from bot.core.commands import as_number
from bot.core.records import BroadcastRecord
from bot.store.repository import Store
from bot.strings import broadcast as wording
from bot.strings import console_broadcasts as words

HOME = views.HOME
PAGE = 30  # broadcasts listed at once
ONE = HOME + "/{id:[0-9]{1,9}}"


def sees(session: Session, broadcast: BroadcastRecord) -> bool:
    """Admins see every broadcast; an officer those of their unit, and their own."""
    if session.role == "admin" or broadcast.officer == session.actor:
        return True
    return bool(session.unit) and broadcast.unit == session.unit


class Broadcasts:
    def __init__(self, store: Store, desk: BroadcastDesk, require: Require) -> None:
        self.store = store
        self.desk = desk
        self.require = require
        self.compose = Compose(store, desk, require)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(HOME, self.listing),
            *self.compose.routes(),
            web.get(ONE, self.one),
            web.get(ONE + "/anh", self.photo),
            web.get(ONE + "/tien-do", self.progress),
            web.post(ONE + "/{verb:tam-dung|tiep-tuc|huy}", self.control),
            web.route("*", HOME + "/{rest:.*}", self.unknown),  # last: a polite 404
        ]

    async def unknown(self, request: web.Request) -> web.Response:
        session = await self.require(request)
        return refusal(session, words.NOT_FOUND, 404)

    async def listing(self, request: web.Request) -> web.Response:
        session = await self.require(request)
        before = as_number(request.query.get("truoc", ""))
        mine = {} if session.role == "admin" else {"unit": session.unit, "officer": session.actor}
        rows = await self.store.broadcast_history(**mine, limit=PAGE + 1, before=before)
        older = rows[PAGE - 1][0].id if len(rows) > PAGE else None
        table = views.history(session, rows[:PAGE], self.desk.zone)
        return signed_page(session, "thong-bao", views.listing(session, table, older))

    async def one(self, request: web.Request) -> web.Response:
        session, broadcast = await self._visible(request)
        # The history's row of this broadcast: its counts with the replies within 24 h.
        rows = await self.store.broadcast_history(before=broadcast.id + 1, limit=1)
        if rows and rows[0][0].id == broadcast.id:
            counts = rows[0][1]
        else:  # a draft, a moment before it is queued
            counts = await self.store.broadcast_progress(broadcast.id)
        kept = await self.store.photo(broadcast.photo) if broadcast.photo else None
        photo_url = f"{HOME}/{broadcast.id}/anh" if kept else None
        body = views.detail(session, broadcast, counts, photo_url, self.desk.zone)
        return signed_page(session, "thong-bao", body, scripts=(views.SCRIPT,))

    async def photo(self, request: web.Request) -> web.Response:
        _, broadcast = await self._visible(request)
        kept = await self.store.photo(broadcast.photo or "", with_data=True)
        if kept is None:
            raise web.HTTPNotFound()
        return image_response(kept.data, kept.content_type)

    async def progress(self, request: web.Request) -> web.Response:
        """The counts for the page's script, which asks every few seconds while sending."""
        _, broadcast = await self._visible(request)
        counts = await self.store.broadcast_progress(broadcast.id)
        return json_response(views.progress_json(broadcast, counts))

    async def control(self, request: web.Request) -> web.Response:
        session, broadcast = await self._visible(request)
        refused = await refuse_forgery(self.store, request, session, await posted(request))
        if refused is not None:
            return refused
        verb = words.VERBS[request.match_info["verb"]]
        action = f"console_broadcast_{verb}"
        if await self.desk.control(session.actor, verb, broadcast.id, action=action) is None:
            now = await self.store.get_broadcast(broadcast.id)
            state = now.state if now else broadcast.state
            if state != RESULTS[verb]:  # not a second click of the same button: refused
                details = {"id": broadcast.id, "state": state}
                await self.store.audit(session.actor, action + "_refused", details)
                return refusal(session, wording.cannot(verb, state), 409, f"{HOME}/{broadcast.id}")
        raise web.HTTPSeeOther(f"{HOME}/{broadcast.id}")

    async def _visible(self, request: web.Request) -> tuple[Session, BroadcastRecord]:
        """The broadcast of the path, if this officer may see it; else a 404 page."""
        session = await self.require(request)
        broadcast = await self.store.get_broadcast(int(request.match_info["id"]))
        if broadcast is None or not sees(session, broadcast):
            await self.store.audit(
                session.actor, "console_broadcast_refused", {"path": request.path}
            )
            raise web.HTTPNotFound(
                text=refusal(session, words.NOT_FOUND, 404).text,
                content_type="text/html",
                headers={"Cache-Control": "no-store"},
            )
        return session, broadcast
