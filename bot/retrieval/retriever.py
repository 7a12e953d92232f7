"""Hybrid retrieval: dense (e5) and lexical (BM25) scores, fused per sentence.

Every sentence of the knowledge base is scored; the corpus is small (hundreds to a
few thousand sentences) so a full pass costs well under a millisecond, and it lets
the answer composer pick sentences rather than whole chunks. The passage a sentence
sits in contributes too (FAISS over passages + passage BM25), which lifts sentences
whose neighbours carry the rest of the question's words. Sample questions close to the
question lift the sections they were asked about (``examples``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bot.documents.structure import within
from bot.retrieval.examples import NONE, Neighbours
from bot.retrieval.index import SearchIndex
from bot.retrieval.query import Query


@dataclass(frozen=True)
class FusionWeights:
    # Folded BM25 carried questions typed without tone marks; dense carried English
    # (EMBEDDINGS.md). The weights were tuned on tests/data/tune.jsonl.
    unit_dense: float = 0.35
    unit_lexical: float = 0.45
    passage: float = 0.20
    english_dense: float = 0.6  # English questions lean on the cross-lingual model


@dataclass(frozen=True)
class Ranked:
    scores: np.ndarray  # fused score per unit, 0..1, plus up to examples.WEIGHT from samples
    dense: np.ndarray  # cosine per unit
    lexical: np.ndarray  # raw BM25 per unit
    order: np.ndarray  # unit indices, best first
    neighbours: Neighbours = field(default=NONE)  # what the sample questions say


def min_max(values: np.ndarray) -> np.ndarray:
    if values.size == 0:
        return values
    lo, hi = float(values.min()), float(values.max())
    return np.zeros_like(values) if hi - lo < 1e-9 else (values - lo) / (hi - lo)


def max_scale(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if values.size else 0.0
    return values / top if top > 1e-9 else np.zeros_like(values)


class HybridRetriever:
    def __init__(self, index: SearchIndex, weights: FusionWeights | None = None) -> None:
        self.index = index
        self.weights = weights or FusionWeights()
        self._units_under: dict[tuple[str, str], np.ndarray] = {}

    def rank(self, query: Query, vector: np.ndarray) -> Ranked:
        w = self.weights
        index = self.index
        dense = index.unit_vectors @ vector
        lexical = index.unit_bm25.scores(query.lexical)

        n_passages = index.passage_faiss.ntotal
        sims, ids = index.passage_faiss.search(vector.reshape(1, -1), n_passages)
        passage_dense = np.zeros(n_passages, dtype=np.float32)
        passage_dense[ids[0]] = sims[0]
        passage = 0.3 * min_max(passage_dense) + 0.7 * max_scale(
            index.passage_bm25.scores(query.lexical)
        )

        dense_weight = w.english_dense if query.language == "en" else w.unit_dense
        lexical_weight = w.unit_lexical * (1 - dense_weight) / (1 - w.unit_dense)
        passage_weight = 1 - dense_weight - lexical_weight
        fused = (
            dense_weight * min_max(dense)
            + lexical_weight * max_scale(lexical)
            + passage_weight * passage[index.unit_passage]
        )
        neighbours = index.examples.neighbours(vector)
        lifted = np.zeros_like(fused)
        for section, lift in index.examples.lifts(neighbours).items():
            units = self._under(section)
            lifted[units] = np.maximum(lifted[units], lift)
        fused = fused + lifted
        order = np.argsort(-fused, kind="stable")
        return Ranked(fused, dense, lexical, order, neighbours)

    def _under(self, section: tuple[str, str]) -> np.ndarray:
        """The units in a section and its subsections (cached: a few dozen sections)."""
        if section not in self._units_under:
            doc, sid = section
            self._units_under[section] = np.asarray(
                [
                    i
                    for i, u in enumerate(self.index.units)
                    if u.doc == doc and within(u.section, sid)
                ],
                dtype=np.int64,
            )
        return self._units_under[section]
