"""The delivery loop against the fake Telegram Bot API enforcing Telegram's flood limits."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest

from bot.app import running
from tests.answering.support import repo_settings
from tests.fakes.telegram_api import FakeTelegram

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


@contextlib.asynccontextmanager
async def zalo_broadcasting(store_url, answerer, **overrides):
    """A running bot with Telegram and Zalo OA (fakes) configured: (its state, the Zalo fake)."""
    from tests.fakes.zalo_oa_api import FakeZaloOA

    async with FakeTelegram() as fake, FakeZaloOA() as zalo:
        fake.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")
        settings = settings_for(
            fake, store_url, **zalo.bot_settings(), broadcast_zalo_rate=50, **overrides
        )
        async with running(settings, answerer) as state:
            yield state, zalo


async def subscribe_users(store, users) -> dict[str, object]:
    """Subscribed people from (platform, user id) pairs, by user id."""
    people = {}
    for platform, user in users:
        people[user] = await store.upsert_person(platform, user, user)
        await store.set_subscribed(people[user].id, True)
    return people


async def wait_done(store, broadcast_id: int, timeout: float = 60.0) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        broadcast = await store.get_broadcast(broadcast_id)
        if broadcast.state == "done":
            return await store.broadcast_progress(broadcast_id)
        await asyncio.sleep(0.1)
    raise AssertionError(f"not done: {await store.broadcast_progress(broadcast_id)}")


@pytest.mark.slow  # pacing measured in real seconds
async def test_paced_under_the_flood_limit_with_blocked_and_targeted_recipients(
    store_url, answerer
) -> None:
    async with FakeTelegram(enforce_limits=True) as fake:
        fake.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")
        settings = settings_for(fake, store_url, broadcast_telegram_rate=25)
        async with running(settings, answerer) as state:
            store = state.store
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


@pytest.mark.slow  # pacing measured in real seconds
async def test_retry_after_for_one_chat_does_not_stall_the_others(store_url, answerer) -> None:
    async with FakeTelegram() as fake:
        fake.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")
        settings = settings_for(fake, store_url, broadcast_telegram_rate=200)
        async with running(settings, answerer) as state:
            store = state.store
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


async def test_zalo_followers_outside_the_window_and_unconfigured_platforms_are_skipped(
    store_url, answerer
) -> None:
    """Zalo OA outside the 7-day window and a platform no process sends: skipped, with the
    reason; a web visitor finds the update in their conversation."""
    async with zalo_broadcasting(store_url, answerer, web_enabled=True) as (state, zalo):
        store = state.store
        people = await subscribe_users(
            store,
            [
                ("zalo_oa", "z-near"),
                ("zalo_oa", "z-far"),
                ("zalo_bot", "b-1"),  # no Zalo Bot configured anywhere
                ("web", "v" * 32),
            ],
        )
        zalo.mark_outside_window("z-far")
        broadcast = await store.create_broadcast("telegram:1", "Tin cho mọi người", {})
        assert await store.enqueue_broadcast(broadcast.id) == 4
        state.delivery.wake.set()
        progress = await wait_done(store, broadcast.id)
        assert progress["sent"] == 2 and progress["skipped"] == 2
        assert zalo.sent_texts("z-near") == ["Tin cho mọi người"]
        visitor = await store.recent_messages(people["v" * 32].id)
        assert [(m.kind, m.text) for m in visitor] == [("broadcast", "Tin cho mọi người")]


async def test_outcomes_a_database_error_kept_back_are_written_before_the_next_claim(
    store_url, answerer, monkeypatch
) -> None:
    """Sent, then the database refuses the write: the rows must not stay "sending" (they
    would be sent again after a restart) and nobody may get the message twice."""
    from bot.broadcast import delivery as delivery_loop
    from bot.store.errors import StoreError

    monkeypatch.setattr(delivery_loop, "STANDBY_RETRY", 0.2)
    async with FakeTelegram() as fake:
        fake.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")
        settings = settings_for(fake, store_url, broadcast_telegram_rate=200, broadcast_window=5)
        async with running(settings, answerer) as state:
            store = state.store
            chats = await subscribe(store, 12)
            write = store.record_outcomes
            refusals = []

            async def refuse_once(outcomes):
                if not refusals:
                    refusals.append(list(outcomes))
                    raise StoreError("database is locked")
                await write(outcomes)

            monkeypatch.setattr(store, "record_outcomes", refuse_once)
            broadcast = await store.create_broadcast("telegram:1", "Tin một lần", {})
            await store.enqueue_broadcast(broadcast.id)
            state.delivery.wake.set()
            progress = await wait_done(store, broadcast.id)
            assert refusals and progress["sent"] == 12 and progress["sending"] == 0
            received = [m["chat"]["id"] for m in fake.bot_messages() if m["text"] == "Tin một lần"]
            assert sorted(received) == chats  # each once


async def test_zalo_followers_outside_the_window_get_a_promotion_when_configured(
    store_url, answerer
) -> None:
    """ZALO_OA_PROMOTION: outside the 7-day window the update goes as a promotion message
    (the unit as header, line breaks kept); once the OA's quota is spent, skipped."""
    async with zalo_broadcasting(store_url, answerer, zalo_oa_promotion=True) as (state, zalo):
        store = state.store
        await subscribe_users(store, [("zalo_oa", u) for u in ("z-near", "z-far-1", "z-far-2")])
        zalo.mark_outside_window("z-far-1")
        zalo.mark_outside_window("z-far-2")
        zalo.promotion_quota = 1
        broadcast = await store.create_broadcast(
            "telegram:1", "Lịch tiếp dân\nThứ Hai, 8 giờ", {}, unit="UBND phường Ba Đình"
        )
        await store.enqueue_broadcast(broadcast.id)
        state.delivery.wake.set()
        progress = await wait_done(store, broadcast.id)

        assert progress["sent"] == 2 and progress["skipped"] == 1
        assert zalo.sent_texts("z-near") == ["Lịch tiếp dân\nThứ Hai, 8 giờ"]
        promoted = zalo.promotions("z-far-1") or zalo.promotions("z-far-2")
        assert promoted == [
            [
                {"type": "header", "align": "left", "content": "UBND phường Ba Đình"},
                {"type": "text", "align": "left", "content": "Lịch tiếp dân<br>Thứ Hai, 8 giờ"},
            ]
        ]
        assert len(zalo.promotions()) == 1  # the second found the quota spent


@pytest.mark.slow  # pacing measured in real seconds
async def test_zalo_broadcasts_stay_under_the_fakes_limits_with_blocked_and_unfollowed(
    store_url, answerer
) -> None:
    """Both Zalo fakes enforce 12 messages a second (Zalo documents none): at the default
    10/s nobody is refused for the rate. A Zalo Bot user who blocked the bot (403) is marked
    blocked and unsubscribed; an OA follower who left (-213) is skipped with the reason."""
    from tests.fakes.zalo_bot_api import FakeZaloBot
    from tests.fakes.zalo_oa_api import FakeZaloOA

    async with (
        FakeTelegram() as fake,
        FakeZaloOA(per_second=12) as oa,
        FakeZaloBot(per_second=12) as zb,
    ):
        fake.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")
        settings = settings_for(
            fake,
            store_url,
            **oa.bot_settings(),
            zalo_bot_token=zb.token,
            zalo_bot_api_base_url=zb.base_url,
            zalo_bot_webhook_url="https://bot.example.vn/zalo/bot/webhook",
            zalo_bot_webhook_secret="zalo-bot-secret",
        )
        async with running(settings, answerer) as state:
            store = state.store
            followers = [f"oa-{n}" for n in range(30)]
            users = [f"zb-{n:02x}" for n in range(30)]
            people = await subscribe_users(
                store, [("zalo_oa", u) for u in followers] + [("zalo_bot", u) for u in users]
            )
            oa.unfollowed.update(followers[:2])
            zb.block_chat(users[0])
            zb.block_chat(users[1])
            broadcast = await store.create_broadcast("telegram:1", "Lịch tiếp dân tháng 12", {})
            assert await store.enqueue_broadcast(broadcast.id) == 60
            state.delivery.wake.set()
            progress = await wait_done(store, broadcast.id)

            assert progress["sent"] == 56
            assert progress["skipped"] == 2 and progress["blocked"] == 2
            assert oa.over_limit() == [] and zb.too_many_requests() == []
            assert {u for u in followers if oa.sent_texts(u)} == set(followers[2:])
            assert all(len(oa.sent_texts(u)) == 1 for u in followers[2:])
            assert {u for u in users if zb.sent_texts(u)} == set(users[2:])
            blocked = await store.get_person(people[users[0]].id)
            assert blocked.blocked and not blocked.subscribed
