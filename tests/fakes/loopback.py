"""A loopback HTTP server that misbehaves on purpose, for the real platform clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from aiohttp import web

TELEGRAM_TOKEN = "123:abc"
TELEGRAM_ME = {"id": 123, "is_bot": True, "first_name": "Bot", "username": "bot"}
TELEGRAM_PATH = "/bot{token}/{method}"  # the Bot API's route; base URL + "/bot"


@asynccontextmanager
async def loopback(
    path: str, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> AsyncIterator[str]:
    """Serve POSTs to ``path`` with ``handler`` on 127.0.0.1; yields the base URL."""
    app = web.Application()
    app.router.add_post(path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()
