"""Fact answers: the best sentence, plus at most two more that add something the question
asks for, the sentence of a close runner-up section, or (for "những … nào") the same
thing said in another section. Every quote is a span of the document (see ``quoting``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.answering.quoting import LIST_BUDGET, Composition, Quote, Quoting
from bot.documents.structure import PREAMBLE, SIGNATURE, overlaps

MAX_FACT_QUOTES = 3
MAX_PLACES = 6  # "những … nào": places that each say the thing asked
SAME_THING = 0.9  # … scoring at least this share of the best
CLOSE = 0.8  # sentences scoring below this share of the best are not quoted
NEAR_TIE = 0.98

_PURPOSE = re.compile(r"\b(nhằm|vì vậy|do đó|qua đó|nhờ đó|từ đó|bởi vì|điều này)\b", re.IGNORECASE)


class FactComposer(Quoting):
    def is_title(self, unit_index: int) -> bool:
        """A heading paragraph with no body of its own ("2.2. Thông tin … mục tiêu, chỉ tiêu")."""
        unit = self.index.units[unit_index]
        if not unit.heading:
            return False
        section = self.index.section(unit.doc, unit.section)
        return (
            unit.order == 0
            and unit.end >= section.heading_end - 1
            and _no_sentence_end(self.index.unit_text(unit_index))
        )

    def compose_fact(
        self,
        ranked: list[int],
        score: Callable[[int], float],
        adds_coverage: Callable[[list[int], int], float],
        clause_score: Callable[[str], float],
        reason: bool = False,
        plural: bool = False,
    ) -> Composition:
        """``adds_coverage(chosen, u)``: what unit u adds; ``clause_score(text)``: fit of a clause.

        With ``reason`` (a "why" question) the purpose statement that follows the best
        sentence in its paragraph ("Điều này nhằm bảo đảm …") is added. With ``plural``
        ("những đơn vị nào …") a close match in another section is added even when it
        repeats the words: each place that says it is one of the answers.
        """
        best = ranked[0]
        chosen = [best]
        if plural:  # the bullet's own further paragraphs hold the rest of what it lists
            chosen += self.continuation(best)[: MAX_FACT_QUOTES - 1]
        home = self.index.units[best]
        # The letterhead and the signature answer questions about the document itself
        # (its date, number, signer): another place would only add noise.
        placed_twice = home.section in {PREAMBLE, SIGNATURE}
        for candidate in ranked[1:10]:
            if score(candidate) < CLOSE * score(best):
                break
            if len(chosen) >= MAX_FACT_QUOTES:
                if not plural or len(chosen) >= MAX_PLACES:
                    break
                # "Những cơ quan nào phải hưởng ứng cuộc thi": every body whose duties say
                # it is one of the answers; past three, only such places are added.
                if score(candidate) >= SAME_THING * score(best) and self._new_place(
                    chosen, candidate
                ):
                    chosen.append(candidate)
                continue
            unit = self.index.units[candidate]
            # A close neighbour in the same section usually finishes the thought
            # ("… báo cáo kết quả …" then "Báo cáo phải đầy đủ số liệu …").
            neighbour = (unit.doc, unit.section) == (home.doc, home.section) and score(
                candidate
            ) >= 0.9 * score(best)
            # A near tie elsewhere is shown too: better two sourced candidates than a wrong pick.
            near_tie = score(candidate) >= NEAR_TIE * score(best)
            elsewhere = plural and all(
                (unit.doc, unit.section) != (self.index.units[c].doc, self.index.units[c].section)
                for c in chosen
            )
            # One more place scoring close: where the ranking hesitates between two
            # sections, quoting both beats a confident wrong pick.
            runner_up = not placed_twice and self._new_place(chosen, candidate)
            placed_twice = placed_twice or runner_up
            if (
                neighbour
                or near_tie
                or elsewhere
                or runner_up
                or adds_coverage(chosen, candidate) > 0.05
            ):
                chosen.append(candidate)
        if reason:
            purpose = self._said_after(best, _PURPOSE, reach=3)
            if purpose is not None and purpose not in chosen:
                chosen.append(purpose)
        follow = self._said_after(best, _REFERS_BACK, reach=1)
        if follow is not None and follow not in chosen and adds_coverage(chosen, follow) > 0.05:
            chosen.append(follow)
        chosen.sort(key=lambda i: (self.index.units[i].doc, self.index.units[i].start))
        quotes = [self.best_part(i, clause_score) for i in chosen]
        if plural:
            quotes = within_budget(self._enumeration_whole(quotes, best), best, score)
        chosen = [q.unit for q in quotes]
        return Composition(tuple(quotes), "fact", tuple(chosen))

    def _new_place(self, chosen: list[int], candidate: int) -> bool:
        """Whether ``candidate`` is in a section that none of ``chosen`` overlaps."""
        place = self._place_of(candidate)
        return not any(overlaps(place, self._place_of(c)) for c in chosen)

    def _enumeration_whole(self, quotes: list[Quote], best: int) -> list[Quote]:
        """For "những … nào", the best sentence whole when it was cut and the answer still
        fits a list's budget: a long sentence that enumerates ("… đã ban hành nhiều nghị
        quyết, kết luận: (1) …; (2) …; (5) …") is cut at its best clause, which drops the
        rest of what is asked for."""
        for n, quote in enumerate(quotes):
            if quote.unit != best or not (quote.trimmed or quote.cut_before):
                continue
            whole = [*quotes[:n], self.whole(best), *quotes[n + 1 :]]
            if _length(whole) <= LIST_BUDGET:
                return whole
        return quotes

    def _place_of(self, unit_index: int) -> tuple[str, str]:
        unit = self.index.units[unit_index]
        return unit.doc, unit.section

    def continuation(self, unit_index: int) -> list[int]:
        """The paragraphs that carry on a bullet (no dash of their own), up to the next one."""
        unit = self.index.units[unit_index]
        if not unit.bullet or unit.order != 0:
            return []
        after = []
        for i in self._by_section[(unit.doc, unit.section)]:
            other = self.index.units[i]
            if i <= unit_index or other.paragraph == unit.paragraph:
                continue
            if other.bullet or self.is_title(i):
                break
            after.append(i)
        return after

    def _said_after(self, unit_index: int, pattern: re.Pattern[str], reach: int) -> int | None:
        """The first of the next ``reach`` sentences of the same paragraph that ``pattern``
        finds: a purpose or cause ("… nhằm …"), or a sentence that carries this one on
        ("Điều này nhằm bảo đảm cho Thủ đô có đủ thẩm quyền …" after "Phải thực hiện phân
        cấp …"), whose words are said of the sentence before it."""
        unit = self.index.units[unit_index]
        for nxt in range(unit_index + 1, min(unit_index + 1 + reach, len(self.index.units))):
            other = self.index.units[nxt]
            if other.paragraph != unit.paragraph or other.doc != unit.doc:
                return None
            if pattern.search(self.index.unit_text(nxt)):
                return nxt
        return None


_REFERS_BACK = re.compile(
    r"^\W*(điều này|việc này|nhờ đó|qua đó|từ đó|do đó|vì vậy)\b", re.IGNORECASE
)


def within_budget(quotes: list[Quote], best: int, score: Callable[[int], float]) -> list[Quote]:
    """Past three quotes, the weakest places go, one at a time, until the answer fits a
    list's budget; the best sentence, which answers, stays wherever it is in the text."""
    kept = list(quotes)
    while len(kept) > MAX_FACT_QUOTES and _length(kept) > LIST_BUDGET:
        others = [q for q in kept if q.unit != best]
        kept.remove(min(others, key=lambda q: score(q.unit)))
    return kept


def _length(quotes: list[Quote]) -> int:
    return sum(q.end - q.start for q in quotes)


def _no_sentence_end(text: str) -> bool:
    return not text.rstrip().endswith((".", "!", "?", "…", ":", ";"))
