"""Which process sends a platform's broadcasts: a PostgreSQL advisory lock per platform
(SenderLockMixin.sender_lock), and the lease that says whether it is still held."""

from __future__ import annotations

import contextlib
import logging
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.base import StoreBase

logger = logging.getLogger(__name__)


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
