"""Related sections as officers write them: "III.3", "57-KH/TU III.3", "Kế hoạch
57-KH/TU, mục III.3" — read into (document, canonical section id) pairs, and back.

A bare section is the plan's (57-KH/TU, the document the bot is built on); whether the
section exists is the workflow's check against the index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.officer_answers.workflow import Invalid
from bot.strings import officer_answers as words
from bot.vietnamese.text import clean

DEFAULT_DOC = "57-KH/TU"
# A document number: "57-KH/TU", "02-NQ/TW" (letters after the number, a slash, letters).
_DOC = re.compile(r"\b(\d{1,4}-[A-ZĐ]{1,6}/[A-ZĐ]{1,6})\b", re.IGNORECASE)
# A canonical section id: a Roman numeral, then numbers ("III.3", "II.2.3.4").
_SECTION = re.compile(r"(?<![\w.])([IVX]{1,5}(?:\.\d{1,3}){0,4})\.?$", re.IGNORECASE)
_WORDS = ("preamble", "signature")


def parse_sections(lines: str | Iterable[str]) -> list[tuple[str, str]]:
    """One section a line (blank lines skipped); raises Invalid naming a line not understood."""
    found: list[tuple[str, str]] = []
    for raw in lines.splitlines() if isinstance(lines, str) else lines:
        line = clean(raw)
        if line:
            found.append(parse_section(line))
    return found


def parse_section(line: str) -> tuple[str, str]:
    text = clean(line).rstrip(" .;,")
    doc = _DOC.search(text)
    name = doc.group(1).upper() if doc else DEFAULT_DOC
    return name, _section_id(text[doc.end() :] if doc else text, line)


def _section_id(text: str, line: str) -> str:
    text = text.strip(" ,.;")
    if text.lower() in _WORDS:
        return text.lower()
    section = _SECTION.search(text)
    if section is None:
        raise Invalid(words.bad_section(line))
    numeral, _, numbers = section.group(1).partition(".")
    return numeral.upper() + ("." + numbers if numbers else "")


def sections_from_json(value: object) -> list[tuple[str, str]]:
    """The "sections" of an import line: [["57-KH/TU", "III.3"], …] or ["III.3", …]."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(words.BAD_SECTIONS)
    found = []
    for item in value:
        if isinstance(item, str):
            found.append(parse_section(item))
        elif (
            isinstance(item, list | tuple)
            and len(item) == 2
            and all(isinstance(part, str) for part in item)
        ):
            doc = clean(item[0]) or DEFAULT_DOC
            found.append((doc, _section_id(clean(item[1]), f"{item[0]} {item[1]}")))
        else:
            raise Invalid(words.BAD_SECTIONS)
    return found


def shown(sections: Sequence[tuple[str, str]]) -> list[str]:
    """As the form takes them back: "57-KH/TU III.3"."""
    return [f"{doc} {section}" for doc, section in sections]
