#!/usr/bin/env python3
"""Fit the officer answer model: `python scripts/fit_officer_match.py tests/data/entries/fit_*.jsonl`.

Each file is one writer's officer answers with paraphrases (which must get their answer)
and near misses (which must get none). All writers' answers are served together, as in a
deployment; the document questions of knowledge/questions are near misses too (an officer
answer must not take them). Every number printed is for a writer the fit did not see
(leave one writer out), the threshold included: it is chosen on the other writers.
The dev set, tests/data/holdout/ and tests/data/entries/eval_* are never used here.
Writes bot/answering/officer_match.json (``--dry-run``: nothing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.answering.officer_features import NAMES
from bot.answering.officer_index import MODEL_FILE, MatchModel
from bot.core.officer_answers import OfficerAnswerText, ServedOfficerAnswer
from bot.retrieval.query import analyze

NEAR_MISS_CEILING = 0.01  # near misses the threshold may let through, on the fitting writers
BANK = sorted(Path("knowledge/questions").glob("*.jsonl"))


@dataclass
class Asked:
    writer: str
    text: str
    entry: int | None  # the served id of the answer that answers it
    kind: str  # paraphrase | near_miss | document
    style: str
    candidates: list[tuple[int, np.ndarray]]  # (served id, features)


def load(paths: list[Path]) -> tuple[list[ServedOfficerAnswer], list[tuple[str, dict]]]:
    served, questions, ids = [], [], {}
    now = datetime(2026, 12, 1, tzinfo=UTC)
    for path in paths:
        writer = path.stem
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            if item.get("type") == "entry" or ("answer" in item and "questions" in item):
                ids[(writer, item["id"])] = len(served) + 1
                text = OfficerAnswerText(
                    tuple(item["questions"]),
                    item["answer"],
                    tuple(tuple(s) for s in item.get("sections", ())),
                )
                served.append(ServedOfficerAnswer(len(served) + 1, 1, item["unit"], now, text))
            else:
                questions.append((writer, item))
    asked = []
    for writer, item in questions:
        entry = ids.get((writer, item["entry"])) if item.get("entry") else None
        asked.append((writer, {**item, "served": entry}))
    return served, asked


def featurize(engine, served, asked, bank_limit: int) -> list[Asked]:
    asyncio.run(engine.serve_officer_answers(served))
    rows = []
    pool = [(w, q) for w, q in asked]
    for path in BANK:
        for line in path.read_text(encoding="utf-8").splitlines()[:bank_limit]:
            item = json.loads(line)
            pool.append(("bank", {"text": item["question"], "served": None, "kind": "document",
                                  "style": item.get("style", "")}))  # fmt: skip
    texts = [q["text"] for _, q in pool]
    queries = [analyze(t, engine.lexicon, engine.judge) for t in texts]
    vectors = engine.encoder.encode_queries([q.dense_text for q in queries])
    for (writer, item), query, vector in zip(pool, queries, vectors, strict=True):
        terms = engine.judge.content_terms(query.terms)
        found = engine.officers.candidates(query, vector, terms)
        candidates = [(m.served.entry_id, m.features.vector()) for m in found]
        rows.append(Asked(writer, item["text"], item["served"], item.get("kind", ""),
                          item.get("style", ""), candidates))  # fmt: skip
    return rows


PARAPHRASES_OFFERED = 0.9  # share of paraphrases whose answer is at least offered
NEAR_MISS_WEIGHT = 2.0  # a near miss's candidates: the mistakes that matter most
OTHER_WEIGHT = 0.5  # a paraphrase's other candidates (siblings in other wards…)


def matrix(rows: list[Asked]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every candidate of the writers' questions (not the document bank's: an answer that
    explains a term of the documents may rightly match a question about it)."""
    x, y, w = [], [], []
    for row in rows:
        if row.kind == "document":
            continue
        for entry, values in row.candidates:
            right = int(entry == row.entry)
            x.append(values)
            y.append(right)
            w.append(
                1.0 if right else NEAR_MISS_WEIGHT if row.kind == "near_miss" else OTHER_WEIGHT
            )
    return np.array(x), np.array(y), np.array(w)


C = 0.3  # the logistic model's inverse regularisation


def fit(rows: list[Asked]) -> MatchModel:
    from sklearn.linear_model import LogisticRegression

    x, y, w = matrix(rows)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    model = LogisticRegression(C=C, max_iter=5000)
    model.fit((x - mean) / scale, y, sample_weight=w)
    fitted = MatchModel(tuple(model.coef_[0]), float(model.intercept_[0]), 0.5,
                        tuple(mean), tuple(scale))  # fmt: skip
    served_from = threshold(fitted, rows)
    offered_from = min(suggest_threshold(fitted, rows), served_from)
    return MatchModel(
        fitted.weights, fitted.bias, served_from, fitted.mean, fitted.scale, offered_from
    )


def suggest_threshold(model: MatchModel, rows: list[Asked]) -> float:
    """Offered as a choice from the probability that reaches PARAPHRASES_OFFERED of the
    writers' paraphrases (an offer states nothing: a wrong one costs a tap, not trust)."""
    gold = sorted(
        (model.probability_of(v) for r in rows for e, v in r.candidates if e == r.entry),
        reverse=True,
    )
    paraphrases = sum(1 for r in rows if r.entry is not None)
    reach = min(int(PARAPHRASES_OFFERED * paraphrases), len(gold) - 1)
    return float(gold[reach]) if gold else 2.0


def best(model: MatchModel, row: Asked) -> tuple[int | None, float]:
    scored = [(model.probability_of(v), e) for e, v in row.candidates]
    if not scored:
        return None, 0.0
    p, entry = max(scored)
    return entry, p


def threshold(model: MatchModel, rows: list[Asked]) -> float:
    """The lowest threshold that lets at most NEAR_MISS_CEILING of the negatives through."""
    # Near misses only: a document question an answer explains ("đô thị di sản là gì") may
    # rightly match it, and the documents' own answer comes first anyway.
    negatives = sorted((best(model, r)[1] for r in rows if r.kind == "near_miss"), reverse=True)
    allowed = int(NEAR_MISS_CEILING * len(negatives))
    return float(negatives[allowed]) + 1e-6 if negatives else 0.5


def score(model: MatchModel, rows: list[Asked]) -> dict[str, float]:
    out: dict[str, list[int]] = {
        "paraphrase right": [],
        "paraphrase offered": [],
        "near miss answered": [],
        "near miss offered": [],
        "document taken": [],
    }
    styles: dict[str, list[int]] = {}
    for row in rows:
        entry, p = best(model, row)
        taken = p >= model.threshold
        offered = p >= model.suggest
        if row.entry is not None:
            right = int(taken and entry == row.entry)
            out["paraphrase right"].append(right)
            out["paraphrase offered"].append(int(offered and entry == row.entry))
            styles.setdefault(row.style, []).append(right)
        elif row.kind == "document":
            out["document taken"].append(int(taken))
        else:
            out["near miss answered"].append(int(taken))
            out["near miss offered"].append(int(offered and not taken))
    result = {k: round(100 * float(np.mean(v)), 1) for k, v in out.items() if v}
    result |= {f"  {k}": round(100 * float(np.mean(v)), 1) for k, v in sorted(styles.items())}
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--bank", type=int, default=60, help="questions per bank file")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    if any(p.name.startswith("eval") or "holdout" in str(p) or "dev" in p.name for p in args.files):
        parser.error("evaluation data is never fitted on")
    from bot.answering.loading import load_engine
    from bot.config import Settings

    engine = load_engine(Settings())
    served, asked = load(args.files)
    rows = featurize(engine, served, asked, args.bank)
    writers = sorted({r.writer for r in rows} - {"bank"})
    for writer in writers if len(writers) > 1 else []:
        model = fit([r for r in rows if r.writer != writer])
        print(
            f"writer {writer} unseen (threshold {model.threshold:.3f}, suggest {model.suggest:.3f}):",
            score(model, [r for r in rows if r.writer == writer]),
        )
    model = fit(rows)
    print(f"all writers (fitted on): threshold {model.threshold:.3f}", score(model, rows))
    print("weights:", dict(zip(NAMES, np.round(model.weights, 2), strict=True)))
    if not args.dry_run:
        MODEL_FILE.write_text(json.dumps({
            "features": list(NAMES), "weights": list(model.weights), "bias": model.bias,
            "threshold": model.threshold, "suggest": model.suggest, "mean": list(model.mean), "scale": list(model.scale),
            "fitted_on": [str(p) for p in args.files], "bank_per_file": args.bank,
        }, indent=1) + "\n", encoding="utf-8")  # fmt: skip
    engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
