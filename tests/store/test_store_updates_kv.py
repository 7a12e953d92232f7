"""Deduplication of platform updates and the secrets key-value table."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.store import Store


async def test_claim_update_once(store: Store) -> None:
    assert await store.claim_update("telegram", 123456) is True
    assert await store.claim_update("telegram", "123456") is False
    assert await store.claim_update("zalo", 123456) is True  # another platform's key
    assert await store.claim_update("telegram", 123457) is True


async def test_claim_update_under_concurrency(store: Store) -> None:
    results = await asyncio.gather(*(store.claim_update("zalo", "evt-42") for _ in range(20)))
    assert sorted(results) == [False] * 19 + [True]


async def test_forget_updates(store: Store) -> None:
    await store.claim_update("telegram", 1)
    assert await store.forget_updates(datetime.now(UTC) - timedelta(hours=1)) == 0
    assert await store.claim_update("telegram", 1) is False
    assert await store.forget_updates(datetime.now(UTC) + timedelta(seconds=1)) == 1
    assert await store.claim_update("telegram", 1) is True


async def test_kv_get_set(store: Store) -> None:
    assert await store.kv_get("zalo.access_token") is None
    await store.kv_set("zalo.access_token", "tok-1")
    assert await store.kv_get("zalo.access_token") == "tok-1"
    await store.kv_set("zalo.access_token", "tok-2")
    assert await store.kv_get("zalo.access_token") == "tok-2"
    assert await store.kv_get("other") is None


async def test_kv_compare_and_set(store: Store) -> None:
    assert await store.kv_compare_and_set("k", None, "v1") is True  # absent → created
    assert await store.kv_compare_and_set("k", None, "v9") is False  # present now
    assert await store.kv_compare_and_set("k", "wrong", "v9") is False
    assert await store.kv_get("k") == "v1"
    assert await store.kv_compare_and_set("k", "v1", "v2") is True
    assert await store.kv_get("k") == "v2"
    assert await store.kv_compare_and_set("missing", "v1", "v2") is False
    assert await store.kv_get("missing") is None


async def test_kv_compare_and_set_under_concurrency(store: Store) -> None:
    await store.kv_set("refresh", "old")
    results = await asyncio.gather(
        *(store.kv_compare_and_set("refresh", "old", f"new-{n}") for n in range(10))
    )
    assert results.count(True) == 1
    assert await store.kv_get("refresh") == f"new-{results.index(True)}"


async def test_inbox_keeps_events_until_done(store: Store) -> None:
    event = {"event_name": "user_send_text", "message": {"text": "xin chào", "msg_id": "m1"}}
    assert await store.inbox_put("zalo_oa", "m1", event) is True
    assert await store.inbox_put("zalo_oa", "m1", event) is False  # Zalo's retry
    assert await store.inbox_put("zalo_oa", "m2", {"n": 2}) is True
    assert await store.inbox_pending("zalo_oa") == [("m1", event), ("m2", {"n": 2})]
    assert await store.inbox_pending("zalo_bot") == []
    await store.inbox_done("zalo_oa", "m1")
    assert [key for key, _ in await store.inbox_pending("zalo_oa")] == ["m2"]
    assert await store.inbox_forget(datetime.now(UTC) + timedelta(seconds=1)) == 1
