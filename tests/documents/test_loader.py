"""load_document / discover: front matter, .docx, text-layer .pdf, sidecars and errors."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import Path

import pytest

from bot.documents.loader import discover, load_document
from bot.documents.model import Document
from bot.documents.structure import PREAMBLE, parse_structure
from bot.errors import DocumentError

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAN_PATH = REPO_ROOT / "knowledge" / "57-KH-TU.txt"
SEED_PATH = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_f210f8c8790143bc.txt"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

RESOLUTION_LINES = [
    "BAN CHẤP HÀNH TRUNG ƯƠNG",
    "Số 02-NQ/TW",
    "Hà Nội, ngày 17 tháng 3 năm 2026",
    "NGHỊ QUYẾT",
    "I. QUAN ĐIỂM",
    "1. Phát triển toàn diện lấy con người và văn hoá làm trung tâm.",
    "- Thủ đô là hạt nhân, là động lực phát triển của vùng.",
    "2. Mục tiêu",
    "2.1. Thu nhập bình quân đầu người đạt tối thiểu 12.000 USD.",
    "II. NHIỆM VỤ",
    "1. Quy hoạch Thủ đô với tầm nhìn 100 năm.",
]
RESOLUTION_SECTIONS = ["preamble", "I", "I.1", "I.2", "I.2.1", "II", "II.1"]


def write_docx(path: Path, lines: list[str]) -> Path:
    docx = pytest.importorskip("docx", reason="python-docx is needed to build .docx fixtures")
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))
    return path


@pytest.fixture
def resolution_docx(tmp_path: Path) -> Path:
    return write_docx(tmp_path / "NQ-02.docx", RESOLUTION_LINES)


def new_pdf():  # -> fpdf.FPDF
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 is needed to build .pdf fixtures")
    pdf = fpdf.FPDF()
    pdf.add_page()
    return pdf


@pytest.fixture
def plan_pdf(tmp_path: Path) -> Path:
    if not DEJAVU.is_file():
        pytest.skip(f"DejaVu font not found at {DEJAVU}: cannot write Vietnamese into a PDF")
    pdf = new_pdf()
    pdf.add_font("DejaVu", "", str(DEJAVU))
    pdf.set_font("DejaVu", size=12)
    for line in RESOLUTION_LINES:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)  # a visible gap between paragraphs, as in a printed document
    path = tmp_path / "NQ-02.pdf"
    pdf.output(str(path))
    return path


# --------------------------------------------------------------------------- text with front matter


def test_plan_front_matter(plan: Document) -> None:
    meta = plan.meta
    assert meta.id == "57-KH/TU"
    assert meta.short_name == "Kế hoạch 57-KH/TU"
    assert meta.citation_name == "Kế hoạch 57-KH/TU"
    assert meta.kind == "Kế hoạch"
    assert meta.issuer == "Ban Thường vụ Thành ủy Hà Nội"
    assert meta.date == "2026-04-13"
    assert meta.title.startswith("Kế hoạch thông tin, tuyên truyền, vận động thực hiện Nghị quyết")


def test_plan_source_and_hash(plan: Document) -> None:
    assert plan.source == "57-KH-TU.txt"
    assert plan.sha256 == hashlib.sha256(PLAN_PATH.read_bytes()).hexdigest()


def test_plan_body_is_the_seed_verbatim(plan: Document) -> None:
    if not SEED_PATH.is_file():
        pytest.skip(f"seed file {SEED_PATH} is not available on this machine")
    assert plan.text == SEED_PATH.read_text(encoding="utf-8")


def test_plan_body_is_nfc_and_has_no_front_matter(plan: Document) -> None:
    assert plan.text == unicodedata.normalize("NFC", plan.text)
    assert "---" not in plan.text[:50]
    assert plan.text.lstrip().startswith("THÀNH ỦY HÀ NỘI")


def test_loading_does_not_depend_on_cwd(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_document(REPO_ROOT / "knowledge" / "57-KH-TU.txt").meta.id == "57-KH/TU"


def test_text_without_front_matter_detects_number(tmp_path: Path) -> None:
    path = tmp_path / "kh.md"
    path.write_text("THÀNH ỦY HÀ NỘI\n\nSố 57-KH/TU\n\nI. MỤC ĐÍCH\n\nNội dung.", encoding="utf-8")
    meta = load_document(path).meta
    assert (meta.id, meta.kind, meta.short_name) == ("57-KH/TU", "Kế hoạch", "Kế hoạch 57-KH/TU")
    assert meta.title == "THÀNH ỦY HÀ NỘI"


def test_decomposed_text_is_normalised_to_nfc(tmp_path: Path) -> None:
    path = tmp_path / "nfd.txt"
    path.write_text(unicodedata.normalize("NFD", "Thành ủy Hà Nội"), encoding="utf-8")
    assert load_document(path).text == unicodedata.normalize("NFC", "Thành ủy Hà Nội")


# --------------------------------------------------------------------------- .docx


def test_docx_loads_and_detects_its_number(resolution_docx: Path) -> None:
    doc = load_document(resolution_docx)
    assert doc.meta.id == "02-NQ/TW"
    assert doc.meta.kind == "Nghị quyết"
    assert doc.meta.short_name == "Nghị quyết 02-NQ/TW"
    assert doc.meta.title == "BAN CHẤP HÀNH TRUNG ƯƠNG"
    assert doc.source == "NQ-02.docx"
    assert doc.text.split("\n\n") == RESOLUTION_LINES


def test_docx_structure(resolution_docx: Path) -> None:
    doc = load_document(resolution_docx)
    structure = parse_structure(doc.text)
    assert list(structure.sections) == RESOLUTION_SECTIONS
    bullet = next(p for p in structure.paragraphs if p.bullet)
    assert doc.text[bullet.start : bullet.end].startswith("- Thủ đô là hạt nhân")
    assert bullet.section == "I.1"


def test_docx_sidecar_overrides_metadata(resolution_docx: Path) -> None:
    sidecar = resolution_docx.with_name(resolution_docx.name + ".meta")
    sidecar.write_text(
        "# metadata for the resolution\n"
        "id: 02-NQ/TW\n"
        "title: Nghị quyết về xây dựng và phát triển Thủ đô Hà Nội trong kỷ nguyên mới\n"
        "issuer: Bộ Chính trị\n"
        "date: 2026-03-17\n"
        "short_name: NQ 02\n",
        encoding="utf-8",
    )
    meta = load_document(resolution_docx).meta
    assert meta.title == "Nghị quyết về xây dựng và phát triển Thủ đô Hà Nội trong kỷ nguyên mới"
    assert (meta.issuer, meta.date, meta.short_name) == ("Bộ Chính trị", "2026-03-17", "NQ 02")
    assert meta.citation_name == "NQ 02"


def test_sidecar_id_wins_over_detected_number(resolution_docx: Path) -> None:
    resolution_docx.with_name(resolution_docx.name + ".meta").write_text(
        "id: NQ-TEST\n", encoding="utf-8"
    )
    meta = load_document(resolution_docx).meta
    assert meta.id == "NQ-TEST"
    assert meta.short_name == "Nghị quyết NQ-TEST"


# --------------------------------------------------------------------------- .pdf


def test_pdf_text_layer_is_read_intact(plan_pdf: Path) -> None:
    doc = load_document(plan_pdf)
    assert doc.text == unicodedata.normalize("NFC", doc.text)
    for line in RESOLUTION_LINES:
        assert line in doc.text
    assert doc.meta.id == "02-NQ/TW"
    assert doc.meta.short_name == "Nghị quyết 02-NQ/TW"


def test_pdf_headings_parse(plan_pdf: Path) -> None:
    doc = load_document(plan_pdf)
    assert list(parse_structure(doc.text).sections) == RESOLUTION_SECTIONS


# --------------------------------------------------------------------------- errors


def _raises_naming(path: Path) -> str:
    with pytest.raises(DocumentError) as info:
        load_document(path)
    message = str(info.value)
    assert path.name in message
    return message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.txt", b""),
        ("blank.txt", b"  \n\n\t \r\n"),
        ("front-matter-only.md", b"---\nid: 1-KH/TU\n---\n\n  \n"),
    ],
)
def test_empty_text_is_an_error(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert "không có nội dung" in _raises_naming(path)


def test_non_utf8_text_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "cp1258.txt"
    # Windows-1258, the legacy Vietnamese code page: "Hà Nội, thành phố" with combining tones.
    path.write_bytes("Hà Nô\u0323i, thành phô\u0301".encode("cp1258"))
    assert "UTF-8" in _raises_naming(path)


def test_random_bytes_docx_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(os.urandom(4096))
    _raises_naming(path)


def test_pdf_without_text_layer_is_an_error(tmp_path: Path) -> None:
    pdf = new_pdf()
    pdf.rect(20, 20, 80, 40)  # a "scanned" page: drawing, no text
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    assert "OCR" in _raises_naming(path)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    _raises_naming(tmp_path / "missing.txt")


# --------------------------------------------------------------------------- discover


def test_discover_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="không có tài liệu"):
        discover(tmp_path)


def test_discover_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentError):
        discover(tmp_path / "nope")


def test_discover_filters_and_sorts(tmp_path: Path) -> None:
    for name in [
        "c.pdf",
        "a.txt",
        "b.docx",
        "d.md",
        ".hidden.txt",
        "notes.rtf",
        "b.docx.meta",
        "x.png",
    ]:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "folder.txt").mkdir()
    assert [p.name for p in discover(tmp_path)] == ["a.txt", "b.docx", "c.pdf", "d.md"]


def test_discover_only_unsupported_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "notes.rtf").write_text("x")
    with pytest.raises(DocumentError):
        discover(tmp_path)


def test_discover_real_knowledge_folder() -> None:
    files = discover(REPO_ROOT / "knowledge")
    assert PLAN_PATH in files
    assert files == sorted(files)


def test_docx_letterhead_is_preamble(resolution_docx: Path) -> None:
    doc = load_document(resolution_docx)
    preamble = parse_structure(doc.text).sections[PREAMBLE]
    assert "Số 02-NQ/TW" in doc.text[preamble.start : preamble.end]
