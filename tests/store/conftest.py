"""Every store test runs twice: on a SQLite file and on the local PostgreSQL server.

PostgreSQL tests use a database of their own (created for the session, dropped at the
end) whose schema is emptied before each test; they are skipped, with the reason, when no
server answers. STORE_TEST_POSTGRES_URL (``postgresql+asyncpg://user@host:port/db``)
points them at another server; by default 127.0.0.1:5432, database ``test``, user
``postgres`` then ``root`` (trust auth).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.store import Store
from bot.store.memory import MemoryStore
from tests.conftest import empty_postgres


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    async with await Store.open(store_url) as opened:
        yield opened


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """ "memory", or an empty SQLite or PostgreSQL database (as store_url)."""
    if request.param == "memory":
        return "memory"
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bot.db'}"
    url: str = request.getfixturevalue("postgres_url")
    asyncio.run(empty_postgres(url))
    return url


@pytest.fixture
async def any_store(any_store_url: str) -> AsyncIterator[Any]:
    """The store ports' contract: the in-memory store, SQLite and PostgreSQL alike."""
    if any_store_url == "memory":
        yield MemoryStore()
        return
    async with await Store.open(any_store_url) as opened:
        yield opened
