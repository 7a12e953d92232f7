"""What the in-memory store's parts share: its tables, ids and all-or-nothing units."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.core.records import (
    BroadcastRecord,
    FeedbackRecord,
    MessageRecord,
    PersonRecord,
    TicketRecord,
    UpdateRecord,
)

Undo = Callable[[], None]
_UNDO: ContextVar[tuple[asyncio.Task[Any] | None, list[Undo]] | None] = ContextVar(
    "memory_unit", default=None
)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class KeptEvent:
    """A webhook event kept until handled (as the SQL store's ``inbox`` row)."""

    payload: dict[str, Any]
    received_at: datetime
    done_at: datetime | None = None
    attempts: int = 0
    failure: str | None = None
    dead_at: datetime | None = None


class MemoryBase:
    """The tables (dicts), ids, and the undo log behind ``unit()``."""

    def __init__(self) -> None:
        self.people: dict[int, PersonRecord] = {}
        self.messages: dict[int, MessageRecord] = {}
        self.feedback: dict[tuple[int, int], FeedbackRecord] = {}
        self.tickets: dict[int, TicketRecord] = {}
        self.ticket_posts: dict[tuple[str, str], int] = {}
        self.updates: dict[int, UpdateRecord] = {}
        self.update_times: dict[int, datetime] = {}
        self.kv: dict[str, str] = {}
        # (platform, key) -> [payload, received at, done at]
        self.inbox: dict[tuple[str, str], KeptEvent] = {}
        self.status_messages: dict[int, tuple[str, str, str]] = {}  # a broadcast's status post
        self.broadcasts: dict[int, BroadcastRecord] = {}
        self.deliveries: dict[tuple[int, int], str] = {}  # (broadcast, person) -> state
        self.officers: dict[tuple[str, str], tuple[str, bool]] = {}  # -> (unit, active)
        self.audit_log: dict[int, tuple[str, str, dict[str, Any], datetime]] = {}
        self._ids: dict[str, int] = {}
        self._process: str | None = None

    # ---- all or nothing ------------------------------------------------------------------
    @asynccontextmanager
    async def unit(self) -> AsyncIterator[None]:
        """As the SQL store's: the writes of this task inside are undone if it raises."""
        task = asyncio.current_task()
        current = _UNDO.get()
        if current is not None and current[0] is task:
            yield
            return
        undo: list[Undo] = []
        token = _UNDO.set((task, undo))
        try:
            yield
        except BaseException:
            for step in reversed(undo):
                step()
            raise
        finally:
            _UNDO.reset(token)

    def _set(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        """Every write goes through here, so that a failed unit can take it back."""
        current = _UNDO.get()
        if current is not None and current[0] is asyncio.current_task():
            if key in table:
                old = table[key]
                current[1].append(lambda: table.__setitem__(key, old))
            else:
                current[1].append(lambda: table.pop(key, None))
        table[key] = value

    # ---- the audit log (officers' actions, a citizen's deletion of their data) -----------
    async def audit(self, actor: str, action: str, details: dict[str, Any] | None = None) -> None:
        self._set(self.audit_log, len(self.audit_log), (actor, action, details or {}, utc_now()))

    async def audit_entries(self, limit: int = 100) -> list[tuple[str, str, dict, datetime]]:
        return [self.audit_log[i] for i in sorted(self.audit_log, reverse=True)[:limit]]

    def _delete(self, table: dict[Any, Any], key: Any) -> None:
        """Every removal goes through here, for the same reason."""
        if key not in table:
            return
        old = table.pop(key)
        current = _UNDO.get()
        if current is not None and current[0] is asyncio.current_task():
            current[1].append(lambda: table.__setitem__(key, old))

    def _next(self, name: str) -> int:
        self._ids[name] = self._ids.get(name, 0) + 1
        return self._ids[name]
