"""Choose what to quote: a few sentences (or list items) from the best-matching place.

Two shapes of answer:
- a fact: the best sentence, plus at most two more that add something the question
  asks for;
- a list: when the best match is a heading ("05 quan điểm phát triển", "Đảng ủy HĐND
  Thành phố"), the answer is what sits under it: the first sentence of each
  subsection or bullet, trimmed to fit.
Every quote is a span of the document; a trimmed quote is a prefix that ends on a
clause or comma boundary and is shown with "…".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.documents.segment import Unit
from bot.documents.structure import PREAMBLE, within
from bot.retrieval.index import SearchIndex

FACT_SENTENCE_LIMIT = 600  # longer sentences are cut to their best clause
LIST_BUDGET = 1650  # characters for all items of a list answer (Zalo allows 2,000 in all)
LIST_ITEM_MAX = 400
LIST_ITEM_MIN = 90  # many items: each shorter, none dropped
MAX_FACT_QUOTES = 3
NEAR_TIE = 0.98
OPENING_MIN_CHARS = 60  # shorter letterhead lines (number, date) are not the opening

_CUT = re.compile(r"[;,:](?=\s)|\s[-–]\s")
_PIECE_END = re.compile(r"[;,:](?=\s)")
_PURPOSE = re.compile(r"\b(nhằm|vì vậy|do đó|qua đó|nhờ đó|từ đó|bởi vì|điều này)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Quote:
    unit: int
    start: int
    end: int
    trimmed: bool  # the sentence goes on after the quote
    cut_before: bool = False  # the sentence starts before the quote


@dataclass(frozen=True)
class Composition:
    quotes: tuple[Quote, ...]
    shape: str  # "fact" | "list" | "overview"
    units: tuple[int, ...]  # the units the quotes come from, for coverage
    head: int | None = None  # the heading a list answer enumerates


class Composer:
    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self._by_section: dict[tuple[str, str], list[int]] = {}
        for i, unit in enumerate(index.units):
            self._by_section.setdefault((unit.doc, unit.section), []).append(i)

    # -- list answers -----------------------------------------------------------
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

    def headings_above(self, unit_index: int) -> list[int]:
        """Title units of the sentence's section and of its parent section."""
        unit = self.index.units[unit_index]
        found = []
        section: str | None = unit.section
        for _ in range(2):
            if section is None or (unit.doc, section) not in self._by_section:
                break
            first = self._by_section[(unit.doc, section)][0]
            if self.is_title(first):
                found.append(first)
            section = (
                self.index.section(unit.doc, section).parent
                if section not in {"preamble", "signature"}
                else None
            )
        return found

    def contains(self, heading_unit: int, unit_index: int) -> bool:
        """Whether a unit lies in the section (or a subsection) a heading opens."""
        head, unit = self.index.units[heading_unit], self.index.units[unit_index]
        return head.doc == unit.doc and within(unit.section, head.section)

    def list_items(self, unit_index: int) -> list[int]:
        """What a heading introduces: child headings, else bullets, else the sentences."""
        unit = self.index.units[unit_index]
        section = self.index.section(unit.doc, unit.section)
        if section.children:
            items = []
            for child in section.children:
                members = self._by_section.get((unit.doc, child), [])
                if members:
                    items.append(members[0])
            return items
        members = [i for i in self._by_section[(unit.doc, unit.section)] if i != unit_index]
        bullets = [
            i for i in members if self.index.units[i].bullet and self.index.units[i].order == 0
        ]
        if len(bullets) >= 2:
            return bullets
        return members

    def named_child(self, heading_unit: int, named: Callable[[int], float]) -> int:
        """The heading to enumerate: when its items are headings ("I. MỤC ĐÍCH, YÊU CẦU" →
        "1. Mục đích", "2. Yêu cầu"), the one the question clearly names best (``named``)."""
        head = heading_unit
        while True:
            items = self.list_items(head)
            if len(items) < 2 or not all(self.is_title(i) for i in items):
                return head
            shares = sorted(((named(i), i) for i in items), reverse=True)
            if shares[0][0] <= 0 or shares[0][0] == shares[1][0]:
                return head
            head = shares[0][1]

    def quoted_heading(self, fact: Composition, best: int) -> int | None:
        """A bare heading quoted above the best sentence: the question asks for all under it."""
        return next(
            (u for u in fact.units if u != best and self.is_title(u) and self.contains(u, best)),
            None,
        )

    def introduced(self, unit_index: int) -> list[int]:
        """What a lead-in sentence ending in ":" introduces ("… các nội dung như:", "Nơi
        nhận:"): the bullets right after it, else the next paragraph, in its section."""
        if not self.index.unit_text(unit_index).rstrip().endswith(":"):
            return []
        unit = self.index.units[unit_index]
        after = [i for i in self._by_section[(unit.doc, unit.section)] if i > unit_index]
        bullets = []
        for i in after:
            if not self.index.units[i].bullet:
                break
            if self.index.units[i].order == 0:
                bullets.append(i)
        return bullets or after[:1]

    def with_introduced(self, fact: Composition) -> Composition | None:
        """The fact answer with what its quoted lead-in introduces right after it (a lead-in
        says nothing alone), or None when it quotes no lead-in."""
        for lead in fact.units:
            items = self.introduced(lead)
            if items:
                break
        else:
            return None
        following = self._items(items, LIST_BUDGET)
        quotes: list[Quote] = []
        for quote in fact.quotes:
            quotes += [self.whole(lead), *following] if quote.unit == lead else [quote]
        units = tuple(dict.fromkeys((*fact.units, *items)))
        return Composition(tuple(quotes), "list", units)

    def compose_list(self, heading_unit: int, items: list[int]) -> Composition:
        quotes = self._items(items, LIST_BUDGET + LIST_ITEM_MAX)
        return Composition(tuple(quotes), "list", (heading_unit, *items), head=heading_unit)

    def _items(self, items: list[int], budget: int) -> list[Quote]:
        """Items trimmed to their share of the list budget, as many as ``budget`` holds."""
        each = max(LIST_ITEM_MIN, min(LIST_ITEM_MAX, LIST_BUDGET // max(len(items), 1)))
        return _fit([self._trim(i, each) for i in items], budget)

    def opening(self, doc: str) -> Composition | None:
        """A document's title and opening paragraph (they come last in the letterhead)."""
        opening = [
            i
            for i in self._by_section.get((doc, PREAMBLE), [])
            if len(self.index.unit_text(i)) >= OPENING_MIN_CHARS
        ][-2:]
        quotes = tuple(self.whole(i) for i in opening)
        return Composition(quotes, "overview", tuple(opening)) if quotes else None

    # -- fact answers -----------------------------------------------------------
    def compose_fact(
        self,
        ranked: list[int],
        score: Callable[[int], float],
        adds_coverage: Callable[[list[int], int], float],
        clause_score: Callable[[str], float],
        reason: bool = False,
    ) -> Composition:
        """``adds_coverage(chosen, u)``: what unit u adds; ``clause_score(text)``: fit of a clause.

        With ``reason`` (a "why" question) the purpose statement that follows the best
        sentence in its paragraph ("Điều này nhằm bảo đảm …") is added.
        """
        best = ranked[0]
        chosen = [best]
        home = self.index.units[best]
        for candidate in ranked[1:8]:
            if len(chosen) >= MAX_FACT_QUOTES:
                break
            if score(candidate) < 0.8 * score(best):
                break
            unit = self.index.units[candidate]
            # A close neighbour in the same section usually finishes the thought
            # ("… báo cáo kết quả …" then "Báo cáo phải đầy đủ số liệu …").
            neighbour = (unit.doc, unit.section) == (home.doc, home.section) and score(
                candidate
            ) >= 0.9 * score(best)
            # A near tie elsewhere is shown too: better two sourced candidates than a wrong pick.
            near_tie = score(candidate) >= NEAR_TIE * score(best)
            if neighbour or near_tie or adds_coverage(chosen, candidate) > 0.05:
                chosen.append(candidate)
        if reason:
            purpose = self._purpose_after(best)
            if purpose is not None and purpose not in chosen:
                chosen.append(purpose)
        chosen.sort(key=lambda i: (self.index.units[i].doc, self.index.units[i].start))
        quotes = [self._best_part(i, clause_score) for i in chosen]
        return Composition(tuple(quotes), "fact", tuple(chosen))

    def _purpose_after(self, unit_index: int, reach: int = 3) -> int | None:
        """The next sentence of the same paragraph that states a purpose or a cause."""
        unit = self.index.units[unit_index]
        for nxt in range(unit_index + 1, min(unit_index + 1 + reach, len(self.index.units))):
            other = self.index.units[nxt]
            if other.paragraph != unit.paragraph or other.doc != unit.doc:
                return None
            if _PURPOSE.search(self.index.unit_text(nxt)):
                return nxt
        return None

    def _best_part(self, unit_index: int, clause_score: Callable[[str], float]) -> Quote:
        """The whole sentence if short; else the run of its pieces that fits and matches best."""
        unit = self.index.units[unit_index]
        if unit.end - unit.start <= FACT_SENTENCE_LIMIT:
            return Quote(unit_index, unit.start, unit.end, trimmed=False)
        text = self.index.documents[unit.doc].document.text
        pieces = _pieces(text, unit.start, unit.end)
        best_span, best_key = (unit.start, unit.end), None
        for i in range(len(pieces)):
            for j in range(i, len(pieces)):
                start, end = pieces[i][0], pieces[j][1]
                if end - start > FACT_SENTENCE_LIMIT:
                    break
                key = (clause_score(text[start:end]), end - start, -i)
                if best_key is None or key > best_key:
                    best_span, best_key = (start, end), key
        if best_key is None:  # one piece longer than the limit: keep its beginning
            return self._trim(unit_index, FACT_SENTENCE_LIMIT)
        start, end = best_span
        return Quote(unit_index, start, end, trimmed=end < unit.end, cut_before=start > unit.start)

    def whole(self, unit_index: int) -> Quote:
        unit = self.index.units[unit_index]
        return Quote(unit_index, unit.start, unit.end, trimmed=False)

    def _trim(self, unit_index: int, limit: int) -> Quote:
        unit: Unit = self.index.units[unit_index]
        if unit.end - unit.start <= limit:
            return Quote(unit_index, unit.start, unit.end, trimmed=False)
        text = self.index.documents[unit.doc].document.text
        window = text[unit.start : unit.start + limit]
        cuts = [m.start() for m in _CUT.finditer(window) if m.start() >= limit * 0.4]
        cut = cuts[-1] if cuts else window.rstrip().rfind(" ")
        end = unit.start + (cut if cut > 0 else limit)
        return Quote(unit_index, unit.start, end, trimmed=True)


def _no_sentence_end(text: str) -> bool:
    return not text.rstrip().endswith((".", "!", "?", "…", ":", ";"))


def _fit(quotes: list[Quote], budget: int) -> list[Quote]:
    kept, used = [], 0
    for q in quotes:
        length = q.end - q.start
        if kept and used + length > budget:
            break
        kept.append(q)
        used += length
    return kept


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence cut after each ";", "," or ":" (the cut mark stays with its piece)."""
    pieces, pos = [], start
    for match in _PIECE_END.finditer(text, start, end):
        pieces.append((pos, match.end()))
        pos = match.end()
        while pos < end and text[pos].isspace():
            pos += 1
    if pos < end:
        pieces.append((pos, end))
    return pieces
