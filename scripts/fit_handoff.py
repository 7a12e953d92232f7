"""The "handoff" probe: does a question read like a request for a person?

The patterns in ``intents.tsv`` catch the usual wordings ("cho tôi gặp cán bộ"); people
also write "alo có ai trực không", "agent pls" or a long complaint that ends in "xử lý
giúp". A logistic read-out of the question's vector, fitted on every handoff request of
the question bank against every other question, catches many of those. Its threshold is
the lowest at which, one writer left out at a time, no more than one in-scope question
in a thousand would be handed to an officer instead of answered.

Used by ``fit_decision.py``; it stores the probe in ``decision.json``.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from bot.answering.decision import Probe

PROBE_C = 3.0
FALSE_HANDOFF_RATE = 0.001  # in-scope questions handed over, at most (leave-one-writer-out)
THRESHOLDS = np.linspace(0.5, 0.95, 10)  # candidate probabilities


def question_vectors(engine, items: list[dict]) -> np.ndarray:
    """The vectors the engine reads for these questions (analysed text, query prefix)."""
    from bot.retrieval.query import analyze

    texts = [analyze(i["question"], engine.lexicon, engine.judge).dense_text for i in items]
    return np.asarray(engine.encoder.encode_queries(texts))


def _model(x: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=PROBE_C, max_iter=2000, class_weight="balanced").fit(x, y)


def fit_handoff_probe(engine, items: list[dict]) -> tuple[Probe, float, dict]:
    """The probe, its threshold on the probe's score (a logit), and how it did held out."""
    x = question_vectors(engine, items)
    y = np.asarray([i["kind"] == "handoff" for i in items])
    in_scope = np.asarray([i["kind"] in {"fact", "list"} for i in items])
    writers = np.asarray([i["writer"] for i in items])
    oof = np.zeros(len(items))
    for writer in np.unique(writers):
        test = writers == writer
        oof[test] = _model(x[~test], y[~test]).predict_proba(x[test])[:, 1]
    allowed = FALSE_HANDOFF_RATE * in_scope.sum()
    safe = [p for p in THRESHOLDS if (oof[in_scope] >= p).sum() <= allowed]
    if not safe:
        print("thăm dò chuyển cán bộ: không ngưỡng nào đủ an toàn, tắt thăm dò", file=sys.stderr)
        return Probe([0.0] * x.shape[1], 0.0), math.inf, {"disabled": True}
    chosen = safe[0]
    model = _model(x, y)
    probe = Probe(
        [round(float(w), 6) for w in model.coef_[0]], round(float(model.intercept_[0]), 6)
    )
    report = {
        "probability": round(float(chosen), 3),
        "handoff_found_held_out": int((oof[y] >= chosen).sum()),
        "handoff": int(y.sum()),
        "in_scope_handed_over_held_out": int((oof[in_scope] >= chosen).sum()),
        "in_scope": int(in_scope.sum()),
    }
    return probe, round(math.log(chosen / (1 - chosen)), 4), report
