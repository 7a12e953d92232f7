"""Passages: runs of whole paragraphs inside one section, each knowing where it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.documents.model import Document
from bot.documents.segment import Unit
from bot.documents.structure import PREAMBLE, SIGNATURE, DocumentStructure

MAX_PASSAGE_CHARS = 900
_TITLE_END = re.compile(r"[:.;]\s|[:.;]$")


@dataclass(frozen=True)
class Passage:
    doc: str
    section: str
    start: int
    end: int
    first_unit: int  # units [first_unit, last_unit) of the document-wide unit list
    last_unit: int
    heading_path: tuple[str, ...]


def short_title(title: str, limit: int = 100) -> str:
    """A heading's name without its inline body: "Ban Thường vụ Thành ủy: Chỉ đạo chung…" → before ":"."""
    title = " ".join(title.split())
    match = _TITLE_END.search(title)
    if match and match.start() >= 8:
        title = title[: match.start()]
    if len(title) > limit:
        title = title[:limit].rsplit(" ", 1)[0] + "…"
    return title


# Lines of the letterhead and of the signature block have fixed roles in Vietnamese
# administrative documents; naming the role lets "ban hành ngày nào" or "ai ký" find them.
_ROLES = (
    (
        re.compile(r"^[^\n,]{2,60},\s*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}"),
        "ngày ban hành, ngày ký văn bản",
    ),
    (re.compile(r"^Số\s*:?\s*\d"), "số hiệu văn bản"),
    (re.compile(r"^(ĐẢNG CỘNG SẢN VIỆT NAM|CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM)"), "quốc hiệu"),
)
_SIGNER = re.compile(r"^[A-ZĐÀ-Ỹ][a-zà-ỹđ]+(?: [A-ZĐÀ-Ỹ][a-zà-ỹđ]+){1,4}$")


def unit_role(section_id: str, sentence: str) -> str | None:
    """The role of a letterhead or signature line, when it has one."""
    sentence = sentence.strip()
    if section_id == PREAMBLE:
        return next((role for pattern, role in _ROLES if pattern.search(sentence)), None)
    if section_id == SIGNATURE and _SIGNER.match(sentence):
        return "người ký văn bản"
    return None


def heading_path(doc: Document, structure: DocumentStructure, section_id: str) -> tuple[str, ...]:
    if section_id == PREAMBLE:
        return (doc.meta.citation_name,)
    if section_id == SIGNATURE:
        return (doc.meta.citation_name, "Nơi nhận")
    return tuple(short_title(s.title) for s in structure.path(section_id))


def build_passages(
    doc: Document, structure: DocumentStructure, units: list[Unit], unit_offset: int
) -> list[Passage]:
    """Group each section's consecutive paragraphs into passages of at most ~900 characters."""
    passages: list[Passage] = []
    group: list[int] = []  # indices into units

    def flush() -> None:
        if not group:
            return
        first, last = units[group[0]], units[group[-1]]
        passages.append(
            Passage(
                doc=doc.meta.id,
                section=first.section,
                start=first.start,
                end=last.end,
                first_unit=unit_offset + group[0],
                last_unit=unit_offset + group[-1] + 1,
                heading_path=heading_path(doc, structure, first.section),
            )
        )
        group.clear()

    for i, unit in enumerate(units):
        if group:
            head = units[group[0]]
            new_paragraph = unit.paragraph != units[group[-1]].paragraph
            too_long = unit.end - head.start > MAX_PASSAGE_CHARS
            if unit.section != head.section or (new_paragraph and too_long):
                flush()
        group.append(i)
    flush()
    return passages
