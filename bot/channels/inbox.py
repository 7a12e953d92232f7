"""Webhook events: kept, acknowledged at once, handled in the background, never lost.

Zalo expects a webhook to answer within about 2 s, while an answer may take longer under
load. So an adapter hands each verified event to ``EventInbox.accept``: the event is
written to the store (a retry of the same key is recognised there), the webhook answers
200, and the event is handled in a background task. Events of one person are handled in
the order they arrived. Events left unhandled by a crash are handled at the next start;
a graceful stop waits for those in flight.

An event that keeps failing is not retried forever: each attempt is counted before it
starts (so one that kills the process counts too), a failed one is tried again after a
growing pause, and after ``MAX_ATTEMPTS`` it is ``dead`` with its reason — reported once
to the officers, never tried again, and never in the way of other events. While the
database cannot be reached, nothing is counted: the event waits for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.store.errors import unreachable
from bot.store.repository import Store
from bot.strings import conversation as texts

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]
Tell = Callable[[str], Awaitable[None]]  # a note to the officers' chat

MAX_ATTEMPTS = 5
RETRY_PAUSE = 1.0  # seconds before the second attempt; doubled for each after
PAGE = 500  # pending events loaded at a time at start


class EventInbox:
    def __init__(
        self,
        store: Store,
        platform: str,
        handler: Handler,
        order_key: Callable[[dict[str, Any]], str],
        concurrency: int = 64,
        *,
        tell_officers: Tell | None = None,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.store = store
        self.platform = platform
        self.handler = handler
        self.order_key = order_key
        self.tell_officers = tell_officers  # about an event given up on
        self.max_attempts = max_attempts
        self._slots = asyncio.Semaphore(concurrency)
        self._turns: dict[str, tuple[asyncio.Lock, int]] = {}  # lock, tasks using it
        self._tasks: set[asyncio.Task[None]] = set()
        self.accepting = True
        self._stopped = asyncio.Event()

    async def accept(self, key: str, payload: dict[str, Any]) -> bool:
        """Keep and schedule an event; False when this key was seen before (a retry)."""
        if not await self.store.inbox_put(self.platform, key, payload):
            return False
        self._schedule(key, payload)
        return True

    async def start(self) -> None:
        """Handle what a previous run accepted but did not finish (all of it, by pages)."""
        seen = 0
        while page := await self.store.inbox_pending(self.platform, PAGE, after=seen):
            seen += len(page)
            for key, payload in page:
                self._schedule(key, payload)
        if seen:
            logger.warning("%s: %d events left from the last run", self.platform, seen)

    async def stop(self) -> None:
        """Stop accepting; wait for what is in flight (what is not stays in the store)."""
        self.accepting = False
        self._stopped.set()
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
        try:
            person = str(self.order_key(payload))
        except Exception:  # a payload of the wrong shape: its own turn
            person = f"?{key}"
        turn, waiting = self._turns.get(person, (asyncio.Lock(), 0))
        self._turns[person] = (turn, waiting + 1)
        try:
            async with turn, self._slots:
                await self._attempts(key, payload, person)
        except Exception as exc:  # the store itself failed: the event stays pending
            logger.error("%s: event %s left for later (%s)", self.platform, key, _why(exc))
        finally:
            lock, waiting = self._turns[person]
            if waiting == 1:
                del self._turns[person]
            else:
                self._turns[person] = (lock, waiting - 1)

    async def _attempts(self, key: str, payload: dict[str, Any], person: str) -> None:
        pause = RETRY_PAUSE
        while True:
            attempt = await self.store.inbox_attempt(self.platform, key)
            if attempt > self.max_attempts:  # the earlier ones never finished: a crash
                await self._give_up(key, person, "dừng giữa chừng nhiều lần")
                return
            try:
                await self.handler(payload)
            except Exception as exc:  # one bad event must not stop the others
                if unreachable(exc):
                    raise  # not the event's fault: left pending, not counted against it
                why = _why(exc)
                logger.error(
                    "%s: event %s failed (attempt %d of %d): %s",
                    self.platform,
                    key,
                    attempt,
                    self.max_attempts,
                    why,
                )
                logger.debug("%s: event %s failed", self.platform, key, exc_info=exc)
                if attempt >= self.max_attempts:
                    await self._give_up(key, person, why)
                    return
                await self.store.inbox_failed(self.platform, key, why, dead=False)
                with contextlib.suppress(TimeoutError):  # a stop cuts the pause short
                    await asyncio.wait_for(self._stopped.wait(), pause)
                if not self.accepting:  # stopping: the next start tries again
                    return
                pause *= 2
                continue
            await self.store.inbox_done(self.platform, key)
            return

    async def _give_up(self, key: str, person: str, why: str) -> None:
        if await self.store.inbox_failed(self.platform, key, why, dead=True):
            logger.error("%s: event %s given up on: %s", self.platform, key, why)
            if self.tell_officers is not None:
                await self.tell_officers(texts.event_given_up(self.platform, person, why))


def _why(exc: BaseException) -> str:
    """The failure, without the citizen's words (exception texts may quote them)."""
    where = exc.__traceback__
    while where is not None and where.tb_next is not None:
        where = where.tb_next
    line = (
        f" ({where.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{where.tb_lineno})"
        if where
        else ""
    )
    return f"{type(exc).__name__}{line}"
