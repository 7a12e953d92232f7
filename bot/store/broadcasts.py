"""Broadcasts and their outbox: one delivery row per recipient, written before any send.

A sender claims a small batch (state ``sending``, with its name and the time), sends it,
and writes the outcomes back in one transaction. After a crash the rows still ``sending``
are queued again (``requeue_stale``): those few may be sent twice, none is lost. On
PostgreSQL the claim uses ``FOR UPDATE SKIP LOCKED``, so several processes never take the
same row.
"""

from __future__ import annotations

import contextlib
import logging
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.records import BroadcastRecord, DeliveryOutcome, DeliveryRecord
from bot.store.base import StoreBase
from bot.store.columns import utcnow
from bot.store.models import Broadcast, Delivery, Person, SecretKV

logger = logging.getLogger(__name__)

ENQUEUE_CHUNK = 5000  # rows per transaction
RESEND_DELAY = timedelta(seconds=2)
FINAL_STATES = ("sent", "failed", "blocked", "skipped")
SENDER_SEEN = "broadcast-sender-seen:"  # key prefix of each platform's sender heartbeat

_deliveries = Delivery.__table__
# Absent values (None) keep what the row has: a sent time only for "sent", a next attempt
# only for "queued".
_RECORD_OUTCOME = (
    update(_deliveries)
    .where(_deliveries.c.id == bindparam("row_id"))
    .values(
        state=bindparam("new_state"),
        attempts=bindparam("new_attempts"),
        reason=bindparam("new_reason"),
        sent_at=func.coalesce(
            bindparam("new_sent_at", type_=_deliveries.c.sent_at.type), _deliveries.c.sent_at
        ),
        platform_message_id=func.coalesce(
            bindparam("new_message_id", type_=_deliveries.c.platform_message_id.type),
            _deliveries.c.platform_message_id,
        ),
        next_attempt_at=func.coalesce(
            bindparam("new_next_attempt_at", type_=_deliveries.c.next_attempt_at.type),
            _deliveries.c.next_attempt_at,
        ),
    )
)


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
        """Write a batch of results in one transaction; blocked people are unsubscribed.

        One statement run for every row (executemany): a broadcast at 1,000/s cannot
        afford a round trip per delivery.
        """
        outcomes = list(outcomes)
        if not outcomes:
            return
        now = utcnow()
        rows = [
            {
                "row_id": o.delivery_id,
                "new_state": o.state,
                "new_attempts": o.attempts,
                "new_reason": o.reason,
                "new_sent_at": now if o.state == "sent" else None,
                "new_message_id": o.platform_message_id if o.state == "sent" else None,
                "new_next_attempt_at": (o.retry_at or now) if o.state == "queued" else None,
            }
            for o in outcomes
        ]
        async with self._write() as session:
            await session.execute(_RECORD_OUTCOME, rows)
            blocked = [o.person_id for o in outcomes if o.state == "blocked"]
            if blocked:
                await session.execute(
                    update(Person)
                    .where(Person.id.in_(blocked))
                    .values(blocked=True, blocked_at=now, subscribed=False, subscribed_at=None)
                )

    async def announce_senders(self, platforms: Iterable[str]) -> None:
        """This process can send broadcasts on ``platforms`` (a heartbeat, see below)."""
        now = utcnow()
        rows = [{"key": SENDER_SEEN + p, "value": "", "updated_at": now} for p in platforms]
        if not rows:
            return
        insert = self._insert(SecretKV)
        statement = insert.on_conflict_do_update(
            index_elements=[SecretKV.key], set_={"updated_at": insert.excluded.updated_at}
        )
        async with self._write() as session:
            await session.execute(statement, rows)

    async def skip_unroutable(self, unseen_for: timedelta) -> int:
        """Queued deliveries for platforms no process has announced a sender for in
        ``unseen_for``: skipped with the reason, so the broadcast still finishes.

        Asked of every process's heartbeat, not this one's channels: processes configured
        differently must not skip each other's platforms.
        """
        live = select(func.substr(SecretKV.key, len(SENDER_SEEN) + 1)).where(
            SecretKV.key.startswith(SENDER_SEEN), SecretKV.updated_at >= utcnow() - unseen_for
        )
        statement = (
            update(Delivery)
            .where(Delivery.state == "queued", Delivery.platform.not_in(live.scalar_subquery()))
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


class SenderLease:
    """This process's claim to send one platform's broadcasts.

    ``elected`` says whether it won; ``still_held`` asks again (the database releases an
    advisory lock if its connection drops, and another process may then be elected).
    """

    def __init__(
        self, elected: bool, connection: AsyncConnection | None = None, key: int = 0
    ) -> None:
        self.elected = elected
        self._connection = connection
        self._key = key  # below 2**32: pg_locks shows it as objid

    def __bool__(self) -> bool:
        return self.elected

    async def still_held(self) -> bool:
        if not self.elected:
            return False
        if self._connection is None:  # SQLite: one process, always the sender
            return True
        try:
            held = (
                await self._connection.execute(
                    text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                        " AND pid = pg_backend_pid() AND granted AND objid::bigint = :k"
                    ),
                    {"k": self._key},
                )
            ).scalar()
            await self._connection.commit()
        except Exception:  # the connection is gone, and the lock with it
            logger.warning("lost the broadcast sender lock's connection", exc_info=True)
            self.elected = False
            return False
        self.elected = bool(held)
        return self.elected


class SenderLockMixin(StoreBase):
    @asynccontextmanager
    async def sender_lock(self, platform: str) -> AsyncIterator[SenderLease]:
        """Whether this process is the one sending ``platform``'s broadcasts.

        PostgreSQL: a session advisory lock, held on its own connection for as long as the
        context lasts (released by the database if the process dies). SQLite serves one
        process: always elected.
        """
        if self._engine.dialect.name != "postgresql":
            yield SenderLease(True)
            return
        key = zlib.crc32(f"broadcast-sender:{platform}".encode())
        async with self._engine.connect() as connection:
            elected = bool(
                (
                    await connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
                ).scalar()
            )
            await connection.commit()  # the lock belongs to the session, not the transaction
            lease = SenderLease(elected, connection, key)
            try:
                yield lease
            finally:
                if lease.elected:
                    with contextlib.suppress(Exception):  # a dead connection holds no lock
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
