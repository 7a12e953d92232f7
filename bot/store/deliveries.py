"""The outbox's rows on their way out: claimed, sent, their outcomes written back.

A sender claims a small batch (state ``sending``, with its name and the time), sends it,
and writes the outcomes back in one transaction. After a crash the rows still ``sending``
are queued again (``requeue_stale``): those few may be sent twice, none is lost. On
PostgreSQL the claim uses ``FOR UPDATE SKIP LOCKED``, so several processes never take the
same row. Rows for a platform no process sends are skipped (``skip_unroutable``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update

from bot.core.records import DeliveryOutcome, DeliveryRecord
from bot.store.base import StoreBase
from bot.store.columns import utcnow
from bot.store.models import Broadcast, Delivery, Person, SecretKV

RESEND_DELAY = timedelta(seconds=2)
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


class DeliveriesMixin(StoreBase):
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
