"""Deleting personal data: one citizen's on request, everyone's after the retention period.

The foreign keys have no ON DELETE rule (migrations 0001, 0004), so children go first,
explicitly: votes, then tickets' pointers to answers, then the messages. A person's
deletion is one transaction (audited with its counts); the retention period's runs in
batches, each its own short transaction, so no writer waits long behind it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, null, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.records import (
    ACTIVE_TICKET_STATES,
    CLOSED_BY_ERASURE,
    SKIPPED_ERASED,
    Erased,
    Expired,
)
from bot.store.base import StoreBase
from bot.store.columns import utcnow
from bot.store.models import (
    AuditEntry,
    Delivery,
    Feedback,
    Message,
    Person,
    ProcessedUpdate,
    Ticket,
)


class ErasureMixin(StoreBase):
    async def erase_person(self, person_id: int) -> Erased:
        """See ``bot.core.ports.PersonalData``."""
        async with self._write() as session:
            query = select(Person).where(Person.id == person_id)
            if self._engine.dialect.name == "postgresql":  # writes about them wait for this
                query = query.with_for_update()
            person = (await session.scalars(query)).one_or_none()
            if person is None:
                return Erased()
            actor, subscribed = f"{person.platform}:{person.user_id}", person.subscribed
            mine = select(Message.id).where(Message.person_id == person_id)
            votes = or_(Feedback.person_id == person_id, Feedback.message_id.in_(mine))
            feedback = await _count(session, delete(Feedback).where(votes))
            await _detach_answers(session, Ticket.last_answer_id.in_(mine))
            messages = await _count(session, delete(Message).where(Message.person_id == person_id))
            now = utcnow()
            closed, cleared = await _erase_tickets(session, person_id, now)
            updates, skipped = await _erase_traces(session, person_id)
            deleted = not await _still_referenced(session, person_id)
            if deleted:
                await session.execute(delete(Person).where(Person.id == person_id))
            else:
                await session.execute(_anonymised(person_id, now))
            erased = Erased(
                messages=messages,
                feedback=feedback,
                tickets_closed=len(closed),
                tickets_cleared=cleared,
                updates_cleared=updates,
                deliveries_skipped=skipped,
                unsubscribed=subscribed,
                person_deleted=deleted,
                closed_ticket_ids=tuple(sorted(closed)),
            )
            session.add(
                AuditEntry(actor=actor, action="erase_person", details=erased.counts(), at=now)
            )
            return erased

    async def erase_messages_before(self, cutoff: datetime, batch: int = 5000) -> Expired:
        """See ``bot.core.ports.PersonalData``. Each batch is its own transaction (inside a
        ``unit()`` they would all join it)."""
        batch = max(batch, 1)
        messages = feedback = batches = 0
        oldest = select(Message.id).where(Message.created_at < cutoff)
        while ids := await self._next_batch(oldest.order_by(Message.created_at), batch):
            async with self._write() as session:
                votes = delete(Feedback).where(Feedback.message_id.in_(ids))
                feedback += await _count(session, votes)
                await _detach_answers(session, Ticket.last_answer_id.in_(ids))
                messages += await _count(session, delete(Message).where(Message.id.in_(ids)))
            batches += 1
            if len(ids) < batch:
                break
            await asyncio.sleep(0)  # writers waiting for their turn go between batches
        cleared = 0
        told = select(Ticket.id).where(Ticket.closed_at < cutoff, Ticket.reason != "")
        while ids := await self._next_batch(told.order_by(Ticket.id), batch):
            async with self._write() as session:
                wipe = update(Ticket).where(Ticket.id.in_(ids)).values(reason="")
                cleared += await _count(session, wipe)
            batches += 1
            if len(ids) < batch:
                break
        return Expired(messages, feedback, cleared, batches)

    async def _next_batch(self, query: Any, batch: int) -> Sequence[int]:
        async with self._read() as session:
            return (await session.scalars(query.limit(batch))).all()


async def _count(session: AsyncSession, statement: Any) -> int:
    result = await session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


async def _detach_answers(session: AsyncSession, pointing: Any) -> None:
    """Tickets keep no pointer to an answer about to be deleted."""
    statement = update(Ticket).where(pointing).values(last_answer_id=None)
    await session.execute(statement.execution_options(synchronize_session=False))


async def _erase_tickets(
    session: AsyncSession, person_id: int, now: datetime
) -> tuple[Sequence[int], int]:
    """Close the person's active tickets and wipe every one's reason (it may quote them):
    the ids closed, and how many were wiped."""
    closed = (
        await session.scalars(
            update(Ticket)
            .where(Ticket.person_id == person_id, Ticket.state.in_(ACTIVE_TICKET_STATES))
            .values(state="closed", closed_at=now, closed_by=CLOSED_BY_ERASURE)
            .returning(Ticket.id)
            .execution_options(synchronize_session=False)
        )
    ).all()
    wipe = update(Ticket).where(Ticket.person_id == person_id, Ticket.reason != "")
    return closed, await _count(session, wipe.values(reason=""))


async def _erase_traces(session: AsyncSession, person_id: int) -> tuple[int, int]:
    """Handled updates lose their text and replies (the dedup key stays); queued broadcast
    deliveries are skipped (the row stays for the officers' counts). Both counts."""
    handled = (
        update(ProcessedUpdate)
        .where(
            ProcessedUpdate.person_id == person_id,
            ProcessedUpdate.state == "delivered",
            or_(ProcessedUpdate.inbound.is_not(None), ProcessedUpdate.outbox.is_not(None)),
        )
        .values(inbound=null(), outbox=null())
    )
    queued = (
        update(Delivery)
        .where(Delivery.person_id == person_id, Delivery.state == "queued")
        .values(state="skipped", reason=SKIPPED_ERASED)
    )
    return await _count(session, handled), await _count(session, queued)


async def _still_referenced(session: AsyncSession, person_id: int) -> bool:
    """Tickets and broadcast deliveries point at the person (kept for officers' counts);
    so does an update still being handled (the one asking for this, or one to resume)."""
    query = select(
        exists().where(Ticket.person_id == person_id)
        | exists().where(Delivery.person_id == person_id)
        | exists().where(
            ProcessedUpdate.person_id == person_id, ProcessedUpdate.state != "delivered"
        )
    )
    return bool(await session.scalar(query))


def _anonymised(person_id: int, now: datetime) -> Any:
    return (
        update(Person)
        .where(Person.id == person_id)
        .values(
            display_name="",
            language=None,
            subscribed=False,
            subscribed_at=None,
            topics=null(),
            area=None,
            updated_at=now,
        )
    )
