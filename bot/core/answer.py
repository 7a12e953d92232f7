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


@dataclass(frozen=True)
class Suggestion:
    """A section the question may be about; choosing it gives the cited answer there."""

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
