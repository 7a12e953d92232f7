"""A bot in this process on a port known before it starts (PUBLIC_BASE_URL must name it).

A probed port is free only until someone else binds it: tests run in parallel, so another
worker may take it between the probe and the bot's bind. The start is tried again on a new
port instead of failing the test."""

from __future__ import annotations

import errno
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

from bot.app import Running, running
from bot.config import Settings
from tests.process import free_port

ATTEMPTS = 8


@asynccontextmanager
async def running_on_free_port(
    settings_for: Callable[[int], Settings], engine
) -> AsyncIterator[Running]:
    """``running(settings_for(port), engine)`` on the first probed port that binds."""
    for attempt in range(ATTEMPTS):
        stack = AsyncExitStack()
        try:
            state = await stack.enter_async_context(running(settings_for(free_port()), engine))
        except OSError as error:
            await stack.aclose()
            if error.errno != errno.EADDRINUSE or attempt == ATTEMPTS - 1:
                raise
            continue
        async with stack:
            yield state
        return
