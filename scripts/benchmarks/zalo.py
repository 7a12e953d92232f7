"""Zalo OA webhook under load: 50 senders of signed events, through the fake OA API.

The bot runs as its own process (`python -m bot run`, SQLite, Zalo OA configured against
the fake in this process). Phase 1 (burst): every sender posts its signed events one
after another as soon as each is acknowledged, without waiting for answers — the
acknowledgement time is measured while answers are being computed. Phase 2 (paced):
each sender sends one event a second. Measured: events handled per second (to the last
consultation message), p50/p95 from webhook receipt to the CS call, acknowledgement
time p50/p95/max, memory and CPU.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from pathlib import Path

import aiohttp

from scripts.benchmarks.common import BotProcess, percentile, resources


async def run(
    questions: list[str], senders: int, rounds: int, cache: bool = False
) -> dict[str, float]:
    from tests.fakes.zalo_oa_api import FakeZaloOA

    with tempfile.TemporaryDirectory() as tmp:
        async with FakeZaloOA() as zalo:
            env = {key.upper(): value for key, value in zalo.bot_settings().items()}
            async with BotProcess(Path(tmp), env, cache) as bot:
                url = f"{bot.url}/zalo/oa/webhook"
                return await bot.measure(_send(zalo, url, questions, senders, rounds))


async def _send(zalo, url: str, questions: list[str], senders: int, rounds: int) -> dict:
    sent_at: dict[str, float] = {}  # user id + text → when its event was posted
    acks: list[float] = []

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=senders)) as http:

        async def post(user: str, question: str) -> None:
            event = zalo.text_event(user, question)
            sent_at[event["message"]["msg_id"]] = time.time()
            _register(zalo, user, event["message"]["msg_id"])
            status, _, elapsed = await zalo.deliver_event(url, event, session=http)
            if status != 200:
                raise RuntimeError(f"webhook answered {status}")
            acks.append(elapsed * 1000)

        def question(n: int, r: int) -> str:
            return questions[(n * rounds + r) % len(questions)]

        async def burst(n: int) -> None:
            for r in range(rounds):
                await post(f"80000{n:04d}", question(n, r))

        async def paced(n: int) -> None:
            await asyncio.sleep(random.uniform(0, 1.0))
            for r in range(rounds):
                asyncio.create_task(post(f"90000{n:04d}", question(n, r)))  # noqa: RUF006
                await asyncio.sleep(1.0)

        async def phase(runner, users: str) -> tuple[list[float], float]:
            before = len(zalo.calls)
            started = time.perf_counter()
            await asyncio.gather(*(runner(n) for n in range(senders)))
            expected = senders * rounds
            deadline = time.monotonic() + 600
            while len(_answered(zalo, before, users)) < expected:  # cheap polling, not per call
                if time.monotonic() > deadline:
                    raise TimeoutError("not every event was answered")
                await asyncio.sleep(0.05)
            seconds = time.perf_counter() - started
            latencies = [
                (call.time - sent_at[msg]) * 1000 for msg, call in _answered(zalo, before, users)
            ]
            return latencies, seconds

        burst_latency, burst_seconds = await phase(burst, "80000")
        burst_acks = list(acks)
        acks.clear()
        paced_latency, paced_seconds = await phase(paced, "90000")
    return {
        "answers": len(burst_latency) + len(paced_latency),
        "burst_events": len(burst_latency),
        "burst_per_s": len(burst_latency) / burst_seconds,
        "burst_p50_ms": percentile(burst_latency, 0.5),
        "burst_p95_ms": percentile(burst_latency, 0.95),
        "ack_p50_ms": percentile(burst_acks, 0.5),
        "ack_p95_ms": percentile(burst_acks, 0.95),
        "ack_max_ms": max(burst_acks),
        "paced_events": len(paced_latency),
        "paced_per_s": len(paced_latency) / paced_seconds,
        "paced_p50_ms": percentile(paced_latency, 0.5),
        "paced_p95_ms": percentile(paced_latency, 0.95),
        "paced_ack_p95_ms": percentile(acks, 0.95),
    }


# Which CS call answers which event: each sender waits for nothing, so calls are matched
# in order per user (the bot answers one person's messages in the order they came).
_order: dict[str, list[str]] = {}


def _register(zalo, user: str, msg_id: str) -> None:
    _order.setdefault(user, []).append(msg_id)


def _answered(zalo, since: int, prefix: str) -> list[tuple[str, object]]:
    seen: dict[str, int] = {}
    pairs = []
    for call in zalo.calls[since:]:
        user = call.user_id or ""
        if call.name != "cs" or not call.ok or not user.startswith(prefix):
            continue
        index = seen.get(user, 0)
        seen[user] = index + 1
        if index < len(_order.get(user, [])):
            pairs.append((_order[user][index], call))
    return pairs


def report(result: dict[str, float], senders: int) -> str:
    return (
        f"Zalo OA webhook, {senders} senders posting signed events back to back "
        f"({result['burst_events']:.0f} events): {result['burst_per_s']:.1f} handled/s; "
        f"receipt→CS call p50 {result['burst_p50_ms']:.0f} ms, p95 {result['burst_p95_ms']:.0f} ms; "
        f"acknowledgement p50 {result['ack_p50_ms']:.0f} ms, p95 {result['ack_p95_ms']:.0f} ms, "
        f"max {result['ack_max_ms']:.0f} ms\n"
        f"Zalo OA webhook, {senders} senders each sending one event a second "
        f"({result['paced_events']:.0f} events): {result['paced_per_s']:.1f} handled/s; "
        f"receipt→CS call p50 {result['paced_p50_ms']:.0f} ms, p95 {result['paced_p95_ms']:.0f} ms; "
        f"acknowledgement p95 {result['paced_ack_p95_ms']:.0f} ms\n" + resources(result)
    )
