"""Turn a citizen's question into what the retrievers need.

The same tokeniser as the index is used. Each question word becomes a search term on
the folded field (tone marks ignored) and, when the citizen typed tone marks, also on
the accented field, so "dân" still ranks "dân" above "dần". Shorthand is expanded
(abbreviations.tsv); synonyms and the English glossary add the document's own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.vietnamese.language import Language, detect_language
from bot.vietnamese.lexicon import Expansion, Lexicon
from bot.vietnamese.text import bigrams, canonical_tone, fold, has_diacritics, tokens

FOLDED, ACCENTED, BIGRAM = "f:", "a:", "b:"

_NUMBER_QUESTION = re.compile(
    r"\b(bao nhieu|bn|may (nam|thang|ngay|tin|phan tram|%)|so may|nam nao|ngay nao|thang nao|thang may|"
    r"nam may|khi nao|bao gio|luc nao|ty le|phan tram|how many|how much|what percentage|what share|"
    r"what rate|growth rate|when|what date|which year|what year|which month)\b"
)
_LIST_QUESTION = re.compile(
    r"\b(nhung|cac|gom|ke ten|liet ke|bao gom|nhom|hinh thuc nao|which|what are|list|forms|ways|kinds)\b"
)


@dataclass(frozen=True)
class Term:
    """A content word (or glossary phrase) of the question, used to judge coverage."""

    folded: str  # folded words, space-joined
    accented: str | None  # the citizen's accented spelling, when typed with tone marks
    alternatives: tuple[str, ...]  # folded document phrases that count as the same thing


@dataclass(frozen=True)
class Query:
    text: str
    language: Language
    dense_text: str  # what the embedding model reads
    lexical: dict[str, float]  # index term → weight
    terms: tuple[Term, ...]
    wants_number: bool
    wants_list: bool


def analyze(text: str, lexicon: Lexicon, is_word: Callable[[str, str], bool] | None = None) -> Query:
    """``is_word(a, b)`` tells whether two folded syllables form a word of the corpus."""
    language = detect_language(text, lexicon)
    raw = re.findall(r"[^\W_]+(?:[.,/%][^\W_]+)*%?|&", text)
    words = lexicon.expand_abbreviations(raw) if language != "en" else [t.lower() for t in tokens(text)]
    words = [canonical_tone(w) for w in words if w != "&"]
    folded = [fold(w) for w in words]
    folded_question = " ".join(folded)

    mapping = lexicon.english if language == "en" else lexicon.synonyms
    expansions = lexicon.find_phrases(folded, mapping)
    terms, lexical = _terms(words, folded, expansions, language, lexicon, is_word or _never)

    dense_words = list(words)
    if language == "en":
        dense_text = " ".join(words)
    else:
        dense_text = " ".join(dense_words)
    return Query(
        text=text,
        language=language,
        dense_text=dense_text,
        lexical=lexical,
        terms=tuple(terms),
        wants_number=bool(_NUMBER_QUESTION.search(folded_question)),
        wants_list=bool(_LIST_QUESTION.search(folded_question)),
    )


def _never(a: str, b: str) -> bool:
    return False


def is_stopword(word: str, lexicon: Lexicon, language: Language) -> bool:
    if language == "en":
        return word in lexicon.stopwords_en
    if has_diacritics(word):
        return word in lexicon.stopwords_vi
    return word in _folded_stopwords(lexicon)


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
    is_word: Callable[[str, str], bool],
) -> tuple[list[Term], dict[str, float]]:
    lexical: dict[str, float] = {}

    def add(term: str, weight: float) -> None:
        lexical[term] = max(lexical.get(term, 0.0), weight)

    covered: dict[int, Expansion] = {}
    for exp in expansions:
        for i in range(exp.start, exp.end):
            covered[i] = exp

    terms: list[Term] = []
    seen: set[str] = set()
    framing = lexicon.framing_positions(folded) if language != "en" else set()
    content_positions = [
        i for i, w in enumerate(words) if i not in framing and not is_stopword(w, lexicon, language)
    ]
    content = set(content_positions)
    merged_into_previous: set[int] = set()
    for i in content_positions:
        if i in merged_into_previous:
            continue
        word, f = words[i], folded[i]
        exp = covered.get(i)
        nxt = i + 1
        if (
            language != "en"
            and exp is None
            and nxt in content
            and nxt not in covered
            and is_word(f, folded[nxt])
        ):
            # Two syllables that form a word of the documents count as one term ("thu nhập").
            merged_into_previous.add(nxt)
            add(FOLDED + f, 1.0)
            add(FOLDED + folded[nxt], 1.0)
            for w in (word, words[nxt]):
                if has_diacritics(w):
                    add(ACCENTED + w, 0.6)
            pair = f"{f} {folded[nxt]}"
            if pair not in seen:
                seen.add(pair)
                accented = f"{word} {words[nxt]}" if has_diacritics(word + words[nxt]) else None
                terms.append(Term(pair, accented, ()))
            continue
        if language == "en" and exp is None:
            # An English word the glossary does not know: it cannot match the Vietnamese
            # text, but it still counts against coverage ("weather", "forecast").
            if f not in seen:
                terms.append(Term(f, None, ()))
                seen.add(f)
            add(FOLDED + f, 1.0)  # names and numbers ("2045", "GRDP") do match
            continue
        if language != "en":
            add(FOLDED + f, 1.0)
            if has_diacritics(word):
                add(ACCENTED + word, 0.6)
        if exp is not None:
            if exp.phrase in seen:
                continue
            seen.add(exp.phrase)
            alternatives = tuple(" ".join(fold(t) for t in tokens(target)) for target in exp.targets)
            accented = " ".join(words[exp.start : exp.end]) if any(has_diacritics(w) for w in words[exp.start : exp.end]) else None
            terms.append(Term(exp.phrase, accented if language != "en" else None, alternatives))
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
        elif f not in seen:
            seen.add(f)
            terms.append(Term(f, word if has_diacritics(word) else None, ()))
    if language != "en":
        kept = [folded[i] for i in content_positions]
        for bg in bigrams(folded):
            a, b = bg.split("_")
            if a in kept or b in kept:
                add(BIGRAM + bg, 0.8)
    return terms, lexical
