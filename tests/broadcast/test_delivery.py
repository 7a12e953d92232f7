"""The delivery engine against the fake Telegram Bot API enforcing Telegram's flood limits."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.app import running
from tests.answering.support import repo_settings
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.slow

OPERATORS = -1001234567890
FIRST_CHAT = 610_000


def settings_for(fake: FakeTelegram, database_url: str, **overrides):
    values = {
        "database_url": database_url,
        "http_host": "127.0.0.1",
        "http_port": 0,
        "telegram_bot_token": fake.token,
        "telegram_api_base_url": fake.base_url,
        "telegram_operator_chat_id": str(OPERATORS),
        "telegram_webhook_url": "https://bot.example.vn/telegram/webhook",
        "telegram_webhook_secret": "s3cr3t",
        "web_enabled": False,
    }
    return repo_settings(**{**values, **overrides})


async def subscribe(store, count: int, *, topics=None, area=None, first: int = FIRST_CHAT):
    people = []
    for n in range(count):
        chat = first + n
        person = await store.upsert_person("telegram", chat, chat, f"Dân {n}")
        await store.set_subscribed(person.id, True)
        await store.set_preferences(person.id, topics, area)
        people.append(chat)
    return people


async def wait_done(store, broadcast_id: int, timeout: float = 60.0) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        broadcast = await store.get_broadcast(broadcast_id)
        if broadcast.state == "done":
            return await store.broadcast_progress(broadcast_id)
        await asyncio.sleep(0.1)
    raise AssertionError(f"not done: {await store.broadcast_progress(broadcast_id)}")


async def test_paced_under_the_flood_limit_with_blocked_and_targeted_recipients(
    store_url, engine
) -> None:
    async with FakeTelegram(enforce_limits=True) as fake:
        fake.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")
        settings = settings_for(fake, store_url, broadcast_telegram_rate=25)
        async with running(settings, engine) as state:
            store = state.service.store
            everyone = await subscribe(store, 50, area="Ba Đình")
            await subscribe(store, 10, topics=["văn hóa"], first=FIRST_CHAT + 100)
            unsubscribed = await subscribe(store, 1, first=FIRST_CHAT + 200)
            await store.set_subscribed(
                (await store.find_person("telegram", str(unsubscribed[0]))).id, False
            )
            for chat in everyone[:3]:
                fake.block_chat(chat)

            # Targeted: the Ba Đình subscribers only.
            local = await store.create_broadcast(
                "telegram:1", "Thông báo phường Ba Đình", {"areas": ["Ba Đình"]}
            )
            assert await store.enqueue_broadcast(local.id) == 50
            state.delivery.wake.set()
            started = time.monotonic()
            progress = await wait_done(store, local.id)
            seconds = time.monotonic() - started
            assert progress["sent"] == 47 and progress["blocked"] == 3
            assert progress["queued"] == progress["sending"] == 0
            received = {m["chat"]["id"] for m in fake.bot_messages() if "Ba Đình" in m["text"]}
            assert received == set(everyone[3:])  # nobody outside the audience, nobody twice
            assert len([m for m in fake.bot_messages() if "Ba Đình" in m["text"]]) == 47
            assert not [c for c in fake.calls if c.status == 429], "paced below the limit"
            assert seconds >= 50 / 25 * 0.9  # ~25 a second, not faster
            blocked = await store.find_person("telegram", str(everyone[0]))
            assert blocked.blocked and not blocked.subscribed

            # By topic: people who chose "văn hóa", and those who chose nothing (all topics).
            topical = await store.create_broadcast(
                "telegram:1", "Tin văn hóa", {"topics": ["văn hóa"]}
            )
            assert await store.enqueue_broadcast(topical.id) == 47 + 10
            assert await store.enqueue_broadcast(topical.id) == 0  # idempotent


async def test_retry_after_for_one_chat_does_not_stall_the_others(store_url, engine) -> None:
    async with FakeTelegram() as fake:
        fake.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")
        settings = settings_for(fake, store_url, broadcast_telegram_rate=200)
        async with running(settings, engine) as state:
            store = state.service.store
            chats = await subscribe(store, 20)
            fake.fail_next("sendMessage", 429, retry_after=2, chat_id=chats[0])
            broadcast = await store.create_broadcast("telegram:1", "Tin mới", {})
            await store.enqueue_broadcast(broadcast.id)
            state.delivery.wake.set()
            started = time.monotonic()
            await fake.wait_for(
                lambda c: c.method == "sendMessage" and c.ok and c.chat_id == chats[-1], timeout=10
            )
            assert time.monotonic() - started < 1.5  # the others went ahead
            progress = await wait_done(store, broadcast.id)
            assert progress["sent"] == 20
            assert time.monotonic() - started >= 1.9  # the held chat waited its 2 s


async def test_zalo_followers_outside_the_window_and_web_visitors_are_skipped_with_reasons(
    store_url, engine
) -> None:
    from tests.fakes.zalo_oa_api import FakeZaloOA

    async with FakeTelegram() as fake, FakeZaloOA() as zalo:
        fake.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")
        settings = settings_for(fake, store_url, **zalo.bot_settings(), broadcast_zalo_rate=50)
        async with running(settings, engine) as state:
            store = state.service.store
            for platform, user in (("zalo_oa", "z-near"), ("zalo_oa", "z-far"), ("web", "v" * 32)):
                person = await store.upsert_person(platform, user, user)
                await store.set_subscribed(person.id, True)
            zalo.mark_outside_window("z-far")
            broadcast = await store.create_broadcast("telegram:1", "Tin cho mọi người", {})
            assert await store.enqueue_broadcast(broadcast.id) == 3
            state.delivery.wake.set()
            progress = await wait_done(store, broadcast.id)
            assert progress["sent"] == 1 and progress["skipped"] == 2
            assert zalo.sent_texts("z-near") == ["Tin cho mọi người"]
