"""Confidence: a logistic model over a few retrieval features, fitted offline.

``scripts/calibrate.py`` fits the weights on tests/data/tune.jsonl (questions written
apart from the dev set) and writes ``calibration.json`` beside this module; the
probability that an answer is right is then compared with ``threshold``.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

CALIBRATION_FILE = Path(str(resources.files("bot.answering") / "calibration.json"))


@dataclass(frozen=True)
class Features:
    coverage: float  # share of the question's weighted terms found around the best sentence
    answer_coverage: float  # the same over every quoted sentence
    dense: float  # cosine of the best sentence
    dense_top: float  # best cosine anywhere
    fused: float  # fused retrieval score of the best sentence
    lexical: float  # raw BM25 of the best sentence
    number_missing: float  # the question wants a number and no quote has one
    english: float
    terms: int
    unknown: float  # content terms found nowhere in the documents
    unknown_weight: float  # their summed weight (IDF), a sign the question is about something else
    accented: float  # share of the question's words typed with tone marks

    def vector(self, names: list[str]) -> list[float]:
        data = asdict(self)
        return [float(data[n]) for n in names]


@dataclass(frozen=True)
class Calibration:
    names: list[str] = field(
        default_factory=lambda: [
            "answer_coverage",
            "coverage",
            "dense",
            "number_missing",
            "english",
        ]
    )
    weights: list[float] = field(default_factory=lambda: [6.0, 2.0, 10.0, -2.0, 0.5])
    bias: float = -12.5
    threshold: float = 0.5

    def probability(self, features: Features) -> float:
        z = self.bias + sum(
            w * x for w, x in zip(self.weights, features.vector(self.names), strict=True)
        )
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Calibration:
        if not path.is_file():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["names"], data["weights"], data["bias"], data.get("threshold", 0.5))

    def save(self, path: Path = CALIBRATION_FILE) -> None:
        path.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")
