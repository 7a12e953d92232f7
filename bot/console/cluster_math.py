"""Grouping unanswered questions by meaning: the arithmetic, without I/O (runs in a thread).

A question is first stripped of its polite opening and closing ("cho em hỏi …", "… ạ");
what is then the same once tone marks, case and punctuation are gone ("giá vàng hôm nay?"
/ "gia vang hom nay") is one item: it always lands in one cluster and is embedded once.
Two items are as similar as a weighted sum of two cosines: their folded words and word
pairs (TF-IDF) and, when both were typed with tone marks, their e5 vectors (rescaled so
that two unrelated questions score about 0). The model reads Vietnamese without tone
marks as another language: on the benchmark (``scripts/bench.py clusters --compare``)
grouping by the model alone joined 30% of such questions with their accented twins, the
words 92%; so those items are not embedded at all, which also saves a third of the
model's time. Items are joined by average linkage under a distance threshold: the
algorithm of scikit-learn's AgglomerativeClustering, which hands average linkage to
SciPy, called directly here to build the distances in blocks (half the memory). On the
benchmark it kept topics apart as well as HDBSCAN (purity 0.965 against 0.985) while
HDBSCAN left 14-17% of real questions out of every cluster and split ways of asking.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.core.insights import Asked
from bot.vietnamese.text import fold, has_diacritics, nfc, tokens

MEANING = 0.5  # share of the e5 cosine in the similarity; the rest: shared folded words
DISTANCE = 0.7  # average-linkage distance (1 - similarity) under which clusters join
BLOCK = 512  # rows of similarities computed at once
MIN_WORDS = 2  # "alo", "test", "?" ask nothing
_WHO = r"(?:ad|admin|ban|bot|anh|chi|em|bac|co|chu|moi nguoi)"
_ME = r"(?:em|minh|toi|tui|chau|con|t|e)"
_OPENING = re.compile(
    rf"^(?:{_WHO}\s+oi\b|(?:{_WHO}\s+)?(?:cho(?: phep)?|xin)(?:\s+{_ME})?\s+hoi(?:\s+(?:chut|ti|voi))?\b"
    rf"|(?:{_ME}\s+)?(?:muon|can)\s+hoi\b)(?:\s+la\b)?[\s,.:!?]*"
)
_CLOSING = re.compile(r"[\s,]*(?:\b(?:voi a|a|vay|nhe|nha|the|voi|ha|nhi)\b[\s?!.]*)+$")


def core(text: str) -> str:
    """The question without "cho em hỏi", "ad ơi" before it or "ạ", "vậy" after it.
    (Folding keeps an NFC text's length, so positions found in the folded text hold.)"""
    text = nfc(text).strip()
    for _ in range(3):  # "ad ơi cho em hỏi …"
        match = _OPENING.match(fold(text))
        if not match or match.end() == len(text):
            break
        text = text[match.end() :]
    match = _CLOSING.search(fold(text))
    if match and match.start() > 0:
        text = text[: match.start()]
    return text.strip()


def fold_key(text: str) -> str:
    """The question's core without tone marks, case or punctuation: equal keys are one item."""
    return " ".join(fold(t) for t in tokens(core(text)))


@dataclass
class Items:
    """The questions made into items: one per fold key, with the messages behind it."""

    keys: list[str]
    texts: list[str]  # what is embedded: the core of a version with tone marks if any
    messages: list[list[Asked]]  # newest first
    short: int = 0  # questions of fewer than MIN_WORDS words, left out

    @property
    def marked(self) -> list[bool]:
        """Which items someone typed with tone marks: only those are read by the model."""
        return [has_diacritics(text) for text in self.texts]


def items_of(questions: Sequence[Asked]) -> Items:
    by_key: dict[str, list[Asked]] = defaultdict(list)
    short = 0
    for asked in sorted(questions, key=lambda a: (a.at, a.id), reverse=True):
        key = fold_key(asked.text)
        if len(key.split()) < MIN_WORDS:
            short += 1
            continue
        by_key[key].append(asked)
    keys = list(by_key)
    texts = [core(shown(by_key[k]).text) for k in keys]
    return Items(keys, texts, [by_key[k] for k in keys], short)


def shown(same: list[Asked]) -> Asked:
    """Of one item's questions (newest first), the one read and shown: the newest typed
    with tone marks, else the newest."""
    return next((a for a in same if has_diacritics(a.text)), same[0])


class Similarity:
    """The items' pairwise similarity, computed a block of rows at a time."""

    def __init__(
        self,
        vectors: np.ndarray,
        keys: list[str],
        marked: Sequence[bool] | None = None,
        meaning: float = MEANING,
    ) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.marked = np.ones(len(keys), bool) if marked is None else np.asarray(marked, bool)
        self.meaning = meaning
        self.words = _word_vectors(keys)
        self.floor = _unrelated(self.vectors[self.marked])

    def rows(self, rows: Sequence[int] | slice, columns: Sequence[int] | slice) -> np.ndarray:
        model = self.vectors[rows] @ self.vectors[columns].T
        model = (model - self.floor) / (1.0 - self.floor)
        words = (self.words[rows] @ self.words[columns].T).toarray()
        # The model's cosine counts only between two questions with tone marks.
        share = self.meaning * np.outer(self.marked[rows], self.marked[columns])
        return share * model + (1.0 - share) * words

    def condensed_distances(self) -> np.ndarray:
        """1 - similarity for every pair i < j, in SciPy's condensed order."""
        count = len(self.vectors)
        out = np.empty(count * (count - 1) // 2, dtype=np.float64)
        at = 0
        for start in range(0, count, BLOCK):
            block = self.rows(slice(start, start + BLOCK), slice(None))
            for offset, row in enumerate(block):
                tail = row[start + offset + 1 :]
                out[at : at + len(tail)] = 1.0 - tail
                at += len(tail)
        return np.maximum(out, 0.0, out=out)


def _word_vectors(keys: list[str]):
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        return TfidfVectorizer(
            token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True, min_df=2
        ).fit_transform(keys)
    except ValueError:  # no word shared by two items
        return csr_matrix((len(keys), 1), dtype=np.float64)


def _unrelated(vectors: np.ndarray, pairs: int = 20000) -> float:
    """What two questions about different things typically score: the median cosine."""
    count = len(vectors)
    if count < 3:
        return 0.0
    chance = np.random.default_rng(0)
    left, right = chance.integers(0, count, pairs), chance.integers(0, count, pairs)
    keep = left != right
    scores = np.einsum("ij,ij->i", vectors[left[keep]], vectors[right[keep]])
    return float(min(np.median(scores), 0.95))


def clusters_of(similarity: Similarity, distance: float = DISTANCE) -> list[list[int]]:
    """Indexes of the items, grouped; singletons included."""
    count = len(similarity.vectors)
    if count < 2:
        return [[0]] if count else []
    from scipy.cluster.hierarchy import fcluster, linkage

    tree = linkage(similarity.condensed_distances(), method="average")
    groups: dict[int, list[int]] = defaultdict(list)
    for row, label in enumerate(fcluster(tree, t=distance, criterion="distance")):
        groups[int(label)].append(row)
    return list(groups.values())


def central_first(similarity: Similarity, rows: list[int], weights: list[int]) -> list[int]:
    """``rows`` from the medoid outwards: by the sum of their similarities to the others,
    each counted as often as it was asked."""
    if len(rows) == 1:
        return rows
    scores = similarity.rows(rows, rows) @ np.asarray(weights, dtype=np.float64)
    order = np.argsort(-scores, kind="stable")
    return [rows[int(i)] for i in order]
