"""A broadcast survives ``kill -9``: the real bot process, the fake Telegram Bot API.

The test writes the subscribers and an enqueued broadcast itself, then starts
``python -m bot run``, which starts sending at once. Once some messages have arrived at the
fake, the bot is killed with SIGKILL (no shutdown code runs) and started again. The
outbox must then finish the broadcast: nobody missed, and at most one in-flight window
(BROADCAST_WINDOW) sent twice. On PostgreSQL two bots run against one database; only the
one holding the advisory lock sends, and when it dies the other takes over.

The fake allows 100 sends a second (Telegram: 30) and the bot sends 80: the same pacing
and limits, in fewer seconds. ``crash_and_resume`` is also the crash benchmark
(scripts/benchmarks/broadcast.py).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.store.engine import READ_ONLY
from bot.store.models import Delivery
from bot.store.repository import open_store
from tests.fakes.telegram_api import FakeTelegram
from tests.process import BotRun, wait_until

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SECRET = "crash-s3cr3t"
FIRST_CHAT = 710_000
SUBSCRIBERS = 300
KILL_AFTER = 60  # messages at the fake before the kill
WINDOW = 10  # BROADCAST_WINDOW: deliveries in flight, so at most this many sent twice
RATE = 80.0  # BROADCAST_TELEGRAM_RATE
FAKE_GLOBAL_LIMIT = 100  # sends per second the fake accepts before answering 429
TEXT = "Thông báo khẩn: lịch tiếp công dân tuần này"


def telegram_bot(name: str, database_url: str, fake: FakeTelegram, logs: Path) -> BotRun:
    """The bot on the fake Telegram in webhook mode, sending broadcasts at RATE."""
    return BotRun(
        name,
        database_url,
        logs,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        TELEGRAM_WEBHOOK_URL="https://bot.example.vn/telegram/webhook",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        BROADCAST_TELEGRAM_RATE=str(RATE),
        BROADCAST_WINDOW=str(WINDOW),
    )


def sends(fake: FakeTelegram) -> int:
    return sum(1 for c in fake.calls if c.method == "sendMessage" and c.ok)


def too_many_requests(fake: FakeTelegram) -> tuple[int, int]:
    """429 answers: (all, those for a chat that had a message accepted less than 1 s before).

    The second kind is the per-chat limit meeting a resend right after a takeover; the first
    minus the second is the global limit (two senders at once).
    """
    last_accepted: dict[object, float] = {}
    every = same_chat = 0
    for call in sorted(fake.calls, key=lambda c: c.time):
        if call.method != "sendMessage":
            continue
        if call.ok:
            last_accepted[call.chat_id] = call.time
        elif call.status == 429:
            every += 1
            same_chat += call.time - last_accepted.get(call.chat_id, float("-inf")) < 1.05
    return every, same_chat


async def subscribe(store, count: int) -> list[int]:
    chats = []
    for n in range(count):
        chat = FIRST_CHAT + n
        person = await store.upsert_person("telegram", chat, chat, f"Dân {n}")
        await store.set_subscribed(person.id, True)
        chats.append(chat)
    return chats


async def senders(store, broadcast_id: int) -> set[int]:
    """Pids of the processes that claimed deliveries (``claimed_by`` is ``host:pid``).

    Read-only: on SQLite a plain transaction would take the write lock from the bot.
    """
    query = select(Delivery.claimed_by).where(
        Delivery.broadcast_id == broadcast_id, Delivery.claimed_by.is_not(None)
    )
    async with store.engine.execution_options(**{READ_ONLY: True}).connect() as connection:
        names = set((await connection.scalars(query.distinct())).all())
    return {int(name.rsplit(":", 1)[1]) for name in names}


@dataclass
class CrashResult:
    subscribers: int
    received: int  # chats that got the message at least once
    messages: int  # messages that arrived (duplicates included)
    duplicates: int  # messages beyond one per chat
    too_many_requests: int  # 429 answers from the fake
    resend_429: int  # of those: a chat resent within 1 s of its first copy (per-chat limit)
    sent_before_kill: int
    progress: dict[str, int]
    killed: int  # pid of the bot killed
    pause: float  # seconds from the kill to the next send (restart, or the standby's takeover)
    senders_before: set[int]
    senders_after: set[int]
    seconds: float
    logs: str

    def summary(self) -> str:
        return (
            f"{self.duplicates} duplicate(s) (window {WINDOW}), {self.received}/"
            f"{self.subscribers} chats reached, {self.messages} messages, "
            f"{self.too_many_requests} × 429 ({self.resend_429} on a resend within 1 s), "
            f"{self.sent_before_kill} sent before the kill, "
            f"sending resumed {self.pause:.1f} s after the kill, {self.seconds:.1f} s in all; "
            f"progress {self.progress}"
        )


async def crash_and_resume(
    database_url: str,
    logs: Path,
    *,
    subscribers: int = SUBSCRIBERS,
    kill_after: int = KILL_AFTER,
    two_bots: bool = False,
    timeout: float = 120.0,
) -> CrashResult:
    """Enqueue, start the bot (or two), SIGKILL the sender mid-broadcast, finish, count."""
    started = time.monotonic()
    async with (
        FakeTelegram(enforce_limits=True, global_per_second=FAKE_GLOBAL_LIMIT) as fake,
        open_store(database_url) as store,
    ):
        chats = await subscribe(store, subscribers)
        broadcast = await store.create_broadcast("telegram:1", TEXT, {})
        assert await store.enqueue_broadcast(broadcast.id) == subscribers
        assert (await store.get_broadcast(broadcast.id)).state == "sending"

        bots = [telegram_bot("bot-1", database_url, fake, logs)]
        if two_bots:
            bots.append(telegram_bot("bot-2", database_url, fake, logs))
        try:
            for bot in bots:
                bot.start()
            # Both up (one sending, the other standing by), and some messages out.
            await asyncio.gather(*(bot.wait_healthy() for bot in bots))
            await wait_until(lambda: sends(fake) >= kill_after, bots, timeout, "first sends")
            before = await senders(store, broadcast.id)
            # The sender (by its claims); with one bot, that bot.
            victim = next((b for b in bots if b.pid in before), bots[0])
            victim.kill()
            killed_at, sent_before_kill = time.time(), sends(fake)
            survivors = [b for b in bots if b is not victim]
            if not survivors:  # one bot: start it again, as a supervisor would
                survivors = [telegram_bot("bot-1-again", database_url, fake, logs).start()]
                bots.extend(survivors)
                await survivors[0].wait_healthy()

            async def done() -> bool:
                return (await store.get_broadcast(broadcast.id)).state == "done"

            await wait_until(done, survivors, timeout, "the broadcast to be done")
            progress = await store.broadcast_progress(broadcast.id)
            after = await senders(store, broadcast.id)
        finally:
            for bot in bots:
                bot.kill()

        every_429, resend_429 = too_many_requests(fake)
        per_chat = Counter(m["chat"]["id"] for m in fake.bot_messages() if m.get("text") == TEXT)
        assert set(per_chat) <= set(chats), "a message went to someone not subscribed"
        return CrashResult(
            subscribers=subscribers,
            received=len(per_chat),
            messages=sum(per_chat.values()),
            duplicates=sum(n - 1 for n in per_chat.values()),
            too_many_requests=every_429,
            resend_429=resend_429,
            sent_before_kill=sent_before_kill,
            progress=progress,
            killed=victim.pid,
            pause=min(
                (c.time for c in fake.calls if c.method == "sendMessage" and c.time > killed_at),
                default=killed_at,
            )
            - killed_at,
            senders_before=before,
            senders_after=after,
            seconds=time.monotonic() - started,
            logs="\n".join(f"--- {b.name}\n{b.log()[-2000:]}" for b in bots),
        )


def check_complete(result: CrashResult) -> None:
    print(f"\ncrash: {result.summary()}")
    assert result.received == result.subscribers, f"lost recipients: {result.summary()}"
    assert result.progress["sent"] == result.subscribers, result.summary()
    assert result.progress["queued"] == result.progress["sending"] == 0, result.summary()
    assert result.duplicates <= WINDOW, f"more than a window resent: {result.summary()}"
    assert result.sent_before_kill < result.subscribers, "killed too late to test anything"


async def test_killed_mid_broadcast_and_restarted_misses_nobody(store_url, tmp_path) -> None:
    result = await crash_and_resume(store_url, tmp_path)
    check_complete(result)
    assert result.senders_before == {result.killed}
    assert len(result.senders_after - result.senders_before) == 1  # the restarted bot
    assert "in flight at a crash" in result.logs or result.duplicates == 0, result.logs


@pytest.mark.parametrize(
    "store_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_two_bots_one_sender_and_the_other_takes_over(store_url, tmp_path) -> None:
    result = await crash_and_resume(store_url, tmp_path, two_bots=True)
    check_complete(result)
    # One sender at a time: the advisory lock's holder, then (after its death) the other.
    assert len(result.senders_before) == 1, f"both bots sent: {result.senders_before}"
    assert result.killed in result.senders_before
    assert len(result.senders_after) == 2, "the standby bot did not take over"
    # Two senders at 80/s would pass the fake's 100/s; a resend within a second of its first
    # copy would meet the per-chat limit (requeued rows wait RESEND_DELAY for that).
    assert result.too_many_requests == 0, f"429 from the fake: {result.summary()}"
