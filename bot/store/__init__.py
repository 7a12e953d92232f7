"""Persistent storage: SQLite by default, PostgreSQL for scale-out (SQLAlchemy 2 async).

``errors`` imports no SQLAlchemy (the records the store hands out are in
``bot.core.records``); ``Store``, ``open_store`` and ``upgrade`` are loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core.records import (
    FeedbackRecord,
    MessageRecord,
    PersonRecord,
    TicketRecord,
)
from bot.store.errors import StoreError

if TYPE_CHECKING:
    from bot.store.migrate import upgrade
    from bot.store.repository import Store, open_store

__all__ = [
    "FeedbackRecord",
    "MessageRecord",
    "PersonRecord",
    "Store",
    "StoreError",
    "TicketRecord",
    "open_store",
    "upgrade",
]


def __getattr__(name: str) -> Any:
    if name in ("Store", "open_store"):
        from bot.store import repository

        return getattr(repository, name)
    if name == "upgrade":
        from bot.store import migrate

        return migrate.upgrade
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
