"""Quotes as spans of a document: whole sentences, or a sentence cut to fit.

A cut quote is a prefix (or a run of clauses) that ends on a clause or comma boundary
and is shown with "…"; it is never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.documents.segment import Unit, split_after
from bot.retrieval.index import SearchIndex

FACT_SENTENCE_LIMIT = 600  # longer sentences are cut to their best clause
LIST_BUDGET = 1650  # characters for all items of a list answer (Zalo allows 2,000 in all)

_CUT = re.compile(r"[;,:](?=\s)|\s[-–]\s")
_PIECE_END = re.compile(r"[;,:](?=\s)")


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


class Quoting:
    """Spans of the index's sentences; the composer builds answers from them."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self._by_section: dict[tuple[str, str], list[int]] = {}
        for i, unit in enumerate(index.units):
            self._by_section.setdefault((unit.doc, unit.section), []).append(i)

    def best_part(self, unit_index: int, clause_score: Callable[[str], float]) -> Quote:
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
            return self.trim(unit_index, FACT_SENTENCE_LIMIT)
        start, end = best_span
        return Quote(unit_index, start, end, trimmed=end < unit.end, cut_before=start > unit.start)

    def whole(self, unit_index: int) -> Quote:
        unit = self.index.units[unit_index]
        return Quote(unit_index, unit.start, unit.end, trimmed=False)

    def trim(self, unit_index: int, limit: int) -> Quote:
        unit: Unit = self.index.units[unit_index]
        if unit.end - unit.start <= limit:
            return Quote(unit_index, unit.start, unit.end, trimmed=False)
        text = self.index.documents[unit.doc].document.text
        window = text[unit.start : unit.start + limit]
        cuts = [m.start() for m in _CUT.finditer(window) if m.start() >= limit * 0.4]
        cut = cuts[-1] if cuts else window.rstrip().rfind(" ")
        end = unit.start + (cut if cut > 0 else limit)
        return Quote(unit_index, unit.start, end, trimmed=True)


def fit(quotes: list[Quote], budget: int) -> list[Quote]:
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
    return split_after(_PIECE_END, text, start, end)
