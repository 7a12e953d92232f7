"""Small helpers shared by the benchmarks."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_QUESTIONS = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def login_link(env: dict[str, str], actor: str) -> str:
    """A one-time console sign-in link, as an admin gets the first: `python -m bot login-link`
    with the bot's settings (``env``)."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", "login-link", actor],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return done.stdout.strip()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load_questions(path: Path, skip_kinds: tuple[str, ...] = ()) -> list[str]:
    """The questions of an eval file; channel benchmarks skip "handoff" ones, which would
    turn the simulated citizen's next questions into relays to the operators."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [item["question"] for item in items if item.get("kind") not in skip_kinds]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process and its live children (the engine) have used."""
    total = 0.0
    for one in [pid, *children(pid)]:
        fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def process_memory_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process and its children, summed."""
    rss = peak = 0.0
    for one in [pid, *children(pid)]:
        fields = {}
        for line in Path(f"/proc/{one}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value
        rss += int(fields["VmRSS"].split()[0]) / 1024
        peak += int(fields["VmHWM"].split()[0]) / 1024
    return rss, peak


async def wait_healthy(url: str, bot: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if bot.poll() is not None:
                raise RuntimeError(f"the bot exited with {bot.returncode}")
            try:
                async with http.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.3)
    raise TimeoutError("the bot did not start")


class BotProcess:
    """`python -m bot run` in a process of its own (as deployed), SQLite in ``tmp``.

    The answer cache is off unless ``cache``: every question then costs the model.
    """

    def __init__(self, tmp: Path, env: dict[str, str], cache: bool = False) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'bench.db'}",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.port),
            "FLOOD_LIMIT": "1000",
            "ANSWER_CACHE_SIZE": os.environ.get("ANSWER_CACHE_SIZE", "2048" if cache else "0"),
            "LOG_LEVEL": "WARNING",
            **env,
        }
        self.process: subprocess.Popen | None = None

    async def __aenter__(self) -> BotProcess:
        prefix = os.environ.get("BENCH_BOT_PREFIX", "").split()  # e.g. a profiler
        self.process = subprocess.Popen(
            [sys.executable, *prefix, "-m", "bot", "run"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
        )
        await wait_healthy(self.url, self.process)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=60)

    async def measure(self, load: Awaitable[dict[str, Any]]) -> dict[str, Any]:
        """Run ``load`` (which returns at least ``answers``); add CPU and memory figures."""
        assert self.process is not None
        bot_cpu, own_cpu = cpu_seconds(self.process.pid), time.process_time()
        result = await load
        count = max(1, result["answers"])
        result["bot_cpu_ms"] = (cpu_seconds(self.process.pid) - bot_cpu) * 1000 / count
        result["load_cpu_ms"] = (time.process_time() - own_cpu) * 1000 / count
        result["rss_mb"], result["peak_rss_mb"] = process_memory_mb(self.process.pid)
        return result


def resources(result: dict[str, Any]) -> str:
    return (
        f"bot RSS (server + engine process) {result['rss_mb']:.0f} MB "
        f"(peaks {result['peak_rss_mb']:.0f} MB); CPU per answer: bot "
        f"{result['bot_cpu_ms']:.1f} ms, fakes + load generator {result['load_cpu_ms']:.1f} ms "
        "(all on the same 2 cores)"
    )
