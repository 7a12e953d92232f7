"""Platform updates and how far each got: received → answered → delivered.

Webhooks are retried and a process may die at any instant. The row written when an update
arrives decides what a retry (or the next start) does: nothing when it was delivered,
send the rest of its replies when it was answered, answer it when it was only received.
Whether the process that took it is still alive is asked of the database (PostgreSQL:
each process holds an advisory lock named after itself; SQLite serves one process).
"""

from __future__ import annotations

import contextlib
import logging
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.records import PlatformId, UpdateRecord
from bot.store.base import StoreBase, as_id
from bot.store.columns import utcnow
from bot.store.journal import SentJournal
from bot.store.models import ProcessedUpdate

logger = logging.getLogger(__name__)
RECOVER_BATCH = 200


class UpdatesMixin(StoreBase):
    _process: str | None = None  # the owner name this process holds a lease for
    _journal: SentJournal | None = None

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
            created = (
                await session.execute(self._claim(platform, update_key, owner, inbound))
            ).scalar_one_or_none()
            row = await session.get(ProcessedUpdate, created) if created else None
            if row is None:
                row = (
                    await session.scalars(
                        select(ProcessedUpdate).where(
                            ProcessedUpdate.platform == platform,
                            ProcessedUpdate.update_key == as_id(update_key),
                        )
                    )
                ).one()
            return update_record(row), created is not None

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

    async def take_over_update(self, update_id: int, previous: str | None, owner: str) -> bool:
        """Become the update's handler if ``previous`` still is (one taker wins)."""
        statement = (
            update(ProcessedUpdate)
            .where(ProcessedUpdate.id == update_id, _owner_is(previous))
            .where(ProcessedUpdate.state != "delivered")
            .values(owner=owner)
        )
        async with self._write() as session:
            result = await session.execute(statement.execution_options(synchronize_session=False))
            return bool(getattr(result, "rowcount", 0))

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
        """The first ``sent`` replies were handed to their platforms."""
        if self._journal is not None:  # before anything can wait: see journal.py
            self._journal.note(update_id, sent)
        values: dict[str, Any] = {"sent": sent}
        if sent >= total:
            values["state"] = "delivered"
        # Urgent: until this is written (or journaled), a crash would send the reply again.
        async with self._write(urgent=True) as session:
            await session.execute(
                update(ProcessedUpdate).where(ProcessedUpdate.id == update_id).values(**values)
            )

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

    # ---- which processes are alive ------------------------------------------------------
    @asynccontextmanager
    async def process_lease(self, owner: str) -> AsyncIterator[None]:
        """This process is ``owner`` for as long as the context lasts (PostgreSQL: an
        advisory lock on its own connection, released by the database if the process dies;
        a SQLite file: its sent-journal, after the dead processes' notes are applied)."""
        self._process = owner
        if self._engine.dialect.name != "postgresql":
            folder = _file_folder(self._engine.url.database)
            if folder is None:  # in memory: one process that cannot outlive its data
                yield
                return
            journal = SentJournal(folder)
            await self._apply_noted(journal.open(owner))
            journal.forget_others()
            self._journal = journal
            try:
                yield
            finally:
                self._journal = None
                journal.close()
            return
        key = _lease_key(owner)
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            await connection.commit()  # the lock belongs to the session
            try:
                yield
            finally:
                await _unlock(connection, key)

    async def _apply_noted(self, noted: dict[int, int]) -> None:
        """Replies a dead process noted as sent but did not get to record."""
        for update_id, sent in noted.items():
            claim = await self.get_update(update_id)
            if claim is not None and claim.state == "answered" and sent > claim.sent:
                await self.mark_update_sent(update_id, sent, len(claim.outbox))

    async def process_alive(self, owner: str | None) -> bool:
        """Whether the process named ``owner`` still runs (and may finish its updates)."""
        if owner is None:
            return False
        if owner == self._process:
            return True
        if self._engine.dialect.name != "postgresql":
            return False  # SQLite serves one process: another owner was a previous run
        key = _lease_key(owner)
        async with self._engine.connect() as connection:
            free = bool(
                (
                    await connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
                ).scalar()
            )
            if free:
                await _unlock(connection, key)
            else:
                await connection.commit()
        return not free


def _file_folder(database: str | None) -> Path | None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser().resolve().parent


def _owner_is(owner: str | None) -> Any:
    return ProcessedUpdate.owner.is_(None) if owner is None else ProcessedUpdate.owner == owner


def _lease_key(owner: str) -> int:
    return zlib.crc32(f"bot-process:{owner}".encode())


async def _unlock(connection: AsyncConnection, key: int) -> None:
    with contextlib.suppress(Exception):  # a dead connection holds no lock
        await connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        await connection.commit()


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
