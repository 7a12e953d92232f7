"""Webhook events kept from acknowledgement until handled (see models.InboxEvent)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from bot.store.base import StoreBase
from bot.store.columns import utcnow
from bot.store.models import InboxEvent


class InboxMixin(StoreBase):
    async def inbox_put(self, platform: str, event_key: str, payload: dict[str, Any]) -> bool:
        """Keep an event; False when the same (platform, key) was already received."""
        statement = (
            self._insert(InboxEvent)
            .values(platform=platform, event_key=event_key, payload=payload, received_at=utcnow())
            .on_conflict_do_nothing(index_elements=[InboxEvent.platform, InboxEvent.event_key])
            .returning(InboxEvent.id)
        )
        async with self._write(urgent=True) as session:  # the webhook waits on it
            return (await session.execute(statement)).scalar_one_or_none() is not None

    async def inbox_done(self, platform: str, event_key: str) -> None:
        statement = (
            update(InboxEvent)
            .where(InboxEvent.platform == platform, InboxEvent.event_key == event_key)
            .values(done_at=utcnow())
        )
        async with self._write() as session:
            await session.execute(statement)

    async def inbox_pending(
        self, platform: str, limit: int = 1000, after: int = 0
    ) -> list[tuple[str, dict]]:
        """Events received but not handled (the bot stopped in between) nor given up on,
        oldest first; ``after``: the count of pending events already read (a page)."""
        query = (
            select(InboxEvent.event_key, InboxEvent.payload)
            .where(
                InboxEvent.platform == platform,
                InboxEvent.done_at.is_(None),
                InboxEvent.dead_at.is_(None),
            )
            .order_by(InboxEvent.id)
            .offset(after)
            .limit(limit)
        )
        async with self._read() as session:
            return [(key, payload) for key, payload in (await session.execute(query)).all()]

    async def inbox_attempt(self, platform: str, event_key: str) -> int:
        """Count one more attempt at handling the event (before it starts, so an attempt
        that kills the process counts too); the attempts so far, this one included."""
        statement = (
            update(InboxEvent)
            .where(InboxEvent.platform == platform, InboxEvent.event_key == event_key)
            .values(attempts=InboxEvent.attempts + 1)
            .returning(InboxEvent.attempts)
        )
        async with self._write() as session:
            return (await session.execute(statement)).scalar_one_or_none() or 0

    async def inbox_failed(self, platform: str, event_key: str, reason: str, dead: bool) -> bool:
        """Note why an attempt failed; ``dead``: never try again. True when this call made
        the event dead (it was not already)."""
        where = [InboxEvent.platform == platform, InboxEvent.event_key == event_key]
        values: dict[str, Any] = {"failure": reason[:500]}
        if dead:
            where.append(InboxEvent.dead_at.is_(None))
            values["dead_at"] = utcnow()
        statement = update(InboxEvent).where(*where).values(**values).returning(InboxEvent.id)
        async with self._write() as session:
            return (await session.execute(statement)).scalar_one_or_none() is not None and dead

    async def inbox_dead(self, platform: str) -> list[tuple[str, str]]:
        """Events given up on: (key, why), oldest first."""
        query = (
            select(InboxEvent.event_key, InboxEvent.failure)
            .where(InboxEvent.platform == platform, InboxEvent.dead_at.is_not(None))
            .order_by(InboxEvent.id)
        )
        async with self._read() as session:
            return [(key, why or "") for key, why in (await session.execute(query)).all()]

    async def inbox_forget(self, before: datetime) -> int:
        """Drop handled events older than ``before``; how many."""
        statement = delete(InboxEvent).where(InboxEvent.done_at < before)
        async with self._write() as session:
            return (await session.execute(statement)).rowcount or 0
