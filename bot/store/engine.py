"""One AsyncEngine per database URL, set up for many concurrent callers.

SQLite (the embedded default) gets WAL, a busy timeout, foreign keys, and transactions
that take the write lock up front (``BEGIN IMMEDIATE``) so two writers queue on the busy
timeout instead of failing on a lock upgrade; read-only sessions begin DEFERRED.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from bot.store.errors import StoreError

logger = logging.getLogger(__name__)

READ_ONLY = "bot_store_read_only"  # execution option: a session that never writes
SQLITE_BUSY_TIMEOUT_MS = 10_000
PG_POOL_SIZE = 10  # connections kept per process (PostgreSQL allows 100 by default)
PG_OVERFLOW = 20  # more, opened under a burst and closed after
PG_POOL_WAIT = 5.0  # seconds a request waits for a free connection
# Seconds to open a connection: each one forks a PostgreSQL backend, and on a loaded host
# twenty opened at once took over 3 s. A stalled database still fails within seconds.
PG_CONNECT_TIMEOUT = 10.0
PG_STATEMENT_TIMEOUT = 15.0  # seconds for one statement (a broadcast's queue is the longest)


# Plain scheme → the async driver this package uses (``postgresql://…`` works as given).
ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


def create_engine(url: str | URL, *, echo: bool = False) -> AsyncEngine:
    """The engine for ``url`` (``sqlite+aiosqlite:///…`` or ``postgresql+asyncpg://…``)."""
    parsed = async_url(url)
    if parsed.drivername == "sqlite+aiosqlite":
        return _sqlite_engine(parsed, echo=echo)
    # Every conversation in flight may hold a connection for its one transaction.
    # A stalled database must fail requests in seconds, not hang them: bounded waits for
    # a connection (pool, connect) and for each statement.
    return create_async_engine(
        parsed,
        echo=echo,
        hide_parameters=True,  # errors name the statement, never a citizen's words
        pool_pre_ping=True,
        pool_size=PG_POOL_SIZE,
        max_overflow=PG_OVERFLOW,
        pool_timeout=PG_POOL_WAIT,
        connect_args={"timeout": PG_CONNECT_TIMEOUT, "command_timeout": PG_STATEMENT_TIMEOUT},
    )


def async_url(url: str | URL) -> URL:
    """``url`` with its async driver; StoreError unless SQLite/aiosqlite or PostgreSQL/asyncpg."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"Not a database URL: {exc}") from exc
    parsed = parsed.set(drivername=ASYNC_DRIVERS.get(parsed.drivername, parsed.drivername))
    if parsed.drivername not in ASYNC_DRIVERS.values():
        shown = parsed.render_as_string(hide_password=True)
        raise StoreError(
            f"Unsupported database URL {shown} (use sqlite+aiosqlite:// or postgresql+asyncpg://)"
        )
    return parsed


def is_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or "mode=memory" in str(url)


def _sqlite_engine(url: URL, *, echo: bool) -> AsyncEngine:
    options: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if is_memory(url):
        # Each connection would have its own empty database: keep exactly one, and let
        # concurrent sessions queue for it.
        options.update(poolclass=AsyncAdaptedQueuePool, pool_size=1, max_overflow=0)
    elif not (url.database or "").startswith("file:"):
        Path(url.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, **options)
    event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
    event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # the driver emits no BEGIN; _sqlite_on_begin does
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
