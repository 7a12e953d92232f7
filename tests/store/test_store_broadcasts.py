"""The broadcast outbox: audience, enqueue, claims, outcomes, crash requeue."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bot.core.records import DeliveryOutcome
from bot.store import Store


async def _subscribers(store: Store, count: int, **preferences) -> list[int]:
    ids = []
    for n in range(count):
        person = await store.upsert_person("telegram", 9000 + n, 9000 + n)
        await store.set_subscribed(person.id, True)
        await store.set_preferences(person.id, preferences.get("topics"), preferences.get("area"))
        ids.append(person.id)
    return ids


async def test_claims_never_overlap_and_a_crash_requeues(store: Store) -> None:
    await _subscribers(store, 30)
    broadcast = await store.create_broadcast("telegram:1", "Tin", {})
    assert await store.enqueue_broadcast(broadcast.id) == 30

    batches = await asyncio.gather(
        *(store.claim_deliveries("telegram", 8, f"w{n}") for n in range(5))
    )
    claimed = [d.id for batch in batches for d in batch]
    assert len(claimed) == len(set(claimed)) == 30  # every row once, none twice

    first = batches[0]
    await store.record_outcomes(
        [DeliveryOutcome(d.id, d.person_id, "sent", 1, platform_message_id="1") for d in first]
    )
    # The process dies with the rest in flight: queued again, to be sent (again) later.
    assert await store.requeue_stale("telegram", datetime.now(UTC) + timedelta(1)) == 30 - len(
        first
    )
    progress = await store.broadcast_progress(broadcast.id)
    assert progress["sent"] == len(first) and progress["queued"] == 30 - len(first)


async def test_outcomes_blocked_retry_and_done(store: Store) -> None:
    people = await _subscribers(store, 3)
    broadcast = await store.create_broadcast("telegram:1", "Tin", {})
    await store.enqueue_broadcast(broadcast.id)
    batch = await store.claim_deliveries("telegram", 10, "w")
    later = datetime.now(UTC) + timedelta(hours=1)
    await store.record_outcomes(
        [
            DeliveryOutcome(batch[0].id, batch[0].person_id, "sent", 1),
            DeliveryOutcome(batch[1].id, batch[1].person_id, "blocked", 1, "Forbidden"),
            DeliveryOutcome(batch[2].id, batch[2].person_id, "queued", 1, retry_at=later),
        ]
    )
    blocked = await store.get_person(people[1])
    assert blocked.blocked and not blocked.subscribed
    assert await store.claim_deliveries("telegram", 10, "w") == []  # not due for an hour
    assert await store.finish_done_broadcasts() == []
    await store.set_broadcast_state(broadcast.id, "paused")
    await store.record_outcomes([DeliveryOutcome(batch[2].id, batch[2].person_id, "skipped", 1)])
    await store.set_broadcast_state(broadcast.id, "sending")
    assert await store.finish_done_broadcasts() == [broadcast.id]
    assert (await store.get_broadcast(broadcast.id)).state == "done"


async def test_audience_by_area_and_topic(store: Store) -> None:
    await _subscribers(store, 2, area="Ba Đình")
    person = await store.upsert_person("zalo_oa", "u-1", "u-1")
    await store.set_subscribed(person.id, True)
    await store.set_preferences(person.id, ["quy hoạch"], "Hoàn Kiếm")
    assert len(await store.audience({"areas": ["Ba Đình"]})) == 2
    assert len(await store.audience({"topics": ["quy hoạch"]})) == 3  # no choice = all topics
    assert len(await store.audience({"topics": ["kinh tế"], "areas": ["Hoàn Kiếm"]})) == 0
    assert await store.audience({"platforms": ["zalo_oa"]}) == [(person.id, "zalo_oa", "u-1")]


async def test_only_one_sender_is_elected(store: Store) -> None:
    async with store.sender_lock("telegram") as first:
        assert first
        if store.engine.dialect.name == "postgresql":
            other = Store(store.engine)  # a second process would have its own connections
            async with other.sender_lock("telegram") as second:
                assert not second
    async with store.sender_lock("telegram") as again:
        assert again


async def test_a_sender_that_lost_its_lock_notices(store: Store) -> None:
    """The lock's connection dies (a network cut, a DBA's kill): the sender must see that it
    is no longer elected before another process starts sending alongside it."""
    async with store.sender_lock("telegram") as lease:
        assert await lease.still_held()
        if store.engine.dialect.name != "postgresql":
            return  # one process on SQLite: nothing to lose
        async with store.engine.connect() as admin:
            await admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks"
                    " WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"
                    # Only this test's database: another worker's migration holds one too.
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                )
            )
            await admin.commit()
        assert not await lease.still_held()
        other = Store(store.engine)
        async with other.sender_lock("telegram") as second:
            assert second.elected  # the lock is free for the next process


async def test_only_platforms_no_process_sends_are_skipped(store: Store) -> None:
    for platform, user in (("telegram", 1), ("zalo_oa", "z"), ("zalo_bot", "b")):
        person = await store.upsert_person(platform, user, user)
        await store.set_subscribed(person.id, True)
    broadcast = await store.create_broadcast("telegram:1", "Tin", {})
    await store.enqueue_broadcast(broadcast.id)
    await store.announce_senders(["telegram"])  # this process
    await store.announce_senders(["zalo_oa"])  # another process, configured differently
    assert await store.skip_unroutable(timedelta(minutes=10)) == 1  # only Zalo Bot
    progress = await store.broadcast_progress(broadcast.id)
    assert progress["skipped"] == 1 and progress["queued"] == 2
    # A sender silent for longer than the allowance counts as gone.
    assert await store.skip_unroutable(timedelta(0)) == 2
