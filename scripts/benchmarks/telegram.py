"""Telegram webhook path under load: N citizens ask at once through the fake Bot API.

The bot runs as its own process (`python -m bot run`, SQLite store, webhook mode), the
way it is deployed; this process runs the fake Telegram Bot API (tests/fakes) and the
simulated citizens. Each citizen posts an update to the bot's webhook with the secret
header, waits for the answer and asks the next question. Measured: answers per second,
time from posting the update to the fake receiving ``sendMessage`` for that chat, and
the bot process's memory (VmRSS, VmHWM).
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from scripts.benchmarks.common import ROOT, percentile

SECRET = "bench-secret"
OPERATORS = -1009000000000


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


async def run(
    questions: list[str], citizens: int, rounds: int, cache: bool = False
) -> dict[str, float]:
    from tests.fakes.telegram_api import FakeTelegram

    port = free_port()
    bot_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeTelegram() as fake:
            fake.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
                "HTTP_HOST": "127.0.0.1",
                "HTTP_PORT": str(port),
                "TELEGRAM_BOT_TOKEN": fake.token,
                "TELEGRAM_API_BASE_URL": fake.base_url,
                "TELEGRAM_OPERATOR_CHAT_ID": str(OPERATORS),
                "TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/telegram/webhook",
                "TELEGRAM_WEBHOOK_SECRET": SECRET,
                "FLOOD_LIMIT": "1000",
                # Off by default: every question then costs the model (worst case).
                "ANSWER_CACHE_SIZE": os.environ.get("ANSWER_CACHE_SIZE", "2048" if cache else "0"),
                "LOG_LEVEL": "WARNING",
            }
            bot = subprocess.Popen(
                [
                    sys.executable,
                    *os.environ.get("BENCH_BOT_PREFIX", "").split(),
                    "-m",
                    "bot",
                    "run",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
            )
            try:
                await wait_healthy(bot_url, bot)
                bot_cpu, own_cpu = cpu_seconds(bot.pid), time.process_time()
                result = await _ask(
                    fake, f"{bot_url}/telegram/webhook", questions, citizens, rounds
                )
                result["bot_cpu_ms"] = (cpu_seconds(bot.pid) - bot_cpu) * 1000 / result["answers"]
                result["load_cpu_ms"] = (time.process_time() - own_cpu) * 1000 / result["answers"]
                result["rss_mb"], result["peak_rss_mb"] = process_memory_mb(bot.pid)
            finally:
                bot.terminate()
                bot.wait(timeout=60)
    return result


async def _ask(
    fake, url: str, questions: list[str], citizens: int, rounds: int
) -> dict[str, float]:
    """Closed loop (each citizen asks again as soon as answered: the bot's capacity), then
    paced (each citizen asks once a second, together 50 questions/s for 50 citizens)."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=citizens)) as http:

        async def ask(n: int, question: str) -> float:
            chat = 500000 + n
            update = fake.text_update(chat, chat, question, first_name=f"Dân {n}")
            sent = time.time()
            async with http.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            ) as response:
                if response.status != 200:
                    raise RuntimeError(f"webhook answered {response.status}")
            call = await fake.wait_for(
                lambda c: c.method == "sendMessage" and c.chat_id == chat and c.time >= sent,
                timeout=60,
            )
            return (call.time - sent) * 1000

        def question(n: int, r: int) -> str:
            return questions[(n * rounds + r) % len(questions)]

        async def closed_loop(n: int, count: int) -> list[float]:
            return [await ask(n, question(n, r)) for r in range(count)]

        async def paced(n: int, count: int, period: float) -> list[float]:
            await asyncio.sleep(random.uniform(0, period))  # citizens do not ask in lockstep
            latencies, tasks = [], []
            for r in range(count):
                tasks.append(asyncio.create_task(ask(n, question(n, r))))
                await asyncio.sleep(period)
            latencies.extend(await asyncio.gather(*tasks))
            return latencies

        await asyncio.gather(*(closed_loop(n, 1) for n in range(citizens)))  # warm-up
        started = time.perf_counter()
        saturated = sum(  # noqa: RUF017
            await asyncio.gather(*(closed_loop(n, rounds) for n in range(citizens))), []
        )
        closed_seconds = time.perf_counter() - started
        started = time.perf_counter()
        steady = sum(  # noqa: RUF017
            await asyncio.gather(*(paced(n, rounds * 2, 1.0) for n in range(citizens))), []
        )
        paced_seconds = time.perf_counter() - started
    return {
        "answers": len(saturated) + len(steady),
        "closed_answers": len(saturated),
        "answers_per_s": len(saturated) / closed_seconds,
        "p50_ms": percentile(saturated, 0.5),
        "p95_ms": percentile(saturated, 0.95),
        "paced_answers": len(steady),
        "paced_per_s": len(steady) / paced_seconds,
        "paced_p50_ms": percentile(steady, 0.5),
        "paced_p95_ms": percentile(steady, 0.95),
    }


def report(result: dict[str, float], citizens: int) -> str:
    return (
        f"Telegram webhook, {citizens} citizens asking at once "
        f"(closed loop, {result['closed_answers']:.0f} answers): "
        f"{result['answers_per_s']:.1f} answers/s, update→sendMessage p50 "
        f"{result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms\n"
        f"Telegram webhook, {citizens} citizens each asking once a second "
        f"({result['paced_answers']:.0f} answers): {result['paced_per_s']:.1f} answers/s, "
        f"p50 {result['paced_p50_ms']:.0f} ms, p95 {result['paced_p95_ms']:.0f} ms\n"
        f"bot RSS (server + engine process) {result['rss_mb']:.0f} MB "
        f"(peaks {result['peak_rss_mb']:.0f} MB); "
        f"CPU per answer: bot {result['bot_cpu_ms']:.1f} ms, fake Telegram + citizens "
        f"{result['load_cpu_ms']:.1f} ms (both share the 2 cores)"
    )
