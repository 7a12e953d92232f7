""" "Ai ban hành …" is answered by the sentence that names the issuing body ("… Ban Thường
vụ Thành ủy ban hành Kế hoạch …"), not by the letterhead's short lines; for a document the
plan cites, by the citation that gives its issuer ("Nghị quyết số 02 - NQ/TW ngày
17/3/2026 của Bộ Chính trị")."""

from __future__ import annotations

import pytest

from bot.retrieval.query_intent import _ISSUER_QUESTION
from bot.vietnamese.text import fold


@pytest.mark.parametrize(
    "question",
    [
        "Ai ban hành Kế hoạch 57?",
        "cho e hỏi KH này là cơ quan nào ra vậy",
        "Kế hoạch này do Thành ủy hay UBND ban hành?",
        "Who issued Plan 57?",
        "Which body put it out?",
        "Nghị quyết 02 là của cơ quan nào?",
    ],
)
def test_questions_that_ask_who_issued_a_document(question):
    assert _ISSUER_QUESTION.search(fold(question.lower()))


@pytest.mark.parametrize(
    "question",
    ["Ai phải tổ chức tuyên truyền?", "Những ai tham gia cuộc thi?", "Kế hoạch ban hành ngày nào?"],
)
def test_other_who_and_when_questions_are_not_about_the_issuer(question):
    assert not _ISSUER_QUESTION.search(fold(question.lower()))


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    ["Who put out plan 57?", "co quan nao ban hanh ke hoach 57", "Ai ban hành Kế hoạch này?"],
)
def test_the_issuing_sentence_answers_who_issued_the_plan(composing, question):
    answer = composing.answer(question)

    assert "Ban Thường vụ Thành ủy ban hành Kế hoạch" in answer.answer
    assert answer.citations[0].section == "preamble"


@pytest.mark.slow
def test_a_cited_documents_issuer_comes_from_its_citation(composing):
    answer = composing.answer("nghi quyet 02 la cua co quan nao ban hanh")

    assert "ngày 17/3/2026 của Bộ Chính trị" in answer.answer
