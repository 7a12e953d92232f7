"""Broadcasts: created (now or scheduled), their audience, the outbox they are enqueued
into (one delivery row per recipient, written before any send), their state and progress.

Sending the rows is deliveries.py's; which process sends is sender_lock.py's.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, false, func, or_, select, update

from bot.core.records import BroadcastRecord
from bot.store.base import StoreBase
from bot.store.columns import utcnow
from bot.store.models import Broadcast, Delivery, Person
from bot.store.officers import replies_to

ENQUEUE_CHUNK = 5000  # rows per transaction
FINAL_STATES = ("sent", "failed", "blocked", "skipped")

_deliveries = Delivery.__table__


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
        # One statement, many rows (executemany); chunks keep each transaction short so
        # webhook writes are not held up behind a 100,000-row enqueue.
        statement = (
            self._insert(_deliveries)
            .values(
                broadcast_id=bindparam("b"),
                person_id=bindparam("p"),
                platform=bindparam("pl"),
                chat_id=bindparam("c"),
                state="queued",
                attempts=0,
                next_attempt_at=now,
            )
            .on_conflict_do_nothing(index_elements=["broadcast_id", "person_id"])
        )
        before = await self._count_deliveries(broadcast_id)
        for start in range(0, len(recipients), ENQUEUE_CHUNK):
            rows = [
                {"b": broadcast_id, "p": pid, "pl": platform, "c": chat}
                for pid, platform, chat in recipients[start : start + ENQUEUE_CHUNK]
            ]
            async with self._write() as session:
                await session.execute(statement, rows)
        queued = await self._count_deliveries(broadcast_id) - before
        async with self._write() as session:
            await session.execute(
                update(Broadcast)
                .where(Broadcast.id == broadcast_id, Broadcast.state.in_(("draft", "scheduled")))
                .values(state="sending", started_at=now)
            )
        return queued

    async def _count_deliveries(self, broadcast_id: int) -> int:
        query = select(func.count()).where(Delivery.broadcast_id == broadcast_id)
        async with self._read() as session:
            return int((await session.execute(query)).scalar_one())

    async def set_broadcast_state(self, broadcast_id: int, state: str) -> None:
        values: dict[str, Any] = {"state": state}
        if state in ("done", "cancelled"):
            values["finished_at"] = utcnow()
        async with self._write() as session:
            await session.execute(
                update(Broadcast).where(Broadcast.id == broadcast_id).values(**values)
            )

    async def change_broadcast_state(
        self, broadcast_id: int, expected: tuple[str, ...], state: str
    ) -> bool:
        """Move the broadcast to ``state`` only if it is now in one of ``expected``; True
        when this call moved it (of two clicks on "pause", one pauses)."""
        values: dict[str, Any] = {"state": state}
        if state in ("done", "cancelled"):
            values["finished_at"] = utcnow()
        statement = (
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.state.in_(expected))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        async with self._write() as session:
            return bool((await session.execute(statement)).rowcount)

    async def broadcast_history(
        self,
        *,
        unit: str | None = None,
        officer: str | None = None,
        limit: int = 30,
        before: int | None = None,
    ) -> list[tuple[BroadcastRecord, dict[str, int]]]:
        """The newest broadcasts (below id ``before``; drafts left out), each with its
        deliveries by state and ``replies``: what its recipients sent within 24 h of its
        start, as ``month_report`` counts them. With ``unit`` or ``officer``: only the
        broadcasts of that unit or sent by that officer; with neither, everyone's."""
        query = select(Broadcast).where(Broadcast.state != "draft")
        if unit is not None or officer is not None:
            query = query.where(
                or_(
                    Broadcast.unit == unit if unit else false(),
                    Broadcast.officer == officer if officer else false(),
                )
            )
        if before is not None:
            query = query.where(Broadcast.id < before)
        async with self._read() as session:
            rows = (await session.scalars(query.order_by(Broadcast.id.desc()).limit(limit))).all()
            ids = [row.id for row in rows]
            by_state = (
                select(Delivery.broadcast_id, Delivery.state, func.count())
                .where(Delivery.broadcast_id.in_(ids))
                .group_by(Delivery.broadcast_id, Delivery.state)
            )
            counts: dict[int, Counter] = {i: Counter() for i in ids}
            for broadcast_id, state, n in (await session.execute(by_state)).all():
                counts[broadcast_id][state] = n
            history = []
            for row in rows:
                replies = 0
                if row.started_at is not None:
                    _, in_window = replies_to(row.id, row.started_at)
                    replies = await session.scalar(select(func.count()).where(in_window)) or 0
                states = ("queued", "sending", *FINAL_STATES)
                numbers = {state: counts[row.id].get(state, 0) for state in states}
                history.append((broadcast_record(row), {**numbers, "replies": replies}))
        return history

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
