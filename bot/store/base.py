"""What every part of the Store shares: the engine, sessions, error translation, upserts."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.store.engine import READ_ONLY
from bot.store.errors import StoreError
from bot.store.records import PlatformId
from bot.store.turns import WriteTurns

logger = logging.getLogger(__name__)


class StoreBase:
    """Holds one AsyncEngine and two session factories (writing and read-only)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._writers = async_sessionmaker(engine, expire_on_commit=False)
        self._readers = async_sessionmaker(
            engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )
        # SQLite: writers of this process queue here (see turns.py); other processes
        # still meet SQLite's busy timeout.
        self._write_turns = WriteTurns() if engine.dialect.name == "sqlite" else None

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    @asynccontextmanager
    async def _write(self, urgent: bool = False) -> AsyncIterator[AsyncSession]:
        """A session in a transaction committed on success; database errors become StoreError.

        ``urgent``: a short write someone is waiting on (a webhook's acknowledgement).
        """
        with _translated():
            if self._write_turns is None:
                async with self._writers.begin() as session:
                    yield session
                return
            async with self._write_turns.turn(urgent), self._writers.begin() as session:
                yield session

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[AsyncSession]:
        with _translated():
            async with self._readers() as session:
                yield session

    def _insert(self, entity: Any) -> Any:
        """``INSERT`` with ``on_conflict_do_nothing/do_update`` for this engine's dialect."""
        if self._engine.dialect.name == "postgresql":
            return postgresql.insert(entity)
        return sqlite.insert(entity)


@contextmanager
def _translated() -> Iterator[None]:
    """Turns SQLAlchemy's errors into StoreError (the project's one error root)."""
    try:
        yield
    except IntegrityError as exc:
        raise StoreError(f"Database constraint violated: {exc.orig}") from exc
    except (SQLAlchemyError, OSError) as exc:
        raise StoreError(f"Database error: {exc}") from exc


def as_id(value: PlatformId) -> str:
    """Platform ids are stored as text (Telegram's are ints, Zalo's strings)."""
    return str(value)


def as_optional_id(value: PlatformId | None) -> str | None:
    return None if value is None else str(value)
