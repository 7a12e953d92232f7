"""Plain data types for documents, their sections and quotable units."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocumentMeta:
    id: str  # "57-KH/TU"
    title: str
    issuer: str = ""
    date: str = ""  # ISO date of signature
    short_name: str = ""  # used in citations: "Kế hoạch 57-KH/TU"
    kind: str = ""  # "Kế hoạch", "Nghị quyết", …

    @property
    def citation_name(self) -> str:
        return self.short_name or self.id


@dataclass(frozen=True)
class Document:
    meta: DocumentMeta
    text: str  # body text; every span below indexes into it
    source: str  # file name inside knowledge/
    sha256: str  # of the source file's bytes


@dataclass
class Section:
    id: str  # canonical id: "II.2.3.4", "preamble", "signature"
    label: str  # the number as written: "2.3.4.", "1.5", "a)"
    title: str  # heading text without the label (may carry an inline body)
    start: int  # span of the whole section, children included
    end: int
    own_end: int  # end of the section's own text, before its first child
    parent: str | None = None
    children: list[str] = field(default_factory=list)
    heading_start: int = 0  # where the heading text (after the label) begins
    heading_end: int = 0  # end of the heading paragraph


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    section: str
    bullet: bool  # a "- " item
    heading: bool  # the paragraph that opens a section
