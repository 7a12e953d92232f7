"""Every question file the project measures or fits with is well formed: known kinds and
styles, existing section ids, and expected strings that are verbatim in their section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.check_questions import load_sections, problems
from tests.answering.support import INDEX_DIR, REPO_ROOT

DATA = REPO_ROOT / "tests" / "data"
BANK = REPO_ROOT / "knowledge" / "questions"  # the sample questions the bot ships with
FILES = sorted([*DATA.glob("*.jsonl"), *BANK.glob("*.jsonl"), *DATA.glob("holdout/*.jsonl")])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_question_file_is_valid(path: Path) -> None:
    sections = load_sections(INDEX_DIR / "documents.json")
    seen: set[str] = set()
    wrong = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            wrong += [f"{item.get('id')}: {why}" for why in problems(item, sections, seen)]
    assert not wrong, wrong[:10]


def test_the_bank_is_large_and_split_by_writer() -> None:
    items = [json.loads(line) for p in BANK.glob("*.jsonl") for line in p.open() if line.strip()]
    writers = {i["writer"] for i in items}
    assert len(items) >= 1300 and len(writers) >= 5
    assert sum(i["kind"] == "out_of_scope" for i in items) >= 400
    for name in ("hx_citizens.jsonl", "hy_citizens.jsonl"):
        held_out = [json.loads(line) for line in (DATA / "holdout" / name).open()]
        assert not writers & {i["writer"] for i in held_out}
