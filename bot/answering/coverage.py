"""How much of a question the chosen sentences actually speak to.

Each content term of the question weighs by its rarity in the documents (IDF): a
question about "giá vàng" that only shares "Hà Nội" with a sentence is not answered
by it. A term counts as found when it, or a synonym the lexicon lists for it, appears
in the sentence or its heading path. When the citizen typed tone marks and only the
unaccented letters match ("dần" for "dân"), the term counts for less.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable

from bot.documents.structure import PREAMBLE, SIGNATURE
from bot.retrieval.index import SearchIndex
from bot.retrieval.lexical import BIGRAM
from bot.retrieval.query_terms import Term
from bot.vietnamese.lexicon import Lexicon
from bot.vietnamese.text import accented_tokens, fold, folded_tokens

MAX_WEIGHT = 6.0
TONE_MISMATCH_CREDIT = 0.2  # "lần" typed with its mark is not "lan" (lan tỏa)


class CoverageJudge:
    def __init__(self, index: SearchIndex, lexicon: Lexicon) -> None:
        self._bm25 = index.unit_bm25
        # Words of a document's name and title ("Kế hoạch … thông tin, tuyên truyền …")
        # only say which document the question is about: "mục đích của Kế hoạch …" must
        # find "mục đích", not "Kế hoạch", so such terms do not count either way.
        names = [
            f"{d.document.meta.citation_name} {d.document.meta.title}"
            for d in index.documents.values()
        ]
        self._identity = [(_folded_text(n), _accented_text(n)) for n in names]
        accented = [accented_tokens(ctx) for ctx in index.unit_context]
        self._accented = [f" {' '.join(words)} " for words in accented]
        self._folded = [f" {' '.join(fold(w) for w in words)} " for words in accented]
        # The nearest heading of each sentence: the strongest sign of what it is about.
        headings = [_own_heading(index, u) for u in index.units]
        self._headings = [_folded_text(h) for h in headings]
        self._headings_accented = [_accented_text(h) for h in headings]
        self._weights: dict[str, float] = {}
        self._content_folds = frozenset(
            fold(w) for words in accented for w in words if w not in lexicon.stopwords_vi
        )

    def has_content_word(self, folded: str) -> bool:
        return folded in self._content_folds

    def is_word(self, a: str, b: str) -> bool:
        return self._bm25.document_frequency(f"{BIGRAM}{a}_{b}") >= 2

    def weight(self, term: Term) -> float:
        """IDF of the term over the sentences; absent from the documents → the highest.

        A citizen's word with synonyms weighs as the commonest document word it stands
        for: "kẹt xe" is as specific as "ùn tắc giao thông", not as rare as itself.
        """
        weight = self._phrase_idf(term.folded)
        if term.alternatives:
            weight = min(weight, max(self._phrase_idf(a) for a in term.alternatives))
        return weight

    def _phrase_idf(self, phrase: str) -> float:
        cached = self._weights.get(phrase)
        if cached is None:
            needle = f" {phrase} "
            df = sum(1 for context in self._folded if needle in context)
            n = len(self._folded)
            cached = min(math.log(1.0 + (n - df + 0.5) / (df + 0.5)), MAX_WEIGHT)
            self._weights[phrase] = cached
        return cached

    def found(self, term: Term, unit: int) -> float:
        return _credit(term, self._folded[unit], lambda: self._accented[unit])

    def heading_coverage(self, terms: Iterable[Term], unit: int) -> float:
        """Share of the question found in the sentence's own heading ("Mục đích", "Đảng ủy HĐND…")."""
        accented = self._headings_accented[unit]
        return self._coverage_in(terms, self._headings[unit], lambda: accented)

    def coverage_of_text(self, terms: Iterable[Term], text: str) -> float:
        return self._coverage_in(terms, _folded_text(text), lambda: _accented_text(text))

    def _coverage_in(
        self, terms: Iterable[Term], folded: str, accented: Callable[[], str]
    ) -> float:
        # The accented text is built at most once, and only when a word typed with tone
        # marks matches folded: the composer scores many clauses.
        once = functools.cache(accented)
        total = found = 0.0
        for term in terms:
            w = self.weight(term)
            total += w
            found += w * _credit(term, folded, once)
        return found / total if total else 0.0

    def unknown(self, terms: Iterable[Term]) -> list[Term]:
        """Terms that no sentence of the documents contains, even through a synonym."""
        return [t for t in terms if not any(self.found(t, u) for u in range(len(self._folded)))]

    def is_identity(self, term: Term) -> bool:
        """A word of a document's name, as typed: "ký" (sign) is not the "kỷ" of "kỷ
        nguyên mới" in the title, though "ky" typed without marks may be either."""
        return any(
            _credit(term, folded, lambda accented=accented: accented) >= 1.0
            for folded, accented in self._identity
        )

    def content_terms(self, terms: Iterable[Term]) -> list[Term]:
        """The terms that say what is asked, not which document it is asked of."""
        return [t for t in terms if not self.is_identity(t)]

    def coverage(self, terms: Iterable[Term], units: Iterable[int]) -> float:
        units = list(units)
        total = found = 0.0
        for term in terms:
            w = self.weight(term)
            total += w
            found += w * max((self.found(term, u) for u in units), default=0.0)
        return found / total if total else 0.0


def _credit(term: Term, folded: str, accented: Callable[[], str]) -> float:
    """1 when the term (or a synonym) is in the folded text; little when only its letters
    are, typed with tone marks the text does not have ("Phần" is not "Phân công")."""
    if f" {term.folded} " in folded:
        if term.accented and f" {term.accented} " not in accented():
            return TONE_MISMATCH_CREDIT
        return 1.0
    return 1.0 if any(f" {alt} " in folded for alt in term.alternatives) else 0.0


def _folded_text(text: str) -> str:
    return f" {' '.join(folded_tokens(text))} "


def _accented_text(text: str) -> str:
    return f" {' '.join(accented_tokens(text))} "


def _own_heading(index: SearchIndex, unit) -> str:
    """The name a section gives itself: a title-only heading, or the part before ":".

    Numbered items whose "heading" is a whole sentence (the ten forms under III) have
    no name of their own.
    """
    if unit.section in {PREAMBLE, SIGNATURE}:
        return ""
    title = " ".join(index.section(unit.doc, unit.section).title.split())
    head, colon, _ = title.partition(":")
    if colon and len(head) <= 100:
        return head
    if len(title) <= 150 and not title.rstrip().endswith((".", ";", "!", "?")):
        return title
    return ""
