"""What a list answer quotes: everything under the heading the question names.

Real index and model; the decision always answers (these are tests of the composer).
"""

from __future__ import annotations

import pytest

from tests.answering.support import norm

pytestmark = pytest.mark.slow


def test_a_heading_of_headings_is_narrowed_to_the_one_the_question_names(composing):
    # "I. MỤC ĐÍCH, YÊU CẦU" holds "1. Mục đích" and "2. Yêu cầu": the purposes, not the
    # two sub-headings, answer "mục đích".
    answer = composing.answer("muc dich kh57?")

    assert [c.section for c in answer.citations][:1] == ["I.1"]
    assert "thống nhất cao về tư tưởng và hành động" in norm(answer.answer)
    assert "“Yêu cầu”" not in answer.answer


def test_a_quoted_heading_brings_everything_under_it(composing):
    answer = composing.answer("Năm quan điểm NQ02?")

    text = norm(answer.answer)
    for viewpoint in (
        "Khẳng định vị thế trung tâm và vai trò dẫn dắt",
        "Phát triển toàn diện lấy con người và văn hoá làm trung tâm",
        "Kiến tạo thể chế đặc thù, vượt trội để bứt phá",
        "Xây dựng hệ thống chính trị gương mẫu",
    ):
        assert viewpoint in text
    assert all(c.section == "II.2.1" for c in answer.citations)


def test_every_task_under_a_named_body_is_listed(composing):
    answer = composing.answer("Đảng ủy HĐND thành phố có nhiệm vụ gì trong việc tuyên truyền?")

    text = norm(answer.answer)
    assert "Chỉ đạo cung cấp thông tin định hướng" in text
    assert "kịp thời tháo gỡ vướng mắc" in text
    assert "“Đảng ủy HĐND Thành phố”" not in answer.answer  # the heading is not a quote


def test_a_lead_in_sentence_is_quoted_with_what_it_introduces(composing):
    answer = composing.answer("Who receives copies of this plan?")

    text = norm(answer.answer)
    assert "Nơi nhận:" in text
    assert "Ban Bí thư TW Đảng" in text
    assert "Thường trực HĐND, UBND Thành phố" in text


def test_what_a_body_does_is_listed_from_the_heading_that_names_it(composing):
    # "MTTQ" is also named in IV.3 ("Đề nghị … Ủy ban Mặt trận Tổ quốc …"); its own duties
    # are the bullets under "1.6. Đảng ủy Ủy ban MTTQ Việt Nam thành phố Hà Nội".
    answer = composing.answer("mat tran to quoc thanh pho lam gi")

    assert {c.section for c in answer.citations} == {"IV.1.6"}
    text = norm(answer.answer)
    assert "đợt sinh hoạt chính trị" in text
    assert "tiên phong ứng dụng chuyển đổi số" in text
