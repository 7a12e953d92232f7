#!/usr/bin/env python3
"""Fit the decision model: `python scripts/fit_decision.py knowledge/questions/*.jsonl tests/data/tune.jsonl …`.

Every question is answered with the decision forced to "answer"; the engine's features
are kept with one of three labels: ``right`` (the forced answer would be judged right by
scripts/evaluate.py), ``unsure`` (in scope, but those quotes miss it) or ``out`` (out of
scope). Questions are grouped by their writer (the ``writer`` field, else the file
name) and every number printed is for writers the fit did not see (leave one writer
out), thresholds included: they are chosen on the other writers' out-of-fold
probabilities. The dev set and tests/data/holdout/ are never used here.

``--compare`` also scores other model shapes and feature sets the same way;
``--dry-run`` writes nothing. Writes bot/answering/decision.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.answering.decision import CLASSES, DecisionModel, Probe, Tree
from bot.answering.features import Features
from scripts.fit_handoff import fit_handoff_probe

BASELINE = [
    "answer_coverage",
    "coverage",
    "dense",
    "fused",
    "number_missing",
    "english",
    "unknown_weight",
]
ALL = Features.names()
OUT_COST = 3.0  # an out-of-scope question answered as if grounded costs this many right answers
WRONG_COST = 1.0  # an in-scope question answered with quotes that miss it
SUGGEST_OUT_COST = 0.3
LEARNING_RATE = 0.05  # an out-of-scope question offered sections instead of a plain decline


@dataclass
class Rows:
    x: np.ndarray  # features (ALL order)
    y: np.ndarray  # 0 right, 1 unsure, 2 out
    suggest_ok: np.ndarray  # the expected section is among the suggestions
    writer: np.ndarray
    q: np.ndarray  # question vectors
    u: np.ndarray  # quoted sentences' mean vectors

    def take(self, mask: np.ndarray) -> Rows:
        return Rows(
            self.x[mask],
            self.y[mask],
            self.suggest_ok[mask],
            self.writer[mask],
            self.q[mask],
            self.u[mask],
        )


# -- probes: linear read-outs of the vectors, fitted on seen writers only ---------------
PROBE_C = 0.3


def fit_probes(rows: Rows) -> dict[str, Probe]:
    from sklearn.linear_model import LogisticRegression

    probes = {}
    for name, x, label in (("topic", rows.q, rows.y != 2), ("match", rows.q * rows.u, rows.y == 0)):
        model = LogisticRegression(C=PROBE_C, max_iter=2000).fit(x, label)
        probes[name] = Probe(
            [round(float(w), 6) for w in model.coef_[0]], round(float(model.intercept_[0]), 6)
        )
    return probes


def with_probes(rows: Rows, probes: dict[str, Probe]) -> Rows:
    x = rows.x.copy()
    x[:, ALL.index("topic")] = rows.q @ np.asarray(probes["topic"].weights) + probes["topic"].bias
    x[:, ALL.index("match")] = (rows.q * rows.u) @ np.asarray(probes["match"].weights) + probes[
        "match"
    ].bias
    return Rows(x, rows.y, rows.suggest_ok, rows.writer, rows.q, rows.u)


def with_oof_probes(rows: Rows) -> Rows:
    """Probe scores for each writer from probes fitted on the other writers."""
    x = rows.x.copy()
    for writer in np.unique(rows.writer):
        test = rows.writer == writer
        scored = with_probes(rows.take(test), fit_probes(rows.take(~test)))
        x[test] = scored.x
    return Rows(x, rows.y, rows.suggest_ok, rows.writer, rows.q, rows.u)


# -- data ---------------------------------------------------------------------------
def collect(items: list[dict], engine, cache: Path | None) -> Rows:
    items = [i for i in items if i["kind"] in {"fact", "list", "out_of_scope"}]
    key = hashlib.sha256((engine.version + json.dumps(ALL) + _code_version()).encode()).hexdigest()[
        :16
    ]
    stored = {}
    if cache and cache.is_file():
        data = json.loads(cache.read_text())
        stored = data["rows"] if data.get("key") == key else {}
    engine.decision = engine.decision.always_answering()
    rows = []
    # Each question twice: with the other writers' sample questions, and with none (as a
    # document nobody wrote sample questions for is answered), so that the model serves both.
    for off in (False, True):
        engine.index.examples.off = off
        for item in items:
            cache_id = f"{item['id']}|{item['question']}|{item['kind']}|{item.get('section')}|{off}"
            if cache_id not in stored:
                # Only the other writers' sample questions: as for a question nobody sampled.
                engine.index.examples.held_out = item["writer"]
                stored[cache_id] = _row(engine, item)
            row = stored[cache_id]
            if row is not None:
                rows.append((row, item["writer"]))
    engine.index.examples.held_out, engine.index.examples.off = None, False
    if cache:
        cache.write_text(json.dumps({"key": key, "rows": stored}))
    return Rows(
        np.asarray([r["x"] for r, _ in rows], dtype=float),
        np.asarray([r["y"] for r, _ in rows]),
        np.asarray([r["suggest_ok"] for r, _ in rows]),
        np.asarray([w for _, w in rows]),
        np.asarray([r["q"] for r, _ in rows], dtype=float),
        np.asarray([r["u"] for r, _ in rows], dtype=float),
    )


def _row(engine, item: dict) -> dict | None:
    """One question answered with the decision forced open: its features and label."""
    from scripts.evaluate import judge, section_matches

    answer = engine.answer(item["question"]).to_dict(item["id"])
    trace = engine.last_trace
    if trace is None or trace.features is None:
        return None
    ok = item["kind"] != "out_of_scope" and judge(item, answer)[0]
    found = any(section_matches(s, item.get("section", "")) for _, s in trace.sections)
    return {
        "q": [round(float(v), 5) for v in trace.vector],
        "u": [round(float(v), 5) for v in trace.quote_vector],
        "x": trace.features.vector(ALL),
        "y": 2 if item["kind"] == "out_of_scope" else 0 if ok else 1,
        "suggest_ok": bool(item["kind"] != "out_of_scope" and found),
    }


def _code_version() -> str:
    root = Path(__file__).resolve().parent.parent / "bot"
    digest = hashlib.sha256()
    for path in sorted(root.glob("answering/*.py")) + sorted(root.glob("retrieval/*.py")):
        if path.name != "decision.py":
            digest.update(path.read_bytes())
    for path in sorted(root.glob("vietnamese/data/*")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


# -- models -------------------------------------------------------------------------
def train(shape: str, x: np.ndarray, y: np.ndarray):
    """An sklearn model of the given shape (its probabilities equal the exported model's)."""
    if shape == "logistic":
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000)).fit(x, y)
    from sklearn.ensemble import GradientBoostingClassifier

    depth, stages = (2, 150) if shape == "trees" else (3, 250)
    return GradientBoostingClassifier(
        n_estimators=stages,
        max_depth=depth,
        learning_rate=LEARNING_RATE,
        subsample=0.8,
        min_samples_leaf=8,
        init="zero",
        random_state=0,
    ).fit(x, y)


def export(model, names: list[str]) -> DecisionModel:
    """The fitted model as the runtime's additive JSON model."""
    if hasattr(model, "named_steps"):
        scaler, logistic = (
            model.named_steps["standardscaler"],
            model.named_steps["logisticregression"],
        )
        mean, std = scaler.mean_, scaler.scale_
        weights = logistic.coef_ / std  # back to raw units: the runtime needs no scaler
        bias = logistic.intercept_ - (logistic.coef_ * mean / std).sum(axis=1)
        return DecisionModel(
            names=names,
            bias=[round(float(b), 5) for b in bias],
            weights=[[round(float(w), 6) for w in row] for row in weights],
        )
    trees = [
        [
            Tree(
                feature=[int(f) for f in est.tree_.feature],
                threshold=[float(t) for t in est.tree_.threshold],
                left=[int(c) for c in est.tree_.children_left],
                right=[int(c) for c in est.tree_.children_right],
                value=[round(float(v), 6) for v in est.tree_.value[:, 0, 0]],
            )
            for est in stage
        ]
        for stage in model.estimators_
    ]
    zeros = [0.0] * len(names)
    return DecisionModel(
        names=names,
        bias=[0.0] * len(CLASSES),
        weights=[zeros] * len(CLASSES),
        trees=trees,
        learning_rate=LEARNING_RATE,
    )


def choose_thresholds(p: np.ndarray, rows: Rows) -> tuple[float, float, float]:
    """The answer thresholds (on P(right) and on P(out)) that best trade right answers for
    wrong ones, then the decline threshold that best trades useful suggestions for
    suggested traps.

    The value of each threshold pair is averaged with its grid neighbours before the best
    is taken: the surface is flat near its top, and an isolated peak is noise of these
    questions, not a better operating point."""
    y = rows.y
    answer_grid, out_grid = np.linspace(0.2, 0.96, 39), np.linspace(0.05, 1.0, 20)
    value = np.zeros((len(answer_grid), len(out_grid)))
    for i, t in enumerate(answer_grid):
        for j, o in enumerate(out_grid):
            answered = (p[:, 0] >= t) & (p[:, 2] < o)
            value[i, j] = (
                (answered & (y == 0)).sum()
                - OUT_COST * (answered & (y == 2)).sum()
                - WRONG_COST * (answered & (y == 1)).sum()
            )
    padded = np.pad(value, 1, mode="edge")
    smooth = sum(
        padded[1 + di : 1 + di + value.shape[0], 1 + dj : 1 + dj + value.shape[1]]
        for di in (-1, 0, 1)
        for dj in (-1, 0, 1)
    )
    i, j = np.unravel_index(int(np.argmax(smooth)), smooth.shape)
    best_t, best_o = round(float(answer_grid[i]), 3), round(float(out_grid[j]), 3)
    rest = ~((p[:, 0] >= best_t) & (p[:, 2] < best_o))
    best_d, best = 0.5, -np.inf
    for d in np.linspace(0.05, 0.95, 91):
        suggested = rest & (p[:, 2] < d)
        gain = (suggested & rows.suggest_ok).sum() - SUGGEST_OUT_COST * (suggested & (y == 2)).sum()
        if gain > best:
            best_d, best = float(d), gain
    return best_t, best_o, best_d


def oof(shape: str, rows: Rows, names: list[str]) -> np.ndarray:
    """Out-of-fold probabilities, one writer left out at a time."""
    cols = [ALL.index(n) for n in names]
    p = np.zeros((len(rows.y), 3))
    for writer in np.unique(rows.writer):
        test = rows.writer == writer
        model = train(shape, rows.x[~test][:, cols], rows.y[~test])
        p[test] = model.predict_proba(rows.x[test][:, cols])
    return p


def scores(p: np.ndarray, rows: Rows, t: float, o: float, d: float) -> dict:
    answered = (p[:, 0] >= t) & (p[:, 2] < o)
    suggested = ~answered & (p[:, 2] < d)
    inside = rows.y != 2
    right = answered & (rows.y == 0)
    return {
        "in_scope": int(inside.sum()),
        "answered_right": int(right.sum()),
        "right_or_suggested": int((right | (suggested & rows.suggest_ok)).sum()),
        "out": int((~inside).sum()),
        "out_answered": int((answered & ~inside).sum()),
        "out_suggested": int((suggested & ~inside).sum()),
    }


def held_out(shape: str, rows: Rows, names: list[str]) -> dict[str, dict]:
    """Leave one writer out: fit and choose thresholds on the others, score the one."""
    cols = [ALL.index(n) for n in names]
    result = {}
    for writer in np.unique(rows.writer):
        test = rows.writer == writer
        seen = rows.take(~test)
        unseen = rows.take(test)
        if "topic" in names or "match" in names:
            unseen = with_probes(unseen, fit_probes(seen))
            seen = with_oof_probes(seen)
        t, o, d = choose_thresholds(oof(shape, seen, names), seen)
        model = train(shape, seen.x[:, cols], seen.y)
        p = model.predict_proba(unseen.x[:, cols])
        sampled = unseen.x[:, ALL.index("sampled")] > 0
        for label, mask in ((str(writer), sampled), (f"{writer} (không mẫu)", ~sampled)):
            if mask.any():
                result[label] = scores(p[mask], unseen.take(mask), t, o, d)
    return result


def total(per_writer: dict[str, dict]) -> dict:
    keys = next(iter(per_writer.values())).keys()
    return {k: sum(s[k] for s in per_writer.values()) for k in keys}


def describe(s: dict) -> str:
    def pct(a: int, b: int) -> str:
        return f"{a}/{b} ({100 * a / max(b, 1):.1f} %)"

    return (
        f"trả lời đúng {pct(s['answered_right'], s['in_scope'])}, "
        f"đúng hoặc gợi ý đúng {pct(s['right_or_suggested'], s['in_scope'])}, "
        f"ngoài phạm vi bị trả lời {pct(s['out_answered'], s['out'])}, gợi ý {s['out_suggested']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path, nargs="+")
    parser.add_argument("--shape", choices=["logistic", "trees", "deep_trees"], default="trees")
    parser.add_argument(
        "--compare", action="store_true", help="score other shapes and feature sets"
    )
    parser.add_argument("--cache", type=Path, default=Path("data/decision_rows.json"))
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    args.cache.parent.mkdir(parents=True, exist_ok=True)

    from scripts.engine_for import engine_for
    from scripts.evaluate import load_items

    engine = engine_for()
    items = load_items(args.questions)
    rows = collect(items, engine, args.cache)
    print(
        f"{len(rows.y)} câu: đúng {int((rows.y == 0).sum())}, chưa đúng {int((rows.y == 1).sum())}, "
        f"ngoài phạm vi {int((rows.y == 2).sum())}; người viết: {', '.join(np.unique(rows.writer))}"
    )
    if args.compare:
        for shape in ("logistic", "trees"):
            for label, names in (
                ("7 tín hiệu cũ", BASELINE),
                ("không thăm dò", [n for n in ALL if n not in {"topic", "match"}]),
                ("chỉ match", [n for n in ALL if n != "topic"]),
                ("tất cả", ALL),
            ):
                print(f"{shape:<11}{label:<14}{describe(total(held_out(shape, rows, names)))}")
    per_writer = held_out(args.shape, rows, ALL)
    for writer, s in per_writer.items():
        print(f"  giữ lại {writer:<16} {describe(s)}")
    for label, part in (
        ("có câu hỏi mẫu", {w: v for w, v in per_writer.items() if "(" not in w}),
        ("không có câu hỏi mẫu", {w: v for w, v in per_writer.items() if "(" in w}),
    ):
        print(f"giữ lại từng người viết, {label}: {describe(total(part))}")

    probes = fit_probes(rows)
    # The fitting documents' mean sentence score: a document added later is read on this scale.
    topic = probes["topic"]
    probes["topic"] = replace(
        topic, reference=round(float(topic.scores(engine.index.unit_vectors).mean()), 6)
    )
    rows = with_oof_probes(rows)
    t, o, d = choose_thresholds(oof(args.shape, rows, ALL), rows)
    fitted = train(args.shape, rows.x, rows.y)
    probes["handoff"], handoff_at, handoff_report = fit_handoff_probe(engine, items)
    print(f"thăm dò chuyển cán bộ (giữ lại từng người viết): {handoff_report}")
    model = replace(
        export(fitted, ALL),
        probes=probes,
        answer_at=round(t, 3),
        answer_out_below=o,
        decline_at=round(d, 3),
        handoff_at=handoff_at,
    )
    check = np.asarray([model.probabilities(Features(*r)) for r in rows.x[:50].tolist()])
    assert np.allclose(check, fitted.predict_proba(rows.x[:50]), atol=1e-4), "export differs"
    print(f"ngưỡng trả lời P(đúng) ≥ {t:.2f} và P(ngoài) < {o}, ngưỡng từ chối P(ngoài) ≥ {d:.2f}")
    if not args.dry_run:
        report = {
            "held_out_by_writer": per_writer,
            "questions": len(rows.y),
            "shape": args.shape,
            "handoff_probe": handoff_report,
        }
        model.save(report=report)
        print("đã ghi bot/answering/decision.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
