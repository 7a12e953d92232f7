"""How well a question matches one approved officer answer: the features the officer
answer model (officer_match.json) weighs.

An officer answer is served only when it answers the question, so beside "about the same
thing" (shared rare words, the model's vectors) the features look for what makes a near
miss: a place the answer is not about, words of the question the answer never uses.
"""

from __future__ import annotations

import math
from dataclasses import astuple, dataclass
from functools import cache
from importlib import resources

import numpy as np

from bot.answering.officer_details import missing_details
from bot.retrieval.query_terms import Term
from bot.vietnamese.text import fold, folded_tokens

PLACES_FILE = resources.files("bot.vietnamese") / "data" / "places_hanoi.txt"
UNIT_WORDS = ("phuong ", "xa ", "quan ", "huyen ", "thi xa ", "thi tran ")
_SHORT_PREFIX = {"phuong ": "p ", "xa ": "x "}  # "P. Láng", "X. Bình Minh"


def padded(text: str) -> str:
    return f" {' '.join(folded_tokens(text))} "


@cache
def _listed() -> tuple[tuple[str, str], ...]:
    """Each listed name, folded, with the prefix the file writes it with ("phuong " for
    "phường Láng"; "" for "Phương Liệt", which only folds like one)."""
    listed = []
    for line in PLACES_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            first = line.split()[0]
            prefix = padded(first).lstrip() if first.lower() in ("phường", "xã") else ""
            listed.append((padded(line).strip(), prefix))
    return tuple(listed)


@cache
def known_places() -> frozenset[str]:
    """The listed names as a question may write them: a name listed with its prefix (an
    everyday word too: "phường Láng", not "làng") counts only with it, written out or "P."."""
    names = set()
    for name, prefix in _listed():
        names.add(name)
        if prefix:
            names.add(_SHORT_PREFIX[prefix] + name[len(prefix) :])
    return frozenset(names)


@cache
def _prefix_needed() -> frozenset[str]:
    return frozenset(name[len(prefix) :] for name, prefix in _listed() if prefix)


def _without_prefix(name: str) -> str:
    for word in UNIT_WORDS:
        if name.startswith(word):
            return name[len(word) :]
    return name


def place_of(unit: str) -> str:
    """ "Phường Hoàn Kiếm" → "hoan kiem": how a question names the unit ("phuong lang"
    keeps its prefix: see ``known_places``)."""
    name = padded(unit).strip()
    bare = _without_prefix(name)
    return name if bare in _prefix_needed() else bare


def places_in(folded: str, names: frozenset[str]) -> set[str]:
    """The places ``folded`` names, as an answer writes them ("p lang" → "phuong lang")."""
    return {_written_out(n) for n in names if f" {n} " in folded}


def _written_out(name: str) -> str:
    for written, short in _SHORT_PREFIX.items():
        if name.startswith(short):
            return written + name[len(short) :]
    return name


@dataclass(frozen=True)
class Side:
    """What one officer answer offers for matching (computed once, when it is installed)."""

    folded: str  # questions, answer and unit, folded and padded with spaces
    question_texts: tuple[str, ...]  # each sample question folded and padded
    answer: str  # the answer text folded, its punctuation kept (times, prices, links)


def side_of(questions: tuple[str, ...], answer: str, unit: str) -> Side:
    asked = tuple(padded(q) for q in questions)
    everything = " ".join((*asked, padded(answer), padded(unit)))
    return Side(f" {' '.join(everything.split())} ", asked, fold(answer))


@dataclass(frozen=True)
class MatchFeatures:
    lexical: float  # BM25 of the question against the answer's texts
    lexical_share: float  # … over the best answer's (1 for the best)
    lexical_next: float  # the best other answer's, over the best (two alike: unsure)
    lexical_questions: float  # BM25 against the sample questions alone
    dense: float  # best cosine of the question with a sample question
    dense_margin: float  # over the best other officer answer
    dense_answer: float  # cosine with the answer text
    cover: float  # share of the question's words (weighted) found in the answer's texts
    cover_question: float  # … in its best sample question alone
    back_cover: float  # share of that sample question's words the question has
    unknown_place: float  # the question names a place the answer does not
    missing_max: float  # the heaviest question word the answer's texts never use
    short: float  # 1 / √(content words): short questions match by chance
    detail_missing: float  # share of the details asked (a fee, an hour…) the answer lacks

    def vector(self) -> np.ndarray:
        return np.array(astuple(self), dtype=np.float64)


NAMES = tuple(MatchFeatures.__dataclass_fields__)


def found_in(term: Term, folded: str) -> bool:
    return f" {term.folded} " in folded or any(f" {a} " in folded for a in term.alternatives)


def covered(terms: list[Term], weights: list[float], folded: str) -> float:
    total = sum(weights)
    found = sum(w for t, w in zip(terms, weights, strict=True) if found_in(t, folded))
    return found / total if total else 0.0


def back_covered(question: str, query_words: frozenset[str], stopwords: frozenset[str]) -> float:
    words = [w for w in question.split() if w not in stopwords]
    return sum(w in query_words for w in words) / len(words) if words else 0.0


@dataclass(frozen=True)
class Scores:
    """One candidate's scores among all officer answers, for one question."""

    lexical: float
    lexical_best: float
    lexical_next: float
    lexical_questions: float
    dense: float
    dense_margin: float
    dense_answer: float


def features(
    scores: Scores,
    terms: list[Term],
    weights: list[float],
    query_folded: str,
    mentioned: set[str],
    side: Side,
    best_question: int,
    stopwords: frozenset[str],
) -> MatchFeatures:
    question = side.question_texts[best_question]
    absent = [w for t, w in zip(terms, weights, strict=True) if not found_in(t, side.folded)]
    best = max(scores.lexical_best, 1e-9)
    return MatchFeatures(
        lexical=scores.lexical,
        lexical_share=scores.lexical / best,
        lexical_next=scores.lexical_next / best,
        lexical_questions=scores.lexical_questions,
        dense=scores.dense,
        dense_margin=scores.dense_margin,
        dense_answer=scores.dense_answer,
        cover=covered(terms, weights, side.folded),
        cover_question=covered(terms, weights, question),
        back_cover=back_covered(question, frozenset(query_folded.split()), stopwords),
        unknown_place=float(any(f" {p} " not in side.folded for p in mentioned)),
        missing_max=max(absent, default=0.0),
        short=1.0 / math.sqrt(max(len(terms), 1)),
        detail_missing=missing_details(query_folded, side.answer),
    )
