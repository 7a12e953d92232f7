"""A plural fact answer over a list's budget sheds its weakest places, never its answer."""

from __future__ import annotations

from bot.answering.facts import MAX_FACT_QUOTES, within_budget
from bot.answering.quoting import LIST_BUDGET, Quote


def _quotes(lengths: list[int]) -> list[Quote]:
    starts = [sum(lengths[:i]) for i in range(len(lengths))]
    return [Quote(i, s, s + n, False) for i, (s, n) in enumerate(zip(starts, lengths, strict=True))]


def test_the_best_sentence_stays_even_when_it_scores_below_a_place_before_it():
    # Document order: unit 0 comes first, the best sentence (unit 3) later; unit 3's score
    # is the lowest here on purpose: the best is chosen by the finder, not by this score.
    quotes = _quotes([500, 500, 500, 500, 500])
    scores = {0: 0.95, 1: 0.93, 2: 0.92, 3: 0.5, 4: 0.91}

    kept = within_budget(quotes, best=3, score=scores.__getitem__)

    assert 3 in [q.unit for q in kept]
    assert sum(q.end - q.start for q in kept) <= LIST_BUDGET
    assert [q.unit for q in kept] == [0, 1, 3]  # the weakest others (4, then 2) went


def test_an_answer_within_the_budget_is_left_whole():
    quotes = _quotes([300] * (MAX_FACT_QUOTES + 2))

    assert within_budget(quotes, best=0, score=lambda u: 1.0 - u / 10) == quotes


def test_three_quotes_are_kept_whatever_their_length():
    quotes = _quotes([900, 900, 900])

    assert within_budget(quotes, best=1, score=lambda u: 1.0) == quotes
