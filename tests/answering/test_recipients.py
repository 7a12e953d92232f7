""" "Kế hoạch có gửi lên … không" is answered by the document's "Nơi nhận:" list, even when
a body it names also heads a list of duties ("Đảng ủy các xã, phường"); "báo cáo gửi về
đâu" is a duty (IV.2.3), not a recipient."""

from __future__ import annotations

import pytest

from bot.retrieval.query_intent import asks_recipients
from bot.vietnamese.text import fold


@pytest.mark.parametrize(
    ("question", "recipients"),
    [
        ("Kế hoạch có gửi lên Ban Tuyên giáo và Dân vận Trung ương không?", True),
        ("Đảng ủy phường có trong nơi nhận ko?", True),
        ("kh dc gui cho nhung ai", True),
        ("Is the plan also sent to other provincial party committees?", True),
        ("Who receives copies of this plan?", True),
        ("bao cao ket qua gui ve dau", False),
        ("Đảng ủy phường phải làm gì?", False),
    ],
)
def test_questions_that_ask_to_whom_the_document_is_sent(question, recipients):
    assert asks_recipients(fold(question.lower())) is recipients


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "named"),
    [
        (
            "Kế hoạch có gửi lên Ban Tuyên giáo và Dân vận Trung ương không?",
            "Ban Tuyên giáo và Dân vận TW",
        ),
        ("Đảng ủy phường có trong nơi nhận ko?", "Các đảng ủy xã, phường"),
        (
            "Is the plan also sent to other provincial party committees?",
            "Thường trực tỉnh, thành ủy",
        ),
    ],
)
def test_the_list_of_recipients_answers(composing, question, named):
    answer = composing.answer(question)

    assert {c.section for c in answer.citations} == {"signature"}
    assert named in answer.answer
    assert answer.answer.count(named) == 1  # the list is quoted once, after its lead-in
