"""Structure of Vietnamese administrative documents: headings → canonical section ids.

Recognised, in order of rank: Roman headings ("II."), numbered headings at any depth
("2.", "2.3.", "2.3.1." and "1.5 " without the trailing dot), lettered items ("a)"),
and dash bullets (kept as paragraphs of their section). Text before the first heading
is ``preamble``; from "Nơi nhận" on it is ``signature``. A numbered heading's id is the
current Roman numeral followed by its own number path: "1.5" under "IV." → "IV.1.5".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.documents.model import Paragraph, Section

PREAMBLE = "preamble"
SIGNATURE = "signature"


def within(section_id: str, parent_id: str) -> bool:
    """Whether a section is ``parent_id`` or lies under it ("II.2.3" within "II")."""
    return section_id == parent_id or section_id.startswith(parent_id + ".")


def overlaps(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Two (document, section) places where one is the other or contains it."""
    return a[0] == b[0] and (within(a[1], b[1]) or within(b[1], a[1]))


_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_ROMAN = re.compile(r"(?P<label>(?P<num>[IVXL]{1,6})\.)[ \t]+(?=\S)")
# "2." or "2.3." or "2.3.1." or "1.5 " (a multi-part number may omit the final dot)
_NUMBERED = re.compile(
    r"(?P<label>(?P<num>\d{1,2}(?:\.\d{1,2})+)\.?|(?P<single>\d{1,2})\.)[ \t]+(?=[^\W\d_a-zđ]|[“\"(*])"
)
_LETTERED = re.compile(r"(?P<label>(?P<num>[a-zđ])\))[ \t]+(?=\S)")
_BULLET = re.compile(r"[-–+•][ \t]+")
_SIGNATURE_START = re.compile(r"Nơi nhận\s*:", re.IGNORECASE)
_ENDS_SENTENCE = re.compile(r"[.:;!?…”\"»)]\s*$")
_OPENS_ITEM = re.compile(r"(?:[IVXL]{1,6}\.|\d{1,2}(?:\.\d{1,2})*\.?|[a-zđ]\)|[-–+•])[ \t]")

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}


def roman_to_int(numeral: str) -> int | None:
    total, prev = 0, 0
    for ch in reversed(numeral):
        value = _ROMAN_VALUES[ch]
        total = total - value if value < prev else total + value
        prev = max(prev, value)
    return total if _int_to_roman(total) == numeral else None


def _int_to_roman(value: int) -> str:
    out = []
    for number, letters in (
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while value >= number:
            out.append(letters)
            value -= number
    return "".join(out)


@dataclass(frozen=True)
class _RawParagraph:
    start: int
    end: int


def split_paragraphs(text: str) -> list[_RawParagraph]:
    """Blank-line separated blocks, with page-break fragments glued back together.

    A block that starts in lower case right after one that does not end a sentence is
    the rest of that sentence, cut by a page break in the source ("… gắn\\n\\ntuyên truyền").
    """
    blocks: list[_RawParagraph] = []
    pos = 0
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        chunk = text[pos:end]
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            blocks.append(_RawParagraph(pos + lead, pos + lead + len(stripped)))
        if match:
            pos = match.end()
    merged: list[_RawParagraph] = []
    for block in blocks:
        if merged:
            prev = merged[-1]
            prev_text = text[prev.start : prev.end]
            continues = (
                text[block.start].islower()
                and not _OPENS_ITEM.match(text, block.start)
                and not _ENDS_SENTENCE.search(prev_text)
            )
            if continues:
                merged[-1] = _RawParagraph(prev.start, block.end)
                continue
        merged.append(block)
    return merged


@dataclass(frozen=True)
class _Heading:
    rank: int  # 0 roman, 1 numbered, 2 lettered
    parts: tuple[str, ...]
    label: str
    label_end: int


def _match_heading(text: str, para: _RawParagraph) -> _Heading | None:
    m = _ROMAN.match(text, para.start)
    if m and roman_to_int(m["num"]) is not None:
        return _Heading(0, (m["num"],), m["label"], m.end())
    m = _NUMBERED.match(text, para.start)
    if m:
        number = m["num"] or m["single"]
        return _Heading(1, tuple(number.split(".")), m["label"], m.end())
    m = _LETTERED.match(text, para.start)
    if m:
        return _Heading(2, (m["num"],), m["label"], m.end())
    return None


@dataclass
class DocumentStructure:
    sections: dict[str, Section]  # in document order
    paragraphs: list[Paragraph]

    def section_at(self, offset: int) -> str:
        """Deepest section whose own text contains the offset."""
        for para in self.paragraphs:
            if para.start <= offset < para.end:
                return para.section
        return PREAMBLE

    def path(self, section_id: str) -> list[Section]:
        chain: list[Section] = []
        current: str | None = section_id
        while current is not None:
            section = self.sections[current]
            chain.append(section)
            current = section.parent
        return list(reversed(chain))


def parse_structure(text: str) -> DocumentStructure:
    raw = split_paragraphs(text)
    signature_at = next(
        (i for i, p in enumerate(raw) if _SIGNATURE_START.match(text, p.start)), len(raw)
    )
    body, tail = raw[:signature_at], raw[signature_at:]

    sections: dict[str, Section] = {}
    owner: list[str] = []  # section id of each body paragraph
    heading_flags: list[bool] = []
    roman: str | None = None
    numbered: str | None = None  # deepest numbered section, parent of lettered items
    current = PREAMBLE
    for para in body:
        heading = _match_heading(text, para)
        section_id = _section_id(heading, roman, numbered) if heading else None
        if heading and section_id and section_id not in sections:
            parent = _parent_of(section_id, sections)
            sections[section_id] = Section(
                id=section_id,
                label=heading.label,
                title=text[heading.label_end : para.end],
                start=para.start,
                end=para.end,
                own_end=para.end,
                parent=parent,
                heading_start=heading.label_end,
                heading_end=para.end,
            )
            if parent:
                sections[parent].children.append(section_id)
            if heading.rank == 0:
                roman, numbered = heading.parts[0], None
            elif heading.rank == 1:
                numbered = section_id
            current = section_id
            owner.append(section_id)
            heading_flags.append(True)
        else:
            owner.append(current)
            heading_flags.append(False)

    # Spans: a section runs to the next heading that is not its descendant.
    ordered = list(sections.values())
    body_end = body[-1].end if body else 0
    for i, section in enumerate(ordered):
        later = ordered[i + 1 :]
        nxt = next((s for s in later if not s.id.startswith(section.id + ".")), None)
        section.end = _last_end_before(body, nxt.start if nxt else None, body_end)
        first_child = next((s for s in later if s.parent == section.id), None)
        section.own_end = (
            _last_end_before(body, first_child.start, body_end) if first_child else section.end
        )

    result: dict[str, Section] = {}
    first_heading = ordered[0].start if ordered else body_end
    if any(o == PREAMBLE for o in owner) or not ordered:
        pre_paras = [p for p, o in zip(body, owner, strict=True) if o == PREAMBLE]
        pre_start = pre_paras[0].start if pre_paras else 0
        pre_end = pre_paras[-1].end if pre_paras else first_heading
        result[PREAMBLE] = Section(PREAMBLE, "", "", pre_start, pre_end, pre_end)
    result.update(sections)
    if tail:
        result[SIGNATURE] = Section(
            SIGNATURE,
            "",
            text[tail[0].start : tail[0].end],
            tail[0].start,
            tail[-1].end,
            tail[-1].end,
        )

    paragraphs = [
        Paragraph(p.start, p.end, o, bool(_BULLET.match(text, p.start)), h)
        for p, o, h in zip(body, owner, heading_flags, strict=True)
    ]
    paragraphs += [Paragraph(p.start, p.end, SIGNATURE, False, False) for p in tail]
    return DocumentStructure(result, paragraphs)


def _section_id(heading: _Heading, roman: str | None, numbered: str | None) -> str | None:
    if heading.rank == 0:
        return heading.parts[0]
    if heading.rank == 1:
        number = ".".join(str(int(p)) for p in heading.parts)
        return f"{roman}.{number}" if roman else number
    return f"{numbered}.{heading.parts[0]}" if numbered else None


def _parent_of(section_id: str, sections: dict[str, Section]) -> str | None:
    parts = section_id.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:cut])
        if candidate in sections:
            return candidate
    return None


def _last_end_before(body: list[_RawParagraph], limit: int | None, default: int) -> int:
    if limit is None:
        return default
    ends = [p.end for p in body if p.end <= limit]
    return ends[-1] if ends else default
