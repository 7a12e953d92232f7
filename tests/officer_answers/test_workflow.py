"""The officers' answers' workflow on the in-memory store and SQLite alike: who may see,
draft, edit and decide (an officer of one unit never reaches another unit's answer, only
admins approve), what is checked before anything is saved, what the audit log keeps, and
a draft's starting point read from a ticket's real conversation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.officer_answers.from_ticket import draft_from_ticket
from bot.officer_answers.sections import parse_sections
from bot.officer_answers.workflow import Actor, Invalid, NotAllowed, OfficerAnswers
from bot.store import Store
from bot.store.memory import MemoryStore
from bot.store.officer_answers import OfficerAnswerConflict
from bot.strings.conversation import operator_reply

ADMIN = Actor("telegram:1", True, "")
HANG_BAC = Actor("telegram:7", False, "UBND phường Hàng Bạc")
KIM_LIEN = Actor("telegram:8", False, "UBND phường Kim Liên")
KNOWN = {("57-KH/TU", "III.3"), ("57-KH/TU", "III.4")}


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    if request.param == "memory":
        yield MemoryStore()
        return
    async with await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}") as opened:
        yield opened


@pytest.fixture
def flow(store: Any) -> OfficerAnswers:
    return OfficerAnswers(store, lambda doc, section: (doc, section) in KNOWN)


def hours(flow: OfficerAnswers, extra: str = ""):
    return flow.text(
        ["Bộ phận một cửa mở cửa lúc mấy giờ?"],
        "Từ 7 giờ 30 đến 17 giờ, thứ Hai đến thứ Sáu." + extra,
        [("57-KH/TU", "III.4")],
    )


async def test_an_officer_reaches_only_their_units_answers(flow: OfficerAnswers) -> None:
    ours = await flow.draft(HANG_BAC, hours(flow), unit="ignored: an officer's own unit")
    assert ours.unit == "UBND phường Hàng Bạc" and ours.created_by == HANG_BAC.who
    assert await flow.visible(HANG_BAC, ours.id) is not None
    assert await flow.visible(ADMIN, ours.id) is not None
    assert await flow.visible(KIM_LIEN, ours.id) is None
    with pytest.raises(NotAllowed):
        await flow.revise(KIM_LIEN, ours.id, hours(flow, " Thứ Bảy nghỉ."))
    assert (await flow.store.get_officer_answer(ours.id)).latest.version == 1
    edited = await flow.revise(HANG_BAC, ours.id, hours(flow, " Thứ Bảy nghỉ."))
    assert (edited.latest.version, edited.state) == (2, "draft")


async def test_only_an_admin_decides_and_only_on_the_version_read(flow: OfficerAnswers) -> None:
    entry = await flow.draft(HANG_BAC, hours(flow))
    for decide in (
        flow.approve(HANG_BAC, entry.id, 1),
        flow.reject(HANG_BAC, entry.id, "không"),
        flow.withdraw(HANG_BAC, entry.id),
    ):
        with pytest.raises(NotAllowed):
            await decide
    approved = await flow.approve(ADMIN, entry.id, 1)
    assert (approved.state, approved.approved_version, approved.approved_by) == (
        "approved", 1, ADMIN.who)  # fmt: skip
    with pytest.raises(NotAllowed):  # an approved answer is the admins' to edit
        await flow.revise(HANG_BAC, entry.id, hours(flow, " Thứ Bảy nghỉ."))
    edited = await flow.revise(ADMIN, entry.id, hours(flow, " Thứ Bảy nghỉ."))
    assert edited.pending and edited.approved_version == 1
    with pytest.raises(OfficerAnswerConflict):  # a page opened before the edit: stale
        await flow.approve(ADMIN, entry.id, 1)
    assert (await flow.approve(ADMIN, entry.id, 2)).approved_version == 2
    with pytest.raises(OfficerAnswerConflict):  # only drafts are rejected
        await flow.reject(ADMIN, entry.id, "muộn")
    withdrawn = await flow.withdraw(ADMIN, entry.id, "đã đổi giờ")
    assert (withdrawn.state, withdrawn.note) == ("withdrawn", "đã đổi giờ")


async def test_what_is_written_is_checked_and_cleaned(flow: OfficerAnswers) -> None:
    text = flow.text(
        ["  Giờ  làm việc?  ", "", "Giờ  làm việc?", "Thứ Bảy có làm không?"],
        " Từ 7 giờ 30.\u200b ",
        parse_sections("III.3\n57-KH/TU, mục iii.3\n"),
    )
    assert text.questions == ("Giờ làm việc?", "Thứ Bảy có làm không?")
    assert text.answer == "Từ 7 giờ 30." and text.sections == (("57-KH/TU", "III.3"),)
    for questions, answer, sections, why in (
        ([" ", ""], "Có.", [], "câu hỏi mẫu"),
        (["Hỏi?"], "  ", [], "nội dung"),
        (["Hỏi?"], "x" * 2001, [], "2000"),
        (["Hỏi?"], "Có.", [("57-KH/TU", "IX.9")], "IX.9"),
    ):
        with pytest.raises(Invalid, match=why):
            flow.text(questions, answer, sections)
    with pytest.raises(Invalid, match="Không hiểu mục"):
        parse_sections("mục tài chính")
    with pytest.raises(Invalid, match="đơn vị"):  # an admin names the unit
        await flow.draft(ADMIN, text)


async def test_every_change_and_refusal_is_audited(flow: OfficerAnswers) -> None:
    entry = await flow.draft(HANG_BAC, hours(flow), source="ticket:4")
    await flow.revise(HANG_BAC, entry.id, hours(flow, " Thứ Bảy nghỉ."))
    with pytest.raises(NotAllowed):
        await flow.approve(HANG_BAC, entry.id, 2)
    with pytest.raises(NotAllowed):
        await flow.revise(KIM_LIEN, entry.id, hours(flow))
    await flow.approve(ADMIN, entry.id, 2)
    await flow.withdraw(ADMIN, entry.id, "cũ")
    log = [(a, act, d) for a, act, d, _ in reversed(await flow.store.audit_entries())]
    assert [(a, act) for a, act, _ in log] == [
        (HANG_BAC.who, "giai_dap_soan"),
        (HANG_BAC.who, "giai_dap_sua"),
        (HANG_BAC.who, "refused"),
        (KIM_LIEN.who, "refused"),
        (ADMIN.who, "giai_dap_duyet"),
        (ADMIN.who, "giai_dap_rut"),
    ]
    assert log[1][2] == {"giai_dap": entry.id, "phien_ban": 2, "don_vi": HANG_BAC.unit}


async def test_a_draft_starts_from_the_tickets_conversation(tmp_path: Path) -> None:
    async with await Store.open(f"sqlite+aiosqlite:///{tmp_path / 't.db'}") as store:
        person = await store.upsert_person("telegram", "5001", "5001", "Bác Tư")
        await store.add_message(person.id, "in", "chào bot", "question")
        await store.add_message(person.id, "in", "Thủ tục đăng ký hộ kinh doanh ở đâu?", "question")
        await store.add_message(person.id, "out", "Không tìm thấy trong văn bản.", "not_found")
        empty = await store.open_ticket(person.id, "không tìm thấy")
        assert (await draft_from_ticket(store, empty)).answer == ""  # nobody replied yet
        await store.add_message(person.id, "in", "cho tôi hỏi thêm", "question", ticket_id=empty.id)
        for words in ("Bác chờ chút.", "Bác nộp hồ sơ ở bộ phận một cửa phường.\nMang CCCD."):
            said = operator_reply(words, "UBND phường Hàng Bạc")
            await store.add_message(person.id, "out", said, "operator", ticket_id=empty.id)
        draft = await draft_from_ticket(store, empty)
    assert draft.questions == ("chào bot", "Thủ tục đăng ký hộ kinh doanh ở đâu?")
    assert draft.answer == "Bác nộp hồ sơ ở bộ phận một cửa phường.\nMang CCCD."


def test_a_request_for_an_officer_is_not_a_sample_question() -> None:
    from datetime import UTC, datetime, timedelta

    from bot.core.records import MessageRecord, TicketRecord
    from bot.officer_answers.from_ticket import draft_from_messages

    start = datetime(2026, 5, 1, 8, tzinfo=UTC)

    def said(n: int, direction: str, text: str, kind: str, ticket: int | None = None):
        at = start + timedelta(minutes=n)
        return MessageRecord(n, 1, direction, text, kind, at, ticket_id=ticket)  # type: ignore[arg-type]

    ticket = TicketRecord(5, 1, "answered", "…", None, start + timedelta(minutes=4))
    conversation = [
        said(1, "in", "Thủ tục đăng ký hộ kinh doanh ở đâu?", "question"),
        said(2, "out", "Không tìm thấy…", "not_found"),
        said(3, "in", "cho tôi gặp cán bộ", "question"),
        said(4, "out", "Tôi chuyển bạn tới cán bộ.", "handoff"),
        said(
            5,
            "out",
            "💬 Cán bộ Phường Hàng Bạc trả lời:\nBác nộp tại một cửa.\nMang CCCD.",
            "operator",
            ticket=5,
        ),
    ]
    draft = draft_from_messages(ticket, conversation)
    assert draft.questions == ("Thủ tục đăng ký hộ kinh doanh ở đâu?",)
    assert draft.answer == "Bác nộp tại một cửa.\nMang CCCD."
    only_asked_for_one = draft_from_messages(ticket, conversation[2:])
    assert only_asked_for_one.questions == ("cho tôi gặp cán bộ",)  # the officer rewrites it
