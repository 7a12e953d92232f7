"""Sample questions in knowledge/questions/, built with the index as a maintainer builds it."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from bot.retrieval.examples import Examples
from tests.scripts.test_build_index import DOCUMENT, build

QUESTIONS = [
    {"question": "Mỗi tủ sách có bao nhiêu đầu sách?", "kind": "fact", "section": "II.1"},
    {"question": "ngay hoi doc sach la ngay nao", "kind": "fact", "section": "II.2"},
    {"question": "Giá một cuốn sách ở nhà sách là bao nhiêu?", "kind": "out_of_scope"},
    {"question": "cho tôi gặp cán bộ", "kind": "handoff"},
]


def knowledge_with(folder, questions: list[dict]):
    folder.mkdir()
    (folder / "12-KH-TEST.txt").write_text(DOCUMENT, encoding="utf-8")
    (folder / "questions").mkdir()
    lines = [json.dumps(q, ensure_ascii=False) for q in questions]
    (folder / "questions" / "nguoi-viet.jsonl").write_text("\n".join(lines), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("examples")
    knowledge = knowledge_with(root / "knowledge", QUESTIONS)
    result = build(knowledge, root / "index")
    assert result.returncode == 0, result.stderr
    return knowledge, root / "index"


@pytest.mark.slow
def test_the_sample_questions_are_embedded_with_the_index(built):
    _, index = built
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["examples"]["count"] == 3  # the handoff request is not a sample
    examples = Examples.load(index, 384)
    assert examples.sections == ["II.1", "II.2", ""]
    assert examples.docs[:2] == ["12-KH/TEST", "12-KH/TEST"]
    assert examples.writers == ["nguoi-viet"] * 3
    assert np.allclose(np.linalg.norm(examples.vectors, axis=1), 1.0, atol=1e-3)
    # Asked as written, the first sample is its own nearest neighbour, about II.1.
    assert examples.neighbours(examples.vectors[0]).section == ("12-KH/TEST", "II.1")


@pytest.mark.slow
def test_editing_the_sample_questions_makes_the_index_stale(built, tmp_path):
    knowledge, index = built
    copy = tmp_path / "index"
    shutil.copytree(index, copy)
    assert "không cần lập lại" in build(knowledge, copy, "--if-stale").stdout
    edited = knowledge_with(tmp_path / "knowledge", QUESTIONS[:1])
    result = build(edited, copy, "--if-stale")
    assert result.returncode == 0, result.stderr
    assert "không cần lập lại" not in result.stdout
    assert json.loads((copy / "manifest.json").read_text())["examples"]["count"] == 1


@pytest.mark.slow
def test_a_sample_question_about_a_missing_section_stops_the_build_plainly(tmp_path):
    bad = [{"question": "Mục IX nói gì?", "kind": "fact", "section": "IX"}]
    result = build(knowledge_with(tmp_path / "knowledge", bad), tmp_path / "index")
    assert result.returncode == 1
    assert "nguoi-viet.jsonl, dòng 1" in result.stderr and "'IX'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "index" / "manifest.json").exists()
