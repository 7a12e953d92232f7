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
