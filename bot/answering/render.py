"""Turn chosen quotes (or suggested sections) into the answer a citizen reads."""

from __future__ import annotations

import re

from bot.answering.composer import Composer, Composition, Quote
from bot.core.answer import Answer, Citation, Suggestion
from bot.documents.passages import short_title
from bot.documents.structure import PREAMBLE, SIGNATURE
from bot.retrieval.index import SearchIndex
from bot.strings import answers as replies
from bot.vietnamese.text import collapse_spaces

MAX_ANSWER_CHARS = 2000  # Zalo's limit for one message
TITLE_IN_LABEL = 70  # section headings up to this length are shown beside the section number
SUGGESTION_TITLE = 80


class Renderer:
    def __init__(self, index: SearchIndex, composer: Composer) -> None:
        self.index = index
        self.composer = composer
        self.version = index.manifest.get("version", "")

    def answer(self, composition: Composition, language: str, confidence: float) -> Answer:
        english = language == "en"
        lines, citations = self._rendered(composition, english)
        while len("\n".join(lines)) > MAX_ANSWER_CHARS and len(lines) > 2:
            lines.pop()
            citations.pop()
        return Answer(
            answer="\n".join(lines),
            grounded=True,
            handoff=False,
            confidence=confidence,
            citations=tuple(citations),
            kind="answer",
            language=language,
            index_version=self.version,
        )

    def _rendered(
        self, composition: Composition, english: bool
    ) -> tuple[list[str], list[Citation]]:
        """The answer's lines. List items cut to share the budget are shown whole where the
        message has room left, the nearly whole first: the end of an item ("… (khẩu hiệu,
        panô, áp phích)") is often what the question asks, and a message holds 2,000."""
        quotes = list(composition.quotes)
        lines, citations = self._lines(composition, quotes, english)
        if composition.shape != "list":
            return lines, citations
        cut = [i for i, q in enumerate(quotes) if q.trimmed and not q.cut_before]
        cut.sort(key=lambda i: self.index.units[quotes[i].unit].end - quotes[i].end)
        for i in cut:
            trial = [*quotes[:i], self.composer.whole(quotes[i].unit), *quotes[i + 1 :]]
            trial_lines, trial_citations = self._lines(composition, trial, english)
            if len("\n".join(trial_lines)) <= MAX_ANSWER_CHARS:
                quotes, lines, citations = trial, trial_lines, trial_citations
        return lines, citations

    def _lines(
        self, composition: Composition, quotes: list[Quote], english: bool
    ) -> tuple[list[str], list[Citation]]:
        citations = [self.citation(q) for q in quotes]
        places = list(dict.fromkeys((c.doc, c.section) for c in citations))
        first = citations[0]
        name = self.index.meta(first.doc).citation_name
        if composition.head is not None:
            # A list: the lead-in names the heading, each item its own subsection.
            head = self.citation(self.composer.whole(composition.head))
            lines = [replies.lead_in(name, self._place(head, english, heading=True), english)]
            for quote, citation in zip(quotes, citations, strict=True):
                own = (
                    ""
                    if citation.section == head.section
                    # under "mục III", "(III.8)" says it and leaves room for the quotes
                    else f" ({citation.section})"
                    if citation.section.startswith(head.section + ".")
                    else f" ({section_label(citation.section, english)})"
                )
                lines.append(f"• {_shown(quote, citation)}{own}")
        elif len(places) == 1:
            lines = [replies.lead_in(name, self._place(first, english), english)]
            for quote, citation in zip(quotes, citations, strict=True):
                shown = _shown(quote, citation)
                lines.append(f"• {shown}" if len(citations) > 1 else shown)
        else:
            # Quotes from several documents: each names its own, never the first one's.
            several = len({c.doc for c in citations}) > 1
            lines = [
                replies.lead_in_documents(english)
                if several
                else replies.lead_in(name, None, english)
            ]
            for quote, citation in zip(quotes, citations, strict=True):
                place = self._place(citation, english, bracketed=True)
                if several:
                    place = f"{self.index.meta(citation.doc).citation_name}, {place}"
                lines.append(f"• {_shown(quote, citation)} ({place})")
        return lines, citations

    def suggestions(
        self, sections: tuple[tuple[str, str], ...], language: str, confidence: float
    ) -> Answer:
        english = language == "en"
        found = tuple(self.suggestion(doc, section, english) for doc, section in sections)
        return Answer(
            answer=replies.suggest([f"{s.label} — {s.title}" for s in found], english),
            grounded=False,
            handoff=False,
            confidence=confidence,
            kind="suggest",
            language=language,
            index_version=self.version,
            suggestions=found,
        )

    def suggestion(self, doc: str, section: str, english: bool = False) -> Suggestion:
        meta = self.index.meta(doc)
        if section == PREAMBLE:
            title = meta.title
        elif section == SIGNATURE:
            title = "Nơi nhận, người ký"
        else:
            title = short_title(self.index.section(doc, section).title)
        return Suggestion(
            doc=doc,
            section=section,
            title=short_title(title, SUGGESTION_TITLE),
            label=f"{meta.citation_name}, {section_label(section, english)}",
        )

    def _place(
        self,
        citation: Citation,
        english: bool = False,
        heading: bool = False,
        bracketed: bool = False,
    ) -> str:
        """ "mục IV.1.2 (Ban Tuyên giáo và Dân vận Thành ủy)": the heading tells who or what;
        "mục IV.1.2 – Ban …" when the place itself goes in brackets after a quote.

        The heading is left out when the quote itself starts with it, unless it names the
        list that follows (``heading``).
        """
        label = section_label(citation.section, english)
        short = citation.title
        repeated = citation.quote.startswith(short) and not heading
        if citation.section in {PREAMBLE, SIGNATURE} or len(short) > TITLE_IN_LABEL or repeated:
            return label
        return f"{label} – {short}" if bracketed else f"{label} ({short})"

    def citation(self, quote: Quote) -> Citation:
        unit = self.index.units[quote.unit]
        meta = self.index.meta(unit.doc)
        section = self.index.section(unit.doc, unit.section)
        title = (
            meta.title
            if unit.section == PREAMBLE
            else "Nơi nhận"
            if unit.section == SIGNATURE
            else short_title(section.title)
        )
        return Citation(
            doc=unit.doc,
            section=unit.section,
            title=title,
            quote=collapse_spaces(self.index.text(unit.doc, quote.start, quote.end)),
            label=f"{meta.citation_name}, {section_label(unit.section)}",
            start=quote.start,
            end=quote.end,
        )


def _shown(quote: Quote, citation: Citation) -> str:
    """The quote in quotation marks, with "…" where the sentence was cut."""
    return f"“{'…' if quote.cut_before else ''}{citation.quote}{'…' if quote.trimmed else ''}”"


def section_label(section: str, english: bool = False) -> str:
    if section == PREAMBLE:
        return "opening of the document" if english else "phần đầu văn bản"
    if section == SIGNATURE:
        return "recipients and signature" if english else "phần nơi nhận"
    return f"section {section}" if english else f"mục {section}"


def section_passage(index: SearchIndex, doc_id: str, section_id: str) -> str:
    """The full text of a section (with its subsections), for "Xem nguyên văn": one
    paragraph per line, reflowed (see ``reflow``)."""
    section = index.section(doc_id, section_id)
    return "\n".join(reflow(index.text(doc_id, section.start, section.end)))


_ITEM = re.compile(r"^\s*([-–•+*]\s|[0-9]+(\.[0-9]+)*\.\s|[a-zđ]\)\s)")


def reflow(body: str) -> list[str]:
    """Paragraphs as a reader expects them: the source's hard line breaks inside a paragraph
    become spaces (a line that opens a list item stays its own paragraph), and a paragraph
    that starts in lower case (a page break in the source cut a sentence) joins the one
    before. Quotes (spaces collapsed) stay substrings of the result."""
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", body):
        lines: list[str] = []
        for line in block.splitlines():
            if lines and not _ITEM.match(line):
                lines[-1] += " " + line
            else:
                lines.append(line)
        for i, line in enumerate(collapse_spaces(x) for x in lines):
            if not line:
                continue
            if (
                paragraphs
                and i == 0
                and (line[0].islower() or line[0] in ",;")
                and not _ITEM.match(line)
            ):
                paragraphs[-1] += " " + line
            else:
                paragraphs.append(line)
    return paragraphs
