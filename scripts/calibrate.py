#!/usr/bin/env python3
"""Fit the confidence model: `python scripts/calibrate.py tests/data/tune.jsonl`.

Every question is answered with the decision threshold disabled; an answer is a
positive example when it would be judged right (scripts/evaluate.py's rule), and
every out-of-scope question is a negative one. A small L2-regularised logistic
regression over the engine's features gives a calibrated probability; the threshold
is then chosen on the same data, preferring to decline when in doubt.
Writes bot/answering/calibration.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FEATURES = [
    "answer_coverage",
    "coverage",
    "dense",
    "fused",
    "number_missing",
    "english",
    "unknown_weight",
]


def fit(
    x: np.ndarray, y: np.ndarray, l2: float = 0.05, steps: int = 20000, lr: float = 0.5
) -> tuple[np.ndarray, float]:
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / std
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        grad = p - y
        w -= lr * (z.T @ grad / len(y) + l2 * w)
        b -= lr * grad.mean()
    # Back to raw feature units so that the runtime needs no scaler.
    raw_w = w / std
    raw_b = b - float((w * mean / std).sum())
    return raw_w, raw_b


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument(
        "--decline-cost", type=float, default=1.5, help="a wrong answer costs this many declines"
    )
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)

    from bot.answering.calibration import Calibration
    from bot.answering.loading import load_engine
    from bot.config import Settings
    from scripts.evaluate import judge

    engine = load_engine(Settings())
    engine.calibration = replace(engine.calibration, threshold=-1.0)
    rows, labels, kinds = [], [], []
    for line in args.questions.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["kind"] not in {"fact", "list", "out_of_scope"}:
            continue
        answer = engine.answer(item["question"]).to_dict(item["id"])
        trace = engine.last_trace
        if trace is None or trace.features is None:
            continue
        ok = item["kind"] != "out_of_scope" and judge(item, answer)[0]
        rows.append(trace.features.vector(FEATURES))
        labels.append(float(ok))
        kinds.append(item["kind"])
    x, y = np.asarray(rows), np.asarray(labels)
    w, b = fit(x, y)
    p = 1 / (1 + np.exp(-(x @ w + b)))
    best_t, best_cost = 0.5, float("inf")
    for t in np.linspace(0.2, 0.8, 61):
        wrong = ((p >= t) & (y == 0)).sum()
        missed = ((p < t) & (y == 1)).sum()
        cost = args.decline_cost * wrong + missed
        if cost < best_cost:
            best_t, best_cost = float(t), cost
    calibration = Calibration(
        FEATURES, [round(float(v), 4) for v in w], round(float(b), 4), round(best_t, 3)
    )
    accepted = p >= best_t
    print(f"{len(y)} ví dụ, {int(y.sum())} đúng; ngưỡng {best_t:.2f}")
    print(
        f"  trả lời đúng: {int((accepted & (y == 1)).sum())}, trả lời sai: {int((accepted & (y == 0)).sum())}, "
        f"từ chối: {int((~accepted).sum())} (trong đó ngoài phạm vi {sum(1 for a, k in zip(accepted, kinds, strict=False) if not a and k == 'out_of_scope')})"
    )
    print(
        "  trọng số:",
        dict(zip(FEATURES, calibration.weights, strict=False)),
        "bias",
        calibration.bias,
    )
    if not args.dry_run:
        calibration.save()
        print("đã ghi bot/answering/calibration.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
