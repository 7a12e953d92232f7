#!/usr/bin/env python3
"""Fit the confidence model: `python scripts/calibrate.py tests/data/tune.jsonl [more.jsonl …]`.

Every question is answered with the decision threshold disabled; an answer is a
positive example when it would be judged right (scripts/evaluate.py's rule), and every
out-of-scope question is a negative one. A small L2-regularised logistic regression
over the engine's features gives a calibrated probability; the threshold is chosen to
minimise wrong answers × ``--decline-cost`` + right answers declined. With several
files, each is first held out in turn (fit on the others) and the held-out result is
printed, so the threshold is not judged only on the data it was fitted on. The dev set
is never used here. Writes bot/answering/calibration.json.
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
    return w / std, float(b - (w * mean / std).sum())


def choose_threshold(p: np.ndarray, y: np.ndarray, cost: float) -> float:
    best_t, best_cost = 0.5, float("inf")
    for t in np.linspace(0.2, 0.8, 61):
        total = cost * ((p >= t) & (y == 0)).sum() + ((p < t) & (y == 1)).sum()
        if total < best_cost:
            best_t, best_cost = float(t), total
    return best_t


def examples(path: Path, engine) -> tuple[np.ndarray, np.ndarray, list[str]]:
    from scripts.evaluate import judge

    rows, labels, kinds = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["kind"] not in {"fact", "list", "out_of_scope"}:
            continue
        answer = engine.answer(item["question"]).to_dict(item["id"])
        trace = engine.last_trace
        if trace is None or trace.features is None:
            continue
        rows.append(trace.features.vector(FEATURES))
        labels.append(float(item["kind"] != "out_of_scope" and judge(item, answer)[0]))
        kinds.append(item["kind"])
    return np.asarray(rows), np.asarray(labels), kinds


def summary(p: np.ndarray, y: np.ndarray, kinds: list[str], t: float) -> str:
    accepted = p >= t
    in_scope = np.asarray([k != "out_of_scope" for k in kinds])
    return (
        f"trả lời đúng {int((accepted & (y == 1)).sum())}/{int(in_scope.sum())} câu trong phạm vi, "
        f"trả lời sai {int((accepted & (y == 0)).sum())}, "
        f"từ chối đúng {int((~accepted & ~in_scope).sum())}/{int((~in_scope).sum())} câu ngoài phạm vi"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path, nargs="+")
    parser.add_argument(
        "--decline-cost", type=float, default=2.0, help="a wrong answer costs this many declines"
    )
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)

    from bot.answering.calibration import Calibration
    from bot.answering.loading import load_engine
    from bot.config import Settings

    engine = load_engine(Settings())
    engine.calibration = replace(engine.calibration, threshold=-1.0)
    data = {path: examples(path, engine) for path in args.questions}

    if len(data) > 1:
        for held_out, (hx, hy, hk) in data.items():
            rest = [v for k, v in data.items() if k != held_out]
            x = np.vstack([r[0] for r in rest])
            y = np.concatenate([r[1] for r in rest])
            w, b = fit(x, y)
            t = choose_threshold(1 / (1 + np.exp(-(x @ w + b))), y, args.decline_cost)
            p = 1 / (1 + np.exp(-(hx @ w + b)))
            print(f"giữ lại {held_out.name}: {summary(p, hy, hk, t)} (ngưỡng {t:.2f})")

    x = np.vstack([v[0] for v in data.values()])
    y = np.concatenate([v[1] for v in data.values()])
    kinds = [k for v in data.values() for k in v[2]]
    w, b = fit(x, y)
    p = 1 / (1 + np.exp(-(x @ w + b)))
    t = choose_threshold(p, y, args.decline_cost)
    calibration = Calibration(FEATURES, [round(float(v), 4) for v in w], round(b, 4), round(t, 3))
    print(f"tất cả ({len(y)} ví dụ): {summary(p, y, kinds, t)} (ngưỡng {t:.2f})")
    print(
        "trọng số:", dict(zip(FEATURES, calibration.weights, strict=True)), "bias", calibration.bias
    )
    if not args.dry_run:
        calibration.save()
        print("đã ghi bot/answering/calibration.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
