"""What every part of the Store shares: the engine, sessions, error translation, upserts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.records import PlatformId
from bot.store.engine import READ_ONLY
from bot.store.errors import StoreError
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
        Inside ``unit()``, the unit's transaction (a savepoint of it, so a caught error
        undoes only its own write).
        """
        unit = self._current_unit()
        if unit is not None:
            with _translated():
                session = await unit.session_for(self, urgent)
                if self._write_turns is not None:  # SQLite undoes a failed statement alone
                    yield session
                    return
                async with session.begin_nested():  # PostgreSQL would abort the transaction
                    yield session
            return
        with _translated():
            if self._write_turns is None:
                async with self._writers.begin() as session:
                    yield session
                return
            async with self._write_turns.turn(urgent), self._writers.begin() as session:
                yield session

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[AsyncSession]:
        unit = self._current_unit()
        if unit is not None and unit.session is not None:  # sees the unit's own writes
            with _translated():
                yield unit.session
            return
        with _translated():
            async with self._readers() as session:
                yield session

    async def ping(self) -> None:
        """One round trip to the database (raises when it cannot be reached)."""
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[None]:
        """Every write made inside (by this task) lands in one transaction, committed when
        the block ends and undone entirely if it raises, so a crash keeps all or nothing.

        The transaction begins at the first write: what comes before it (an answer being
        composed) holds no lock. Nested units join the outer one.
        """
        if self._current_unit() is not None:
            yield
            return
        unit = _Unit(asyncio.current_task())
        token = _UNIT.set(unit)
        try:
            with _translated():
                async with unit:
                    yield
        finally:
            _UNIT.reset(token)

    def _current_unit(self) -> _Unit | None:
        unit = _UNIT.get()
        # A task started inside a unit inherits the variable, not the transaction.
        if unit is None or unit.task is not asyncio.current_task():
            return None
        return unit

    def _insert(self, entity: Any) -> Any:
        """``INSERT`` with ``on_conflict_do_nothing/do_update`` for this engine's dialect."""
        if self._engine.dialect.name == "postgresql":
            return postgresql.insert(entity)
        return sqlite.insert(entity)


class _Unit:
    """The one transaction of ``StoreBase.unit``, opened lazily."""

    def __init__(self, task: asyncio.Task[Any] | None) -> None:
        self.task = task
        self.session: AsyncSession | None = None
        self._stack = AsyncExitStack()

    async def session_for(self, store: StoreBase, urgent: bool) -> AsyncSession:
        if self.session is None:
            if store._write_turns is not None:
                await self._stack.enter_async_context(store._write_turns.turn(urgent))
            session = await self._stack.enter_async_context(store._writers())
            await self._stack.enter_async_context(session.begin())
            self.session = session
        return self.session

    async def __aenter__(self) -> _Unit:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        # Leaving the stack commits the transaction (or rolls it back on an error), then
        # closes the session and gives the write turn back.
        await self._stack.__aexit__(kind, *rest)  # type: ignore[arg-type]


_UNIT: ContextVar[_Unit | None] = ContextVar("store_unit", default=None)


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
