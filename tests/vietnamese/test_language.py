"""detect_language: Vietnamese (with or without tone marks), English, other scripts, nothing."""

from __future__ import annotations

import pytest

from bot.vietnamese.language import detect_language
from bot.vietnamese.lexicon import Lexicon


@pytest.mark.parametrize(
    "question",
    [
        "Mục tiêu thu nhập bình quân đầu người năm 2030 là bao nhiêu?",
        "Ai ký kế hoạch?",
        "Tôi muốn hỏi về cuộc thi",
        "Đảng ủy xã, phường làm gì?",
        "Là gì?",  # only Latin-1 tone marks (à, ì), outside the Vietnamese block
    ],
)
def test_vietnamese_with_tone_marks(lexicon: Lexicon, question: str) -> None:
    assert detect_language(question, lexicon) == "vi"


@pytest.mark.parametrize(
    "question",
    [
        "muc tieu thu nhap 2030 la bao nhieu",
        "ke hoach giao nhiem vu gi cho cac xa phuong",
        "ai ky van ban nay",
        "cuoc thi truc tuyen to chuc khi nao",
        "HA NOI CO NGHI QUYET GI",
        # English function words that are also Vietnamese syllables say nothing
        # ("so" số, "may" máy, "he" hè, "can" cần, "to" tô): the other syllables decide.
        "he nay so lop hoc tang them may lop",
        "so tay dang vien tai o dau",
        "can bo phuong may gio lam viec",
        "sandbox la j v ad",
        "so km metro den 2035",
    ],
)
def test_vietnamese_without_tone_marks(lexicon: Lexicon, question: str) -> None:
    assert detect_language(question, lexicon) == "vi"


@pytest.mark.parametrize(
    "question",
    [
        "What is the income target for 2030?",
        "How will the plan use social networks?",
        "Who signed the plan?",
        "When was it issued?",
        "What are the main tasks of the communes and wards?",
        # short English without function words: no Vietnamese syllable among them
        "Metro lines planned?",
        "Signing date?",
        "Hanoi population?",
        "Resolution 15-NQ/TW period?",
    ],
)
def test_english(lexicon: Lexicon, question: str) -> None:
    assert detect_language(question, lexicon) == "en"


def test_ambiguous_words_alone_stay_vietnamese(lexicon: Lexicon) -> None:
    """ "so may" (số máy) is English-looking and a Vietnamese syllable pair: Vietnamese first."""
    assert detect_language("so may", lexicon) == "vi"


def test_english_question_with_a_vietnamese_place_name(lexicon: Lexicon) -> None:
    assert detect_language("What is the income target of Hà Nội for 2030?", lexicon) == "en"


@pytest.mark.parametrize(
    "question",
    [
        "河内2030年的收入目标是多少？",
        "Какова цель плана на 2030 год?",
        "ハノイの目標は何ですか",
        "ما هو هدف الخطة؟",
    ],
)
def test_other_scripts(lexicon: Lexicon, question: str) -> None:
    assert detect_language(question, lexicon) == "other"


@pytest.mark.parametrize("text", ["😀🎉👍", "???", "2030", "", "   ", "🇻🇳 12.000 !"])
def test_no_letters(lexicon: Lexicon, text: str) -> None:
    assert detect_language(text, lexicon) == "none"
