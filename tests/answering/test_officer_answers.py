"""Approved officer answers in the real engine (real index, real model): served labelled as
the unit's explanation, never as the documents' text; withdrawn, gone at once; never given
for a question about another ward; the documents' own answer always first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.answering.engine import AnswerEngine
from bot.core.answer import OFFICER_ANSWER_DOC, Answer
from bot.core.officer_answers import OfficerAnswerText, ServedOfficerAnswer

pytestmark = pytest.mark.slow

APPROVED = datetime(2026, 5, 4, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội, 04/05/2026
CONFERENCE = ServedOfficerAnswer(
    101,
    2,
    "Phường Hoàn Kiếm",
    APPROVED,
    OfficerAnswerText(
        (
            "Phường Hoàn Kiếm tổ chức hội nghị học tập Nghị quyết 02 cho người dân vào ngày nào?",
            "Hội nghị quán triệt Nghị quyết 02 ở phường Hoàn Kiếm họp ở đâu?",
        ),
        "Phường Hoàn Kiếm tổ chức hội nghị học tập Nghị quyết 02-NQ/TW cho Nhân dân lúc 8h00 "
        "thứ Năm, ngày 23/4/2026, tại hội trường UBND phường, số 126 Hàng Trống.",
        (("57-KH/TU", "III.3"),),
    ),
)
ZALO = ServedOfficerAnswer(
    102,
    1,
    "Phường Ba Đình",
    APPROVED,
    OfficerAnswerText(
        ("Trang Zalo OA chính thức của phường Ba Đình tên là gì?",),
        "Zalo OA chính thức của phường là “Phường Ba Đình - Hà Nội”, có dấu tích xác thực.",
    ),
)


@pytest.fixture
def serving(engine: AnswerEngine) -> Iterator[AnswerEngine]:
    asyncio.run(engine.serve_officer_answers([CONFERENCE, ZALO]))
    yield engine
    asyncio.run(engine.serve_officer_answers([]))


def officer_citation(answer: Answer):
    return next((c for c in answer.citations if c.kind == "officer_answer"), None)


def reached(engine: AnswerEngine, question: str, entry: ServedOfficerAnswer) -> Answer | None:
    """The labelled answer the citizen gets: at once, or by choosing the offered entry."""
    answer = engine.answer(question)
    if answer.kind == "suggest":
        offered = [(s.doc, s.section) for s in answer.suggestions]
        scope = (OFFICER_ANSWER_DOC, str(entry.entry_id))
        if scope not in offered:
            return None
        answer = engine.answer(question, scope)
    cited = officer_citation(answer)
    return answer if cited is not None and cited.entry == entry.entry_id else None


def test_the_saved_question_gets_the_officer_answer_with_its_label(serving) -> None:
    answer = serving.answer(CONFERENCE.text.questions[0])
    cited = officer_citation(answer)
    assert cited is not None and answer.citations[0] is cited  # the answer itself, first
    assert (cited.entry, cited.version, cited.doc, cited.section) == (101, 2, "", "")
    assert cited.quote == CONFERENCE.text.answer
    label = (
        "Giải đáp của Phường Hoàn Kiếm, ngày 04/05/2026 (không phải nguyên văn Nghị quyết/Kế hoạch)"
    )
    assert cited.label == label and label in answer.answer
    assert CONFERENCE.text.answer in answer.answer
    assert not answer.grounded  # the documents do not say this
    # The related section is quoted as usual, verbatim and cited.
    quoted = [c for c in answer.citations if c.kind == "document"]
    assert quoted and all(c.section.startswith("III.3") for c in quoted)
    contract = answer.to_dict()["citations"][0]
    assert contract["kind"] == "officer_answer" and contract["entry"] == 101


def test_a_paraphrase_without_tone_marks_reaches_the_officer_answer(serving) -> None:
    for question in (
        "hoan kiem hop dan hoc nghi quyet 02 ngay nao vay",
        "hội nghị học nghị quyết 02 ở phường hoàn kiếm là hôm nào ạ",
    ):
        assert reached(serving, question, CONFERENCE) is not None, question


def test_withdrawn_it_is_neither_answered_nor_offered(serving) -> None:
    question = "hoan kiem hop dan hoc nghi quyet 02 ngay nao vay"
    assert reached(serving, question, CONFERENCE) is not None
    asyncio.run(serving.serve_officer_answers([ZALO]))  # CONFERENCE withdrawn
    answer = serving.answer(question)
    assert officer_citation(answer) is None
    assert all(s.doc != OFFICER_ANSWER_DOC or s.section != "101" for s in answer.suggestions)
    # An old "Có phải bạn hỏi…" button of it gets a polite reply, never an error.
    gone = serving.answer(question, (OFFICER_ANSWER_DOC, "101"))
    assert gone.kind == "invalid" and officer_citation(gone) is None


def test_a_question_about_another_ward_is_not_answered_with_it(serving) -> None:
    for question in (
        "Phường Tây Hồ tổ chức hội nghị học tập Nghị quyết 02 cho người dân vào ngày nào?",
        "Zalo OA chính thức của phường Cầu Giấy tên là gì?",
    ):
        answer = serving.answer(question)
        assert officer_citation(answer) is None or answer.citations[0].kind == "document"


def test_the_documents_answer_first(serving) -> None:
    question = "Mục tiêu thu nhập bình quân đầu người năm 2045 là bao nhiêu?"
    answer = serving.answer(question)
    assert answer.kind == "answer" and answer.grounded
    assert answer.citations[0].kind == "document" and answer.citations[0].section == "II.2.2"
    assert "42.000 USD" in answer.answer


def test_out_of_scope_questions_stay_declined(serving) -> None:
    answer = serving.answer("giá vàng hôm nay bao nhiêu một chỉ")
    assert answer.kind == "not_found" and officer_citation(answer) is None
