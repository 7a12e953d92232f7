"""Which places a fact answer quotes: the best sentence, and a close runner-up elsewhere.

Real index; the scores are given, so these test the composer's choice, not the ranking.
"""

from __future__ import annotations

import pytest

from bot.answering.facts import CLOSE

pytestmark = pytest.mark.slow


def _first_unit(engine, section: str) -> int:
    units = engine.index.units
    return next(
        i
        for i, u in enumerate(units)
        if u.section == section and not engine.composer.is_title(i) and u.order == 0
    )


def _compose(engine, scores: dict[int, float]):
    ranked = sorted(scores, key=scores.get, reverse=True)
    return engine.composer.compose_fact(
        ranked,
        lambda i: scores[i],
        lambda chosen, candidate: 0.0,  # adds nothing the question asks: only the scores count
        lambda text: 0.0,
    )


def test_a_close_runner_up_in_another_section_is_quoted_too(engine):
    best, other = _first_unit(engine, "II.2.1"), _first_unit(engine, "II.2.3.5")

    composed = _compose(engine, {best: 1.0, other: CLOSE + 0.01})

    assert set(composed.units) == {best, other}
    assert composed.units[0] == best  # document order: II.2.1 comes first


def test_a_distant_runner_up_is_left_out(engine):
    best, other = _first_unit(engine, "II.2.1"), _first_unit(engine, "II.2.3.5")

    composed = _compose(engine, {best: 1.0, other: CLOSE - 0.05})

    assert composed.units == (best,)


def test_only_one_runner_up_place_is_added(engine):
    best = _first_unit(engine, "II.2.1")
    second, third = _first_unit(engine, "II.2.3.5"), _first_unit(engine, "III.4")

    composed = _compose(engine, {best: 1.0, second: 0.9, third: 0.89})

    assert set(composed.units) == {best, second}


def test_a_sentence_of_a_sub_section_is_not_another_place(engine):
    # IV.1.2's bullets and IV.1's heading are one place: the runner-up must be elsewhere.
    best = _first_unit(engine, "IV.1.2")
    parent = next(i for i, u in enumerate(engine.index.units) if u.section == "IV.1")
    elsewhere = _first_unit(engine, "III.4")

    composed = _compose(engine, {best: 1.0, parent: 0.95, elsewhere: 0.9})

    assert set(composed.units) == {best, elsewhere}


def _unit_starting(engine, words: str) -> int:
    return next(
        i for i in range(len(engine.index.units)) if engine.index.unit_text(i).startswith(words)
    )


@pytest.mark.parametrize(("adds", "quoted"), [(0.2, True), (0.0, False)])
def test_a_sentence_referring_back_finishes_the_answer_when_it_says_more(engine, adds, quoted):
    # "Điều này nhằm bảo đảm cho Thủ đô có đủ thẩm quyền …" is said of "Phải thực hiện phân
    # cấp …" before it; it is quoted only when it holds more of what the question asks.
    best = _unit_starting(engine, "Phải thực hiện phân cấp")
    after = _unit_starting(engine, "Điều này nhằm bảo đảm cho Thủ đô")
    assert after == best + 1

    composed = engine.composer.compose_fact(
        [best],
        lambda i: 1.0,
        lambda chosen, candidate: adds if candidate == after else 0.0,
        lambda text: 0.0,
    )

    assert (after in composed.units) is quoted
