"""An Answerer that says what each test tells it to: no model, no index, no waiting.

``FakeAnswerer({"câu hỏi": answer(...)})``: a known question gets its answer, a scoped one
(a chosen suggestion) a cited answer from that section, anything else "not found".
``passages={"II.2.2": "…"}``: the text of a section ("Xem nguyên văn"), else two short lines.
``embed``: a hashed bag of the folded words (no model), so questions sharing most words,
with or without tone marks, get close vectors; ``embedded`` records what was asked.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping, Sequence

import numpy as np

from bot.core.answer import Answer, Citation, Suggestion
from bot.vietnamese.text import folded_tokens

DOC = "57-KH/TU"
NAME = "Kế hoạch 57-KH/TU"
PASSAGE = "Dòng một của mục.\nDòng hai của mục."
DIMENSION = 256


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
    numbered = "\n".join(f"{n}. {o.label} — {o.title}" for n, o in enumerate(options, 1))
    *first, last = [str(n) for n in range(1, len(options) + 1)] or ["1"]
    choices = f"{', '.join(first)} hoặc {last}" if first else last  # "1, 2 hoặc 3"
    return Answer(
        answer=f"Tôi chưa chắc bạn hỏi phần nào. Có phải bạn muốn hỏi về:\n{numbered}\n"
        f"Bạn chọn một mục (gõ {choices}), hoặc hỏi lại theo cách khác.",
        grounded=False,
        handoff=False,
        confidence=0.4,
        kind="suggest",
        suggestions=options,
        index_version="fake",
    )


def fixed(text: str) -> Answer:
    """One of the engine's fixed replies to what is not a question it can search for (too
    long, no words, another language): the text the test gives."""
    return Answer(
        answer=text,
        grounded=False,
        handoff=False,
        confidence=0.0,
        kind="invalid",
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
    def __init__(
        self,
        answers: Mapping[str, Answer] | None = None,
        passages: Mapping[str, str] | None = None,
    ) -> None:
        self.answers = dict(answers or {})
        self.passages = dict(passages or {})
        self.asked: list[tuple[str, tuple[str, str] | None]] = []
        self.gate: asyncio.Event | None = None  # set: ask() waits for it (slow engine)
        self.embedded: list[list[str]] = []
        self.embedding = asyncio.Event()  # set at the first embed() call
        self.embed_gate: asyncio.Event | None = None  # set: embed() waits for it

    async def ask(self, text: str, scope: tuple[str, str] | None = None) -> Answer:
        self.asked.append((text, scope))
        if self.gate is not None:
            await self.gate.wait()
        if scope is not None:
            return cited(scope[1], f"Nội dung mục {scope[1]} về “{text}”.")
        return self.answers.get(text, NOT_FOUND)

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.append(list(texts))
        self.embedding.set()
        if self.embed_gate is not None:
            await self.embed_gate.wait()
        return np.stack([bag_of_words(t) for t in texts]) if texts else np.empty((0, DIMENSION))

    def document_names(self) -> list[str]:
        return [NAME]

    def passage(self, doc_id: str, section_id: str) -> str:
        if doc_id != DOC:
            raise LookupError(doc_id)
        return f"Mục {section_id}\n{self.passages.get(section_id, PASSAGE)}"


def bag_of_words(text: str) -> np.ndarray:
    """A unit vector: each folded word adds ±1 in a place its hash chooses."""
    vector = np.zeros(DIMENSION, dtype=np.float32)
    for word in folded_tokens(text) or ["?"]:
        digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
        vector[int.from_bytes(digest[:3], "big") % DIMENSION] += 1 if digest[3] & 1 else -1
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector
