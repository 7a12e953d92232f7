"""Tickets: a citizen handed over to officers, and the officers' replies carried back.

Tickets are posted in the officers' chat (a Telegram group); an officer answers by
replying to the post, and the answer reaches the citizen on their own platform.

Nobody is trapped in a ticket: without an officers' chat none is opened (the citizen is
told where else to get help); a ticket no officer has answered for ``expire_after`` is
closed at the citizen's next message, which the bot then answers; and the citizen can
leave at any time ("hỏi tiếp") and ask the bot again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.conversation.office_hours import OfficeHours
from bot.conversation.saying import say
from bot.core.commands import command_in
from bot.core.messages import Inbound, Outbound
from bot.core.ports import TicketStore
from bot.core.records import PersonRecord, TicketRecord
from bot.strings import conversation as texts
from bot.strings import officer_answers as answer_words

logger = logging.getLogger(__name__)

HISTORY_IN_TICKET = 6
_CLOSE_COMMAND = re.compile(r"^/(dong|close)(@\w+)?$", re.IGNORECASE)
# /luu: (the officer's message, the ticket, the sample question typed after it) → the
# group's reply (the desk's keep_answer: a draft officer answer).
Keep = Callable[[Inbound, TicketRecord, str], Awaitable[str]]


@dataclass(frozen=True)
class OfficersChat:
    """Where tickets are posted: the officers' group chat on one platform."""

    platform: str
    chat_id: str


@dataclass(frozen=True)
class Contact:
    """Where citizens get help from people when no officer can take over here."""

    phone: str = ""
    address: str = ""


EXPIRED_BY = "hết hạn"  # who closed a ticket nobody answered in time
LEFT_BY = "người dân"  # who closed a ticket its citizen left


class Handoff:
    def __init__(
        self,
        store: TicketStore,
        chat: OfficersChat | None,
        office_hours: OfficeHours | None,
        *,
        expire_after: timedelta = timedelta(hours=24),
        contact: Contact | None = None,
        unit_of: Callable[[str], Awaitable[str | None]] | None = None,
        console: bool = False,
        keep: Keep | None = None,
    ) -> None:
        self.store = store
        self.chat = chat
        self.keep = keep  # /luu (None: not offered)
        # Officers read tickets somewhere: the officers' chat, or the web console (when
        # someone may sign in to it). Without either a ticket would wait for nobody.
        self.takes_tickets = chat is not None or console
        self.unit_of = unit_of  # "telegram:123" → "UBND phường Ba Đình", for the citizen
        self.office_hours = office_hours
        self.expire_after = expire_after
        self.contact = contact or Contact()

    async def open(self, person: PersonRecord, reason: str) -> list[Outbound]:
        """Open a ticket (once): tell the citizen, post it to the officers' chat (if any;
        the console lists it either way)."""
        if not self.takes_tickets:  # nobody would read it: say so, and where to turn instead
            text = texts.no_officer_here(self.contact.phone, self.contact.address)
            return [await say(self.store, person, text, "notice")]
        existing = await self.store.active_ticket(person.id)
        if existing is not None:
            return [await say(self.store, person, texts.TICKET_ALREADY_OPEN, "notice")]
        last = await self.store.last_answer(person.id)
        ticket = await self.store.open_ticket(person.id, reason, last.id if last else None)
        now = datetime.now(UTC)
        after_hours = None
        if self.office_hours is not None and not self.office_hours.is_open(now):
            after_hours = self.office_hours.describe_next(now)
        notice = texts.handoff_notice(ticket.id, after_hours)
        leave = texts.leave_buttons()
        out = [await say(self.store, person, notice, "handoff", buttons=leave, ticket_id=ticket.id)]
        history = [
            (m.direction, m.text)
            for m in await self.store.recent_messages(person.id, HISTORY_IN_TICKET)
        ]
        if self.chat is not None:
            post = texts.ticket_post(
                ticket.id, person.platform, person.display_name, reason, history
            )
            out.append(Outbound(self.chat.platform, self.chat.chat_id, post, ticket_id=ticket.id))
        return out

    async def relay(self, person: PersonRecord, ticket: TicketRecord, text: str) -> list[Outbound]:
        """A citizen with an open ticket wrote again: it goes to the officers' chat (the
        console shows it in the ticket's conversation, where it is stored)."""
        if self.chat is None:
            return []
        post = texts.relay_post(ticket.id, person.platform, person.display_name, text)
        return [Outbound(self.chat.platform, self.chat.chat_id, post, ticket_id=ticket.id)]

    async def still_open(
        self, person: PersonRecord, ticket: TicketRecord | None
    ) -> tuple[TicketRecord | None, list[Outbound]]:
        """``ticket`` if the citizen's messages should still go to officers; else None and
        what to tell the citizen and officers now that it is closed (expired, or left over
        from when an officers' chat was configured)."""
        if ticket is None:
            return None, []
        last_word = ticket.answered_at or ticket.assigned_at or ticket.opened_at
        if last_word.tzinfo is None:
            last_word = last_word.replace(tzinfo=UTC)
        if self.takes_tickets and datetime.now(UTC) - last_word < self.expire_after:
            return ticket, []
        await self.store.close_ticket(ticket.id, EXPIRED_BY)
        hours = round(self.expire_after.total_seconds() / 3600)
        text = texts.ticket_expired(ticket.id, hours, self.contact.phone, self.contact.address)
        out = [await say(self.store, person, text, "notice", ticket_id=ticket.id)]
        return None, out + self.to_officers(texts.ticket_expired_note(ticket.id, hours))

    async def leave(self, person: PersonRecord) -> list[Outbound]:
        """The citizen ends the exchange with officers ("hỏi tiếp") to ask the bot again."""
        ticket = await self.store.active_ticket(person.id)
        if ticket is None:
            return [await say(self.store, person, texts.NOTHING_TO_LEAVE, "notice")]
        await self.store.close_ticket(ticket.id, LEFT_BY)
        said = await say(self.store, person, texts.LEFT_TICKET, "notice", ticket_id=ticket.id)
        return [said, *self.to_officers(texts.citizen_left_note(ticket.id))]

    def to_officers(self, text: str) -> list[Outbound]:
        """A note for the officers' chat (none when there is no such chat)."""
        return [] if self.chat is None else [Outbound(self.chat.platform, self.chat.chat_id, text)]

    # ---- officers ---------------------------------------------------------------------
    def is_reply(self, inbound: Inbound) -> bool:
        """An officer's message in the officers' chat, in reply to one of the bot's posts."""
        return (
            inbound.reply_to is not None
            and self.chat is not None
            and (inbound.platform, inbound.chat_id) == (self.chat.platform, self.chat.chat_id)
        )

    async def reply(self, inbound: Inbound) -> list[Outbound]:
        """Carry an officer's reply to the citizen (or close the ticket on /dong, save its
        answer on /luu). The officer's message becomes a post of the ticket too, so that a
        /luu in reply to it finds the ticket."""
        assert inbound.reply_to is not None
        ticket = await self.store.ticket_for_post(inbound.chat_id, inbound.reply_to)
        if ticket is None:
            return []
        note = Outbound(inbound.platform, inbound.chat_id, "")
        command = command_in(inbound.text)
        if command is not None and command.name == "luu":  # also on a closed ticket
            kept = await self.keep(inbound, ticket, command.argument) if self.keep else None
            return [_with_text(note, kept or answer_words.UNAVAILABLE)]
        if ticket.state == "closed":
            return [_with_text(note, texts.ticket_already_closed(ticket.id))]
        officer = f"{inbound.display_name} ({inbound.platform}:{inbound.user_id})"
        text = (inbound.text or "").strip()
        if _CLOSE_COMMAND.match(text):
            citizen = await self.close_for_officer(ticket, officer)
            return [*citizen, _with_text(note, texts.ticket_closed_note(ticket.id))]
        unit = await self.unit_of(f"{inbound.platform}:{inbound.user_id}") if self.unit_of else None
        carried = await self.carry(ticket, officer, unit, inbound.text or "")
        if inbound.message_id:
            await self.store.link_ticket_post(ticket.id, inbound.chat_id, inbound.message_id)
        return carried

    async def carry(
        self, ticket: TicketRecord, officer: str, unit: str | None, text: str
    ) -> list[Outbound]:
        """An officer's words to the citizen, labelled as theirs (from the officers' group
        or the web console alike); the ticket is taken and marked answered."""
        person = await self.store.get_person(ticket.person_id)
        assert person is not None
        if ticket.state == "open":
            await self.store.assign_ticket(ticket.id, officer)
        await self.store.mark_answered(ticket.id, officer)
        said = texts.operator_reply(text, unit)
        return [await say(self.store, person, said, "operator", ticket_id=ticket.id)]

    async def close_for_officer(self, ticket: TicketRecord, officer: str) -> list[Outbound]:
        """Closed by an officer: the citizen is told."""
        person = await self.store.get_person(ticket.person_id)
        assert person is not None
        await self.store.close_ticket(ticket.id, officer)
        closed = texts.TICKET_CLOSED_FOR_CITIZEN
        return [await say(self.store, person, closed, "notice", ticket_id=ticket.id)]

    # ---- what became of a message --------------------------------------------------------
    async def delivered(self, outbound: Outbound, platform_message_id: str) -> None:
        """``outbound`` was sent; a post about a ticket is remembered for replies."""
        # Confirmations are kept where an officer may ask "did they get it?" (tickets);
        # for ordinary answers one write less per message matters more. Failures are
        # always recorded (undeliverable).
        if outbound.record_id is not None and outbound.ticket_id is not None:
            await self.store.mark_delivery(outbound.record_id, "sent", platform_message_id)
        if outbound.broadcast_id is not None:
            await self.store.set_broadcast_status(
                outbound.broadcast_id, outbound.platform, outbound.chat_id, platform_message_id
            )
        if outbound.ticket_id is not None and self._in_chat(outbound):
            await self.store.link_ticket_post(
                outbound.ticket_id, outbound.chat_id, platform_message_id
            )

    async def undeliverable(self, outbound: Outbound, reason: str, blocked: bool) -> list[Outbound]:
        """A send failed for good: a citizen who blocked the bot is marked, officers told."""
        if blocked and outbound.person_id is not None:
            await self.store.set_blocked(outbound.person_id, True)
        if outbound.record_id is not None:
            await self.store.mark_delivery(
                outbound.record_id, "blocked" if blocked else "failed", error=reason
            )
        if outbound.ticket_id is not None and self.chat is not None and not self._in_chat(outbound):
            note = texts.delivery_failed(outbound.ticket_id, reason)
            return [Outbound(self.chat.platform, self.chat.chat_id, note)]
        return []

    def _in_chat(self, outbound: Outbound) -> bool:
        return self.chat is not None and (outbound.platform, outbound.chat_id) == (
            self.chat.platform,
            self.chat.chat_id,
        )


def _with_text(outbound: Outbound, text: str) -> Outbound:
    return Outbound(outbound.platform, outbound.chat_id, text)
