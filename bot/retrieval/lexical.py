"""BM25 over prefixed terms (folded words, accented words, folded word pairs).

Small and dependency-free: postings are plain arrays saved as ``.npz`` with the
vocabulary in JSON, no pickle. The corpus here is a few thousand sentences, so a
dense term × document score is cheap.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import numpy as np

from bot.vietnamese.text import accented_tokens, bigrams, fold

# Prefixes of the three kinds of index terms: folded word, accented word, folded word pair.
FOLDED, ACCENTED, BIGRAM = "f:", "a:", "b:"


def index_terms(text: str) -> list[str]:
    """The terms a text contributes to the lexical index (used for every indexed text)."""
    accented = accented_tokens(text)
    folded = [fold(t) for t in accented]
    return (
        [FOLDED + t for t in folded]
        + [ACCENTED + t for t in accented]
        + [BIGRAM + b for b in bigrams(folded)]
    )


class BM25:
    def __init__(
        self,
        vocabulary: dict[str, int],
        doc_ids: np.ndarray,
        term_freqs: np.ndarray,
        offsets: np.ndarray,
        doc_lengths: np.ndarray,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        self.vocabulary = vocabulary
        self._doc_ids = doc_ids
        self._tf = term_freqs
        self._offsets = offsets  # postings of term t are [offsets[t], offsets[t+1])
        self._lengths = doc_lengths.astype(np.float32)
        self.k1, self.b = k1, b
        n = len(doc_lengths)
        df = np.diff(offsets).astype(np.float64)
        self.idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg = float(self._lengths.mean()) if n else 1.0
        self._norm = (k1 * (1 - b + b * self._lengths / max(avg, 1e-9))).astype(np.float32)

    @classmethod
    def build(cls, documents: list[list[str]], k1: float = 1.2, b: float = 0.75) -> BM25:
        vocabulary: dict[str, int] = {}
        postings: dict[int, list[tuple[int, int]]] = {}
        for doc, terms in enumerate(documents):
            for term, count in sorted(Counter(terms).items()):
                tid = vocabulary.setdefault(term, len(vocabulary))
                postings.setdefault(tid, []).append((doc, count))
        offsets = [0]
        doc_ids: list[int] = []
        tfs: list[int] = []
        for tid in range(len(vocabulary)):
            for doc, count in postings[tid]:
                doc_ids.append(doc)
                tfs.append(count)
            offsets.append(len(doc_ids))
        return cls(
            vocabulary,
            np.asarray(doc_ids, dtype=np.int32),
            np.asarray(tfs, dtype=np.float32),
            np.asarray(offsets, dtype=np.int64),
            np.asarray([len(d) for d in documents], dtype=np.int32),
            k1,
            b,
        )

    @property
    def size(self) -> int:
        return len(self._lengths)

    def document_frequency(self, term: str) -> int:
        tid = self.vocabulary.get(term)
        return 0 if tid is None else int(self._offsets[tid + 1] - self._offsets[tid])

    def term_idf(self, term: str) -> float:
        tid = self.vocabulary.get(term)
        if tid is None:  # never seen: as rare as a word can be
            return math.log(1.0 + (self.size + 0.5) / 0.5)
        return float(self.idf[tid])

    def scores(self, query: dict[str, float]) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float32)
        for term, weight in query.items():
            tid = self.vocabulary.get(term)
            if tid is None:
                continue
            lo, hi = self._offsets[tid], self._offsets[tid + 1]
            docs, tf = self._doc_ids[lo:hi], self._tf[lo:hi]
            out[docs] += weight * self.idf[tid] * tf * (self.k1 + 1) / (tf + self._norm[docs])
        return out

    def save(self, path: Path) -> None:
        np.savez(
            path.with_name(path.name + ".npz"),
            doc_ids=self._doc_ids,
            term_freqs=self._tf,
            offsets=self._offsets,
            doc_lengths=self._lengths.astype(np.int32),
        )
        vocab = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        path.with_name(path.name + ".json").write_text(
            json.dumps({"k1": self.k1, "b": self.b, "vocabulary": vocab}, ensure_ascii=False),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, path: Path) -> BM25:
        meta = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
        arrays = np.load(path.with_name(path.name + ".npz"), allow_pickle=False)
        vocabulary = {term: i for i, term in enumerate(meta["vocabulary"])}
        return cls(
            vocabulary,
            arrays["doc_ids"],
            arrays["term_freqs"],
            arrays["offsets"],
            arrays["doc_lengths"],
            meta["k1"],
            meta["b"],
        )
