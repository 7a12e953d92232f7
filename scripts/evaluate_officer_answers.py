#!/usr/bin/env python3
"""How the engine serves officer answers, judged end to end through its answers.

    python scripts/evaluate_officer_answers.py tests/data/entries/eval_entries.jsonl \
        tests/data/entries/eval_questions.jsonl

The answers file (id, unit, questions, answer, sections) is served as approved officer
answers; each question is then asked as a citizen would. A paraphrase is right when the
answer cites its officer answer (kind "officer_answer", that id); a near miss is wrong
when any officer answer is cited as the answer (a "see also" after the documents' own
answer is counted apart). Prints totals and by style; ``--wrong`` lists the misses.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.answer import OFFICER_ANSWER_DOC
from bot.core.officer_answers import OfficerAnswerText, ServedOfficerAnswer


def served_from(path: Path) -> tuple[list[ServedOfficerAnswer], dict[str, int]]:
    served, ids = [], {}
    now = datetime(2026, 12, 1, tzinfo=UTC)
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        ids[item["id"]] = len(served) + 1
        text = OfficerAnswerText(
            tuple(item["questions"]), item["answer"], tuple(tuple(s) for s in item["sections"])
        )
        served.append(ServedOfficerAnswer(len(served) + 1, 1, item["unit"], now, text))
    return served, ids


def officer_cited(answer) -> tuple[int | None, bool]:
    """(the officer answer cited, whether as the answer itself rather than a "see also")."""
    for position, citation in enumerate(answer.citations):
        if citation.kind == "officer_answer":
            return citation.entry, position == 0
    return None, False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("answers", type=Path)
    parser.add_argument("questions", type=Path)
    parser.add_argument("--wrong", action="store_true")
    args = parser.parse_args()
    from bot.answering.loading import load_engine
    from bot.config import Settings

    engine = load_engine(Settings())
    served, ids = served_from(args.answers)
    asyncio.run(engine.serve_officer_answers(served))
    totals: dict[str, list[int]] = defaultdict(list)
    see_also = 0
    for line in args.questions.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        answer = engine.answer(item["text"])
        cited, primary = officer_cited(answer)
        style = item.get("style", "")
        offers = {int(o.section) for o in answer.suggestions if o.doc == OFFICER_ANSWER_DOC}
        if item["kind"] == "paraphrase":
            right = int(cited == ids[item["entry"]] and primary)
            totals["paraphrase right"].append(right)
            totals["paraphrase right or offered"].append(int(right or ids[item["entry"]] in offers))
            totals[f"paraphrase right, {style}"].append(right)
            wrong = not right
        else:
            taken = int(cited is not None and primary)
            see_also += int(cited is not None and not primary)
            totals["near miss answered"].append(taken)
            totals["near miss offered an answer"].append(int(bool(offers)))
            totals[f"near miss answered, {style}"].append(taken)
            wrong = bool(taken)
        if wrong and args.wrong:
            print(f"✗ {item['kind']} {item.get('entry') or item.get('near')}: {item['text']}")
            print(f"   → {answer.kind} {cited} {answer.answer[:140]!r}")
    for name, values in sorted(totals.items()):
        print(
            f"{name:40s} {sum(values):4d}/{len(values):<4d} {100 * sum(values) / len(values):5.1f} %"
        )
    print(f"near misses with an officer answer as 'see also' after the documents: {see_also}")
    engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
