"""The in-memory store's people, messages, feedback and tickets (as the SQL store's)."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from bot.core.answer import Answer, Suggestion
from bot.core.records import (
    ACTIVE_TICKET_STATES,
    FeedbackRecord,
    MessageRecord,
    PersonRecord,
    PlatformId,
    TicketRecord,
)
from bot.store.errors import StoreError
from bot.store.memory_base import MemoryBase, utc_now

_TICKET_MOVES = {  # target: the states it may leave from (as the SQL store)
    "assigned": ("open",),
    "answered": ("open", "assigned"),
    "closed": ("open", "assigned", "answered"),
}


class MemoryConversations(MemoryBase):
    # ---- people ----------------------------------------------------------------------------
    async def upsert_person(
        self,
        platform: str,
        user_id: PlatformId,
        chat_id: PlatformId,
        display_name: str = "",
        language: str | None = None,
    ) -> PersonRecord:
        found = await self.find_person(platform, user_id)
        now = utc_now()
        if found is None:
            person = PersonRecord(
                id=self._next("people"),
                platform=platform,
                user_id=str(user_id),
                chat_id=str(chat_id),
                display_name=display_name,
                language=language,
                subscribed=False,
                subscribed_at=None,
                blocked=False,
                blocked_at=None,
                created_at=now,
                updated_at=now,
            )
        else:
            person = replace(
                found,
                chat_id=str(chat_id),
                display_name=display_name or found.display_name,
                language=language if language is not None else found.language,
                updated_at=now,
            )
        self._set(self.people, person.id, person)
        return person

    async def get_person(self, person_id: int) -> PersonRecord | None:
        return self.people.get(person_id)

    async def find_person(self, platform: str, user_id: PlatformId) -> PersonRecord | None:
        wanted = str(user_id)
        return next(
            (p for p in self.people.values() if p.platform == platform and p.user_id == wanted),
            None,
        )

    async def set_blocked(self, person_id: int, blocked: bool) -> PersonRecord:
        person = self._person(person_id)
        if person.blocked != blocked:
            person = replace(person, blocked=blocked, blocked_at=utc_now() if blocked else None)
            self._set(self.people, person_id, person)
        return person

    async def set_subscribed(self, person_id: int, subscribed: bool) -> PersonRecord:
        person = self._person(person_id)
        if person.subscribed != subscribed:
            at = utc_now() if subscribed else None
            person = replace(person, subscribed=subscribed, subscribed_at=at)
            self._set(self.people, person_id, person)
        return person

    async def set_preferences(
        self, person_id: int, topics: list[str] | None, area: str | None
    ) -> None:
        person = self._person(person_id)
        chosen = tuple(topics) if topics is not None else None
        self._set(self.people, person_id, replace(person, topics=chosen, area=area))

    def _person(self, person_id: int) -> PersonRecord:
        if person_id not in self.people:
            raise StoreError(f"No person with id {person_id}")
        return self.people[person_id]

    # ---- messages and feedback ---------------------------------------------------------------
    async def add_message(
        self,
        person_id: int,
        direction: str,
        text: str,
        kind: str,
        platform_message_id: PlatformId | None = None,
        answer: Answer | None = None,
        ticket_id: int | None = None,
        broadcast_id: int | None = None,
        question: str | None = None,
    ) -> MessageRecord:
        if direction not in ("in", "out"):
            raise StoreError(f"Message direction must be 'in' or 'out', not {direction!r}")
        self._person(person_id)
        if ticket_id is not None and ticket_id not in self.tickets:
            raise StoreError(f"Database constraint violated: no ticket {ticket_id}")
        extra: dict[str, Any] = {}
        if answer is not None:
            extra = {
                "citations": answer.citations,
                "confidence": answer.confidence,
                "grounded": answer.grounded,
                "handoff": answer.handoff,
                "index_version": answer.index_version or None,
            }
            if answer.suggestions:
                extra["suggestions"] = tuple(Suggestion(**asdict(s)) for s in answer.suggestions)
                extra["suggested_for"] = (question or "").replace("\x00", "")
        message = MessageRecord(
            id=self._next("messages"),
            person_id=person_id,
            direction=direction,  # type: ignore[arg-type]
            text=text.replace("\x00", ""),
            kind=kind,
            created_at=utc_now(),
            platform_message_id=None if platform_message_id is None else str(platform_message_id),
            ticket_id=ticket_id,
            broadcast_id=broadcast_id,
            **extra,
        )
        self._set(self.messages, message.id, message)
        return message

    async def mark_delivery(
        self,
        message_id: int,
        delivery: str,
        platform_message_id: PlatformId | None = None,
        error: str | None = None,
    ) -> None:
        message = self.messages.get(message_id)
        if message is None:
            return
        changes: dict[str, Any] = {"delivery": delivery, "delivery_error": error}
        if platform_message_id is not None:
            changes["platform_message_id"] = str(platform_message_id)
        self._set(self.messages, message_id, replace(message, **changes))

    async def get_message(self, message_id: int) -> MessageRecord | None:
        return self.messages.get(message_id)

    async def recent_messages(self, person_id: int, limit: int = 20) -> list[MessageRecord]:
        mine = [m for m in self.messages.values() if m.person_id == person_id]
        return sorted(mine, key=lambda m: m.id)[-limit:] if limit > 0 else []

    async def last_answer(self, person_id: int) -> MessageRecord | None:
        answers = [
            m
            for m in self.messages.values()
            if m.person_id == person_id and m.direction == "out" and m.grounded is not None
        ]
        return max(answers, key=lambda m: m.id, default=None)

    async def add_feedback(self, message_id: int, person_id: int, value: int) -> FeedbackRecord:
        if value not in (1, -1):
            raise StoreError(f"Feedback must be +1 or -1, not {value!r}")
        if message_id not in self.messages or person_id not in self.people:
            raise StoreError("Database constraint violated: no such message or person")
        now = utc_now()
        old = self.feedback.get((message_id, person_id))
        record = (
            replace(old, value=value, updated_at=now)
            if old is not None
            else FeedbackRecord(self._next("feedback"), message_id, person_id, value, now, now)
        )
        self._set(self.feedback, (message_id, person_id), record)
        return record

    async def recent_feedback(self, person_id: int, limit: int = 10) -> list[int]:
        mine = [f for f in self.feedback.values() if f.person_id == person_id]
        mine.sort(key=lambda f: (f.updated_at, f.id), reverse=True)
        return [f.value for f in mine[:limit]]

    # ---- tickets -------------------------------------------------------------------------------
    async def open_ticket(
        self, person_id: int, reason: str, last_answer_id: int | None = None
    ) -> TicketRecord:
        active = await self.active_ticket(person_id)
        if active is not None:
            return active
        self._person(person_id)
        ticket = TicketRecord(
            self._next("tickets"), person_id, "open", reason, last_answer_id, utc_now()
        )
        self._set(self.tickets, ticket.id, ticket)
        return ticket

    async def active_ticket(self, person_id: int) -> TicketRecord | None:
        return next(
            (
                t
                for t in self.tickets.values()
                if t.person_id == person_id and t.state in ACTIVE_TICKET_STATES
            ),
            None,
        )

    async def get_ticket(self, ticket_id: int) -> TicketRecord | None:
        return self.tickets.get(ticket_id)

    async def inbox_tickets(
        self, include_closed: bool = False, limit: int = 200
    ) -> list[tuple[TicketRecord, PersonRecord]]:
        if include_closed:
            chosen = sorted(self.tickets.values(), key=lambda t: (t.opened_at, t.id), reverse=True)
        else:
            waiting = [t for t in self.tickets.values() if t.state in ACTIVE_TICKET_STATES]
            chosen = sorted(waiting, key=lambda t: (t.opened_at, t.id))
        return [(t, self.people[t.person_id]) for t in chosen[:limit]]

    async def link_ticket_post(
        self, ticket_id: int, chat_id: PlatformId, message_id: PlatformId
    ) -> None:
        if ticket_id not in self.tickets:
            raise StoreError(f"Database constraint violated: no ticket {ticket_id}")
        key = (str(chat_id), str(message_id))
        linked = self.ticket_posts.get(key)
        if linked is None:
            self._set(self.ticket_posts, key, ticket_id)
        elif linked != ticket_id:
            raise StoreError(
                f"Post {chat_id}/{message_id} already belongs to ticket {linked}, not {ticket_id}"
            )

    async def ticket_for_post(
        self, chat_id: PlatformId, message_id: PlatformId
    ) -> TicketRecord | None:
        ticket_id = self.ticket_posts.get((str(chat_id), str(message_id)))
        return None if ticket_id is None else self.tickets.get(ticket_id)

    async def assign_ticket(self, ticket_id: int, officer: PlatformId) -> TicketRecord:
        return self._move(ticket_id, "assigned", str(officer))

    async def mark_answered(self, ticket_id: int, officer: PlatformId) -> TicketRecord:
        return self._move(ticket_id, "answered", str(officer))

    async def close_ticket(self, ticket_id: int, officer: PlatformId) -> TicketRecord:
        return self._move(ticket_id, "closed", str(officer))

    def _move(self, ticket_id: int, target: str, officer: str) -> TicketRecord:
        ticket = self.tickets.get(ticket_id)
        if ticket is None:
            raise StoreError(f"No ticket with id {ticket_id}")
        if ticket.state in _TICKET_MOVES[target]:
            now = utc_now()
            changes: dict[str, Any] = {
                "state": target,
                f"{target}_at": now,
                f"{target}_by": officer,
            }
            if target == "answered":
                changes["assigned_at"] = ticket.assigned_at or now
                changes["assigned_by"] = ticket.assigned_by or officer
            ticket = replace(ticket, **changes)
            self._set(self.tickets, ticket_id, ticket)
            return ticket
        if ticket.state == target and (target != "assigned" or ticket.assigned_by == officer):
            return ticket
        raise StoreError(f"Ticket {ticket_id} is {ticket.state}: cannot make it {target}")
