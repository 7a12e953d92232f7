"""Officer broadcasts: pacing, the delivery loop's own speed, enqueueing, a crash.

adherence: N Telegram subscribers at the default rate (25/s) through the bot as deployed
(`python -m bot run`, SQLite) and the fake Bot API enforcing Telegram's limits (30/s in
any second, 1/s per chat). Achieved rate = accepted sends − 1 over the time from the first
to the last (the fake's clock), against the configured rate (target ≥ 95 %), and the 429
answers (target 0).
overhead: the limit lifted (BROADCAST_TELEGRAM_RATE=100000, the fake without limits):
deliveries per second on SQLite and on PostgreSQL, default window (target ≥ 1,000/s), with
the CPU each delivery costs the bot and the fake. BROADCAST_PROFILE=DIR also records the
sending bot with py-spy for 10 s (raw, for flamegraph.pl / speedscope) into DIR.
enqueue: 100,000 subscribers: time of ``enqueue_broadcast`` and the memory it takes (peak
RSS above the RSS before), in this process.
crash: the bot SIGKILLed mid-broadcast and started again (tests/broadcast/test_crash.py):
messages sent twice (at most BROADCAST_WINDOW), nobody missed.

PostgreSQL: a scratch database on BENCH_POSTGRES_URL (default
postgresql+asyncpg://postgres@127.0.0.1:5432/test), dropped afterwards; skipped if the
server is unreachable.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from scripts.benchmarks.common import ROOT, BotProcess, cpu_seconds, current_rss_mb

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
FIRST_CHAT = 800_000
TEXT = "Thông báo của UBND phường: lịch tiêm chủng tuần này"
SECRET = "bench-secret"


def telegram_env(fake: Any, database_url: str, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/telegram/webhook",
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "WEB_ENABLED": "false",
        **extra,
    }


async def add_subscribers(store: Any, count: int) -> None:
    """``count`` subscribed Telegram people, inserted in bulk (not what is measured)."""
    from sqlalchemy import insert

    from bot.store.columns import utcnow
    from bot.store.models import Person

    now = utcnow()
    for start in range(0, count, 5000):
        rows = [
            {
                "platform": "telegram",
                "user_id": str(FIRST_CHAT + n),
                "chat_id": str(FIRST_CHAT + n),
                "display_name": f"Dân {n}",
                "subscribed": True,
                "subscribed_at": now,
                "blocked": False,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(start, min(count, start + 5000))
        ]
        async with store.engine.begin() as connection:
            await connection.execute(insert(Person), rows)


@contextlib.asynccontextmanager
async def scratch_postgres() -> AsyncIterator[str | None]:
    """A fresh database on the PostgreSQL server (None if unreachable), dropped at the end."""
    import asyncpg
    from sqlalchemy.engine import make_url

    admin = make_url(POSTGRES).set(drivername="postgresql").render_as_string(False)
    try:
        connection = await asyncpg.connect(admin, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        yield None
        return
    name = f"bench_broadcast_{uuid.uuid4().hex[:12]}"
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        yield make_url(POSTGRES).set(database=name).render_as_string(False)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


async def wait_done(store: Any, broadcast_id: int, timeout: float) -> float:
    """Waits until the broadcast is done; ``time.time()`` when that was seen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (await store.get_broadcast(broadcast_id)).state == "done":
            return time.time()
        await asyncio.sleep(0.2)
    raise TimeoutError(
        f"not done in {timeout:.0f}s: {await store.broadcast_progress(broadcast_id)}"
    )


def max_in_one_second(times: list[float]) -> int:
    most, first = 0, 0
    for last, now in enumerate(times):
        while now - times[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


async def send_through_bot(
    url: str, subscribers: int, fake_options: dict[str, Any], env: dict[str, str], label: str
) -> dict[str, Any]:
    """Enqueue a broadcast to ``subscribers`` for a running bot; the fake's view of it."""
    from bot.store.repository import open_store
    from tests.fakes.telegram_api import FakeTelegram

    with tempfile.TemporaryDirectory() as tmp:
        async with FakeTelegram(**fake_options) as fake, open_store(url) as store:
            await add_subscribers(store, subscribers)
            async with BotProcess(Path(tmp), telegram_env(fake, url, **env)) as bot:
                assert bot.process is not None
                broadcast = await store.create_broadcast("telegram:1", TEXT, {})
                bot_cpu, own_cpu = cpu_seconds(bot.process.pid), time.process_time()
                queued_at = time.time()
                await store.enqueue_broadcast(broadcast.id)
                profiler = await _profile(fake, bot.process.pid, label)
                done_at = await wait_done(store, broadcast.id, timeout=subscribers / 5 + 120)
                bot_cpu = cpu_seconds(bot.process.pid) - bot_cpu
                own_cpu = time.process_time() - own_cpu
                progress = await store.broadcast_progress(broadcast.id)
                if profiler is not None:
                    profiler.wait(timeout=60)
        sends = [c for c in fake.calls if c.method == "sendMessage"]
    accepted = sorted(c.time for c in sends if c.ok)
    span = accepted[-1] - accepted[0]
    return {
        "subscribers": subscribers,
        "sent": progress["sent"],
        "accepted": len(accepted),
        "too_many_requests": sum(1 for c in sends if c.status == 429),
        "rate": (len(accepted) - 1) / span if span > 0 else float("inf"),
        "max_in_one_second": max_in_one_second(accepted),
        "first_send_s": accepted[0] - queued_at,
        "done_per_s": len(accepted) / (done_at - accepted[0]),
        "bot_cpu_ms": bot_cpu * 1000 / len(accepted),
        "load_cpu_ms": own_cpu * 1000 / len(accepted),
    }


async def _profile(fake: Any, pid: int, label: str) -> subprocess.Popen[bytes] | None:
    """With BROADCAST_PROFILE=DIR: py-spy on the sender for 10 s once sending is under way."""
    folder = os.environ.get("BROADCAST_PROFILE")
    if not folder:
        return None
    await fake.wait_for(lambda c: c.method == "sendMessage" and c.ok, timeout=60)
    await asyncio.sleep(1.0)
    Path(folder).mkdir(parents=True, exist_ok=True)
    spy = Path(os.environ.get("PY_SPY", Path(sys.executable).parent / "py-spy"))
    out = Path(folder) / f"broadcast-{label}.txt"
    return subprocess.Popen(
        [str(spy), "record", "-p", str(pid), "-d", "10", "-f", "raw", "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def adherence(subscribers: int) -> dict[str, Any]:
    from bot.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'adherence.db'}"
        result = await send_through_bot(url, subscribers, {"enforce_limits": True}, {}, "adherence")
    result["configured"] = Settings.model_fields["broadcast_telegram_rate"].default
    return result


async def overhead(subscribers: int) -> dict[str, dict[str, Any]]:
    lifted = {"BROADCAST_TELEGRAM_RATE": "100000"}
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'overhead.db'}"
        results["SQLite"] = await send_through_bot(url, subscribers, {}, lifted, "sqlite")
    async with scratch_postgres() as url:
        if url is not None:
            results["PostgreSQL"] = await send_through_bot(url, subscribers, {}, lifted, "postgres")
    return results


async def enqueue_cost(url: str, recipients: int) -> dict[str, Any]:
    """``recipients`` subscribers written here; ``enqueue_broadcast`` measured in a fresh
    process (its RSS then says what enqueueing takes, not what this process freed before)."""
    from bot.store.repository import open_store

    async with open_store(url) as store:
        await add_subscribers(store, recipients)
    child = subprocess.run(
        [sys.executable, "-m", "scripts.benchmarks.broadcast", "enqueue", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(child.stdout.splitlines()[-1])


async def _enqueue_here(url: str) -> dict[str, Any]:
    """In this (fresh) process: time and memory of ``enqueue_broadcast``."""
    from bot.store.repository import open_store

    async with open_store(url) as store:
        broadcast = await store.create_broadcast("telegram:1", TEXT, {})
        gc.collect()
        with contextlib.suppress(OSError):  # the peak (VmHWM) starts again from here
            Path("/proc/self/clear_refs").write_text("5")
        before = current_rss_mb()
        started = time.perf_counter()
        queued = await store.enqueue_broadcast(broadcast.id)
        return {
            "queued": queued,
            "seconds": time.perf_counter() - started,
            "rss_before_mb": before,
            "peak_mb": _peak_rss_mb() - before,
            "kept_mb": current_rss_mb() - before,
        }


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def enqueue(recipients: int) -> dict[str, dict[str, Any]]:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'enqueue.db'}"
        results["SQLite"] = await enqueue_cost(url, recipients)
    async with scratch_postgres() as url:
        if url is not None:
            results["PostgreSQL"] = await enqueue_cost(url, recipients)
    return results


async def crash(kill_points: tuple[int, ...]) -> list[Any]:
    from tests.broadcast.test_crash import crash_and_resume

    results = []
    for kill_after in kill_points:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'crash.db'}"
            results.append(await crash_and_resume(url, Path(tmp), kill_after=kill_after))
    return results


async def run(
    adherence_subscribers: int = 3000,
    overhead_subscribers: int = 20_000,
    enqueue_recipients: int = 100_000,
    kill_points: tuple[int, ...] = (60, 65),
) -> dict[str, Any]:
    return {
        "adherence": await adherence(adherence_subscribers),
        "overhead": await overhead(overhead_subscribers),
        "enqueue": await enqueue(enqueue_recipients),
        "crash": await crash(kill_points),
    }


def report(result: dict[str, Any]) -> str:
    from tests.broadcast.test_crash import RATE, WINDOW

    a = result["adherence"]
    lines = [
        f"broadcast pacing, {a['subscribers']} Telegram subscribers at the default "
        f"{a['configured']:g}/s (fake enforcing 30/s, 1/s per chat): achieved "
        f"{a['rate']:.2f}/s = {a['rate'] / a['configured']:.1%} of configured (target ≥ 95 %), "
        f"{a['accepted']} accepted, at most {a['max_in_one_second']} in any 1 s",
        f"broadcast pacing: 429 answers from the fake: {a['too_many_requests']} (target 0)",
    ]
    for name, o in result["overhead"].items():
        lines.append(
            f"broadcast engine, limit lifted, {o['subscribers']} recipients, {name}: "
            f"{o['rate']:.0f} deliveries/s first→last send ({o['done_per_s']:.0f}/s to done; "
            f"target ≥ 1,000/s); CPU per delivery: bot {o['bot_cpu_ms']:.2f} ms, fake "
            f"{o['load_cpu_ms']:.2f} ms"
        )
    for name, e in result["enqueue"].items():
        lines.append(
            f"enqueue_broadcast, {e['queued']} recipients, {name}: {e['seconds']:.2f} s, "
            f"peak RSS +{e['peak_mb']:.0f} MB over the {e['rss_before_mb']:.0f} MB before "
            f"(+{e['kept_mb']:.0f} MB after)"
        )
    for c in result["crash"]:
        lines.append(
            f"crash (SIGKILL after {c.sent_before_kill} of {c.subscribers} sent at {RATE:g}/s, "
            f"window {WINDOW}, SQLite): {c.duplicates} sent twice, "
            f"{c.subscribers - c.received} missed, {c.too_many_requests} × 429"
        )
    return "\n".join(lines)


if __name__ == "__main__":  # the fresh process of enqueue_cost
    if sys.argv[1:2] == ["enqueue"]:
        print(json.dumps(asyncio.run(_enqueue_here(sys.argv[2]))))
