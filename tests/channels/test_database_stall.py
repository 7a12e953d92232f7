"""A stalled PostgreSQL fails requests in seconds instead of hanging them.

The real bot talks to PostgreSQL through a loopback proxy that the test can freeze (it
stops passing bytes, as a SIGSTOPped server or a dead network would). While it is frozen
the web chat answers "hệ thống đang bận" and /healthz says 503 with the reason; once it
thaws, the bot answers again — and the question asked during the stall, retried by the
page with its client_id, gets its answer. The times are printed (``-s``) for the notes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from bot.strings import errors
from tests.process import BotRun

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


class FreezableProxy:
    """TCP in front of PostgreSQL; ``frozen`` holds every byte both ways."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.thawed = asyncio.Event()
        self.thawed.set()
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> FreezableProxy:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.thawed.set()
        assert self.server is not None
        self.server.close()

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.close()
            return
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, ConnectionError):
            while data := await reader.read(65536):
                await self.thawed.wait()
                writer.write(data)
                await writer.drain()
        writer.close()


async def _timed(http: aiohttp.ClientSession, method: str, url: str, **kw: object):
    started = time.monotonic()
    async with http.request(method, url, **kw) as response:  # type: ignore[arg-type]
        body = await response.json(content_type=None)
        return response.status, body, time.monotonic() - started


async def test_a_stalled_database_gets_a_polite_busy_and_the_bot_recovers(
    postgres_url: str, tmp_path: Path
) -> None:
    from tests.conftest import empty_postgres

    await empty_postgres(postgres_url)
    url = make_url(postgres_url)
    async with FreezableProxy(url.port or 5432) as proxy:
        through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        bot = BotRun("stall", through, tmp_path, WEB_ENABLED="true").start()
        try:
            await bot.wait_healthy()
            base = f"http://127.0.0.1:{bot.port}"
            timeout = aiohttp.ClientTimeout(total=60)
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(timeout=timeout, cookie_jar=jar) as http:
                await _timed(http, "GET", f"{base}/api/session")
                ask = {"text": "Kế hoạch 57 ban hành ngày nào?", "client_id": "before"}
                status, body, _ = await _timed(http, "POST", f"{base}/api/ask", json=ask)
                assert status == 200 and body["messages"]

                proxy.thawed.clear()
                stalled = {"text": "Ai ký Kế hoạch 57?", "client_id": "during"}
                status, body, asked = await _timed(http, "POST", f"{base}/api/ask", json=stalled)
                assert (status, body) == (503, {"error": errors.BUSY})
                status, body, health = await _timed(http, "GET", f"{base}/healthz")
                assert status == 503 and body["problems"][0].startswith("database")

                proxy.thawed.set()
                thawed = time.monotonic()
                while True:  # the page's retry, as chat.js does it
                    status, body, _ = await _timed(http, "POST", f"{base}/api/ask", json=stalled)
                    if status == 200:
                        break
                    assert status == 503 and time.monotonic() - thawed < 45, (status, body)
                    await asyncio.sleep(0.2)
                recovered = time.monotonic() - thawed
                assert body["messages"] and "57" in body["messages"][-1]["text"]
                status, _, _ = await _timed(http, "GET", f"{base}/healthz")
                assert status == 200
            print(
                f"\nstall: busy after {asked:.1f} s, /healthz 503 after {health:.1f} s, "
                f"answered {recovered:.1f} s after the database came back"
            )
            assert "Traceback" not in bot.log()
        finally:
            # In a thread: the proxy runs on this loop, and the bot's last writes pass it.
            await asyncio.to_thread(bot.stop)
