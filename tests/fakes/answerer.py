"""An Answerer that says what each test tells it to: no model, no index, no waiting.

``FakeAnswerer({"câu hỏi": answer(...)})``: a known question gets its answer, a scoped one
(a chosen suggestion) a cited answer from that section, anything else "not found".
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from bot.core.answer import Answer, Citation, Suggestion

DOC = "57-KH/TU"
NAME = "Kế hoạch 57-KH/TU"
PASSAGE = "Dòng một của mục.\nDòng hai của mục."


def cited(section: str, quote: str, text: str | None = None) -> Answer:
    """A grounded answer quoting ``quote`` from ``section``."""
    label = f"{NAME}, mục {section}"
    citation = Citation(DOC, section, f"Mục {section}", quote, label, 0, len(quote))
    return Answer(
        answer=text or f"Theo {label}:\n“{quote}”",
        grounded=True,
        handoff=False,
        confidence=0.9,
        citations=(citation,),
        index_version="fake",
    )


def suggesting(*sections: str) -> Answer:
    """A "did you mean" answer offering ``sections``."""
    options = tuple(Suggestion(DOC, s, f"Mục {s}", f"{NAME}, mục {s}") for s in sections)
    return Answer(
        answer="Tôi chưa chắc bạn hỏi phần nào. Có phải bạn muốn hỏi về:",
        grounded=False,
        handoff=False,
        confidence=0.4,
        kind="suggest",
        suggestions=options,
        index_version="fake",
    )


NOT_FOUND = Answer(
    answer="Xin lỗi, tôi không tìm thấy nội dung này. Bạn có muốn gặp cán bộ không?",
    grounded=False,
    handoff=False,
    confidence=0.1,
    kind="not_found",
    index_version="fake",
)
HANDOFF = Answer(
    answer="Tôi sẽ chuyển bạn tới cán bộ.",
    grounded=False,
    handoff=True,
    confidence=1.0,
    kind="handoff",
    index_version="fake",
)


class FakeAnswerer:
    def __init__(self, answers: Mapping[str, Answer] | None = None) -> None:
        self.answers = dict(answers or {})
        self.asked: list[tuple[str, tuple[str, str] | None]] = []
        self.gate: asyncio.Event | None = None  # set: ask() waits for it (slow engine)

    async def ask(self, text: str, scope: tuple[str, str] | None = None) -> Answer:
        self.asked.append((text, scope))
        if self.gate is not None:
            await self.gate.wait()
        if scope is not None:
            return cited(scope[1], f"Nội dung mục {scope[1]} về “{text}”.")
        return self.answers.get(text, NOT_FOUND)

    def document_names(self) -> list[str]:
        return [NAME]

    def passage(self, doc_id: str, section_id: str) -> str:
        if doc_id != DOC:
            raise LookupError(doc_id)
        return f"Mục {section_id}\n{PASSAGE}"
