"""Quotable units: the sentences of a document, each with its clauses.

Answers quote units (or a clause of a long one), never whole chunks, so that a
citizen reads two or three sentences instead of a page. Every unit is a span of
the document body, which is what keeps quotes verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.documents.model import Paragraph
from bot.documents.structure import DocumentStructure

_BULLET = re.compile(r"[-–+•][ \t]+")
# A sentence ends at . ! ? … (possibly "..." or followed by a closing quote/bracket)
# when the next word starts with a capital, a quote, a bracket or a digit.
_SENTENCE_END = re.compile(r"(?:\.{3}|[.!?…])[”\"»)]*(?=\s+[“\"«(*]?(?P<next>\w))")
_CLAUSE_END = re.compile(r";(?=\s)")
LONG_SENTENCE = 320  # characters; longer sentences are also offered clause by clause


@dataclass(frozen=True)
class Unit:
    doc: str
    section: str
    start: int
    end: int
    paragraph: int  # index into the document's paragraphs
    order: int  # position of the sentence inside its paragraph
    bullet: bool
    heading: bool  # part of the paragraph that opens its section
    clauses: tuple[tuple[int, int], ...]  # spans of ";"-separated clauses (one when short)


def segment(doc_id: str, text: str, structure: DocumentStructure) -> list[Unit]:
    units: list[Unit] = []
    for index, para in enumerate(structure.paragraphs):
        start = _content_start(text, para, structure)
        for order, (s, e) in enumerate(_sentences(text, start, para.end)):
            units.append(
                Unit(
                    doc=doc_id,
                    section=para.section,
                    start=s,
                    end=e,
                    paragraph=index,
                    order=order,
                    bullet=para.bullet,
                    heading=para.heading,
                    clauses=tuple(_clauses(text, s, e)),
                )
            )
    return units


def _content_start(text: str, para: Paragraph, structure: DocumentStructure) -> int:
    if para.heading:
        return structure.sections[para.section].heading_start
    bullet = _BULLET.match(text, para.start)
    return bullet.end() if bullet else para.start


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if match.start("next") >= end or not (match["next"].isupper() or match["next"].isdigit()):
            continue
        spans.append((pos, match.end()))
        pos = match.end()
        while pos < end and text[pos].isspace():
            pos += 1
    if pos < end:
        spans.append((pos, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    if end - start <= LONG_SENTENCE:
        return [(start, end)]
    return split_after(_CLAUSE_END, text, start, end)


def split_after(mark: re.Pattern[str], text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span cut after each match of ``mark`` (the mark stays with its piece; the spaces
    after it go), as (start, end) pairs."""
    spans: list[tuple[int, int]] = []
    pos = start
    for match in mark.finditer(text, start, end):
        spans.append((pos, match.end()))
        pos = match.end()
        while pos < end and text[pos].isspace():
            pos += 1
    if pos < end:
        spans.append((pos, end))
    return spans
