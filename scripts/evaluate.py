#!/usr/bin/env python3
"""Score the engine on a question file: `python scripts/evaluate.py ../shared/eval/dev.jsonl`.

A fact/list item counts as answered when the answer is grounded, contains every
``answer_contains`` string (after NFC and whitespace normalisation) and cites the
expected section, or a sub- or parent section of it. Out-of-scope items must be
declined (``grounded: false``) and handoff items recognised (``handoff: true``).
Every quote must be verbatim text of its document.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def section_matches(cited: str, expected: str) -> bool:
    return cited == expected or cited.startswith(expected + ".") or expected.startswith(cited + ".")


def judge(item: dict, answer: dict) -> tuple[bool, str]:
    kind = item["kind"]
    if kind == "out_of_scope":
        return not answer["grounded"], "phải từ chối"
    if kind == "handoff":
        return bool(answer["handoff"]), "phải chuyển cán bộ"
    if not answer["grounded"]:
        return False, "không trả lời"
    text = norm(answer["answer"])
    missing = [s for s in item["answer_contains"] if norm(s) not in text]
    if missing:
        return False, f"thiếu {missing}"
    if not any(section_matches(c["section"], item["section"]) for c in answer["citations"]):
        return False, f"dẫn {[c['section'] for c in answer['citations']]}, cần {item['section']}"
    return True, ""


def quotes_verbatim(answer: dict, documents: dict[str, str]) -> bool:
    return all(norm(c["quote"]) in documents.get(c["doc"], "") for c in answer["citations"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("--show", action="store_true", help="print every answer")
    parser.add_argument("--features", type=Path, help="write per-question features (JSON lines)")
    args = parser.parse_args(argv)

    from bot.answering.loading import load_engine
    from bot.config import Settings

    engine = load_engine(Settings())
    documents = {doc_id: norm(d.document.text) for doc_id, d in engine.index.documents.items()}
    items = [
        json.loads(line)
        for line in args.questions.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]

    by_group: dict[tuple[str, str], list[bool]] = defaultdict(list)
    misses, lengths, not_verbatim = [], [], []
    feature_rows = []
    for item in items:
        answer = engine.answer(item["question"]).to_dict(item["id"])
        ok, why = judge(item, answer)
        by_group[(item["kind"], item["style"])].append(ok)
        if answer["grounded"]:
            lengths.append(len(answer["answer"]))
        if not quotes_verbatim(answer, documents):
            not_verbatim.append(item["id"])
        if not ok:
            misses.append((item, answer, why))
        if args.show:
            print(
                f"--- {item['id']} [{item['kind']}/{item['style']}] {'OK' if ok else 'MISS ' + why}"
            )
            print(f"Q: {item['question']}\n{answer['answer']}\n(conf {answer['confidence']})")
        trace = engine.last_trace
        if args.features and trace and trace.features:
            from dataclasses import asdict

            feature_rows.append(
                {"id": item["id"], "kind": item["kind"], "ok": ok, **asdict(trace.features)}
            )

    if args.features:
        args.features.write_text(
            "\n".join(json.dumps(r) for r in feature_rows) + "\n", encoding="utf-8"
        )
    return _report(items, by_group, misses, lengths, not_verbatim)


def _report(items, by_group, misses, lengths, not_verbatim) -> int:
    def rate(values: list[bool]) -> str:
        return f"{sum(values)}/{len(values)} ({100 * sum(values) / max(len(values), 1):.0f} %)"

    print(f"\n== {len(items)} câu hỏi ==")
    kinds = sorted({k for k, _ in by_group})
    styles = sorted({s for _, s in by_group})
    for kind in kinds:
        row = [v for (k, _), vals in by_group.items() if k == kind for v in vals]
        print(f"{kind:<13} {rate(row)}")
        for style in styles:
            if (kind, style) in by_group:
                print(f"   {style:<14} {rate(by_group[(kind, style)])}")
    in_scope = [v for (k, _), vals in by_group.items() if k in {"fact", "list"} for v in vals]
    no_marks = [
        v
        for (k, s), vals in by_group.items()
        if k in {"fact", "list"} and s == "no_diacritics"
        for v in vals
    ]
    print(f"\ntrong phạm vi: {rate(in_scope)}; gõ không dấu: {rate(no_marks)}")
    if lengths:
        print(
            f"độ dài trả lời: trung vị {statistics.median(lengths):.0f}, lớn nhất {max(lengths)}, "
            f"> 2000: {sum(1 for x in lengths if x > 2000)}"
        )
    print(f"trích dẫn không nguyên văn: {len(not_verbatim)} {not_verbatim}")
    if misses:
        print("\n== trượt ==")
        for item, answer, why in misses:
            cited = [c["section"] for c in answer["citations"]]
            print(
                f"{item['id']} [{item['kind']}/{item['style']}] {item['question']}\n   → {why}; dẫn {cited}; conf {answer['confidence']}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
