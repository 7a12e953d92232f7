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
import random
import tempfile
import time
from pathlib import Path

import aiohttp

from scripts.benchmarks.common import BotProcess, percentile, resources

SECRET = "bench-secret"
OPERATORS = -1009000000000


async def run(
    questions: list[str], citizens: int, rounds: int, cache: bool = False
) -> dict[str, float]:
    from tests.fakes.telegram_api import FakeTelegram

    with tempfile.TemporaryDirectory() as tmp:
        async with FakeTelegram() as fake:
            fake.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")
            env = {
                "TELEGRAM_BOT_TOKEN": fake.token,
                "TELEGRAM_API_BASE_URL": fake.base_url,
                "TELEGRAM_OPERATOR_CHAT_ID": str(OPERATORS),
                "TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/telegram/webhook",
                "TELEGRAM_WEBHOOK_SECRET": SECRET,
            }
            async with BotProcess(Path(tmp), env, cache) as bot:
                result = await bot.measure(
                    _ask(fake, f"{bot.url}/telegram/webhook", questions, citizens, rounds)
                )
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
        + resources(result)
    )
