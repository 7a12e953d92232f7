"""The console's inbox: tickets waiting for an officer, a ticket's conversation, and the
officer's actions on it (take it, reply on the citizen's own channel, close it).

A reply goes the way a reply in the officers' Telegram group goes (the same handoff code,
labelled "Cán bộ <đơn vị> trả lời"), so both places see one state. Officers see the
tickets of citizens whose ward (chosen when subscribing) belongs to their unit; admins
see all. The list and a ticket's conversation refresh themselves (console-live.js reads
their fragments); the same facts are JSON under /console/api/ for other tools. Every
action is audited; each POST carries the session's CSRF token and answers with a
redirect, so a reload never sends twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from urllib.parse import urlencode

from aiohttp import web

from bot.console.inbox_view import (
    Lateness,
    Row,
    conversation_html,
    matches,
    rows_html,
    sees,
)
from bot.console.officer_answers_view import ticket_link
from bot.console.pages import PATH, csrf_field, escape, message, posted, refuse_forgery, signed_page
from bot.console.signin import Session
from bot.conversation.office_hours import OfficeHours
from bot.core.records import PersonRecord, TicketRecord
from bot.store.errors import StoreError
from bot.strings import console as words
from bot.strings import console_officer_answers as answer_words

__all__ = ["Inbox", "sees"]

CONVERSATION = 30  # messages shown with a ticket
LISTED = 200  # tickets in the list; a search looks through this many (and closed: 500)
SEARCHED_WITH_CLOSED = 500
MAX_QUERY = 200
LIVE_SCRIPT = ("console-live.js",)

SessionOf = Callable[[web.Request], Awaitable[Session]]


class Inbox:
    def __init__(
        self,
        store,
        dispatcher,
        require: SessionOf,
        office_hours: OfficeHours | None = None,
        target_minutes: int = 120,
    ) -> None:
        self.store = store
        self.dispatcher = dispatcher
        self.require = require
        self.lateness = Lateness(office_hours, target_minutes)

    def routes(self) -> list[web.RouteDef]:
        ticket = PATH + "yeu-cau/{id:[0-9]{1,9}}"
        api = PATH + "api/yeu-cau"
        return [
            web.get(PATH + "hop-thu", self.fragment),
            web.get(ticket, self.ticket),
            web.get(ticket + "/hoi-thoai", self.conversation),
            web.post(ticket + "/{act:nhan|tra-loi|dong}", self.act),
            web.get(api, self.api_list),
            web.get(api + "/{id:[0-9]{1,9}}", self.api_ticket),
        ]

    # ---- the list -------------------------------------------------------------------

    async def rows(self, session: Session, query: str, include_closed: bool) -> list[Row]:
        limit = SEARCHED_WITH_CLOSED if include_closed else LISTED
        now = datetime.now(UTC)
        return [
            self.lateness.row(ticket, person, now)
            for ticket, person in await self.store.inbox_tickets(include_closed, limit)
            if sees(session, person) and (not query or matches(query, ticket, person))
        ]

    async def home(self, request: web.Request, session: Session) -> web.Response:
        query, include_closed = _search(request)
        rows = await self.rows(session, query, include_closed)
        live = f"{PATH}hop-thu?{urlencode({'q': query, 'dong': int(include_closed)})}"
        checked = " checked" if include_closed else ""
        scope = "" if session.role == "admin" else f"<p>{escape(words.OFFICER_SCOPE)}</p>"
        body = (
            f"<h2>{escape(words.INBOX_ALL if include_closed else words.INBOX)}</h2>{scope}"
            f'<form method="get" action="{PATH}" class="inbox-search" role="search">'
            f'<label for="q">{escape(words.SEARCH_LABEL)}</label>'
            f'<input type="search" id="q" name="q" value="{escape(query)}" maxlength="{MAX_QUERY}">'
            f'<label class="choice"><input type="checkbox" name="dong" value="1"{checked}>'
            f"{escape(words.INCLUDE_CLOSED)}</label>"
            f'<button type="submit">{escape(words.SEARCH)}</button></form>'
            f'<p class="live">{escape(words.LIVE)} '
            f"{escape(words.late_rule(self.lateness.target_minutes))}</p>"
            f'<div id="inbox" data-live="{escape(live)}" aria-live="polite">'
            f"{rows_html(rows, bool(query))}</div>"
        )
        return signed_page(session, "", body, scripts=LIVE_SCRIPT)

    async def fragment(self, request: web.Request) -> web.Response:
        """The list alone, for the live script."""
        session = await self.require(request)
        query, include_closed = _search(request)
        rows = await self.rows(session, query, include_closed)
        return _fragment(rows_html(rows, bool(query)))

    async def api_list(self, request: web.Request) -> web.Response:
        session = await self.require(request)
        query, include_closed = _search(request)
        rows = await self.rows(session, query, include_closed)
        return _json({"tickets": [row.as_json() for row in rows]})

    # ---- one ticket -----------------------------------------------------------------

    async def _visible(self, request: web.Request) -> tuple[Session, TicketRecord, PersonRecord]:
        session = await self.require(request)
        ticket = await self.store.get_ticket(int(request.match_info["id"]))
        person = None if ticket is None else await self.store.get_person(ticket.person_id)
        if ticket is None or person is None or not sees(session, person):
            await self.store.audit(session.actor, "console_ticket_refused", {"path": request.path})
            raise web.HTTPNotFound(text=message(words.NOT_YOURS).text, content_type="text/html")
        return session, ticket, person

    async def _conversation(self, ticket: TicketRecord, person: PersonRecord) -> str:
        said = await self.store.recent_messages(person.id, CONVERSATION)
        return conversation_html(said, ticket.last_answer_id)

    async def ticket(self, request: web.Request) -> web.Response:
        session, ticket, person = await self._visible(request)
        action = f"{PATH}yeu-cau/{ticket.id}/"
        csrf = csrf_field(session)
        forms = ""
        if ticket.active:
            forms = (
                '<div class="ticket-actions">'
                f'<form method="post" action="{action}tra-loi" class="ticket-reply">{csrf}'
                f'<label for="reply">{escape(words.REPLY_LABEL)}</label>'
                '<textarea id="reply" name="text" rows="4" maxlength="2000" required></textarea>'
                f'<button type="submit">{escape(words.REPLY)}</button></form>'
                f'<form method="post" action="{action}nhan">{csrf}'
                f'<button type="submit" class="secondary">{escape(words.TAKE)}</button></form>'
                f'<form method="post" action="{action}dong">{csrf}'
                f'<button type="submit" class="secondary">{escape(words.CLOSE)}</button></form>'
                "</div>"
            )
        assigned = f" — {escape(ticket.assigned_by)}" if ticket.assigned_by else ""
        body = (
            f'<p><a href="{PATH}">{escape(words.BACK)}</a></p>'
            f"<h2>{escape(words.ticket_title(ticket.id, person.platform, person.display_name))}</h2>"
            f"<p>{escape(words.STATES[ticket.state])}{assigned} — {escape(ticket.reason)}</p>"
            f'<p><a href="{ticket_link(ticket.id)}">{escape(answer_words.SAVE_FROM_TICKET)}</a></p>'
            f"<h3>{escape(words.CONVERSATION)}</h3>"
            f'<div id="conversation" data-live="{action}hoi-thoai" aria-live="polite">'
            f"{await self._conversation(ticket, person)}</div>"
            f"{forms}"
        )
        return signed_page(session, "", body, scripts=LIVE_SCRIPT)

    async def conversation(self, request: web.Request) -> web.Response:
        _, ticket, person = await self._visible(request)
        return _fragment(await self._conversation(ticket, person))

    async def api_ticket(self, request: web.Request) -> web.Response:
        _, ticket, person = await self._visible(request)
        row = self.lateness.row(ticket, person, datetime.now(UTC))
        said = await self.store.recent_messages(person.id, CONVERSATION)
        conversation = [
            {
                "id": m.id,
                "direction": m.direction,
                "kind": m.kind,
                "text": m.text,
                "at": m.created_at.isoformat(),
            }
            for m in said
        ]
        return _json({"ticket": row.as_json(), "conversation": conversation})

    async def act(self, request: web.Request) -> web.Response:
        session, ticket, _ = await self._visible(request)
        form = await posted(request)
        refused = await refuse_forgery(self.store, request, session, form)
        if refused is not None:
            return refused
        act = request.match_info["act"]
        if not ticket.active:
            return message(words.ALREADY_CLOSED, status=409)
        citizens = self.dispatcher.citizens
        if act == "nhan":
            try:
                await self.store.assign_ticket(ticket.id, session.actor)
            except StoreError:  # another officer took it first, or it was answered already
                return message(words.taken(ticket.assigned_by), status=409)
        elif act == "dong":
            await self.dispatcher.for_ticket(citizens.ticket_close(ticket.id, session.actor))
        else:
            text = str(form.get("text") or "").strip()
            if not text:
                return message(words.EMPTY_REPLY, status=400)
            reply = citizens.ticket_reply(ticket.id, session.actor, session.unit or None, text)
            await self.dispatcher.for_ticket(reply)
        await self.store.audit(session.actor, f"console_ticket_{act}", {"ticket": ticket.id})
        raise web.HTTPSeeOther(f"{PATH}yeu-cau/{ticket.id}")


def _search(request: web.Request) -> tuple[str, bool]:
    query = " ".join(request.query.get("q", "").split())[:MAX_QUERY]
    return query, request.query.get("dong", "") in {"1", "on", "true"}


def _fragment(html: str) -> web.Response:
    response = web.Response(text=html, content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


def _json(data: dict) -> web.Response:
    response = web.json_response(data)
    response.headers["Cache-Control"] = "no-store"
    return response
