"""Platform updates and how far each got: received → answered → delivered.

Webhooks are retried and a process may die at any instant. The row written when an update
arrives decides what a retry (or the next start) does: nothing when it was delivered,
send the rest of its replies when it was answered, answer it when it was only received.
Whether the process that took it is still alive is asked of the database (PostgreSQL:
each process holds an advisory lock named after itself; SQLite serves one process).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.records import PlatformId, UpdateRecord
from bot.store.base import StoreBase, as_id
from bot.store.columns import utcnow
from bot.store.leases import LeasesMixin
from bot.store.models import ProcessedUpdate

logger = logging.getLogger(__name__)
RECOVER_BATCH = 200


class UpdatesMixin(LeasesMixin, StoreBase):
    async def receive_update(
        self,
        platform: str,
        update_key: PlatformId,
        owner: str,
        inbound: dict[str, Any] | None = None,
    ) -> tuple[UpdateRecord, bool]:
        """The update's row, and True when this call created it (the first delivery).

        Safe under concurrency: the unique constraint decides, ``ON CONFLICT DO NOTHING``.
        """
        async with self._write(urgent=True) as session:
            return await self._claim_in(session, platform, update_key, owner, inbound)

    async def _claim_in(
        self,
        session: AsyncSession,
        platform: str,
        update_key: PlatformId,
        owner: str,
        inbound: dict[str, Any] | None,
    ) -> tuple[UpdateRecord, bool]:
        """Inside ``session``: the new row and True, or the row a first delivery wrote."""
        created = (
            await session.execute(self._claim(platform, update_key, owner, inbound))
        ).scalar_one_or_none()
        if created is not None:
            fresh = (created, platform, as_id(update_key), "received", owner, inbound)
            return UpdateRecord(*fresh, None, None, (), 0), True
        existing = select(ProcessedUpdate).where(
            ProcessedUpdate.platform == platform, ProcessedUpdate.update_key == as_id(update_key)
        )
        return update_record((await session.scalars(existing)).one()), False

    def _claim(
        self,
        platform: str,
        update_key: PlatformId,
        owner: str,
        inbound: dict[str, Any] | None,
    ) -> Any:
        return (
            self._insert(ProcessedUpdate)
            .values(
                platform=platform,
                update_key=as_id(update_key),
                processed_at=utcnow(),
                state="received",
                owner=owner,
                inbound=inbound,
                sent=0,
            )
            .on_conflict_do_nothing(
                index_elements=[ProcessedUpdate.platform, ProcessedUpdate.update_key]
            )
            .returning(ProcessedUpdate.id)
        )

    async def get_update(self, update_id: int) -> UpdateRecord | None:
        async with self._read() as session:
            row = await session.get(ProcessedUpdate, update_id, populate_existing=True)
            return None if row is None else update_record(row)

    async def take_over_update(
        self, update_id: int, previous: str | None, owner: str
    ) -> UpdateRecord | None:
        """Become the update's handler if ``previous`` still is (one taker wins): the row
        as it is now, with what ``previous`` noted in its journal as sent; None if not."""
        statement = (
            update(ProcessedUpdate)
            .where(ProcessedUpdate.id == update_id, _owner_is(previous))
            .where(ProcessedUpdate.state != "delivered")
            .values(owner=owner)
        )
        async with self._write() as session:
            result = await session.execute(statement.execution_options(synchronize_session=False))
            if not getattr(result, "rowcount", 0):
                return None
        claim = await self.get_update(update_id)
        noted = self.noted_sent(previous, update_id)
        if claim is not None and claim.state == "answered" and noted > claim.sent:
            await self._write_sent({update_id: (noted, len(claim.outbox))})
            claim = await self.get_update(update_id)
        return claim

    async def answer_update(
        self, update_id: int, outbox: list[dict[str, Any]], sent: int = 0
    ) -> None:
        """The replies are decided (inside the unit that stored them); ``sent`` of them
        need no sending (the web's own: stored is delivered)."""
        state = "delivered" if sent >= len(outbox) else "answered"
        async with self._write() as session:
            await session.execute(
                update(ProcessedUpdate)
                .where(ProcessedUpdate.id == update_id)
                .values(outbox=outbox, sent=sent, state=state)
            )

    async def mark_update_sent(self, update_id: int, sent: int, total: int) -> None:
        """The first ``sent`` replies were handed to their platforms.

        With a journal (a running bot), the note in it is what a crash would need; the row
        is updated with others a moment later (``flush_sent``), one transaction for many
        replies instead of one each. Without one, the row is updated at once.
        """
        if self._journal is not None:  # before anything can wait: see journal.py
            self._journal.note(update_id, sent)
            if self._sent_marks is not None:
                self._sent_marks[update_id] = (sent, total)
                return
        await self._write_sent({update_id: (sent, total)})

    async def flush_sent(self) -> None:
        """Write the sent counts noted since the last flush (see mark_update_sent)."""
        if self._sent_marks:
            marks, self._sent_marks = self._sent_marks, {}
            await self._write_sent(marks)

    async def _write_sent(self, marks: dict[int, tuple[int, int]]) -> None:
        table = ProcessedUpdate.__table__
        statement = (
            table.update()
            .where(table.c.id == bindparam("update_id"))
            .values(sent=bindparam("sent"), state=bindparam("state"))
        )
        rows = [
            {"update_id": i, "sent": sent, "state": "delivered" if sent >= total else "answered"}
            for i, (sent, total) in marks.items()
        ]
        # Urgent: the sooner it is written, the smaller what a lost journal would repeat.
        async with self._write(urgent=True) as session:
            await session.execute(statement, rows)

    async def unfinished_updates(self, after: int = 0) -> list[UpdateRecord]:
        """Updates received or answered but not delivered, oldest first, a batch at a time."""
        query = (
            select(ProcessedUpdate)
            .where(ProcessedUpdate.state != "delivered", ProcessedUpdate.id > after)
            .order_by(ProcessedUpdate.id)
            .limit(RECOVER_BATCH)
        )
        async with self._read() as session:
            return [update_record(row) for row in (await session.scalars(query)).all()]

    async def forget_updates(self, before: datetime) -> int:
        """Drop delivered updates older than ``before`` (platforms stop retrying); the count."""
        statement = delete(ProcessedUpdate).where(
            ProcessedUpdate.processed_at < before, ProcessedUpdate.state == "delivered"
        )
        async with self._write() as session:
            result = await session.execute(statement.execution_options(synchronize_session=False))
            return int(getattr(result, "rowcount", 0) or 0)


def _owner_is(owner: str | None) -> Any:
    return ProcessedUpdate.owner.is_(None) if owner is None else ProcessedUpdate.owner == owner


def update_record(row: ProcessedUpdate) -> UpdateRecord:
    return UpdateRecord(
        id=row.id,
        platform=row.platform,
        update_key=row.update_key,
        state=row.state,  # type: ignore[arg-type]
        owner=row.owner,
        inbound=row.inbound,
        person_id=row.person_id,
        message_id=row.message_id,
        outbox=tuple(row.outbox or ()),
        sent=row.sent,
    )
