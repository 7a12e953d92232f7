"""What the console's broadcasts ask of the store, on memory, SQLite and PostgreSQL alike:
a state change that only one of two clicks makes, and the history of a unit's broadcasts
with their deliveries by state and their replies within 24 h (as the monthly report)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.records import DeliveryOutcome
from bot.store.memory import MemoryStore


@pytest.fixture
def store(any_store: Any) -> Any:
    return any_store


async def subscribers(store, count: int, first: int = 0) -> list[int]:
    people = []
    for n in range(first, first + count):
        person = await store.upsert_person("telegram", str(8000 + n), str(8000 + n))
        await store.set_subscribed(person.id, True)
        people.append(person.id)
    return people


async def deliver(store, broadcast_id: int, outcomes: dict[int, str]) -> None:
    """Give the broadcast's deliveries these outcomes (person id → state), as the sender
    would (the memory store has no sender: its rows are set directly)."""
    if isinstance(store, MemoryStore):
        for person_id, state in outcomes.items():
            store.deliveries[(broadcast_id, person_id)] = state
        return
    batch = await store.claim_deliveries("telegram", 100, "w")
    await store.record_outcomes(
        [
            DeliveryOutcome(d.id, d.person_id, outcomes[d.person_id], 1)
            for d in batch
            if d.broadcast_id == broadcast_id and d.person_id in outcomes
        ]
    )
    await store.requeue_stale("telegram", datetime.now(UTC) + timedelta(days=1))


async def test_a_state_changes_only_from_the_states_expected(store) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    broadcast = await store.create_broadcast("telegram:1", "Tin", {}, scheduled_at=later)
    assert not await store.change_broadcast_state(broadcast.id, ("sending",), "paused")
    assert (await store.get_broadcast(broadcast.id)).state == "scheduled"
    assert await store.change_broadcast_state(broadcast.id, ("scheduled", "sending"), "cancelled")
    cancelled = await store.get_broadcast(broadcast.id)
    assert cancelled.state == "cancelled" and cancelled.finished_at is not None
    assert not await store.change_broadcast_state(broadcast.id, ("scheduled",), "cancelled")
    assert not await store.change_broadcast_state(broadcast.id + 99, ("scheduled",), "cancelled")


async def test_of_two_clicks_one_changes_the_state(store) -> None:
    await subscribers(store, 2)
    broadcast = await store.create_broadcast("telegram:1", "Tin", {})
    await store.enqueue_broadcast(broadcast.id)
    clicks = await asyncio.gather(
        *(store.change_broadcast_state(broadcast.id, ("sending",), "paused") for _ in range(5))
    )
    assert sorted(clicks) == [False] * 4 + [True]
    assert (await store.get_broadcast(broadcast.id)).state == "paused"


async def test_the_history_of_a_unit_with_deliveries_and_replies(store) -> None:
    people = await subscribers(store, 5)
    early = await store.add_message(people[0], "in", "trước khi gửi", "question")
    a = await store.create_broadcast("telegram:7001", "Tin A", {}, unit="Phường A")
    await store.enqueue_broadcast(a.id)
    await deliver(
        store,
        a.id,
        {people[0]: "sent", people[1]: "sent", people[2]: "blocked", people[3]: "skipped"},
    )
    for person, text in ((people[0], "cảm ơn"), (people[0], "hỏi thêm"), (people[1], "ok")):
        await store.add_message(person, "in", text, "question")
    await store.add_message(people[0], "out", "bot trả lời", "answer")  # not a reply
    await store.add_message(people[4], "in", "chưa nhận tin", "question")  # not reached
    b = await store.create_broadcast("telegram:7002", "Tin B", {}, unit="Phường B")
    await store.enqueue_broadcast(b.id)
    mine = await store.create_broadcast("telegram:7001", "Tin riêng", {}, unit="")
    await store.enqueue_broadcast(mine.id)
    later = datetime.now(UTC) + timedelta(days=1)
    c = await store.create_broadcast(
        "telegram:7003", "Hẹn", {}, unit="Phường A", scheduled_at=later
    )
    draft = await store.create_broadcast("telegram:7001", "Nháp", {}, unit="Phường A")

    everyone = await store.broadcast_history()
    assert [r.id for r, _ in everyone] == [c.id, mine.id, b.id, a.id]  # newest first, no draft
    assert draft.id not in [r.id for r, _ in everyone]
    [(record, counts)] = [row for row in everyone if row[0].id == a.id]
    assert record.text == "Tin A" and record.unit == "Phường A"
    assert counts == {
        "queued": 1,
        "sending": 0,
        "sent": 2,
        "failed": 0,
        "blocked": 1,
        "skipped": 1,
        "replies": 3,
    }
    assert early.id  # sent before the broadcast started: not a reply
    [(_, scheduled)] = [row for row in everyone if row[0].id == c.id]
    assert scheduled["replies"] == 0 and sum(scheduled.values()) == 0

    # The monthly report counts the same replies.
    start = datetime.now(UTC) - timedelta(days=1)
    report = await store.month_report(start, start + timedelta(days=2))
    assert [r["replies"] for r in report if r["broadcast"] == a.id] == [3]

    unit_a = await store.broadcast_history(unit="Phường A", officer="telegram:7001")
    assert [r.id for r, _ in unit_a] == [c.id, mine.id, a.id]  # the unit's, and one's own
    unit_b = await store.broadcast_history(unit="Phường B", officer="telegram:7002")
    assert [r.id for r, _ in unit_b] == [b.id]
    nobody = await store.broadcast_history(unit="", officer="telegram:7004")
    assert nobody == []  # no unit matches "" (an officer without one sees only their own)
    assert [r.id for r, _ in await store.broadcast_history(limit=2)] == [c.id, mine.id]
    older = await store.broadcast_history(before=mine.id)
    assert [r.id for r, _ in older] == [b.id, a.id]
    assert [r.id for r, _ in await store.broadcast_history(before=a.id + 1, limit=1)] == [a.id]
