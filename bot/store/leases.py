"""Which bot processes are alive, and what dead ones noted as sent (see journal.py).

An update belongs to the process that took it until that process dies. PostgreSQL: each
process holds an advisory lock named after itself on a connection of its own, which the
database releases when the process dies, so any process can tell. SQLite serves one
process: any other owner was a previous run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core import background
from bot.store.base import StoreBase
from bot.store.journal import SentJournal

logger = logging.getLogger(__name__)

SENT_FLUSH_EVERY = 0.1  # seconds between writing the sent counts a journal holds


class LeasesMixin(StoreBase):
    _process: str | None = None  # the owner name this process holds a lease for
    _journal: SentJournal | None = None
    _sent_marks: dict[int, tuple[int, int]] | None = None  # update id -> (sent, of how many)

    @asynccontextmanager
    async def process_lease(
        self, owner: str, journal_dir: Path | None = None
    ) -> AsyncIterator[None]:
        """This process is ``owner`` for as long as the context lasts; the sent-journals
        of this database live in a folder of ``journal_dir`` (default: beside a SQLite
        file; none for a database in memory). Dead processes' journals are applied first."""
        self._process = owner
        folder = self.journal_folder(journal_dir)
        async with self._advisory_lease(owner):
            journal = None if folder is None else SentJournal(folder, owner)
            if journal is not None:
                journal.open()
                self._journal = journal
                await self._settle_dead(journal)
                self._sent_marks = {}
                flusher = asyncio.create_task(self._flush_sent_often(), name="sent-counts")
            try:
                yield
            finally:
                if journal is not None:
                    await background.stop(flusher)
                    await self._final_flush(journal)

    def journal_folder(self, journal_dir: Path | None = None) -> Path | None:
        """Where this database's sent-journals are: update ids are the database's own."""
        folder = journal_dir or _file_folder(self._engine)
        if folder is None:
            return None
        where = self._engine.url.render_as_string(hide_password=True)
        return folder / f"sent-journals-{zlib.crc32(where.encode()):08x}"

    async def process_alive(self, owner: str | None) -> bool:
        """Whether the process named ``owner`` still runs (and may finish its updates)."""
        if owner is None:
            return False
        if owner == self._process:
            return True
        if self._engine.dialect.name != "postgresql":
            return False
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

    def noted_sent(self, owner: str | None, update_id: int) -> int:
        """How many replies of ``update_id`` ``owner`` noted as sent in its journal here."""
        if owner is None or self._journal is None:
            return 0
        return self._journal.noted_by(owner).get(update_id, 0)

    async def _flush_sent_often(self) -> None:
        while True:
            await asyncio.sleep(SENT_FLUSH_EVERY)
            try:
                await self.flush_sent()  # type: ignore[attr-defined]
            except Exception:  # the journal still holds them; the next flush tries again
                if background.cancelling():
                    raise
                logger.exception("could not record sent replies")

    async def _final_flush(self, journal: SentJournal) -> None:
        """A clean stop: the counts into the database, then the journal can go."""
        try:
            await self.flush_sent()  # type: ignore[attr-defined]
        except Exception:  # keep the journal: the next start applies it
            logger.exception("could not record sent replies; the journal is kept")
            self._journal = self._sent_marks = None
            return
        self._journal = self._sent_marks = None
        journal.close()

    async def _settle_dead(self, journal: SentJournal) -> None:
        """Dead processes' notes into the database, then their files away."""
        for owner in journal.owners():
            if await self.process_alive(owner):
                continue
            for update_id, sent in journal.noted_by(owner).items():
                claim = await self.get_update(update_id)  # type: ignore[attr-defined]
                if claim is not None and claim.state == "answered" and sent > claim.sent:
                    await self._write_sent({update_id: (sent, len(claim.outbox))})  # type: ignore[attr-defined]
            journal.forget(owner)

    @asynccontextmanager
    async def _advisory_lease(self, owner: str) -> AsyncIterator[None]:
        if self._engine.dialect.name != "postgresql":
            yield
            return
        key = _lease_key(owner)
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            await connection.commit()  # the lock belongs to the session
            try:
                yield
            finally:
                await _unlock(connection, key)


def _file_folder(engine: object) -> Path | None:
    url = engine.url  # type: ignore[attr-defined]
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    return Path(database).expanduser().resolve().parent


def _lease_key(owner: str) -> int:
    return zlib.crc32(f"bot-process:{owner}".encode())


async def _unlock(connection: AsyncConnection, key: int) -> None:
    with contextlib.suppress(Exception):  # a dead connection holds no lock
        await connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        await connection.commit()
