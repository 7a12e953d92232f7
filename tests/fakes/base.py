"""What every fake platform server shares: a loopback aiohttp server on a free port, the
record of calls, and waiting for a call.

A fake subclasses ``LoopbackFake``, adds its routes in ``_routes`` and says how a call
reads in a timeout message (``_describe``); everything platform-specific (answers,
scripted failures) stays in the fake itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from typing import Generic, Self, TypeVar

from aiohttp import web

CallT = TypeVar("CallT")
_NO_MATCH = (KeyError, IndexError, TypeError, AttributeError)  # a predicate's "not this one"


class LoopbackFake(Generic[CallT]):
    name = "fake"  # for messages: "Telegram", "Zalo OA"…
    client_max_size = 1024**2  # request bodies aiohttp accepts (uploads need more)

    def __init__(self) -> None:
        self.calls: list[CallT] = []
        self._calls_changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # --- to fill in ------------------------------------------------------------------------
    def _routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def _describe(self, call: CallT) -> str:
        return repr(call)

    def _on_close(self) -> None:
        """Before the server stops: e.g. answer pending long polls."""

    # --- lifecycle -------------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError(f"Fake {self.name} is already running")
        app = web.Application(client_max_size=self.client_max_size)
        self._routes(app)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]
        self._closing = False

    async def close(self) -> None:
        self._closing = True
        self._on_close()
        self._notify_calls()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError(f"Fake {self.name} is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- recorded calls --------------------------------------------------------------------
    def clear_calls(self) -> None:
        self.calls.clear()

    async def wait_for(
        self, predicate: Callable[[CallT], bool], timeout: float = 60.0, *, since: int = 0
    ) -> CallT:
        """The first recorded call (from index ``since``) matching ``predicate``, waiting up to
        ``timeout`` seconds for one; TimeoutError otherwise.

        The predicate sees each call when it arrives and again once it is answered. KeyError,
        IndexError, TypeError and AttributeError inside it count as no match.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._calls_changed
            for call in self.calls[since:]:
                with contextlib.suppress(*_NO_MATCH):
                    if predicate(call):
                        return call
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                seen = ", ".join(self._describe(c) for c in self.calls[since:][-20:])
                raise TimeoutError(f"no matching {self.name} call within {timeout}s (last: {seen})")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def _notify_calls(self) -> None:
        """Wake everyone waiting in ``wait_for``: a call arrived or was answered."""
        self._calls_changed.set()
        self._calls_changed = asyncio.Event()


def window_wait(window: deque[float] | None, now: float, span: float, limit: int) -> float:
    """Seconds until one more event fits in a sliding window of ``span`` seconds holding at
    most ``limit`` (0: it fits now). Drops the events that left the window."""
    if window is None:
        return 0.0
    while window and window[0] <= now - span:
        window.popleft()
    if len(window) < limit:
        return 0.0
    return window[len(window) - limit] + span - now
