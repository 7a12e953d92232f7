"""The questions the documents did not answer, on memory, SQLite and PostgreSQL alike: a
question whose engine reply was "not found" (not a suggestion, an answer or a handoff; a
notice in between does not count as the reply), newest first, with the citizen's ward;
and their words looked up by id, gone once erased."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.answer import Answer


@pytest.fixture
def store(any_store: Any) -> Any:
    return any_store


def reply(kind: str) -> Answer:
    return Answer("…", grounded=kind == "answer", handoff=kind == "handoff", confidence=0.1,
                  kind=kind)  # type: ignore[arg-type]  # fmt: skip


async def turn(store, person: int, question: str, kind: str) -> int:
    asked = await store.add_message(person, "in", question, "question")
    await store.add_message(person, "out", "…", kind, answer=reply(kind))
    return asked.id


async def test_unanswered_questions_are_those_the_engine_found_nothing_for(store) -> None:
    lan = (await store.upsert_person("telegram", "1", "Lan")).id
    await store.set_preferences(lan, None, "ba dinh")
    tu = (await store.upsert_person("zalo_oa", "2", "Tư")).id
    price = await turn(store, lan, "giá xăng hôm nay", "not_found")
    await turn(store, lan, "mục tiêu 2045", "answer")
    await turn(store, tu, "kinh tế số", "suggest")
    await turn(store, tu, "gặp cán bộ", "handoff")
    await store.add_message(tu, "in", "ai là chủ tịch phường", "question")
    await store.add_message(tu, "out", "Bạn đang gửi nhanh quá", "notice")  # not the engine
    await store.add_message(tu, "out", "…", "not_found", answer=reply("not_found"))
    chairman = (await store.recent_messages(tu, 3))[0].id
    lonely = await store.add_message(lan, "in", "còn câu này chưa trả lời", "question")
    since = datetime.now(UTC) - timedelta(days=1)
    found = await store.unanswered_questions(since, 10)
    assert [(a.id, a.text, a.area) for a in found] == [
        (chairman, "ai là chủ tịch phường", ""),
        (price, "giá xăng hôm nay", "ba dinh"),
    ]
    assert lonely.id not in {a.id for a in found}
    assert [a.id for a in await store.unanswered_questions(since, 1)] == [chairman]
    assert await store.unanswered_questions(datetime.now(UTC) + timedelta(days=1), 10) == []
    words = await store.questions_said([price, chairman, 999999])
    assert words[price].text == "giá xăng hôm nay" and words[price].area == "ba dinh"
    assert set(words) == {price, chairman}
    await store.erase_person(lan)
    assert set(await store.questions_said([price, chairman])) == {chairman}
