"""Choose what to quote: a few sentences (or list items) from the best-matching place.

Two shapes of answer:
- a fact (``facts``): the best sentence, plus what completes it;
- a list: when the best match is a heading ("05 quan điểm phát triển", "Đảng ủy HĐND
  Thành phố"), the answer is what sits under it: the first sentence of each
  subsection or bullet (with the sentence that leads into the bullets), sub-headings
  followed by their own few items, all trimmed to share the budget.
Every quote is a span of the document (see ``quoting``).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.answering.facts import FactComposer
from bot.answering.quoting import (
    FACT_SENTENCE_LIMIT,
    LIST_BUDGET,
    Composition,
    Quote,
    fit,
)
from bot.documents.passages import short_title
from bot.documents.structure import PREAMBLE, within

LIST_OVERRUN = 400  # a list of many short-cut items may run this far past the budget
EXPANDED_MAX_ITEMS = 12  # sub-headings with their items; more stay a table of contents
LIST_ITEM_MIN = 90  # many items: each shorter, none dropped
OPENING_MIN_CHARS = 60  # shorter letterhead lines (number, date) are not the opening


class Composer(FactComposer):
    # -- list answers -----------------------------------------------------------
    def headings_above(self, unit_index: int, levels: int | None = 2) -> list[int]:
        """Title units of the sentence's section and of its parents (``levels`` sections
        in all; None: every one up to the top of the outline)."""
        unit = self.index.units[unit_index]
        found = []
        section: str | None = unit.section
        climbed = 0
        while levels is None or climbed < levels:
            climbed += 1
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
            # A sentence before the bullets says what they are for ("Lãnh đạo UBND Thành phố
            # xây dựng, ban hành Kế hoạch chỉ đạo …:"): it is part of the answer.
            # So do the paragraphs that carry a bullet on ("Nhấn mạnh … tỷ trọng kinh tế số").
            return [i for i in members if self.index.units[i].order == 0]
        return members

    def named_child(self, heading_unit: int, named: Callable[[int], tuple[float, float]]) -> int:
        """The heading to enumerate: when its items are headings ("I. MỤC ĐÍCH, YÊU CẦU" →
        "1. Mục đích", "2. Yêu cầu"), the one the question clearly names best (``named``:
        the share of what it asks, then of all its words, the document's name included),
        unless it names the heading itself more ("mục đích, yêu cầu" is all of I; "nội
        dung tuyên truyền" is II, "NỘI DUNG THÔNG TIN, TUYÊN TRUYỀN…", not its part
        "Những nội dung cơ bản…", though "tuyên truyền" is also the plan's name)."""
        head = heading_unit
        while True:
            items = self.list_items(head)
            if len(items) < 2 or not all(self.is_title(i) for i in items):
                return head
            shares = sorted(((named(i), i) for i in items), reverse=True)
            if shares[0][0][0] <= 0 or shares[0][0] == shares[1][0] or shares[0][0] < named(head):
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
            if quote.unit in items:
                continue  # shown after its lead-in
            quotes += [self.whole(lead), *following] if quote.unit == lead else [quote]
        units = tuple(dict.fromkeys((*fact.units, *items)))
        return Composition(tuple(quotes), "list", units)

    def compose_list(self, heading_unit: int, items: list[int]) -> Composition:
        items = self._expanded(items)
        # A heading that states its content after ":" ("Những nội dung cơ bản …: Quan điểm,
        # mục tiêu, …") is quoted whole first: the lead-in shows only its name.
        title = self.index.section(
            self.index.units[heading_unit].doc, self.index.units[heading_unit].section
        ).title
        stated = short_title(title) != " ".join(title.split())
        shown = [heading_unit, *items] if stated else items
        quotes = self._items(shown, LIST_BUDGET + LIST_OVERRUN)
        return Composition(tuple(quotes), "list", (heading_unit, *items), head=heading_unit)

    def _expanded(self, items: list[int]) -> list[int]:
        """Sub-headings each followed by what they open ("1. Mục đích", "2. Yêu cầu" and
        their bullets; "1. … sự cần thiết …", "2. Những nội dung cơ bản …" and its three
        parts): their names alone say little. So is a bare name among whole items ("2.1.
        Ban Tuyên giáo và Dân vận Thành ủy" beside "2.2. Ủy ban Kiểm tra Thành ủy chủ trì
        …"). Larger trees stay a table of contents."""
        titles = [self.is_title(i) for i in items]
        below = [self.list_items(i) if t else [] for i, t in zip(items, titles, strict=True)]
        if not any(below) or any(t and not b for t, b in zip(titles, below, strict=True)):
            return items
        if len(items) + sum(len(b) for b in below) > EXPANDED_MAX_ITEMS:
            return items
        return [unit for i, b in zip(items, below, strict=True) for unit in (i, *b)]

    def _items(self, items: list[int], budget: int) -> list[Quote]:
        """Items trimmed to share the list budget, as many as ``budget`` holds. Short items
        keep their words and leave the rest of the budget to the long ones."""
        limits = self._shares(items)
        return fit([self.trim(i, limit) for i, limit in zip(items, limits, strict=True)], budget)

    def _shares(self, items: list[int]) -> list[int]:
        """Each item's length limit: whole when all fit; else the short ones whole and the
        long ones an equal share of what is left (at least ``LIST_ITEM_MIN``)."""
        lengths = [self.index.units[i].end - self.index.units[i].start for i in items]
        if sum(lengths) <= LIST_BUDGET:
            return lengths
        left, open_items = LIST_BUDGET, len(items)
        for length in sorted(lengths):
            if length > left // open_items:
                break
            left -= length
            open_items -= 1
        each = max(LIST_ITEM_MIN, min(FACT_SENTENCE_LIMIT, left // max(open_items, 1)))
        return [min(length, each) for length in lengths]

    def opening(self, doc: str) -> Composition | None:
        """A document's title and opening paragraph (they come last in the letterhead)."""
        opening = [
            i
            for i in self._by_section.get((doc, PREAMBLE), [])
            if len(self.index.unit_text(i)) >= OPENING_MIN_CHARS
        ][-2:]
        quotes = tuple(self.whole(i) for i in opening)
        return Composition(quotes, "overview", tuple(opening)) if quotes else None
