from __future__ import annotations

from bot.answering.cache import AnswerCache
from bot.core.answer import Answer


def answer(text: str) -> Answer:
    return Answer(answer=text, grounded=True, handoff=False, confidence=0.9, kind="answer")


def test_same_words_same_answer_and_oldest_evicted() -> None:
    cache = AnswerCache(2)
    cache.put("Mục tiêu  2045?", answer("a"))
    assert cache.get("Mục tiêu 2045?").answer == "a"  # spaces collapsed
    assert cache.get("muc tieu 2045?") is None  # another spelling is another question
    cache.put("b", answer("b"))
    cache.get("Mục tiêu 2045?")  # recently used: stays
    cache.put("c", answer("c"))
    assert cache.get("b") is None and cache.get("c") is not None
    assert cache.hits == 3 and cache.misses == 2


def test_size_zero_turns_it_off() -> None:
    cache = AnswerCache(0)
    cache.put("q", answer("a"))
    assert cache.get("q") is None


def test_long_questions_are_never_kept() -> None:
    cache = AnswerCache(100)
    essay = "chu" * 20_000  # a 60 KB one-word question
    cache.put(essay, answer("a"))
    assert cache.get(essay) is None and cache.bytes == 0


def test_kept_answers_stay_under_their_byte_budget() -> None:
    cache = AnswerCache(10_000, max_bytes=50_000)
    for n in range(1_000):
        cache.put(f"câu hỏi số {n}", answer("trả lời " * 100))
        assert cache.bytes <= 50_000
    assert cache.get("câu hỏi số 999") is not None  # the newest stay
    assert cache.get("câu hỏi số 0") is None
    cache.put("câu hỏi số 999", answer("khác"))  # replacing an entry does not count it twice
    assert cache.bytes == sum(cache._sizes.values())
