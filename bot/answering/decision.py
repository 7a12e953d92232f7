"""The three-way decision: answer, suggest sections, or decline.

A small model fitted offline (``scripts/fit_decision.py``) reads the question's
``Features`` and gives three probabilities: the composed quotes answer the question
(``right``), the question is about the documents but these quotes miss it (``unsure``),
or the documents do not speak to it at all (``out``). The engine answers when ``right``
is high enough and ``out`` low enough (a quote for a question the documents do not
answer misleads; one from a neighbouring section of the right document less so),
declines when ``out`` is high, and otherwise offers the sections it found ("Có phải bạn
muốn hỏi về…"), which states no fact.

The model is additive so that one file format holds both shapes the fit may choose:
per class, ``bias + weights · x + learning_rate × Σ trees(x)`` (a multinomial logistic
model has no trees, gradient-boosted trees have no weights), then a softmax. It ships
as JSON beside this module; nothing is unpickled.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np

from bot.answering.features import Features

DECISION_FILE = Path(str(resources.files("bot.answering") / "decision.json"))
CLASSES = ("right", "unsure", "out")

Outcome = Literal["answer", "suggest", "decline"]


@dataclass(frozen=True)
class Tree:
    """One regression tree in sklearn's array layout (a leaf has left == -1)."""

    feature: list[int]
    threshold: list[float]
    left: list[int]
    right: list[int]
    value: list[float]


class _Forest:
    """All trees at once: one numpy step per tree level instead of a Python walk per tree."""

    def __init__(self, stages: list[list[Tree]]) -> None:
        trees = [tree for stage in stages for tree in stage]
        width = max(len(t.left) for t in trees)

        def padded(values: list, fill) -> list:
            return [*values, *([fill] * (width - len(values)))]

        self.feature = np.asarray([padded(t.feature, 0) for t in trees]).clip(min=0)
        self.threshold = np.asarray([padded(t.threshold, 0.0) for t in trees])
        self.left = np.asarray([padded(t.left, -1) for t in trees])
        self.right = np.asarray([padded(t.right, -1) for t in trees])
        self.value = np.asarray([padded(t.value, 0.0) for t in trees])
        self.klass = np.asarray([c for stage in stages for c in range(len(stage))])
        self.classes = max(len(stage) for stage in stages)
        self.depth = max(_depth(t) for t in trees)
        self.rows = np.arange(len(trees))

    def sums(self, x: np.ndarray) -> np.ndarray:
        node = np.zeros(len(self.rows), dtype=np.int64)
        for _ in range(self.depth):
            leaf = self.left[self.rows, node] == -1
            go_left = x[self.feature[self.rows, node]] <= self.threshold[self.rows, node]
            nxt = np.where(go_left, self.left[self.rows, node], self.right[self.rows, node])
            node = np.where(leaf, node, nxt)
        return np.bincount(self.klass, weights=self.value[self.rows, node], minlength=self.classes)


def _depth(tree: Tree, node: int = 0) -> int:
    if tree.left[node] == -1:
        return 0
    return 1 + max(_depth(tree, tree.left[node]), _depth(tree, tree.right[node]))


@dataclass(frozen=True)
class Probe:
    """A linear read-out of embedding vectors, fitted with the decision model."""

    weights: list[float]
    bias: float
    # The topic probe reads "about the fitting documents": for another document its score is
    # moved by how its sentences score against the fitting documents' sentences (their mean
    # score, ``reference``), so that a question about a document added later is not read as
    # off-topic for being about another subject. None: scores are taken as they are.
    reference: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "_array", np.asarray(self.weights, dtype=np.float32))

    def score(self, vector: np.ndarray) -> float:
        return float(self.bias + float(self._array @ vector.astype(np.float32)))

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        return self.bias + vectors.astype(np.float32) @ self._array

    def shifts(self, vectors: np.ndarray, groups: list[str]) -> dict[str, float]:
        """Per group of sentences (a document), what moves its questions' scores onto the
        fitting documents' scale: ``reference`` minus the group's mean sentence score."""
        if self.reference is None:
            return {}
        scored = self.scores(vectors)
        names = np.asarray(groups)
        # Rounded: the fitting documents themselves get exactly 0 (no second reading).
        return {
            g: round(self.reference - float(scored[names == g].mean()), 3)
            for g in dict.fromkeys(groups)
        }


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    right: float  # probability that the composed quotes answer the question
    out: float  # probability that the documents do not speak to it


@dataclass(frozen=True)
class DecisionModel:
    names: list[str] = field(default_factory=lambda: ["answer_coverage", "dense"])
    bias: list[float] = field(default_factory=lambda: [-10.0, 0.0, 0.0])
    weights: list[list[float]] = field(
        default_factory=lambda: [[6.0, 10.0], [0.0, 0.0], [-3.0, -4.0]]
    )
    trees: list[list[Tree]] = field(default_factory=list)  # per boosting stage, one per class
    learning_rate: float = 0.1
    probes: dict[str, Probe] = field(default_factory=dict)  # "topic", "match", "handoff"
    answer_at: float = 0.5  # answer when P(right) reaches this …
    answer_out_below: float = 1.0  # … and P(out) stays below this
    decline_at: float = 0.5  # otherwise decline when P(out) reaches this, else suggest
    handoff_at: float = math.inf  # the "handoff" probe's score from which a person is wanted

    def wants_person(self, question_vector: np.ndarray) -> bool:
        """The question reads like a request for an officer that the patterns missed
        ("alo có ai trực không", "agent please"): a probe on the question's vector."""
        probe = self.probes.get("handoff")
        return probe is not None and probe.score(question_vector) >= self.handoff_at

    def __post_init__(self) -> None:
        object.__setattr__(self, "_forest", _Forest(self.trees) if self.trees else None)

    def probabilities(self, features: Features) -> tuple[float, float, float]:
        x = features.vector(self.names)
        raw = [
            b + sum(w * v for w, v in zip(ws, x, strict=True))
            for b, ws in zip(self.bias, self.weights, strict=True)
        ]
        forest: _Forest | None = getattr(self, "_forest", None)
        if forest is not None:
            for c, value in enumerate(forest.sums(np.asarray(x, dtype=np.float64))):
                raw[c] += self.learning_rate * float(value)
        top = max(raw)
        exp = [math.exp(r - top) for r in raw]
        total = sum(exp)
        return exp[0] / total, exp[1] / total, exp[2] / total

    def decide(
        self, features: Features, can_suggest: bool = True, topic_shift: float = 0.0
    ) -> Decision:
        """``topic_shift`` (a document other than the fitting ones, see ``Probe.reference``)
        only keeps a question from being declined: whether the quotes answer it is judged on
        the scale the model was fitted on, since the topic score is what tells a question
        near a new document's subject from one it answers."""
        right, _, out = self.probabilities(features)
        if right >= self.answer_at and out < self.answer_out_below:
            outcome: Outcome = "answer"
        elif not can_suggest or (out >= self.decline_at and self._off_topic(features, topic_shift)):
            outcome = "decline"
        else:
            outcome = "suggest"
        return Decision(outcome, right, out)

    def _off_topic(self, features: Features, topic_shift: float) -> bool:
        if not topic_shift:
            return True
        shifted = replace(features, topic=features.topic + topic_shift)
        return self.probabilities(shifted)[2] >= self.decline_at

    def always_answering(self) -> DecisionModel:
        """The same model deciding "answer" every time (fitting, and ``evaluate.py --forced``),
        also for questions its handoff probe would give to an officer."""
        return replace(self, answer_at=-1.0, answer_out_below=2.0, handoff_at=math.inf)

    # -- persistence ---------------------------------------------------------------
    @classmethod
    def load(cls, path: Path = DECISION_FILE) -> DecisionModel:
        if not path.is_file():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        trees = [[Tree(**t) for t in stage] for stage in data.pop("trees", [])]
        probes = {name: Probe(**p) for name, p in data.pop("probes", {}).items()}
        data.pop("report", None)
        return cls(**data, trees=trees, probes=probes)

    def save(self, path: Path = DECISION_FILE, report: dict | None = None) -> None:
        data = asdict(self)
        for probe in data["probes"].values():
            probe.pop("_array", None)
            if probe.get("reference") is None:
                probe.pop("reference", None)
        if report:
            data["report"] = report  # how the fit did on writers it did not see
        path.write_text(
            json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
