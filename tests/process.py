"""``python -m bot run`` as a real process, for tests that kill it (and benchmarks)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BotRun:
    """``python -m bot run`` in a process group of its own, so SIGKILL takes its children too."""

    def __init__(
        self, name: str, database_url: str, logs: Path, port: int | None = None, **env: str
    ):
        self.name = name
        self.port = port or free_port()
        self.log_path = logs / f"{name}.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.port),
            "WEB_ENABLED": "false",
            "LOG_LEVEL": "WARNING",
            "ENGINE_PROCESS": "false",  # the model in the bot's process: one process to kill
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> BotRun:
        logs = self.log_path.open("ab")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=ROOT,
                env=self.env,
                stdout=logs,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, whose id is its pid
            )
        finally:
            logs.close()
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the bot and whatever it started (its process group)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM, as a supervisor stops it: in-flight messages are finished first."""
        if self.process is None or not self.alive:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    async def wait_healthy(self, timeout: float = 120.0) -> None:
        url = f"http://127.0.0.1:{self.port}/healthz"
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
            while time.monotonic() < deadline:
                if not self.alive:
                    raise AssertionError(f"{self.name} exited:\n{self.log()[-3000:]}")
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with http.get(url) as response:
                        if response.status == 200:
                            return
                await asyncio.sleep(0.2)
        raise AssertionError(f"{self.name} not healthy in {timeout}s:\n{self.log()[-3000:]}")


async def wait_until(
    condition: Callable[[], object], bots: list[BotRun], timeout: float, what: str
) -> None:
    """Poll ``condition`` (sync or async); fail early if every bot has died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if bots and not any(bot.alive for bot in bots):
            logs = "\n".join(f"--- {b.name}\n{b.log()[-3000:]}" for b in bots)
            raise AssertionError(f"every bot exited while waiting for {what}:\n{logs}")
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
