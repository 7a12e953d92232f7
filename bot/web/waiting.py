"""The page waits a bounded time for its answer; the answer is made all the same.

A stalled database or a long queue of questions must not hold a request open: after
``ANSWER_WAIT`` the page gets 503 "hệ thống đang bận" and tries again with the same
client_id, which meets the answer once it is stored (or the event stream brings it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

from aiohttp import web

from bot.store.errors import unreachable
from bot.strings import errors

logger = logging.getLogger(__name__)

ANSWER_WAIT = 4.0  # seconds: answers take well under one; the page hears "busy" within 5
T = TypeVar("T")


class Answering:
    def __init__(self, wait: float = ANSWER_WAIT) -> None:
        self.wait = wait
        self._running: set[asyncio.Future[Any]] = set()  # kept: a task needs a reference
        self._abandoned: set[asyncio.Future[Any]] = set()  # their pages heard "busy"

    async def within(self, work: Coroutine[Any, Any, T]) -> T:
        """``work``'s result, or HTTP 503 after ``wait`` seconds (``work`` goes on)."""
        task = asyncio.ensure_future(work)
        self._running.add(task)
        task.add_done_callback(self._finished)
        done, _ = await asyncio.wait({task}, timeout=self.wait)
        if not done:
            self._abandoned.add(task)
            raise web.HTTPServiceUnavailable(reason=errors.BUSY)
        return task.result()  # a failure goes up to the request, which reports it

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self._running.discard(task)
        if task not in self._abandoned:
            return
        self._abandoned.discard(task)
        exc = None if task.cancelled() else task.exception()
        if exc is None:
            return
        if unreachable(exc):  # no request is left to report it: reported here
            logger.warning("a web question waits: the database cannot be reached")
        else:
            logger.error("a web question failed after its page stopped waiting", exc_info=exc)

    async def settle(self) -> None:
        """At stop: let the answers in flight finish (they are stored for the retry)."""
        if self._running:
            await asyncio.wait(set(self._running), timeout=10)
