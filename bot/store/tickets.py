"""Handoff tickets (open → assigned → answered → closed) and their operator-group posts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.records import (
    ACTIVE_TICKET_STATES,
    PersonRecord,
    PlatformId,
    TicketRecord,
    TicketState,
)
from bot.store.base import StoreBase, as_id
from bot.store.columns import utcnow
from bot.store.errors import StoreError
from bot.store.models import Person, Ticket, TicketPost
from bot.store.people import person_record


@dataclass(frozen=True)
class _Transition:
    target: TicketState
    sources: tuple[TicketState, ...]  # states it may leave from


ASSIGN = _Transition("assigned", ("open",))
# An officer may answer without taking the ticket first: answering also assigns it.
ANSWER = _Transition("answered", ("open", "assigned"))
CLOSE = _Transition("closed", ("open", "assigned", "answered"))


class TicketsMixin(StoreBase):
    async def open_ticket(
        self, person_id: int, reason: str, last_answer_id: int | None = None
    ) -> TicketRecord:
        """A new ticket, or the person's active one if they already have one."""
        async with self._write() as session:
            active = await active_ticket_in(session, person_id)
            if active is not None:
                return active
            row = Ticket(
                person_id=person_id,
                state="open",
                reason=reason,
                last_answer_id=last_answer_id,
                opened_at=utcnow(),
            )
            try:
                async with session.begin_nested():
                    session.add(row)
            except IntegrityError as exc:  # a concurrent caller opened one first, or bad ids
                active = await active_ticket_in(session, person_id)
                if active is None:
                    raise StoreError(f"Cannot open a ticket: {exc.orig}") from exc
                return active
            return ticket_record(row)

    async def active_ticket(self, person_id: int) -> TicketRecord | None:
        async with self._read() as session:
            return await active_ticket_in(session, person_id)

    async def get_ticket(self, ticket_id: int) -> TicketRecord | None:
        async with self._read() as session:
            row = await session.get(Ticket, ticket_id)
            return None if row is None else ticket_record(row)

    async def inbox_tickets(
        self, include_closed: bool = False, limit: int = 200
    ) -> list[tuple[TicketRecord, PersonRecord]]:
        """The officers' inbox, each ticket with its citizen (one joined query): tickets
        not closed, the longest waiting first; with ``include_closed``, the latest
        tickets of any state, newest first."""
        query = select(Ticket, Person).join(Person, Person.id == Ticket.person_id)
        if include_closed:
            query = query.order_by(Ticket.opened_at.desc(), Ticket.id.desc())
        else:
            query = query.where(Ticket.state.in_(ACTIVE_TICKET_STATES))
            query = query.order_by(Ticket.opened_at, Ticket.id)
        async with self._read() as session:
            rows = (await session.execute(query.limit(limit))).all()
        return [(ticket_record(ticket), person_record(person)) for ticket, person in rows]

    async def link_ticket_post(
        self, ticket_id: int, chat_id: PlatformId, message_id: PlatformId
    ) -> None:
        """Remember that operator-group message (chat_id, message_id) is about this ticket."""
        statement = (
            self._insert(TicketPost)
            .values(
                ticket_id=ticket_id,
                chat_id=as_id(chat_id),
                message_id=as_id(message_id),
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=[TicketPost.chat_id, TicketPost.message_id])
        )
        async with self._write() as session:
            await session.execute(statement)
            linked = await _post_ticket_id(session, as_id(chat_id), as_id(message_id))
            if linked != ticket_id:
                raise StoreError(
                    f"Post {chat_id}/{message_id} already belongs to ticket {linked}, "
                    f"not {ticket_id}"
                )

    async def ticket_for_post(
        self, chat_id: PlatformId, message_id: PlatformId
    ) -> TicketRecord | None:
        """The ticket an operator-group message was posted about (for replies to it)."""
        query = (
            select(Ticket)
            .join(TicketPost, TicketPost.ticket_id == Ticket.id)
            .where(TicketPost.chat_id == as_id(chat_id), TicketPost.message_id == as_id(message_id))
        )
        async with self._read() as session:
            row = (await session.scalars(query)).one_or_none()
            return None if row is None else ticket_record(row)

    async def assign_ticket(self, ticket_id: int, officer: PlatformId) -> TicketRecord:
        """open → assigned. Taking one's own ticket again is a no-op; another's is an error."""
        return await self._move(ticket_id, ASSIGN, as_id(officer))

    async def mark_answered(self, ticket_id: int, officer: PlatformId) -> TicketRecord:
        """open/assigned → answered (the first answer's time and officer are kept)."""
        return await self._move(ticket_id, ANSWER, as_id(officer))

    async def close_ticket(self, ticket_id: int, officer: PlatformId) -> TicketRecord:
        """open/assigned/answered → closed; closing a closed ticket returns it unchanged."""
        return await self._move(ticket_id, CLOSE, as_id(officer))

    async def _move(self, ticket_id: int, move: _Transition, officer: str) -> TicketRecord:
        now = utcnow()
        values: dict[str, object] = {
            "state": move.target,
            f"{move.target}_at": now,
            f"{move.target}_by": officer,
        }
        if move is ANSWER:
            values.update(
                assigned_at=func.coalesce(Ticket.assigned_at, now),
                assigned_by=func.coalesce(Ticket.assigned_by, officer),
            )
        statement = (
            update(Ticket)
            .where(Ticket.id == ticket_id, Ticket.state.in_(move.sources))
            .values(values)
            .execution_options(synchronize_session=False)
        )
        async with self._write() as session:
            await session.execute(statement)
            row = await session.get(Ticket, ticket_id, populate_existing=True)
            if row is None:
                raise StoreError(f"No ticket with id {ticket_id}")
            record = ticket_record(row)
        if record.state == move.target and _repeat_is_noop(record, move, officer):
            return record
        raise StoreError(f"Ticket {ticket_id} is {record.state}: cannot make it {move.target}")


def _repeat_is_noop(record: TicketRecord, move: _Transition, officer: str) -> bool:
    """After the UPDATE the ticket is in the target state: is that our doing or allowed?"""
    if move is ASSIGN:
        return record.assigned_by == officer
    return True


async def active_ticket_in(session: AsyncSession, person_id: int) -> TicketRecord | None:
    query = select(Ticket).where(
        Ticket.person_id == person_id, Ticket.state.in_(ACTIVE_TICKET_STATES)
    )
    row = (await session.scalars(query.execution_options(populate_existing=True))).one_or_none()
    return None if row is None else ticket_record(row)


async def _post_ticket_id(session: AsyncSession, chat_id: str, message_id: str) -> int | None:
    query = select(TicketPost.ticket_id).where(
        TicketPost.chat_id == chat_id, TicketPost.message_id == message_id
    )
    return (await session.scalars(query)).one_or_none()


def ticket_record(row: Ticket) -> TicketRecord:
    return TicketRecord(
        id=row.id,
        person_id=row.person_id,
        state=cast(TicketState, row.state),
        reason=row.reason,
        last_answer_id=row.last_answer_id,
        opened_at=row.opened_at,
        assigned_at=row.assigned_at,
        assigned_by=row.assigned_by,
        answered_at=row.answered_at,
        answered_by=row.answered_by,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
    )
