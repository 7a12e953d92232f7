"""BM25 over prefixed terms: build, score, save/load round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.retrieval.lexical import BM25, index_terms

CORPUS = [
    "Thu nhập bình quân đầu người đạt 12.000 USD năm 2030.",
    "Hoàn thành xử lý ùn tắc giao thông và úng ngập.",
    "Tuyên truyền trên mạng xã hội, tối thiểu 10 tin, bài/tháng.",
    "Tuyên truyền sâu rộng trong cán bộ, đảng viên và Nhân dân.",
]


@pytest.fixture(scope="module")
def bm25() -> BM25:
    return BM25.build([index_terms(text) for text in CORPUS])


def test_index_terms_fields() -> None:
    terms = index_terms("Văn hoá Thủ đô")
    assert terms == [
        "f:van", "f:hoa", "f:thu", "f:do",
        "a:văn", "a:hóa", "a:thủ", "a:đô",  # tone placement made canonical
        "b:van_hoa", "b:hoa_thu", "b:thu_do",
    ]  # fmt: skip


def test_build(bm25: BM25) -> None:
    assert bm25.size == len(CORPUS)
    assert bm25.document_frequency("f:tuyen") == 2
    assert bm25.document_frequency("f:un") == 1
    assert bm25.document_frequency("f:khong-co") == 0


def test_scores_rank_the_matching_document_first(bm25: BM25) -> None:
    scores = bm25.scores({"f:un": 1.0, "f:tac": 1.0, "b:un_tac": 1.0})
    assert scores.shape == (len(CORPUS),)
    assert int(np.argmax(scores)) == 1
    assert scores[0] == scores[2] == scores[3] == 0.0


def test_unseen_term_is_ignored(bm25: BM25) -> None:
    base = bm25.scores({"f:thu": 1.0})
    with_unseen = bm25.scores({"f:thu": 1.0, "f:weather": 5.0})
    np.testing.assert_array_equal(base, with_unseen)
    assert not bm25.scores({"f:weather": 1.0}).any()


def test_rarer_term_scores_higher(bm25: BM25) -> None:
    # "f:tuyen" occurs in two documents, "f:mang" only in document 2 (which has both).
    assert bm25.term_idf("f:mang") > bm25.term_idf("f:tuyen")
    assert bm25.scores({"f:mang": 1.0})[2] > bm25.scores({"f:tuyen": 1.0})[2]


def test_unseen_term_idf_is_the_highest(bm25: BM25) -> None:
    assert bm25.term_idf("f:weather") > max(bm25.term_idf(t) for t in bm25.vocabulary)


def test_weights_scale_scores(bm25: BM25) -> None:
    once = bm25.scores({"f:ngap": 1.0})
    twice = bm25.scores({"f:ngap": 2.0})
    np.testing.assert_allclose(twice, 2 * once, rtol=1e-6)


def test_save_load_round_trip(bm25: BM25, tmp_path: Path) -> None:
    path = tmp_path / "units.bm25"
    bm25.save(path)
    assert (tmp_path / "units.bm25.npz").is_file()
    assert (tmp_path / "units.bm25.json").is_file()
    loaded = BM25.load(path)
    assert loaded.vocabulary == bm25.vocabulary
    assert (loaded.k1, loaded.b, loaded.size) == (bm25.k1, bm25.b, bm25.size)
    for query in (
        {"f:un": 1.0, "b:un_tac": 0.8},
        {"f:tuyen": 1.0, "a:tuyên": 0.6, "f:weather": 1.0},
        {"f:12.000": 1.0, "f:usd": 0.5},
    ):
        np.testing.assert_array_equal(loaded.scores(query), bm25.scores(query))


def test_saved_vocabulary_is_readable_json(bm25: BM25, tmp_path: Path) -> None:
    path = tmp_path / "index"
    bm25.save(path)
    text = (tmp_path / "index.json").read_text(encoding="utf-8")
    assert "a:tuyên" in text  # ensure_ascii=False: Vietnamese stays readable


def test_custom_parameters_survive_round_trip(tmp_path: Path) -> None:
    index = BM25.build([["f:a", "f:b"], ["f:a"]], k1=1.5, b=0.5)
    index.save(tmp_path / "x")
    loaded = BM25.load(tmp_path / "x")
    assert (loaded.k1, loaded.b) == (1.5, 0.5)
    np.testing.assert_array_equal(loaded.scores({"f:b": 1.0}), index.scores({"f:b": 1.0}))
