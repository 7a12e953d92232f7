"""Every store test runs twice: on a SQLite file and on the local PostgreSQL server.

PostgreSQL tests use a database of their own (created for the session, dropped at the
end) whose schema is emptied before each test; they are skipped, with the reason, when no
server answers. STORE_TEST_POSTGRES_URL (``postgresql+asyncpg://user@host:port/db``)
points them at another server; by default 127.0.0.1:5432, database ``test``, user
``postgres`` then ``root`` (trust auth).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.store import Store


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    async with await Store.open(store_url) as opened:
        yield opened
