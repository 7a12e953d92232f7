"""``/healthz`` and ``/readyz``: can this process answer citizens right now?

A proxy or orchestrator asks before sending traffic. 200 only when the database answers
within two seconds, the answer engine runs and the data folder has room; otherwise 503
with the reasons (no citizen's data in them).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

DATABASE_WAIT = 2.0  # seconds
MIN_FREE_BYTES = 50 * 1024 * 1024


class Pingable(Protocol):
    async def ping(self) -> None: ...


def health_routes(
    store: Pingable, engine: Any, data_dir: Path, started: Callable[[], bool] = lambda: True
) -> list[web.RouteDef]:
    async def health(request: web.Request) -> web.Response:
        problems = [] if started() else ["starting: the channels are not all started yet"]
        problems += await _problems(store, engine, data_dir)
        body = {"ok": not problems, "problems": problems}
        return web.json_response(body, status=503 if problems else 200)

    return [web.get("/healthz", health), web.get("/readyz", health)]


async def _problems(store: Pingable, engine: Any, data_dir: Path) -> list[str]:
    problems = []
    # Not wait_for: cancelling a connection attempt can itself take seconds.
    ping = asyncio.ensure_future(store.ping())
    ping.add_done_callback(lambda t: t.cancelled() or t.exception())  # retrieved: no warning
    done, _ = await asyncio.wait({ping}, timeout=DATABASE_WAIT)
    if not done:
        ping.cancel()
        problems.append(f"database: no answer within {DATABASE_WAIT:g} s")
    elif ping.exception() is not None:  # whatever the driver raised: reported, not raised
        problems.append(f"database: {type(ping.exception()).__name__}")
    check = getattr(engine, "problem", None)
    why = check() if callable(check) else None
    if why:
        problems.append(f"answer engine: {why}")
    try:
        free = shutil.disk_usage(data_dir if data_dir.exists() else Path.cwd()).free
    except OSError as exc:
        problems.append(f"disk: {exc.strerror}")
    else:
        if free < MIN_FREE_BYTES:
            problems.append(f"disk: {free // (1024 * 1024)} MB free in {data_dir}")
    return problems
