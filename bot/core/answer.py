"""The answer contract every channel and the CLI rely on (see ARCHITECTURE.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

AnswerKind = Literal[
    "answer", "suggest", "not_found", "handoff", "greeting", "help", "thanks", "invalid"
]


@dataclass(frozen=True)
class Citation:
    doc: str  # document id: "57-KH/TU"
    section: str  # canonical section id: "II.2.2"
    title: str  # the section's heading
    quote: str  # verbatim text of the document (whitespace runs collapsed to one space)
    label: str  # how users see it: "Kế hoạch 57-KH/TU, mục II.2.2"
    start: int  # span of the quote in the document body
    end: int
    # "officer_answer": an approved officer's explanation (quote = its text, label = whose
    # and when; doc and section empty, start = end = 0), never the documents' words.
    kind: str = "document"
    entry: int | None = None  # the officer answer's id and the version served
    version: int | None = None


# A suggestion whose ``doc`` is this offers an approved officer answer (``section``: its id).
OFFICER_ANSWER_DOC = "giai-dap"


@dataclass(frozen=True)
class Suggestion:
    """A section the question may be about; choosing it gives the cited answer there (or an
    approved officer answer, when ``doc`` is OFFICER_ANSWER_DOC)."""

    doc: str
    section: str  # canonical section id
    title: str  # the section's short heading
    label: str  # "Kế hoạch 57-KH/TU, mục II.2.2"


@dataclass(frozen=True)
class Answer:
    answer: str  # the text shown to the user (plain text; channels escape it)
    grounded: bool  # the documents answer this question
    handoff: bool  # an officer should take over
    confidence: float  # 0..1, the decision model's probability that the quotes answer it
    citations: tuple[Citation, ...] = ()
    kind: AnswerKind = "answer"
    language: str = "vi"
    index_version: str = ""
    suggestions: tuple[Suggestion, ...] = ()  # a "suggest" answer: at most 3, best first

    def to_dict(self, question_id: str | None = None) -> dict:
        data = asdict(self)
        data["citations"] = [asdict(c) for c in self.citations]
        data["suggestions"] = [asdict(s) for s in self.suggestions]
        data["confidence"] = round(self.confidence, 3)
        return {"id": question_id, **data} if question_id is not None else data
