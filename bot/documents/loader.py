"""Read knowledge documents: text/markdown with front matter, .docx and text-layer .pdf.

The body text a loader returns is what quotes are checked against, so it is kept
exactly as read (only NFC-normalised); the structure parser and passage builder work
on character offsets into it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from pathlib import Path

from bot.documents.model import Document, DocumentMeta
from bot.errors import DocumentError

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".md"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf"}
SIDECAR_SUFFIX = ".meta"  # "NQ-02.docx.meta" holds front-matter lines for a binary file

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<head>.*?)\n---[ \t]*\n", re.DOTALL)
_NUMBER = re.compile(
    r"Số[ \t]*:?[ \t]*(?P<num>\d{1,4})[ \t]*[-–]?[ \t]*(?P<kind>NQ|KH|KL|CT|QĐ|TB|HD)[ \t]*/[ \t]*(?P<org>[A-ZĐ]{1,6})",
)
_KINDS = {
    "NQ": "Nghị quyết",
    "KH": "Kế hoạch",
    "KL": "Kết luận",
    "CT": "Chỉ thị",
    "QĐ": "Quyết định",
    "TB": "Thông báo",
    "HD": "Hướng dẫn",
}


def discover(folder: Path) -> list[Path]:
    """Documents in a knowledge folder, sorted so that builds are deterministic."""
    if not folder.is_dir():
        raise DocumentError(f"Thư mục tài liệu không tồn tại: {folder}")
    files = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
    )
    if not files:
        raise DocumentError(
            f"Thư mục {folder} không có tài liệu nào (.txt, .md, .docx, .pdf): không có gì để lập chỉ mục."
        )
    return files


def load_document(path: Path) -> Document:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"Không đọc được tệp {path.name}: {exc.strerror or exc}") from exc
    suffix = path.suffix.lower()
    try:
        if suffix in TEXT_SUFFIXES:
            head, body = _split_front_matter(_decode(raw, path))
        elif suffix == ".docx":
            head, body = {}, _read_docx(path)
        elif suffix == ".pdf":
            head, body = {}, _read_pdf(path)
        else:
            raise DocumentError(f"Định dạng không hỗ trợ: {path.name}")
    except DocumentError:
        raise
    except Exception as exc:  # a broken zip, a PDF without trailer, …
        raise DocumentError(f"Tệp {path.name} bị hỏng hoặc không đọc được: {exc}") from exc
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if sidecar.is_file():
        head = {**head, **_parse_head(_decode(sidecar.read_bytes(), sidecar))}
    body = unicodedata.normalize("NFC", body)
    if not body.strip():
        raise DocumentError(
            f"Tệp {path.name} không có nội dung chữ (tệp rỗng, hoặc PDF chỉ có ảnh quét cần OCR)."
        )
    meta = _meta(head, body, path)
    return Document(meta=meta, text=body, source=path.name, sha256=hashlib.sha256(raw).hexdigest())


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"Tệp {path.name} không phải văn bản UTF-8: {exc}") from exc


def _split_front_matter(text: str) -> tuple[dict[str, str], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    return _parse_head(match["head"]), text[match.end() :]


def _parse_head(head: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in head.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not line.startswith("#"):
            fields[key.strip().lower()] = value.strip().strip('"')
    return fields


def _read_docx(path: Path) -> str:
    import docx  # python-docx; imported here so text-only setups start faster

    document = docx.Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:  # signature blocks and letterheads often sit in tables
        for row in table.rows:
            paragraphs.extend(cell.text for cell in row.cells)
    return "\n\n".join(p.strip() for p in paragraphs if p.strip())


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    lines = [
        line.strip() for page in reader.pages for line in (page.extract_text() or "").splitlines()
    ]
    return _reflow(line for line in lines if line)


# A PDF text layer has one line per printed line and no blank lines. A new paragraph
# starts at a heading, a numbered or lettered item or a bullet, or after a line that
# ends a sentence; otherwise the line continues the paragraph.
_OPENS_PARAGRAPH = re.compile(
    r"(?:[IVXL]{1,6}\.|\d{1,2}(?:\.\d{1,2})*\.?|[a-zđ]\)|[-–+•])\s|Nơi nhận"
)
_CLOSES_PARAGRAPH = re.compile(r"[.:;!?…]$")


def _reflow(lines) -> str:
    paragraphs: list[str] = []
    for line in lines:
        if (
            paragraphs
            and not _OPENS_PARAGRAPH.match(line)
            and not _CLOSES_PARAGRAPH.search(paragraphs[-1])
        ):
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
    return "\n\n".join(paragraphs)


def _meta(head: dict[str, str], body: str, path: Path) -> DocumentMeta:
    number = _NUMBER.search(body[:3000])
    detected_id = (
        f"{int(number['num']):02d}-{number['kind']}/{number['org']}" if number else path.stem
    )
    doc_id = head.get("id") or detected_id
    kind = head.get("kind") or (_KINDS.get(number["kind"], "") if number else "")
    first_line = next((ln.strip() for ln in body.splitlines() if ln.strip()), path.stem)
    return DocumentMeta(
        id=doc_id,
        title=head.get("title") or first_line[:200],
        issuer=head.get("issuer", ""),
        date=head.get("date", ""),
        short_name=head.get("short_name") or (f"{kind} {doc_id}".strip()),
        kind=kind,
    )
