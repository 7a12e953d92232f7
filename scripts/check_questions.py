#!/usr/bin/env python3
"""Check a question file before it is used: `python3 scripts/check_questions.py FILE.jsonl …`.

Needs nothing but the standard library and ``index/documents.json`` (or ``--documents``),
so question writers can run it anywhere. ``--sections`` lists every section id with its
heading. Each line must be a JSON object with ``id, question, style, kind,
answer_contains, section`` (``note``, ``writer`` and ``form``: short/normal/long optional). For fact and list
questions the section must exist and every ``answer_contains`` string must occur, after
NFC and whitespace normalisation, in that section's text (its subsections included), as
an answer quoting it would contain it. A ``not_handoff`` line is a message that must not
be handed to an officer (greetings, thanks, questions that talk about officers) and whose
answer is not judged. Exit status 1 when any line is wrong.
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from pathlib import Path

KINDS = {"fact", "list", "out_of_scope", "handoff", "not_handoff"}  # not_handoff: no answer judged
STYLES = {"diacritics", "no_diacritics", "colloquial", "english"}
FORMS = {"short", "normal", "long"}
ROOT = Path(__file__).resolve().parent.parent


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def load_sections(path: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(doc, section) → (heading, normalised text of the section with its subsections)."""
    found = {}
    for doc in json.loads(path.read_text(encoding="utf-8")):
        doc_id = doc["meta"]["id"]
        for s in doc["sections"]:
            found[(doc_id, s["id"])] = (s["title"], norm(doc["text"][s["start"] : s["end"]]))
    return found


def problems(item: dict, sections: dict, seen: set[str]) -> list[str]:
    wrong = []
    for key in ("id", "question", "style", "kind", "answer_contains", "section"):
        if key not in item:
            wrong.append(f"thiếu trường {key}")
    if wrong:
        return wrong
    if item["id"] in seen:
        wrong.append("id trùng")
    seen.add(item["id"])
    if item["kind"] not in KINDS:
        wrong.append(f"kind lạ {item['kind']!r}")
    if item["style"] not in STYLES:
        wrong.append(f"style lạ {item['style']!r}")
    if item.get("form", "normal") not in FORMS:
        wrong.append(f"form lạ {item['form']!r}")
    if not isinstance(item["question"], str) or not item["question"].strip():
        wrong.append("câu hỏi rỗng")
    if item["kind"] in {"fact", "list"}:
        doc = item.get("doc") or next(iter({d for d, _ in sections}), "")
        key = (doc, item["section"])
        if key not in sections:
            wrong.append(f"không có mục {item['section']!r}")
        elif not item["answer_contains"]:
            wrong.append("answer_contains rỗng")
        else:
            text = sections[key][1]
            for s in item["answer_contains"]:
                if norm(s) not in text:
                    wrong.append(f"{s!r} không có nguyên văn trong mục {item['section']}")
    elif item["answer_contains"] or item["section"]:
        wrong.append(
            "câu ngoài phạm vi/chuyển cán bộ/không chuyển phải có answer_contains [] và section ''"
        )
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="*")
    parser.add_argument("--documents", type=Path, default=ROOT / "index" / "documents.json")
    parser.add_argument("--sections", action="store_true", help="list the section ids")
    args = parser.parse_args(argv)
    sections = load_sections(args.documents)
    if args.sections:
        for (doc, section), (title, text) in sections.items():
            print(f"{doc}\t{section}\t{title[:90]}\t({len(text)} ký tự)")
    bad = 0
    for path in args.files:
        seen: set[str] = set()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                print(f"{path}:{n}: JSON hỏng: {exc}")
                bad += 1
                continue
            for why in problems(item, sections, seen):
                print(f"{path}:{n}: {item.get('id')}: {why}")
                bad += 1
        print(f"{path}: {len(seen)} câu, {bad} lỗi")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
