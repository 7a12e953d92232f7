"""Which heading's list answers a question, if any.

A question may ask for everything under one heading: the heading itself ranks best
("mục đích của Kế hoạch"), it names the heading and asks for several things ("Đảng ủy
HĐND Thành phố có những nhiệm vụ gì"), it asks what a body must do ("MTTQ làm gì") and
a heading names that body, or a heading matches about as well as the best sentence
under it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.answering.composer import Composer
from bot.answering.coverage import CoverageJudge
from bot.retrieval.query import Query
from bot.retrieval.query_intent import names_a_duty
from bot.retrieval.query_terms import Term

LIST_MARGIN = 0.1  # a heading this close to the best sentence under it answers instead
NAMED_HEADING = 0.5  # share of the question's words in a heading that it names


class ListHeads:
    def __init__(self, composer: Composer, judge: CoverageJudge) -> None:
        self.composer = composer
        self.judge = judge
        self._titles = [i for i in range(len(composer.index.units)) if composer.is_title(i)]

    def choose(
        self,
        query: Query,
        terms: Iterable[Term],
        best: int,
        candidates: list[int],
        final: Callable[[int], float],
        in_scope: Callable[[int], bool],
    ) -> int | None:
        terms = list(terms)
        title = self.composer.is_title(best)
        if title or query.wants_list:
            # The heading the question names most: "mục đích, yêu cầu" is all of I, not I.1.
            named = [h for h in self.composer.headings_above(best) if self._names_a_list(terms, h)]
            if named:
                return max(named, key=lambda h: self.judge.heading_coverage(terms, h))
        if title:
            return best
        if query.asks_duty:
            # The duties under the heading that names the body, even when a sentence
            # elsewhere names it too ("Đề nghị … Ủy ban Mặt trận Tổ quốc …"). Only the
            # best sentence's document: another one's heading would answer another text.
            doc = self.composer.index.units[best].doc
            named = self._named(
                _without_duty(terms),
                lambda u: in_scope(u) and self.composer.index.units[u].doc == doc,
            )
            if named is not None:
                return named
        for candidate in candidates:
            if final(candidate) < final(best) - LIST_MARGIN:
                break
            if self.composer.is_title(candidate) and self.composer.contains(candidate, best):
                return candidate
        return None

    def _names_a_list(self, terms: list[Term], head: int) -> bool:
        return (
            self.judge.heading_coverage(terms, head) >= NAMED_HEADING
            and len(self.composer.list_items(head)) >= 2
        )

    def _named(self, terms: list[Term], in_scope: Callable[[int], bool]) -> int | None:
        """The heading the question names best, among those that open a list."""
        if not terms:
            return None
        scored = sorted(
            ((self.judge.heading_coverage(terms, h), h) for h in self._titles if in_scope(h)),
            key=lambda pair: -pair[0],
        )
        for _, head in scored:
            if self._names_a_list(terms, head):
                return head
        return None


def _without_duty(terms: list[Term]) -> list[Term]:
    """The words that name the body: "làm gì" / "nhiệm vụ" would match every "Nhiệm vụ …"
    heading without naming anyone."""
    return [
        t
        for t in terms
        if not names_a_duty(t.folded) and not any(names_a_duty(a) for a in t.alternatives)
    ]
