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

    async def inbox_pending(self, platform: str, limit: int = 1000) -> list[tuple[str, dict]]:
        """Events received but not handled (the bot stopped in between), oldest first."""
        query = (
            select(InboxEvent.event_key, InboxEvent.payload)
            .where(InboxEvent.platform == platform, InboxEvent.done_at.is_(None))
            .order_by(InboxEvent.id)
            .limit(limit)
        )
        async with self._read() as session:
            return [(key, payload) for key, payload in (await session.execute(query)).all()]

    async def inbox_forget(self, before: datetime) -> int:
        """Drop handled events older than ``before``; how many."""
        statement = delete(InboxEvent).where(InboxEvent.done_at < before)
        async with self._write() as session:
            return (await session.execute(statement)).rowcount or 0
