"""The side index of approved officer answers, searched with every question.

Small and rebuilt whole on each change (thousands of answers: milliseconds, the vectors
kept): a new snapshot is swapped in at once, so a question never sees half an update.
Each answer's sample questions and its answer text have a vector from the engine's model;
a question's candidates are the answers nearest in meaning and those sharing its rarest
words, and the match model (officer_match.json) says whether the best one answers it.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from bot.answering.officer_features import (
    NAMES,
    MatchFeatures,
    Scores,
    Side,
    features,
    known_places,
    padded,
    place_of,
    places_in,
    side_of,
)
from bot.core.officer_answers import ServedOfficerAnswer
from bot.retrieval.lexical import BM25, index_terms
from bot.retrieval.query import Query
from bot.retrieval.query_terms import Term
from bot.retrieval.similarity import cosines

logger = logging.getLogger(__name__)
MODEL_FILE = Path(str(resources.files("bot.answering") / "officer_match.json"))
CANDIDATES = 3  # the best by words and meaning together: the model picks among them
FUSE_DENSE = 10.0  # a cosine 0.1 below the best weighs as much as the whole lexical range
Key = tuple[int, int]


@dataclass(frozen=True)
class OfficerMatch:
    served: ServedOfficerAnswer
    probability: float
    features: MatchFeatures | None  # None: chosen by the citizen from a suggestion


@dataclass(frozen=True)
class MatchModel:
    """A logistic model over MatchFeatures; ``threshold`` keeps near misses out."""

    weights: tuple[float, ...]
    bias: float
    threshold: float  # served as the answer from here
    mean: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()
    suggest: float = 2.0  # offered as a choice ("Có phải bạn hỏi…") from here

    def probability(self, x: MatchFeatures) -> float:
        return self.probability_of(x.vector())

    def probability_of(self, values: np.ndarray) -> float:
        """Of a feature vector as ``MatchFeatures.vector`` gives it (the fitting reads these)."""
        if self.mean:
            values = (values - np.array(self.mean)) / np.array(self.scale)
        z = float(values @ np.array(self.weights)) + self.bias
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> MatchModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != NAMES:
            raise ValueError(f"{path}: fitted on other features; run scripts/fit_officer_match.py")
        return cls(
            tuple(data["weights"]),
            data["bias"],
            data["threshold"],
            tuple(data.get("mean", ())),
            tuple(data.get("scale", ())),
            data.get("suggest", 2.0),
        )


@dataclass(frozen=True)
class _Snapshot:
    served: tuple[ServedOfficerAnswer, ...] = ()
    sides: tuple[Side, ...] = ()
    questions: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.float32))
    first_row: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # per answer
    answers: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.float32))
    lexical: BM25 | None = None  # over each answer's questions, answer and unit
    lexical_questions: BM25 | None = None  # over its sample questions alone
    places: frozenset[str] = frozenset()  # place names a question may use


class OfficerIndex:
    def __init__(
        self,
        weight: Callable[[Term], float],
        stopwords: frozenset[str],
        model: MatchModel | None = None,
    ) -> None:
        self.weight = weight  # a question word's rarity in the documents
        self.stopwords = stopwords
        self.model = model or _shipped_model()
        self._vectors: dict[Key, np.ndarray] = {}  # questions' rows, then the answer's
        self._words: dict[Key, tuple[Side, list[str], list[str]]] = {}  # kept: installs are fast
        self._snapshot = _Snapshot()

    def __len__(self) -> int:
        return len(self._snapshot.served)

    @staticmethod
    def texts(served: ServedOfficerAnswer) -> list[str]:
        """What is embedded for one answer: its sample questions, then its answer."""
        return [*served.text.questions, served.text.answer]

    def missing(self, served: Sequence[ServedOfficerAnswer]) -> list[ServedOfficerAnswer]:
        return [s for s in served if s.key not in self._vectors]

    def install(
        self, served: Sequence[ServedOfficerAnswer], vectors: dict[Key, np.ndarray]
    ) -> None:
        """Serve exactly ``served``; ``vectors`` holds those not yet known (see ``missing``)."""
        kept = {s.key for s in served}
        self._vectors = {k: v for k, v in self._vectors.items() if k in kept} | {
            k: np.asarray(v, np.float32) for k, v in vectors.items() if k in kept
        }
        ordered = tuple(s for s in served if s.key in self._vectors and s.text.questions)
        if not ordered:
            self._snapshot = _Snapshot()
            return
        rows, first, answers, start = [], [], [], 0
        for item in ordered:
            vectors_of = self._vectors[item.key]
            first.append(start)
            start += len(vectors_of) - 1
            rows.append(vectors_of[:-1])
            answers.append(vectors_of[-1])
        self._words = {k: v for k, v in self._words.items() if k in kept}
        for item in ordered:
            if item.key not in self._words:
                self._words[item.key] = _words_of(item)
        words = [self._words[s.key] for s in ordered]
        self._snapshot = _Snapshot(
            ordered,
            tuple(side for side, _, _ in words),
            np.vstack(rows),
            np.array(first),
            np.vstack(answers),
            BM25.build([everything for _, everything, _ in words]),
            BM25.build([asked for _, _, asked in words]),
            known_places() | {place_of(s.unit) for s in ordered},
        )

    def get(self, entry_id: str) -> ServedOfficerAnswer | None:
        """The served answer of id ``entry_id`` (as typed in a suggestion), if still served."""
        return next((s for s in self._snapshot.served if str(s.entry_id) == entry_id), None)

    def match(self, query: Query, vector: np.ndarray, terms: list[Term]) -> OfficerMatch | None:
        """The likeliest officer answer, if likely enough to be offered (see MatchModel)."""
        best = max(self.candidates(query, vector, terms), key=lambda m: m.probability, default=None)
        return best if best is not None and best.probability >= self.model.suggest else None

    def candidates(self, query: Query, vector: np.ndarray, terms: list[Term]) -> list[OfficerMatch]:
        """The answers ranked first by words and meaning together, with their features."""
        snap = self._snapshot
        if snap.lexical is None or snap.lexical_questions is None:
            return []
        row_sims = cosines(snap.questions, vector)
        dense = np.maximum.reduceat(row_sims, snap.first_row)  # rows are grouped by answer
        lexical = snap.lexical.scores(query.lexical)
        if not len(lexical) or lexical.max() <= 0:
            return []
        on_questions = snap.lexical_questions.scores(query.lexical)
        answer_sims = cosines(snap.answers, vector)
        fused = lexical / lexical.max() + FUSE_DENSE * (dense - dense.max())
        order = np.argsort(-fused)[:CANDIDATES]
        lexical_sorted = np.sort(lexical)[::-1]
        dense_sorted = np.sort(dense)[::-1]
        weights = [self.weight(t) for t in terms]
        query_folded = padded(query.dense_text)
        mentioned = places_in(query_folded, snap.places)
        matches = []
        for position in order.tolist():
            end = snap.first_row[position + 1] if position + 1 < len(snap.first_row) else None
            best_question = int(np.argmax(row_sims[snap.first_row[position] : end]))
            scores = Scores(
                lexical=float(lexical[position]),
                lexical_best=float(lexical_sorted[0]),
                lexical_next=float(_next(lexical_sorted, lexical[position])),
                lexical_questions=float(on_questions[position]),
                dense=float(dense[position]),
                dense_margin=float(dense[position] - _next(dense_sorted, dense[position])),
                dense_answer=float(answer_sims[position]),
            )
            found = features(
                scores,
                terms,
                weights,
                query_folded,
                mentioned,
                snap.sides[position],
                best_question,
                self.stopwords,
            )
            matches.append(
                OfficerMatch(snap.served[position], self.model.probability(found), found)
            )
        return matches


def _words_of(served: ServedOfficerAnswer) -> tuple[Side, list[str], list[str]]:
    """What the lexical side reads of one answer: its folded texts, the index terms of all
    its texts, and those of its sample questions (and unit) alone."""
    text = served.text
    everything = index_terms(" ".join((*text.questions, text.answer, served.unit)))
    asked = index_terms(" ".join((*text.questions, served.unit)))
    return side_of(text.questions, text.answer, served.unit), everything, asked


def _next(ordered: np.ndarray, own: float) -> float:
    """The best value other than ``own`` (the runner-up when ``own`` is the best)."""
    if len(ordered) < 2:
        return 0.0
    return float(ordered[1] if ordered[0] == own else ordered[0])


def _shipped_model() -> MatchModel:
    try:
        return MatchModel.load()
    except (OSError, ValueError, KeyError) as exc:  # not fitted for these features: serve none
        logger.error("officer answers will not be served: %s", exc)
        return MatchModel(tuple(0.0 for _ in NAMES), 0.0, threshold=2.0)
