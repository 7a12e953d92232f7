"""The Store: the bot's persistent memory behind one small async API.

    async with await Store.open("sqlite+aiosqlite:///data/bot.db") as store:
        person = await store.upsert_person("telegram", 42, 42, "Lan")

The same code runs on PostgreSQL (``postgresql+asyncpg://…``); ``sqlite+aiosqlite://``
(no path) is an in-memory database for tests. Opening runs the migrations.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Self

from sqlalchemy.exc import SQLAlchemyError

from bot.store.arrivals import ArrivalsMixin
from bot.store.broadcasts import BroadcastsMixin
from bot.store.deliveries import DeliveriesMixin
from bot.store.engine import create_engine
from bot.store.erasure import ErasureMixin
from bot.store.errors import StoreError
from bot.store.inbox import InboxMixin
from bot.store.insights import InsightsMixin
from bot.store.insights_questions import UnansweredMixin
from bot.store.kv import KeyValueMixin
from bot.store.media import MediaMixin
from bot.store.messages import MessagesMixin
from bot.store.migrate import upgrade_engine
from bot.store.officer_answers import OfficerAnswersMixin
from bot.store.officer_answers_use import OfficerAnswerUseMixin
from bot.store.officers import OfficersMixin
from bot.store.people import PeopleMixin
from bot.store.sender_lock import SenderLockMixin
from bot.store.tickets import TicketsMixin
from bot.store.updates import UpdatesMixin

logger = logging.getLogger(__name__)


class Store(
    ArrivalsMixin,
    BroadcastsMixin,
    DeliveriesMixin,
    ErasureMixin,
    SenderLockMixin,
    InboxMixin,
    InsightsMixin,
    UnansweredMixin,
    MediaMixin,
    PeopleMixin,
    MessagesMixin,
    OfficersMixin,
    OfficerAnswersMixin,
    OfficerAnswerUseMixin,
    TicketsMixin,
    UpdatesMixin,
    KeyValueMixin,
):
    """People, messages, tickets, feedback, broadcasts and their photos, dedup keys and
    secrets, and the deletion of personal data; all methods are async."""

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True, echo: bool = False) -> Self:
        """Connect to ``url`` and (by default) bring its schema up to date."""
        engine = create_engine(url, echo=echo)
        try:
            if migrate:
                await upgrade_engine(engine)
        except (SQLAlchemyError, OSError) as exc:
            await engine.dispose()
            raise StoreError(f"Cannot open the database: {exc}") from exc
        except BaseException:
            await engine.dispose()
            raise
        logger.info("store opened on %s", engine.url.render_as_string(hide_password=True))
        return cls(engine)

    async def close(self) -> None:
        await self._engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


@asynccontextmanager
async def open_store(url: str, *, migrate: bool = True) -> AsyncIterator[Store]:
    """``async with open_store(url) as store:`` — opened, migrated, closed at the end."""
    store = await Store.open(url, migrate=migrate)
    try:
        yield store
    finally:
        await store.close()
