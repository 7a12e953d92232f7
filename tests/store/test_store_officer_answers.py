"""Officers' answers on memory, SQLite and PostgreSQL alike: a draft gets versions, is
approved (only its newest version), rejected or withdrawn as the states allow; the engine's
poll sees exactly the approved versions, and an edit of an approved answer keeps the
approved text served until the edit is approved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.answer import Answer, Citation
from bot.core.officer_answers import OfficerAnswerText
from bot.store.officer_answers import OfficerAnswerConflict

HOURS = OfficerAnswerText(
    ("Bộ phận một cửa phường mở cửa lúc mấy giờ?",),
    "Bộ phận một cửa phường Hoàn Kiếm làm việc từ 7 giờ 30 đến 17 giờ, thứ Hai đến thứ Sáu.",
    (("57-KH/TU", "III.4"),),
)
HOURS_SAT = OfficerAnswerText(
    (*HOURS.questions, "Thứ Bảy phường có làm việc không?"),
    HOURS.answer + " Sáng thứ Bảy làm việc từ 8 giờ đến 11 giờ 30.",
    HOURS.sections,
)


@pytest.fixture
def store(any_store: Any) -> Any:
    return any_store


async def test_a_draft_is_served_only_once_approved_and_stops_when_withdrawn(store) -> None:
    draft = await store.draft_officer_answer("Phường Hoàn Kiếm", HOURS, "telegram:7", "ticket:3")
    assert (draft.state, draft.latest.version, draft.source) == ("draft", 1, "ticket:3")
    assert draft.pending and draft.latest.text == HOURS
    assert await store.served_officer_answer_keys() == set()

    approved = await store.approve_officer_answer(draft.id, 1, "telegram:1")
    assert (approved.state, approved.approved_version, approved.approved_by) == (
        "approved", 1, "telegram:1")  # fmt: skip
    assert not approved.pending
    assert await store.served_officer_answer_keys() == {(draft.id, 1)}
    [served] = await store.served_officer_answers({(draft.id, 1)})
    assert (served.unit, served.text, served.version) == ("Phường Hoàn Kiếm", HOURS, 1)

    withdrawn = await store.withdraw_officer_answer(draft.id, "telegram:1", "đã đổi giờ")
    assert (withdrawn.state, withdrawn.note) == ("withdrawn", "đã đổi giờ")
    assert await store.served_officer_answer_keys() == set()
    assert await store.served_officer_answers({(draft.id, 1)}) == []


async def test_an_edit_waits_for_approval_while_the_approved_version_is_served(store) -> None:
    entry = await store.draft_officer_answer("Phường Hoàn Kiếm", HOURS, "telegram:7")
    await store.approve_officer_answer(entry.id, 1, "telegram:1")
    edited = await store.revise_officer_answer(entry.id, HOURS_SAT, "telegram:7")
    assert (edited.state, edited.latest.version, edited.approved_version) == ("approved", 2, 1)
    assert edited.pending
    assert await store.served_officer_answer_keys() == {(entry.id, 1)}
    with pytest.raises(OfficerAnswerConflict):  # the admin read version 1, now stale
        await store.approve_officer_answer(entry.id, 1, "telegram:1")
    await store.approve_officer_answer(entry.id, 2, "telegram:1")
    [served] = await store.served_officer_answers(await store.served_officer_answer_keys())
    assert (served.version, served.text) == (2, HOURS_SAT)
    versions = await store.officer_answer_versions(entry.id)
    assert [(v.version, v.text, v.author) for v in versions] == [
        (2, HOURS_SAT, "telegram:7"), (1, HOURS, "telegram:7")]  # fmt: skip


async def test_states_allow_only_their_decisions(store) -> None:
    entry = await store.draft_officer_answer("Xã Sóc Sơn", HOURS, "zalo_oa:9")
    with pytest.raises(OfficerAnswerConflict):
        await store.withdraw_officer_answer(entry.id, "telegram:1")  # never approved
    rejected = await store.reject_officer_answer(entry.id, "telegram:1", "chưa đúng giờ")
    assert rejected.state == "rejected"
    with pytest.raises(OfficerAnswerConflict):
        await store.approve_officer_answer(entry.id, 1, "telegram:1")
    again = await store.revise_officer_answer(entry.id, HOURS_SAT, "zalo_oa:9")
    assert (again.state, again.note, again.latest.version) == ("draft", "", 2)
    with pytest.raises(OfficerAnswerConflict):
        await store.approve_officer_answer(10_000, 1, "telegram:1")
    assert await store.get_officer_answer(10_000) is None


async def test_listing_by_state_and_unit_newest_first(store) -> None:
    a = await store.draft_officer_answer("Phường Ba Đình", HOURS, "telegram:7")
    b = await store.draft_officer_answer("Xã Sóc Sơn", HOURS, "telegram:8")
    await store.approve_officer_answer(a.id, 1, "telegram:1")
    assert [r.id for r in await store.officer_answers()] == [a.id, b.id]
    assert [r.id for r in await store.officer_answers(states=["draft"])] == [b.id]
    assert [r.id for r in await store.officer_answers(units=["Phường Ba Đình"])] == [a.id]
    assert await store.officer_answers(states=["withdrawn"]) == []
    got = await store.get_officer_answer(a.id)
    assert got is not None and got.latest.text == HOURS and got.unit == "Phường Ba Đình"


async def test_many_served_answers_are_read_in_one_poll(store) -> None:
    ids = []
    for n in range(620):  # more than one IN list
        text = OfficerAnswerText((f"Câu hỏi {n}?",), f"Trả lời {n}.")
        entry = await store.draft_officer_answer("Phường Ba Đình", text, "telegram:7")
        await store.approve_officer_answer(entry.id, 1, "telegram:1")
        ids.append(entry.id)
    keys = await store.served_officer_answer_keys()
    assert keys == {(i, 1) for i in ids}
    served = await store.served_officer_answers(keys)
    assert sorted(s.entry_id for s in served) == ids


def officer_led(entry_id: int) -> Answer:
    cited = Citation("", "", "Hỏi?", "Giải đáp.", "Giải đáp của Phường Hoàn Kiếm", 0, 0,
                     kind="officer_answer", entry=entry_id, version=1)  # fmt: skip
    return Answer("💬 …", grounded=False, handoff=False, confidence=0.9, citations=(cited,))


async def test_use_counts_the_answers_it_led_and_their_questions(store) -> None:
    since = datetime.now(UTC) - timedelta(days=30)
    lan = (await store.upsert_person("telegram", "1", "Lan")).id
    tu = (await store.upsert_person("web", "2", "Tư")).id
    await store.add_message(lan, "in", "hoan kiem hop hom nao", "question")
    await store.add_message(lan, "out", "…", "answer", answer=officer_led(5))
    await store.add_message(
        tu, "in", "[1. Giải đáp của cán bộ Phường Hoàn Kiếm — Hỏi?] họp ở đâu", "question"
    )
    await store.add_message(tu, "out", "…", "answer", answer=officer_led(5))
    await store.add_message(tu, "in", "khác", "question")
    await store.add_message(tu, "out", "…", "answer", answer=officer_led(6))  # another answer
    use = await store.officer_answer_use(5, since, examples=10)
    assert use.served == 2 and use.last is not None
    assert [q for _, q in use.asked] == ["họp ở đâu", "hoan kiem hop hom nao"]  # newest first
    assert (await store.officer_answer_use(5, since)).asked == ()  # no words unless asked
    assert (await store.officer_answer_use(5, datetime.now(UTC) + timedelta(days=1))).served == 0
    await store.erase_person(tu)
    assert [q for _, q in (await store.officer_answer_use(5, since, 10)).asked] == [
        "hoan kiem hop hom nao"]  # fmt: skip
