"""Sample questions: reading knowledge/questions, what the nearest ones lift, persistence."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.errors import SearchIndexError
from bot.retrieval import examples as samples
from bot.retrieval.examples import NONE, Examples

SECTIONS = {"12-KH/TEST": {"preamble", "I", "I.1", "II.1"}}


def unit(*values: float) -> np.ndarray:
    v = np.asarray(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def memory() -> Examples:
    return Examples(
        docs=["12-KH/TEST", "12-KH/TEST", ""],
        sections=["I.1", "II.1", ""],
        in_scope=np.asarray([True, True, False]),
        writers=["a", "b", "a"],
        vectors=np.stack([unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1)]),
    )


def write(folder: Path, name: str, rows: list[dict | str]) -> None:
    (folder / samples.FOLDER).mkdir(exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    (folder / samples.FOLDER / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_nearest_sample_lifts_its_section_most():
    near = memory().neighbours(unit(1, 0.1, 0))
    assert near.section == ("12-KH/TEST", "I.1")
    assert near.nearest_in == pytest.approx(float(unit(1, 0.1, 0)[0]), abs=1e-6)
    lifts = memory().lifts(near)
    assert lifts[("12-KH/TEST", "I.1")] == pytest.approx(samples.WEIGHT)
    # The other section trails by far more than SPREAD: it is not lifted at all.
    assert ("12-KH/TEST", "II.1") not in lifts


def test_a_question_far_from_every_sample_lifts_nothing():
    near = memory().neighbours(unit(1, 1, 1))  # cosine 0.58 with each: below FLOOR
    assert near.section is not None
    assert memory().lifts(near) == {}


def test_the_nearest_out_of_scope_sample_is_reported_but_lifts_nothing():
    near = memory().neighbours(unit(0, 0, 1))
    assert near.nearest_out == pytest.approx(1.0)
    assert near.nearest_in == pytest.approx(0.0, abs=1e-6)


def test_a_held_out_writer_and_off_set_samples_aside():
    examples = memory()
    examples.held_out = "a"
    near = examples.neighbours(unit(1, 0.1, 0))
    assert near.section == ("12-KH/TEST", "II.1")  # writer a's I.1 sample is set aside
    assert near.nearest_out == 0.0  # … and a's out-of-scope one
    examples.held_out, examples.off = None, True
    assert examples.neighbours(unit(1, 0, 0)) is NONE
    assert not examples.covers("12-KH/TEST")
    examples.off = False
    assert examples.covers("12-KH/TEST") and not examples.covers("99-KH/OTHER")


def test_read_takes_questions_skips_other_kinds_and_defaults_doc_and_writer(tmp_path):
    write(
        tmp_path,
        "nguoi-viet-1.jsonl",
        [
            {"question": "Mục đích là gì?", "kind": "fact", "section": "I.1"},
            {"question": "Giá vé xe buýt?", "kind": "out_of_scope", "section": ""},
            {"question": "cho gặp cán bộ", "kind": "handoff"},
            "",
            {"question": "Ai ký?", "kind": "list", "section": "preamble", "writer": "w9"},
        ],
    )
    read = samples.read(tmp_path, SECTIONS)
    assert [(r["doc"], r["section"], r["in_scope"], r["writer"]) for r in read] == [
        ("12-KH/TEST", "I.1", True, "nguoi-viet-1"),
        ("12-KH/TEST", "", False, "nguoi-viet-1"),
        ("12-KH/TEST", "preamble", True, "w9"),
    ]


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('{"question": "x", "kind": "fact", "section": "IX.9"}', "không có mục 'IX.9'"),
        ("{not json", "không phải JSON"),
    ],
)
def test_read_names_the_file_and_line_of_a_bad_question(tmp_path, line, says):
    write(tmp_path, "bad.jsonl", [{"question": "a", "kind": "fact", "section": "I"}, line])
    with pytest.raises(SearchIndexError, match=says) as raised:
        samples.read(tmp_path, SECTIONS)
    assert "bad.jsonl, dòng 2" in str(raised.value)


def test_two_documents_need_the_doc_field(tmp_path):
    write(tmp_path, "q.jsonl", [{"question": "a", "kind": "fact", "section": "I"}])
    two = {**SECTIONS, "13-KH/TEST": {"I"}}
    with pytest.raises(SearchIndexError, match="trong tài liệu None"):
        samples.read(tmp_path, two)
    write(
        tmp_path,
        "q.jsonl",
        [{"question": "a", "kind": "fact", "section": "I", "doc": "13-KH/TEST"}],
    )
    assert samples.read(tmp_path, two)[0]["doc"] == "13-KH/TEST"


def test_digest_follows_the_files(tmp_path):
    assert samples.digest(tmp_path) == ""
    write(tmp_path, "q.jsonl", [{"question": "a", "kind": "fact", "section": "I"}])
    first = samples.digest(tmp_path)
    write(tmp_path, "q.jsonl", [{"question": "b", "kind": "fact", "section": "I"}])
    assert first and samples.digest(tmp_path) not in {"", first}


def test_build_embeds_each_question_once_and_round_trips(tmp_path):
    write(
        tmp_path,
        "q.jsonl",
        [{"question": f"câu {i}", "kind": "fact", "section": "I"} for i in range(3)],
    )
    seen: list[str] = []

    def encode(texts):
        seen.extend(texts)
        return np.stack([unit(1, i, 0) for i in range(len(texts))])

    built = samples.build(tmp_path, SECTIONS, encode, 3)
    assert seen == ["câu 0", "câu 1", "câu 2"] and len(built) == 3
    built.save(tmp_path)
    loaded = Examples.load(tmp_path, 3)
    assert loaded.sections == built.sections and loaded.digest == built.digest
    assert np.array_equal(loaded.vectors, built.vectors)


def test_an_index_without_sample_files_loads_empty(tmp_path):
    loaded = Examples.load(tmp_path, 384)
    assert len(loaded) == 0 and loaded.vectors.shape == (0, 384)
    assert loaded.neighbours(unit(*([1.0] * 384))) is NONE
    assert (
        samples.build(tmp_path, SECTIONS, lambda t: pytest.fail("nothing to embed"), 384).digest
        == ""
    )
