"""Webhook events: kept, acknowledged at once, handled in the background, never lost.

Zalo expects a webhook to answer within about 2 s, while an answer may take longer under
load. So an adapter hands each verified event to ``EventInbox.accept``: the event is
written to the store (a retry of the same key is recognised there), the webhook answers
200, and the event is handled in a background task. Events of one person are handled in
the order they arrived. Events left unhandled by a crash are handled at the next start;
a graceful stop waits for those in flight.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.store.repository import Store

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class EventInbox:
    def __init__(
        self,
        store: Store,
        platform: str,
        handler: Handler,
        order_key: Callable[[dict[str, Any]], str],
        concurrency: int = 64,
    ) -> None:
        self.store = store
        self.platform = platform
        self.handler = handler
        self.order_key = order_key
        self._slots = asyncio.Semaphore(concurrency)
        self._turns: dict[str, tuple[asyncio.Lock, int]] = {}  # lock, tasks using it
        self._tasks: set[asyncio.Task[None]] = set()
        self.accepting = True

    async def accept(self, key: str, payload: dict[str, Any]) -> bool:
        """Keep and schedule an event; False when this key was seen before (a retry)."""
        if not await self.store.inbox_put(self.platform, key, payload):
            return False
        self._schedule(key, payload)
        return True

    async def start(self) -> None:
        """Handle what a previous run accepted but did not finish."""
        pending = await self.store.inbox_pending(self.platform)
        if pending:
            logger.warning("%s: %d events left from the last run", self.platform, len(pending))
        for key, payload in pending:
            self._schedule(key, payload)

    async def stop(self) -> None:
        """Stop accepting; wait for what is in flight (what is not stays in the store)."""
        self.accepting = False
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def drain(self) -> None:
        """Wait until everything accepted so far is handled (tests, benchmarks)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _schedule(self, key: str, payload: dict[str, Any]) -> None:
        task = asyncio.create_task(self._handle(key, payload), name=f"{self.platform}:{key}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, key: str, payload: dict[str, Any]) -> None:
        person = self.order_key(payload)
        turn, waiting = self._turns.get(person, (asyncio.Lock(), 0))
        self._turns[person] = (turn, waiting + 1)
        try:
            async with turn, self._slots:
                try:
                    await self.handler(payload)
                except Exception:  # one bad event must not stop the others
                    logger.exception("%s: event %s failed", self.platform, key)
                await self.store.inbox_done(self.platform, key)
        finally:
            lock, waiting = self._turns[person]
            if waiting == 1:
                del self._turns[person]
            else:
                self._turns[person] = (lock, waiting - 1)
