"""Broadcasts and their outbox: one delivery row per recipient, written before any send.

A sender claims a small batch (state ``sending``, with its name and the time), sends it,
and writes the outcomes back in one transaction. After a crash the rows still ``sending``
are queued again (``requeue_stale``): those few may be sent twice, none is lost. On
PostgreSQL the claim uses ``FOR UPDATE SKIP LOCKED``, so several processes never take the
same row.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select, text, update

from bot.store.base import StoreBase
from bot.store.columns import utcnow
from bot.store.models import Broadcast, Delivery, Person
from bot.store.records import BroadcastRecord, DeliveryOutcome, DeliveryRecord

ENQUEUE_CHUNK = 4000  # × 7 columns stays under asyncpg's 32,767 query parameters
RESEND_DELAY = timedelta(seconds=2)
FINAL_STATES = ("sent", "failed", "blocked", "skipped")


class BroadcastsMixin(StoreBase):
    async def create_broadcast(
        self,
        officer: str,
        text: str,
        audience: dict[str, Any] | None = None,
        *,
        unit: str = "",
        photo: str | None = None,
        scheduled_at: datetime | None = None,
    ) -> BroadcastRecord:
        row = Broadcast(
            officer=officer,
            unit=unit,
            text=text,
            photo=photo,
            audience=audience or {},
            state="scheduled" if scheduled_at else "draft",
            scheduled_at=scheduled_at,
            created_at=utcnow(),
        )
        async with self._write() as session:
            session.add(row)
            await session.flush()
            return broadcast_record(row)

    async def get_broadcast(self, broadcast_id: int) -> BroadcastRecord | None:
        async with self._read() as session:
            row = await session.get(Broadcast, broadcast_id)
            return None if row is None else broadcast_record(row)

    async def audience(self, audience: dict[str, Any]) -> list[tuple[int, str, str]]:
        """(person id, platform, chat id) of the subscribers the audience selects."""
        query = select(Person.id, Person.platform, Person.chat_id, Person.topics).where(
            Person.subscribed.is_(True), Person.blocked.is_(False)
        )
        areas = [a for a in audience.get("areas") or [] if a]
        if areas:
            query = query.where(Person.area.in_(areas))
        if audience.get("platforms"):
            query = query.where(Person.platform.in_(audience["platforms"]))
        topics = set(audience.get("topics") or [])
        async with self._read() as session:
            rows = (await session.execute(query.order_by(Person.id))).all()
        # A subscriber without chosen topics receives every topic.
        return [
            (pid, platform, chat)
            for pid, platform, chat, chosen in rows
            if not topics or not chosen or topics & set(chosen)
        ]

    async def enqueue_broadcast(self, broadcast_id: int) -> int:
        """Write one queued delivery per recipient and start sending; how many were queued.

        Idempotent: a recipient already queued for this broadcast is not queued twice.
        """
        broadcast = await self.get_broadcast(broadcast_id)
        if broadcast is None:
            raise LookupError(f"no broadcast {broadcast_id}")
        recipients = await self.audience(broadcast.audience)
        now = utcnow()
        queued = 0
        for start in range(0, len(recipients), ENQUEUE_CHUNK):
            chunk = recipients[start : start + ENQUEUE_CHUNK]
            statement = (
                self._insert(Delivery)
                .values(
                    [
                        {
                            "broadcast_id": broadcast_id,
                            "person_id": pid,
                            "platform": platform,
                            "chat_id": chat,
                            "state": "queued",
                            "attempts": 0,
                            "next_attempt_at": now,
                        }
                        for pid, platform, chat in chunk
                    ]
                )
                .on_conflict_do_nothing(index_elements=[Delivery.broadcast_id, Delivery.person_id])
            )
            async with self._write() as session:
                queued += (await session.execute(statement)).rowcount or 0
        async with self._write() as session:
            await session.execute(
                update(Broadcast)
                .where(Broadcast.id == broadcast_id, Broadcast.state.in_(("draft", "scheduled")))
                .values(state="sending", started_at=now)
            )
        return queued

    async def set_broadcast_state(self, broadcast_id: int, state: str) -> None:
        values: dict[str, Any] = {"state": state}
        if state in ("done", "cancelled"):
            values["finished_at"] = utcnow()
        async with self._write() as session:
            await session.execute(
                update(Broadcast).where(Broadcast.id == broadcast_id).values(**values)
            )

    async def claim_deliveries(
        self, platform: str, limit: int, worker: str
    ) -> list[DeliveryRecord]:
        """Mark up to ``limit`` due deliveries of running broadcasts as ours, then return them."""
        now = utcnow()
        due = (
            select(Delivery.id)
            .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
            .where(
                Delivery.platform == platform,
                Delivery.state == "queued",
                Delivery.next_attempt_at <= now,
                Broadcast.state == "sending",
            )
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(limit)
        )
        if self._engine.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True, of=Delivery)
        statement = (
            update(Delivery)
            .where(Delivery.id.in_(due.scalar_subquery()))
            .values(state="sending", claimed_by=worker, claimed_at=now)
            .returning(
                Delivery.id,
                Delivery.broadcast_id,
                Delivery.person_id,
                Delivery.platform,
                Delivery.chat_id,
                Delivery.attempts,
            )
            .execution_options(synchronize_session=False)
        )
        async with self._write() as session:
            rows = (await session.execute(statement)).all()
        return sorted((DeliveryRecord(*row) for row in rows), key=lambda d: d.id)

    async def record_outcomes(self, outcomes: Iterable[DeliveryOutcome]) -> None:
        """Write a batch of results in one transaction; blocked people are unsubscribed."""
        outcomes = list(outcomes)
        if not outcomes:
            return
        now = utcnow()
        async with self._write() as session:
            for outcome in outcomes:
                values: dict[str, Any] = {
                    "state": outcome.state,
                    "attempts": outcome.attempts,
                    "reason": outcome.reason,
                }
                if outcome.state == "sent":
                    values.update(sent_at=now, platform_message_id=outcome.platform_message_id)
                if outcome.state == "queued":
                    values["next_attempt_at"] = outcome.retry_at or now
                await session.execute(
                    update(Delivery).where(Delivery.id == outcome.delivery_id).values(**values)
                )
            blocked = [o.person_id for o in outcomes if o.state == "blocked"]
            if blocked:
                await session.execute(
                    update(Person)
                    .where(Person.id.in_(blocked))
                    .values(blocked=True, blocked_at=now, subscribed=False, subscribed_at=None)
                )

    async def skip_unroutable(self, platforms: Iterable[str]) -> int:
        """Queued deliveries for platforms no channel can send to: skipped, with the reason."""
        statement = (
            update(Delivery)
            .where(Delivery.state == "queued", Delivery.platform.not_in(list(platforms)))
            .values(state="skipped", reason="kênh này chưa được cấu hình để gửi thông báo")
        )
        async with self._write() as session:
            return (await session.execute(statement)).rowcount or 0

    async def requeue_stale(self, platform: str, claimed_before: datetime) -> int:
        """Deliveries left ``sending`` (a crash): queued again. May be sent twice; never lost."""
        statement = (
            update(Delivery)
            .where(
                Delivery.platform == platform,
                Delivery.state == "sending",
                Delivery.claimed_at < claimed_before,
            )
            # Not at once: the crash may have come right after the platform took the
            # message, and Telegram allows one message a second per chat.
            .values(state="queued", claimed_by=None, next_attempt_at=utcnow() + RESEND_DELAY)
        )
        async with self._write() as session:
            return (await session.execute(statement)).rowcount or 0

    async def broadcast_progress(self, broadcast_id: int) -> dict[str, int]:
        query = (
            select(Delivery.state, func.count())
            .where(Delivery.broadcast_id == broadcast_id)
            .group_by(Delivery.state)
        )
        async with self._read() as session:
            counts = Counter({state: n for state, n in (await session.execute(query)).all()})
        return {state: counts.get(state, 0) for state in ("queued", "sending", *FINAL_STATES)}

    async def finish_done_broadcasts(self) -> list[int]:
        """Broadcasts still ``sending`` with nothing left to send: marked done; their ids."""
        pending = select(Delivery.id).where(
            and_(Delivery.broadcast_id == Broadcast.id, Delivery.state.in_(("queued", "sending")))
        )
        query = select(Broadcast.id).where(Broadcast.state == "sending", ~pending.exists())
        async with self._read() as session:
            done = list((await session.scalars(query)).all())
        for broadcast_id in done:
            await self.set_broadcast_state(broadcast_id, "done")
        return done


class SenderLockMixin(StoreBase):
    @asynccontextmanager
    async def sender_lock(self, platform: str) -> AsyncIterator[bool]:
        """True while this process is the one sending ``platform``'s broadcasts.

        PostgreSQL: a session advisory lock, held on its own connection for as long as the
        context lasts (released by the database if the process dies). SQLite serves one
        process: always True.
        """
        if self._engine.dialect.name != "postgresql":
            yield True
            return
        key = zlib.crc32(f"broadcast-sender:{platform}".encode())
        async with self._engine.connect() as connection:
            elected = bool(
                (
                    await connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
                ).scalar()
            )
            await connection.commit()  # the lock belongs to the session, not the transaction
            try:
                yield elected
            finally:
                if elected:
                    await connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    await connection.commit()


def broadcast_record(row: Broadcast) -> BroadcastRecord:
    return BroadcastRecord(
        id=row.id,
        officer=row.officer,
        unit=row.unit,
        text=row.text,
        photo=row.photo,
        audience=dict(row.audience or {}),
        state=row.state,
        scheduled_at=row.scheduled_at,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )
