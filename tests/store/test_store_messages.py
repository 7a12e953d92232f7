"""Messages (with the answer engine's citations and scores) and per-answer feedback."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.answer import Answer, Citation
from bot.store import Store, StoreError


@pytest.fixture
def store(any_store: Store) -> Store:
    """These tests are the contract of the store ports: memory, SQLite and PostgreSQL."""
    return any_store


CITATION = Citation(
    doc="57-KH/TU",
    section="II.2.2",
    title="Mục tiêu cụ thể",
    quote="Phấn đấu đến năm 2030 thu nhập bình quân đầu người đạt…",
    label="Kế hoạch 57-KH/TU, mục II.2.2",
    start=120,
    end=175,
)
ANSWER = Answer(
    answer="Theo Kế hoạch 57-KH/TU, mục II.2.2: …",
    grounded=True,
    handoff=False,
    confidence=0.87,
    citations=(CITATION,),
    index_version="idx-2025-01",
)


async def _person(store: Store, user: str = "1") -> int:
    return (await store.upsert_person("telegram", user, user)).id


async def test_inbound_and_outbound_with_answer(store: Store) -> None:
    person_id = await _person(store)
    inbound = await store.add_message(person_id, "in", "muc tieu thu nhap 2030", "text", 501)
    assert (inbound.direction, inbound.kind, inbound.platform_message_id) == ("in", "text", "501")
    assert inbound.citations == () and inbound.confidence is None and inbound.grounded is None
    assert not inbound.from_answer and not inbound.handoff

    outbound = await store.add_message(
        person_id, "out", ANSWER.answer, ANSWER.kind, platform_message_id="502", answer=ANSWER
    )
    assert outbound.citations == (CITATION,)
    assert outbound.confidence == pytest.approx(0.87)
    assert outbound.grounded is True and outbound.handoff is False
    assert outbound.index_version == "idx-2025-01"
    assert outbound.from_answer
    assert outbound.created_at >= inbound.created_at

    stored = await store.recent_messages(person_id, 10)
    assert stored == [inbound, outbound]


async def test_any_text_is_kept(store: Store) -> None:
    person_id = await _person(store)
    text = "Mục tiêu 2030? 🇻🇳 ' \" ; DROP TABLE people; --" + "ạ" * 5000
    stored = await store.add_message(person_id, "in", text + "\x00", "text")
    assert stored.text == text
    assert [m.text for m in await store.recent_messages(person_id, 1)] == [text]


async def test_recent_messages_are_oldest_first_and_limited(store: Store) -> None:
    person_id = await _person(store)
    other = await _person(store, "2")
    for n in range(5):
        await store.add_message(person_id, "in", f"câu {n}", "text")
    await store.add_message(other, "in", "không phải của tôi", "text")
    recent = await store.recent_messages(person_id, 3)
    assert [m.text for m in recent] == ["câu 2", "câu 3", "câu 4"]
    assert await store.recent_messages(await _person(store, "3"), 5) == []


async def test_last_answer_is_the_newest_engine_answer(store: Store) -> None:
    person_id = await _person(store)
    assert await store.last_answer(person_id) is None
    await store.add_message(person_id, "in", "hỏi", "text")
    first = await store.add_message(person_id, "out", "đáp 1", "answer", answer=ANSWER)
    second = await store.add_message(person_id, "out", "đáp 2", "not_found", answer=ANSWER)
    await store.add_message(person_id, "in", "hỏi tiếp", "text")
    await store.add_message(person_id, "out", "Cán bộ trả lời: …", "officer")  # not the engine
    assert (await store.last_answer(person_id)) == second != first


async def test_handoff_answer_and_ticket_link(store: Store) -> None:
    person_id = await _person(store)
    handoff = Answer(
        answer="Chuyển cán bộ", grounded=False, handoff=True, confidence=0.1, kind="handoff"
    )
    message = await store.add_message(person_id, "out", handoff.answer, "handoff", answer=handoff)
    assert message.handoff and message.grounded is False and message.index_version is None
    ticket = await store.open_ticket(person_id, "người dùng yêu cầu", last_answer_id=message.id)
    reply = await store.add_message(person_id, "out", "Chào anh", "officer", ticket_id=ticket.id)
    assert reply.ticket_id == ticket.id


async def test_bad_messages_are_store_errors(store: Store) -> None:
    person_id = await _person(store)
    with pytest.raises(StoreError):
        await store.add_message(person_id, "sideways", "x", "text")  # type: ignore[arg-type]
    with pytest.raises(StoreError):
        await store.add_message(person_id + 100, "in", "x", "text")
    with pytest.raises(StoreError):
        await store.add_message(person_id, "in", "x", "text", ticket_id=12345)


async def test_feedback_one_vote_per_person_per_message(store: Store) -> None:
    person_id = await _person(store)
    answer = await store.add_message(person_id, "out", "đáp", "answer", answer=ANSWER)
    vote = await store.add_feedback(answer.id, person_id, 1)
    assert (vote.message_id, vote.person_id, vote.value) == (answer.id, person_id, 1)
    changed = await store.add_feedback(answer.id, person_id, -1)
    assert changed.id == vote.id and changed.value == -1
    assert changed.created_at == vote.created_at and changed.updated_at >= vote.updated_at
    assert await store.recent_feedback(person_id, 10) == [-1]


async def test_recent_feedback_latest_first(store: Store) -> None:
    person_id = await _person(store)
    answers = [
        await store.add_message(person_id, "out", f"đáp {n}", "answer", answer=ANSWER)
        for n in range(4)
    ]
    for message, value in zip(answers, (1, 1, -1, 1), strict=True):
        await store.add_feedback(message.id, person_id, value)
    assert await store.recent_feedback(person_id, 3) == [1, -1, 1]
    await store.add_feedback(answers[0].id, person_id, -1)  # a changed vote is the latest
    assert await store.recent_feedback(person_id, 2) == [-1, 1]
    assert await store.recent_feedback(await _person(store, "9"), 5) == []


async def test_bad_feedback_is_a_store_error(store: Store) -> None:
    person_id = await _person(store)
    answer = await store.add_message(person_id, "out", "đáp", "answer", answer=ANSWER)
    with pytest.raises(StoreError):
        await store.add_feedback(answer.id, person_id, 0)
    with pytest.raises(StoreError):
        await store.add_feedback(answer.id + 100, person_id, 1)


async def test_many_concurrent_writers(store: Store) -> None:
    people = [await _person(store, str(n)) for n in range(5)]
    await asyncio.gather(
        *(store.add_message(p, "in", f"{p}:{n}", "text") for p in people for n in range(10))
    )
    for p in people:
        texts = [m.text for m in await store.recent_messages(p, 50)]
        assert sorted(texts) == sorted(f"{p}:{n}" for n in range(10))


async def test_a_suggestion_keeps_its_sections_and_question(store: Store) -> None:
    from bot.core.answer import Suggestion

    person_id = await _person(store)
    options = (
        Suggestion("57-KH/TU", "II.2.2", "Mục tiêu, chỉ tiêu", "Kế hoạch 57-KH/TU, mục II.2.2"),
        Suggestion("57-KH/TU", "I.1", "Mục đích", "Kế hoạch 57-KH/TU, mục I.1"),
    )
    suggest = Answer(
        answer="Tôi chưa chắc bạn hỏi phần nào…",
        grounded=False,
        handoff=False,
        confidence=0.4,
        kind="suggest",
        suggestions=options,
    )
    stored = await store.add_message(
        person_id, "out", suggest.answer, "suggest", answer=suggest, question="muc tieu 2045?"
    )
    again = await store.get_message(stored.id)
    assert again.suggestions == options and again.suggested_for == "muc tieu 2045?"
    assert (await store.last_answer(person_id)).id == stored.id
    plain = await store.add_message(person_id, "out", ANSWER.answer, "answer", answer=ANSWER)
    assert plain.suggestions == () and plain.suggested_for is None
