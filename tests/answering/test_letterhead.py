"""A document's letterhead (its number, its date, its signer) answers questions about that
document only: the plan's "Hà Nội, ngày 13 tháng 4 năm 2026" is not the date of the
Resolution it carries out, and the Resolution's date that the plan's opening cites
("Nghị quyết số 02 - NQ/TW ngày 17/3/2026") is not the plan's."""

from __future__ import annotations

import pytest

from bot.answering.features import dated_documents, document_kinds
from bot.retrieval.query_intent import answer_type
from bot.vietnamese.text import fold

PLAN_DATE = "13 tháng 4 năm 2026"


def test_the_kinds_a_question_names_with_or_without_a_number():
    assert document_kinds("Kế hoạch tuyên truyền NQ 02 số mấy?") == {"kh", "nq"}
    assert document_kinds("ngay ban hanh ke hoach") == {"kh"}
    assert document_kinds("Thủ đô phát triển ra sao?") == set()


def test_a_cited_document_owns_the_date_that_follows_it():
    opening = "Thực hiện Nghị quyết số 02 - NQ/TW ngày 17/3/2026 của Bộ Chính trị về xây dựng"
    assert dated_documents(opening) == ({("nq", 2)}, False)
    history = "Kết luận số 22-KL/TW ngày 07/11/2017 …, phấn đấu đến năm 2030"
    assert dated_documents(history) == ({("kl", 22)}, True)  # "năm 2030" is no one's date
    assert dated_documents("Hà Nội, ngày 13 tháng 4 năm 2026") == (set(), True)


@pytest.mark.parametrize("question", ["Ngày ban hành kế hoạch?", "ngay ky nghi quyet 02"])
def test_a_terse_issue_date_question_asks_for_a_date(question):
    assert answer_type(fold(question.lower())) == "date"


@pytest.mark.slow
@pytest.mark.parametrize(
    "question", ["Nghị quyết 02 ban hành ngày nào?", "NQ 02 của Bộ Chính trị ra ngày bao nhiêu?"]
)
def test_the_plans_date_is_not_the_resolutions(engine, question):
    answer = engine.answer(question)

    assert PLAN_DATE not in answer.answer
    if answer.grounded:
        assert "17/3/2026" in answer.answer


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    [
        "Kế hoạch được ban hành ngày nào?",
        "ke hoach 57 ky ngay nao",
        # The opening covers every word of this one, but the date it gives is NQ 02's.
        "Kế hoạch số 57 của Thành ủy Hà Nội được ban hành vào ngày nào?",
    ],
)
def test_the_plans_own_date_still_answers_for_the_plan(engine, question):
    answer = engine.answer(question)

    assert answer.kind == "answer"
    assert PLAN_DATE in answer.answer
    assert "17/3/2026" not in answer.answer
    assert {c.section for c in answer.citations} == {"preamble"}
