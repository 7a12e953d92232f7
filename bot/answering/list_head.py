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
from bot.retrieval.query_intent import MANNER_HEADING, names_a_duty
from bot.retrieval.query_terms import Term
from bot.vietnamese.text import fold

LIST_MARGIN = 0.1  # a heading this close to the best sentence under it answers instead
NAMED_HEADING = 0.5  # share of the question's words in a heading that it names
# "Kế hoạch dùng những cách nào…": the best sentences fall in many parts of one heading and
# none of them says much of the question; the heading's whole list answers it.
SPREAD_TOP = 6  # best candidates looked at
SPREAD_PARTS = 4  # distinct parts of one heading among them
SPREAD_COVERAGE = 0.6  # … while none covers this share of the question
WIDER = 0.25  # a heading saying this much more of the question than the best sentence


class ListHeads:
    def __init__(self, composer: Composer, judge: CoverageJudge) -> None:
        self.composer = composer
        self.judge = judge
        self._titles = [i for i in range(len(composer.index.units)) if composer.is_title(i)]
        # Headings of forms ("III. HÌNH THỨC THÔNG TIN, TUYÊN TRUYỀN…") that open a list.
        index = composer.index
        self._forms_heads = [
            h
            for h in self._titles
            if MANNER_HEADING.search(fold(index.unit_text(h)).lower())
            and len(composer.list_items(h)) >= 2
        ]

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
            # Any level up: "phần tổ chức thực hiện" names IV from a sentence of IV.1.3.
            above = self.composer.headings_above(best, levels=None)
            named = [h for h in above if self._names_a_list(terms, h)]
            if named:
                return max(named, key=self.naming(query, terms))
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
        if query.asks_manner:
            forms = self._forms(query, terms, best, candidates)
            if forms is not None:
                return forms
        if query.wants_list:
            spread = self._spread(terms, best, candidates)
            if spread is not None:
                return spread
        wider = self._wider(terms, best, candidates)
        if wider is not None:
            return wider
        for candidate in candidates:
            if final(candidate) < final(best) - LIST_MARGIN:
                break
            if self.composer.is_title(candidate) and self.composer.contains(candidate, best):
                return candidate
        return None

    def naming(self, query: Query, terms: list[Term]) -> Callable[[int], tuple[float, float]]:
        """How well the question names a heading: the share of what it asks (``terms``),
        a tie broken by all its words, the document's name included ("kế hoạch tuyên
        truyền những nội dung gì" is II, "NỘI DUNG THÔNG TIN, TUYÊN TRUYỀN…", not its
        part II.2 "Những nội dung cơ bản …")."""
        return lambda heading: (
            self.judge.heading_coverage(terms, heading),
            self.judge.heading_coverage(query.terms, heading),
        )

    def _spread(self, terms: list[Term], best: int, candidates: list[int]) -> int | None:
        """The heading whose parts the best candidates are spread over, when the question
        asks for several things: the best section is not repeated, and either none of them
        covers much of the question or the heading says some of it ("những cách nào" →
        "HÌNH THỨC …"). "Những đơn vị nào phải đạt 10 tin, bài" is answered by the sentences
        that say it, not by every body's duties."""
        units = self.composer.index.units
        top = candidates[:SPREAD_TOP]
        sections = [units[i].section for i in top]
        if sections.count(sections[0]) > 1:
            return None
        answered = max(self.judge.coverage(terms, [i]) for i in top) >= SPREAD_COVERAGE
        for head in self.composer.headings_above(best):
            if answered and self.judge.heading_coverage(terms, head) <= 0:
                continue
            parts = {
                _part_of(units[head].section, units[i].section)
                for i in top
                if self.composer.contains(head, i) and units[i].section != units[head].section
            }
            if len(parts) >= SPREAD_PARTS and len(self.composer.list_items(head)) >= 2:
                return head
        return None

    def _forms(
        self, query: Query, terms: list[Term], best: int, candidates: list[int]
    ) -> int | None:
        """A heading of forms ("HÌNH THỨC THÔNG TIN, TUYÊN TRUYỀN…") that names what the
        question asks the means of: "tuyên truyền bằng cách nào" is all of III. Unless a
        sentence near the top says the rest of the question: "có hình thức nào để doanh
        nghiệp đối thoại hai chiều" is the item that says so."""
        index = self.composer.index
        doc = index.units[best].doc
        # All the question's words: "tuyên truyền" is also the plan's name, not a content
        # word, yet it is what "HÌNH THỨC … TUYÊN TRUYỀN" is the forms of.
        asked = [t for t in query.terms if not _names_manner(t)]
        top = candidates[:SPREAD_TOP]
        for head in self._forms_heads:
            if index.units[head].doc != doc:
                continue
            text = index.unit_text(head)
            named = [t for t in asked if self.judge.coverage_of_text([t], text) > 0]
            if not named:
                continue
            rest = [t for t in terms if t not in named and not _names_manner(t)]
            if rest and max(self.judge.coverage(rest, [i]) for i in top) >= SPREAD_COVERAGE:
                return None
            return head
        return None

    def _wider(self, terms: list[Term], best: int, candidates: list[int]) -> int | None:
        """A heading near the top that says clearly more of the question than the best
        sentence under it: "ai kiểm tra, đánh giá" names "Công tác kiểm tra, đánh giá …"
        (IV.2), whose parts say who does each; the sentence on inspections says one half."""
        # The sentence's own words: its coverage also counts the headings above it.
        said = self.judge.coverage_of_text(terms, self.composer.index.unit_text(best))
        for head in candidates[:SPREAD_TOP]:
            if (
                self.composer.is_title(head)
                and self.composer.contains(head, best)
                and self.judge.heading_coverage(terms, head) >= said + WIDER
                and len(self.composer.list_items(head)) >= 2
            ):
                return head
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


def _part_of(head: str, section: str) -> str:
    """The child of ``head`` that holds ``section`` ("III", "III.5.2" → "III.5")."""
    return f"{head}.{section[len(head) + 1 :].split('.')[0]}"


def _without_duty(terms: list[Term]) -> list[Term]:
    """The words that name the body: "làm gì" / "nhiệm vụ" would match every "Nhiệm vụ …"
    heading without naming anyone."""
    return [
        t
        for t in terms
        if not names_a_duty(t.folded) and not any(names_a_duty(a) for a in t.alternatives)
    ]


def _names_manner(term: Term) -> bool:
    """ "hình thức", "cách" and their stand-ins: the means asked for, not what of."""
    return term.folded == "cach" or any(
        MANNER_HEADING.search(f) for f in (term.folded, *term.alternatives)
    )
