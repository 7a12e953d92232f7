"""Handoff intent: asking for a person is recognised in many wordings; talk about officers is not."""

from __future__ import annotations

import pytest

from bot.vietnamese.lexicon import Lexicon
from bot.vietnamese.text import folded_tokens


def intent(lexicon: Lexicon, text: str) -> str | None:
    return lexicon.intent(" ".join(folded_tokens(text)))


@pytest.mark.parametrize(
    "message",
    [
        "nối máy giúp tôi với",
        "tôi cần gặp lãnh đạo phường để trình bày việc nhà",
        "cho xin số điện thoại chủ tịch phường",
        "em muốn liên hệ người phụ trách",
        "toi muon gap truc tiep bi thu dang uy",
        "tôi muốn kiến nghị về đường làng bị hỏng",
        "Could I meet the official in charge?",
        "What is the phone number of the officer handling this?",
        "tôi muốn nói chuyện với người thật",
        # Calling into the chat, or asking where the person on duty is.
        "cán bộ đâu hết rồi",
        "có ai đang trực không ạ",
        "alo có ai đọc tin nhắn không",
        "sao không ai trả lời vậy",
        "Who is in charge here?",
        "Where is the officer on duty?",
        # An appointment, a call back, a message passed on.
        "cho đặt lịch gặp phó chủ tịch phường",
        "nhờ chuyển ý kiến của tôi tới người có trách nhiệm",
        "xin cho gặp người đứng đầu phường",
        "gọi điện lại cho bác với",
        "cho tôi xin email để góp ý",
        "tôi muốn báo cáo một vụ lấn chiếm vỉa hè",
        # Fed up with the answers.
        "trả lời vô dụng quá",
        "hỏi một đằng trả lời một nẻo",
        "câu trả lời sai rồi",
        "This bot is useless",
        "ko cần máy, cần người",
    ],
)
def test_asking_for_a_person_is_a_handoff(lexicon: Lexicon, message: str) -> None:
    assert intent(lexicon, message) == "handoff"


@pytest.mark.parametrize(
    "question",
    [
        "phẩm chất cán bộ?",
        "kế hoạch nói người đứng đầu đối thoại với những ai",
        "lãnh đạo thành phố gặp gỡ nhân dân thế nào",
        "trách nhiệm nêu gương của cán bộ, đảng viên là gì",
        "năm ngoái có buổi gặp mặt với bí thư phường, kế hoạch lần này nói gì về đối thoại",
        "kế hoạch giao ai tiếp nhận phản ánh, kiến nghị của nhân dân",
        "Người đứng đầu phải gặp gỡ cán bộ, đảng viên thế nào?",
        "Người dân được gặp lãnh đạo thành phố khi nào theo kế hoạch?",
        "Kế hoạch có những kênh nào để phản ánh, kiến nghị?",
        "Kế hoạch yêu cầu cần trình bày nội dung gì?",
        "Where can I see the official text of the plan?",
        "Do leaders have to meet with the people?",
        # Words that once collided with a handoff pattern.
        "mục tiêu của Hà Nội mấy năm tới là gì",
        "văn bản thường chỉ nói đến cán bộ, đảng viên, còn doanh nghiệp thì sao",
        "chuyển đổi số cho cán bộ được nói thế nào",
        "báo cáo kết quả gửi lên cấp trên thế nào",
        "kế hoạch có nói cán bộ phải trả lời dư luận không",
    ],
)
def test_questions_about_officers_are_not_a_handoff(lexicon: Lexicon, question: str) -> None:
    assert intent(lexicon, question) != "handoff"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Thanks, that was helpful.", "thanks"),
        ("ok cảm ơn bạn nhiều nhé", "thanks"),
        ("cảm ơn, cho hỏi kế hoạch ban hành ngày nào", None),
        ("thanks, but when was it issued?", None),
    ],
)
def test_thanks_with_a_few_more_words_is_thanks_but_not_a_new_question(
    lexicon: Lexicon, message: str, expected: str | None
) -> None:
    assert intent(lexicon, message) == expected
