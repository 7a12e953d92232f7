"""The background job that groups unanswered questions, on real SQLite and PostgreSQL with the
fake answerer's vectors (a hashed bag of folded words): paraphrases land together, topics
apart, tone-mark twins always together; answered, suggested and handed-over questions
are left out; only new questions are embedded; one run at a time; shutdown cancels it."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import update

from bot.console.cluster_job import CLAIM, RESULT, ClusterJob
from bot.core import background
from bot.store.models import Message
from bot.store.repository import open_store
from tests.fakes.answerer import HANDOFF, NOT_FOUND, FakeAnswerer, bag_of_words, cited, suggesting

GOLD = [
    "giá vàng SJC hôm nay bao nhiêu",
    "hôm nay giá vàng SJC là bao nhiêu",
    "giá vàng SJC hôm nay",
]
GOLD_PLAIN = "gia vang SJC hom nay bao nhieu"  # the first one, typed without tone marks
PASSPORT = ["làm hộ chiếu ở đâu", "thủ tục làm hộ chiếu ở đâu", "làm hộ chiếu ở đâu nhanh"]


@pytest.fixture
async def store(store_url: str):
    """SQLite and PostgreSQL (the query pairs each question with its reply by window)."""
    async with open_store(store_url) as opened:
        yield opened


async def ask(store, user: int, text: str, reply=NOT_FOUND, area: str | None = None, days=0) -> int:
    """A citizen's question and the engine's reply to it; the question's message id."""
    person = await store.upsert_person("telegram", str(user), str(user), f"Người {user}")
    if area:
        await store.set_preferences(person.id, None, area)
    question = await store.add_message(person.id, "in", text, "question")
    answer = await store.add_message(person.id, "out", reply.answer, reply.kind, answer=reply)
    if days:
        moved = datetime.now(UTC) - timedelta(days=days)
        async with store.engine.begin() as connection:
            await connection.execute(
                update(Message)
                .where(Message.id.in_([question.id, answer.id]))
                .values(created_at=moved)
            )
    return question.id


def members(result: dict) -> list[set[int]]:
    return [set(cluster["members"]) for cluster in result["clusters"]]


async def test_paraphrases_together_topics_apart_answered_left_out(store) -> None:
    answerer = FakeAnswerer()
    gold = [await ask(store, 1 + n, text) for n, text in enumerate(GOLD)]
    plain = await ask(store, 10, GOLD_PLAIN)
    passport = [await ask(store, 20 + n, text) for n, text in enumerate(PASSPORT)]
    answered = await ask(store, 30, "mục tiêu thu nhập năm 2030", cited("II.2.2", "…"))
    suggested = await ask(store, 31, "giá vàng SJC hôm nay thế nào", suggesting("II.1", "II.2"))
    person = await ask(store, 32, "cho tôi gặp cán bộ hộ chiếu", HANDOFF)
    job = ClusterJob(store, answerer, every_minutes=30)

    assert await job.run()
    result = await job.latest()
    assert result is not None and result["questions"] == 7
    found = members(result)
    # The twin without tone marks is one item with its accented form: one id kept for both.
    assert sorted(found, key=min) == [set(gold), set(passport)]
    gold_cluster = next(c for c in result["clusters"] if set(c["members"]) == set(gold))
    assert gold_cluster["size"] == 4 and gold_cluster["distinct"] == 3
    assert plain not in gold_cluster["members"]  # its twin with tone marks stands for both
    everything = {i for group in found for i in group}
    assert {answered, suggested, person}.isdisjoint(everything)
    # Only texts with tone marks went to the model, each once, without "cho em hỏi" and such.
    sent = [t for call in answerer.embedded for t in call]
    assert sorted(sent) == sorted(GOLD + PASSPORT)
    assert gold_cluster["keywords"] and "giá vàng" in gold_cluster["keywords"]
    # No question text is kept: ids and counts only.
    raw = await store.kv_get(RESULT)
    assert raw is not None and not any(t in raw for t in [*GOLD, *PASSPORT, GOLD_PLAIN])


async def test_a_second_run_embeds_only_the_new_questions_and_counts_trends(store) -> None:
    answerer = FakeAnswerer()
    now = [datetime.now(UTC)]
    job = ClusterJob(store, answerer, every_minutes=30, clock=lambda: now[0])
    old = await ask(store, 1, PASSPORT[0], days=10)
    recent = await ask(store, 2, PASSPORT[1], days=1)
    assert await job.run()
    assert not job.stale(await job.latest())
    assert not await job.run()  # a fresh result is not computed again
    now[0] += timedelta(minutes=31)
    assert job.stale(await job.latest())
    newest = await ask(store, 3, PASSPORT[2])
    assert await job.run()
    assert [sorted(call) for call in answerer.embedded] == [sorted(PASSPORT[:2]), [PASSPORT[2]]]
    (cluster,) = (await job.latest())["clusters"]
    assert set(cluster["members"]) == {old, recent, newest}
    assert (cluster["week"], cluster["previous_week"]) == (2, 1)
    assert (cluster["month"], cluster["previous_month"]) == (3, 0)


async def test_questions_older_than_the_window_are_left_out(store) -> None:
    await ask(store, 1, PASSPORT[0], days=91)
    await ask(store, 2, PASSPORT[1], days=91)
    job = ClusterJob(store, FakeAnswerer(), every_minutes=30)
    assert await job.run()
    assert (await job.latest())["clusters"] == []


class Held:
    """Embeddings that wait for the test: a run stays under way until ``gate`` is set."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.gate = asyncio.Event()

    async def embed(self, texts):
        self.started.set()
        await self.gate.wait()
        return np.stack([bag_of_words(t) for t in texts])


async def test_a_run_under_way_is_not_started_again(store) -> None:
    await ask(store, 1, PASSPORT[0])
    held = Held()
    job = ClusterJob(store, held, every_minutes=30)
    first = asyncio.create_task(job.run())
    await held.started.wait()
    assert job.running
    assert await job.run() is False  # this process
    other = ClusterJob(store, held, every_minutes=30)
    assert await other.run() is False  # another process: the claim in the key-value table
    held.gate.set()
    assert await first is True
    assert job.runs == 1 and other.runs == 0 and not job.running


async def test_shutdown_cancels_a_run_and_releases_its_claim(store) -> None:
    await ask(store, 1, PASSPORT[0])
    held = Held()
    job = ClusterJob(store, held, every_minutes=30)
    task = asyncio.create_task(job.loop(first_wait=0))
    await held.started.wait()
    await background.stop(task)
    assert task.done() and not job.running
    assert json.loads(await store.kv_get(CLAIM))["until"] == 0
    held.gate.set()
    assert await job.run()  # nothing left behind blocks the next run


async def test_the_loop_runs_when_asked(store) -> None:
    await ask(store, 1, PASSPORT[0])
    job = ClusterJob(store, FakeAnswerer(), every_minutes=30)
    task = asyncio.create_task(job.loop(first_wait=3600))
    try:
        job.request()
        await asyncio.wait_for(job.finished.wait(), 10)
        assert job.runs == 1 and await job.latest() is not None
    finally:
        await background.stop(task)
