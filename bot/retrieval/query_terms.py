"""The question's search terms: shorthand expanded, words segmented, synonyms added.

Each question word becomes a term on the folded field (tone marks ignored) and, when
typed with tone marks, on the accented field too; runs of words are segmented into
dictionary words; abbreviations, synonyms and the English glossary add the document's
own words. ``Term`` records each content word for judging coverage.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from bot.retrieval.lexical import ACCENTED, BIGRAM, FOLDED
from bot.vietnamese.language import Language
from bot.vietnamese.lexicon import Expansion, Lexicon
from bot.vietnamese.text import bigrams, canonical_tone, fold, has_diacritics, tokens


@dataclass(frozen=True)
class Term:
    """A content word (or glossary phrase) of the question, used to judge coverage."""

    folded: str  # folded words, space-joined
    accented: str | None  # the citizen's accented spelling, when typed with tone marks
    alternatives: tuple[str, ...]  # folded document phrases that count as the same thing


class Corpus(Protocol):
    """What the question analysis needs to know about the documents' words."""

    def is_word(self, a: str, b: str) -> bool:
        """Two folded syllables form a word the documents use."""
        ...

    def has_content_word(self, folded: str) -> bool:
        """Some content word of the documents folds to these letters ("ha" ← "Hà")."""
        ...

    def content_terms(self, terms: Iterable[Term]) -> list[Term]:
        """The terms that say what is asked, not which document it is asked of."""
        ...


class _NoCorpus:
    def is_word(self, a: str, b: str) -> bool:
        return False

    def has_content_word(self, folded: str) -> bool:
        return False

    def content_terms(self, terms: Iterable[Term]) -> list[Term]:
        return list(terms)


def _expand_shorthand(text: str, lexicon: Lexicon) -> tuple[list[str], list[Expansion]]:
    """Words with shorthand written out, and the abbreviations that carry meaning."""
    words: list[str] = []
    found: list[Expansion] = []
    for token in re.findall(r"\d+(?:[.,]\d+)*%?|[^\W\d_]+(?:&[^\W\d_]+)?\d*", text):
        expansion = lexicon.abbreviation(token)
        if expansion is None:
            words.append(token.lower())
            continue
        expanded = [canonical_tone(t) for t in tokens(expansion)]
        start = len(words)
        words.extend(expanded)
        if not all(w in lexicon.stopwords_vi for w in expanded):
            phrase = " ".join(fold(w) for w in expanded)
            found.append(Expansion(phrase, start, len(words), (expansion, token.lower())))
    return words, found


def is_stopword(word: str, lexicon: Lexicon, language: Language) -> bool:
    """A function word (typed without tone marks: anything that folds like one)."""
    if language == "en":
        return word in lexicon.stopwords_en
    if has_diacritics(word):
        return word in lexicon.stopwords_vi
    return word in _folded_stopwords(lexicon)


# "Phần tổ chức thực hiện gồm những gì", "trong mục đối ngoại": the word points at a part
# of the document, it is not what the question is about. Typed without tone marks "phan"
# may be "phân" too, but then it is mostly part of a word ("phân công", "phân cấp").
_PART_WORDS = frozenset({"phần", "mục"})
_PART_WORDS_FOLDED = frozenset(fold(w) for w in _PART_WORDS)


def names_a_part(word: str) -> bool:
    lowered = word.lower()
    return lowered in _PART_WORDS or (not has_diacritics(word) and lowered in _PART_WORDS_FOLDED)


_FOLDED_STOP_CACHE: dict[int, frozenset[str]] = {}


def _folded_stopwords(lexicon: Lexicon) -> frozenset[str]:
    cached = _FOLDED_STOP_CACHE.get(id(lexicon))
    if cached is None:
        cached = frozenset(fold(w) for w in lexicon.stopwords_vi)
        _FOLDED_STOP_CACHE[id(lexicon)] = cached
    return cached


def _terms(
    words: list[str],
    folded: list[str],
    expansions: list[Expansion],
    language: Language,
    lexicon: Lexicon,
    corpus: Corpus,
) -> tuple[list[Term], dict[str, float]]:
    lexical: dict[str, float] = {}

    def add(term: str, weight: float) -> None:
        lexical[term] = max(lexical.get(term, 0.0), weight)

    spans = lexicon.framing_spans(folded) if language != "en" else []
    framing = {j for start, end in spans for j in range(start, end)}
    stop = {i for i, w in enumerate(words) if is_stopword(w, lexicon, language)}
    # Typed without tone marks, "ban" may be "bạn" or "Ban": such words do not count as
    # what the question is about, but still help ranking when the documents use them.
    for i in stop:
        if (
            language != "en"
            and not has_diacritics(words[i])
            and words[i] not in lexicon.stopwords_vi
        ) and corpus.has_content_word(folded[i]):
            add(FOLDED + folded[i], 0.5)
    # A synonym phrase inside a longer framing one frames the question too ("gồm những nội
    # dung gì"); one that is all of it still counts ("làm gì" → "nhiệm vụ").
    expansion_at = {
        e.start: e
        for e in expansions
        if not any(
            start <= e.start and e.end <= end and end - start > e.end - e.start
            for start, end in spans
        )
    }
    terms: list[Term] = []
    seen: set[str] = set()

    def keep(term: Term) -> None:
        if term.folded not in seen:
            seen.add(term.folded)
            terms.append(term)

    sizes: dict[int, int] = {}
    if language != "en":
        # Segment each run of words between synonym phrases into dictionary words.
        boundaries = sorted(
            {0, len(words), *(e.start for e in expansions), *(e.end for e in expansions)}
        )
        for lo, hi in itertools.pairwise(boundaries):
            if lo in expansion_at:
                continue
            pos = lo
            for size in _segment(lo, hi, folded, framing, stop, lexicon, corpus):
                sizes[pos] = size
                pos += size
    i = 0
    while i < len(words):
        exp = expansion_at.get(i)
        if exp is not None:
            _add_expansion(exp, words, language, lexicon, add, keep)
            i = exp.end
            continue
        if i in framing:
            i += 1
            continue
        if language == "en":
            if i not in stop:
                # An English word the glossary does not know cannot match the Vietnamese text;
                # it still counts against coverage ("weather", "forecast").
                add(FOLDED + folded[i], 1.0)  # names and numbers ("2045", "GRDP") do match
                keep(Term(folded[i], None, ()))
            i += 1
            continue
        size = sizes.get(i, 1)
        span = range(i, i + size)
        if size == 1 and (i in stop or names_a_part(words[i])):
            i += 1
            continue
        for j in span:
            if j not in stop:
                add(FOLDED + folded[j], 1.0)
                if has_diacritics(words[j]):
                    add(ACCENTED + words[j], 0.6)
        typed = " ".join(words[j] for j in span)
        keep(Term(" ".join(folded[j] for j in span), typed if has_diacritics(typed) else None, ()))
        i += size
    if language != "en":
        kept = {folded[j] for j in range(len(words)) if j not in stop and j not in framing}
        for bg in bigrams(folded):
            a, b = bg.split("_")
            if a in kept or b in kept:
                add(BIGRAM + bg, 0.8)
    return terms, lexical


def _segment(
    start: int,
    stop_at: int,
    folded: list[str],
    framing: set[int],
    stop: set[int],
    lexicon: Lexicon,
    corpus: Corpus,
) -> list[int]:
    """Word lengths covering folded[start:stop_at].

    Dynamic programming over dictionary words: longer words score more, and words the
    documents use win ties, so "có thể chế" splits as "có | thể chế", not "có thể | chế".
    """
    n = stop_at - start
    best: list[tuple[float, list[int]]] = [(0.0, [])] + [(-1.0, [])] * n
    for i in range(n):
        score, sizes = best[i]
        if score < 0:
            continue
        for size in (1, 2, 3, 4):
            j = i + size
            if j > n:
                break
            span = range(start + i, start + j)
            key = tuple(folded[start + i : start + j])
            if size > 1:
                if any(k in framing for k in span) or all(k in stop for k in span):
                    continue
                if key not in lexicon.dictionary:
                    continue
                # Among dictionary words, those the documents use break ties.
                gain = size * size + (0.5 if size == 2 and corpus.is_word(*key) else 0.0)
            else:
                gain = 1.0
            if score + gain > best[j][0]:
                best[j] = (score + gain, [*sizes, size])
    return best[n][1]


def _add_expansion(exp, words, language, lexicon, add, keep) -> None:
    alternatives = tuple(" ".join(fold(t) for t in tokens(target)) for target in exp.targets)
    typed = " ".join(words[exp.start : exp.end])
    keep(
        Term(
            exp.phrase, typed if language != "en" and has_diacritics(typed) else None, alternatives
        )
    )
    if language != "en":
        for w in words[exp.start : exp.end]:
            add(FOLDED + fold(w), 1.0)
            if has_diacritics(w):
                add(ACCENTED + w, 0.6)
    weight = 1.0 if language == "en" else 0.6
    for target in exp.targets:
        target_words = [canonical_tone(t) for t in tokens(target)]
        target_folded = [fold(t) for t in target_words]
        for tw, tf in zip(target_words, target_folded, strict=True):
            if not is_stopword(tw, lexicon, "vi"):
                add(FOLDED + tf, weight)
                add(ACCENTED + tw, weight * 0.5)
        for bg in bigrams(target_folded):
            add(BIGRAM + bg, weight)
