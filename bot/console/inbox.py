"""The console's inbox: tickets waiting for an officer, a ticket's conversation, and the
officer's actions on it (take it, reply on the citizen's own channel, close it).

A reply goes the way a reply in the officers' Telegram group goes (the same handoff code,
labelled "Cán bộ <đơn vị> trả lời"), so both places see one state. Officers see the
tickets of citizens whose ward (chosen when subscribing) belongs to their unit; admins
see all. Every action is audited; each POST carries the session's CSRF token and answers
with a redirect, so a reload never sends twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.console.pages import csrf_field, escape, message, page, refuse_forgery
from bot.console.signin import Session
from bot.core.records import PersonRecord, TicketRecord
from bot.strings import console as words
from bot.vietnamese.text import fold

PATH = "/console/"
CONVERSATION = 30  # messages shown with a ticket
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")

SessionOf = Callable[[web.Request], Awaitable[Session | None]]


def sees(session: Session, person: PersonRecord) -> bool:
    """Admins see every ticket; an officer those of citizens in their unit's ward."""
    if session.role == "admin":
        return True
    return bool(person.area) and person.area in fold(session.unit)


class Inbox:
    def __init__(self, store, dispatcher, session_of: SessionOf) -> None:
        self.store = store
        self.dispatcher = dispatcher
        self.session_of = session_of

    def routes(self) -> list[web.RouteDef]:
        ticket = PATH + "yeu-cau/{id:[0-9]{1,9}}"
        return [
            web.get(ticket, self.ticket),
            web.post(ticket + "/{act:nhan|tra-loi|dong}", self.act),
        ]

    async def listing(self, session: Session) -> str:
        """The home page's table of waiting tickets this officer may see."""
        rows = []
        now = datetime.now(UTC)
        for ticket in await self.store.active_tickets():
            person = await self.store.get_person(ticket.person_id)
            if person is None or not sees(session, person):
                continue
            minutes = int((now - _utc(ticket.opened_at)).total_seconds() // 60)
            cells = (
                f'<a href="{PATH}yeu-cau/{ticket.id}">#{ticket.id}</a>',
                escape(person.platform),
                escape(person.display_name or "—"),
                escape(words.waited(minutes)),
                escape(words.STATES[ticket.state]),
                escape(ticket.reason[:120]),
            )
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        head = "".join(f"<th>{escape(c)}</th>" for c in words.COLUMNS)
        table = (
            f'<table class="inbox"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            if rows
            else f"<p>{escape(words.INBOX_EMPTY)}</p>"
        )
        scope = "" if session.role == "admin" else f"<p>{escape(words.OFFICER_SCOPE)}</p>"
        return f"<h2>{escape(words.INBOX)}</h2>{scope}{table}"

    async def _visible(self, request: web.Request) -> tuple[Session, TicketRecord, PersonRecord]:
        session = await self.session_of(request)
        if session is None:
            raise web.HTTPUnauthorized(
                text=message(words.NOT_SIGNED_IN).text, content_type="text/html"
            )
        ticket = await self.store.get_ticket(int(request.match_info["id"]))
        person = None if ticket is None else await self.store.get_person(ticket.person_id)
        if ticket is None or person is None or not sees(session, person):
            await self.store.audit(session.actor, "console_ticket_refused", {"path": request.path})
            raise web.HTTPNotFound(text=message(words.NOT_YOURS).text, content_type="text/html")
        return session, ticket, person

    async def ticket(self, request: web.Request) -> web.Response:
        session, ticket, person = await self._visible(request)
        lines = []
        for said in await self.store.recent_messages(person.id, CONVERSATION):
            side = "in" if said.direction == "in" else said.kind
            who = words.WHO.get(side, words.WHO["out"])
            when = _utc(said.created_at).astimezone(HANOI).strftime("%d/%m %H:%M")
            lines.append(
                f"<li><b>{escape(who)}</b> <small>{escape(when)}</small>"
                f'<div class="msg-text">{escape(said.text)}</div></li>'
            )
        action = f"{PATH}yeu-cau/{ticket.id}/"
        csrf = csrf_field(session)
        forms = ""
        if ticket.active:
            forms = (
                f'<form method="post" action="{action}nhan">{csrf}'
                f'<button type="submit">{escape(words.TAKE)}</button></form>'
                f'<form method="post" action="{action}tra-loi">{csrf}'
                f'<label for="reply">{escape(words.REPLY_LABEL)}</label>'
                '<textarea id="reply" name="text" rows="4" maxlength="2000" required></textarea>'
                f'<button type="submit">{escape(words.REPLY)}</button></form>'
                f'<form method="post" action="{action}dong">{csrf}'
                f'<button type="submit">{escape(words.CLOSE)}</button></form>'
            )
        body = (
            f'<p><a href="{PATH}">{escape(words.BACK)}</a></p>'
            f"<h2>{escape(words.ticket_title(ticket.id, person.platform, person.display_name))}</h2>"
            f"<p>{escape(words.STATES[ticket.state])} — {escape(ticket.reason)}</p>"
            f'<h3>{escape(words.CONVERSATION)}</h3><ol class="conversation">{"".join(lines)}</ol>'
            f"{forms}"
        )
        return page(body)

    async def act(self, request: web.Request) -> web.Response:
        session, ticket, _ = await self._visible(request)
        form = await request.post()
        refused = await refuse_forgery(self.store, request, session, form)
        if refused is not None:
            return refused
        act = request.match_info["act"]
        if not ticket.active:
            return message(words.ALREADY_CLOSED, status=409)
        citizens = self.dispatcher.citizens
        if act == "nhan":
            await self.store.assign_ticket(ticket.id, session.actor)
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


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
