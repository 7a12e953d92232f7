"""The answer engine: question in, short cited answer (or a decline, or a handoff) out.

Channel-agnostic and synchronous (CPU-bound); ``ask`` runs it off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from bot.answering.composer import Composer
from bot.answering.coverage import CoverageJudge
from bot.answering.decision import Decision, DecisionModel
from bot.answering.features import Features
from bot.answering.finder import QuoteFinder, Section
from bot.answering.officer_index import OfficerIndex
from bot.answering.officer_step import OfficerAnswering
from bot.answering.officer_vectors import VectorCache
from bot.answering.render import Renderer, section_passage
from bot.core.answer import OFFICER_ANSWER_DOC, Answer
from bot.retrieval.index import SearchIndex
from bot.retrieval.query import Query, analyze
from bot.strings import answers as replies
from bot.vietnamese.language import detect_language
from bot.vietnamese.lexicon import Lexicon
from bot.vietnamese.text import clean, folded_tokens

logger = logging.getLogger(__name__)

MAX_BATCH = 16  # questions encoded together when many arrive at once
EMBED_CHUNK = 32  # texts embedded per turn of the worker: questions wait for one chunk at most
EMBED_CHARS = 1000  # a question is read this far for its vector
OVERVIEW_CONFIDENCE = 0.9  # a question naming only a document is answered by its opening
_HTML_TAG = re.compile(r"<[^>]{0,300}>")


class QueryEncoder(Protocol):
    def encode_queries(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class _Pending:
    """A question analysed and waiting for its vector."""

    query: Query
    language: str
    scope: Section | None  # the section the citizen chose from a suggestion


@dataclass(frozen=True)
class Trace:
    """Why the engine answered as it did (for evaluation and logs)."""

    features: Features | None
    seconds: float
    decision: Decision | None = None
    sections: tuple[Section, ...] = ()  # the distinct places found, best first
    vector: np.ndarray | None = None  # the question's vector (fitting the probes)
    quote_vector: np.ndarray | None = None


class AnswerEngine(OfficerAnswering):
    def __init__(
        self,
        index: SearchIndex,
        encoder: QueryEncoder,
        lexicon: Lexicon | None = None,
        decision: DecisionModel | None = None,
    ) -> None:
        self.index = index
        self.encoder = encoder
        self.lexicon = lexicon or Lexicon()
        self.decision = decision or DecisionModel.load()
        self.judge = CoverageJudge(index, self.lexicon)
        self.composer = Composer(index)
        self.finder = QuoteFinder(index, self.judge, self.composer, self.decision.probes)
        self.renderer = Renderer(index, self.composer)
        self.officers = OfficerIndex(self.judge.weight, self.lexicon.stopwords_vi)
        self.vector_cache = VectorCache(
            None, index.manifest.get("model", {}).get("fingerprint", "")
        )
        self.version = index.manifest.get("version", "")
        self._names = [d.document.meta.citation_name for d in index.documents.values()]
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="answer")
        self._waiting: list[tuple[str, Section | None, asyncio.Future[Answer]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self.last_trace: Trace | None = None

    async def ask(self, text: str, scope: Section | None = None) -> Answer:
        """Answer without blocking the event loop; ``scope`` is a section the citizen chose.

        One worker thread (the model already uses every core). Questions that arrive while
        it is busy wait together and are then encoded as one batch: a batch of eight costs
        about a third of eight single encodings, so 50 people asking at once are served
        several times faster, and a lone question waits for nothing.
        """
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._waiting.append((text, scope, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            try:
                answers = await loop.run_in_executor(
                    self._executor,
                    self.answer_batch,
                    [text for text, _, _ in batch],
                    [scope for _, scope, _ in batch],
                )
            except BaseException as exc:  # the executor was shut down, or we were cancelled
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                raise
            for (_, _, future), answer in zip(batch, answers, strict=True):
                if not future.done():
                    future.set_result(answer)

    def document_names(self) -> list[str]:
        """How the documents are cited ("Kế hoạch 57-KH/TU"), for greetings and help."""
        return [d.document.meta.citation_name for d in self.index.documents.values()]

    def passage(self, doc_id: str, section_id: str) -> str:
        return section_passage(self.index, doc_id, section_id)

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit query vectors of ``texts`` (the Embeddings port), a chunk at a time on the
        engine's one thread, so a citizen's question waits for one chunk at most."""
        loop = asyncio.get_running_loop()
        chunks = [list(texts[i : i + EMBED_CHUNK]) for i in range(0, len(texts), EMBED_CHUNK)]
        parts = [await loop.run_in_executor(self._executor, self.embed_batch, c) for c in chunks]
        return np.concatenate(parts) if parts else np.empty((0, 0), dtype=np.float32)

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Query-style e5 vectors ("query: …"), as the questions are searched with."""
        return self.encoder.encode_queries([clean(t)[:EMBED_CHARS] or "?" for t in texts])

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    # ------------------------------------------------------------------------------
    def answer(self, text: str, scope: Section | None = None) -> Answer:
        return self.answer_batch([text], [scope])[0]

    def answer_batch(
        self, texts: list[str], scopes: list[Section | None] | None = None
    ) -> list[Answer]:
        """Answers in order; the questions that need the model are encoded together."""
        started = time.perf_counter()
        scopes = scopes or [None] * len(texts)
        prepared: list[Answer | _Pending] = []
        for text, scope in zip(texts, scopes, strict=True):
            try:
                prepared.append(self._prepare(text if isinstance(text, str) else "", scope))
            except Exception:  # never let one question take the bot down
                logger.exception("engine failed on a question")
                prepared.append(self._failed())
        pending = [p.query.dense_text for p in prepared if isinstance(p, _Pending)]
        vectors = iter(self.encoder.encode_queries(pending) if pending else [])
        answers: list[Answer] = []
        trace = Trace(None, 0.0)
        for item in prepared:
            if isinstance(item, Answer):
                answers.append(item)
                trace = Trace(None, 0.0)
                continue
            try:
                answer, trace = self._finish(item, next(vectors))
            except Exception:
                logger.exception("engine failed on a question")
                answer, trace = self._failed(), Trace(None, 0.0)
            answers.append(answer)
        # Evaluation reads the trace of the last single answer.
        self.last_trace = replace(trace, seconds=time.perf_counter() - started)
        return answers

    def _failed(self) -> Answer:
        return self._reply("not_found", replies.not_found(self._names), "vi")

    def _reply(self, kind: str, text: str, language: str, handoff: bool = False) -> Answer:
        return Answer(
            answer=text,
            grounded=False,
            handoff=handoff,
            confidence=0.0 if kind in {"not_found", "invalid"} else 1.0,
            kind=kind,  # type: ignore[arg-type]
            language=language,
            index_version=self.version,
        )

    def _prepare(self, raw: str, scope: Section | None = None) -> Answer | _Pending:
        """A fixed reply (empty, greeting, handoff…), or the analysed question to search for."""
        text = clean(_HTML_TAG.sub(" ", raw))
        if not text:
            return self._reply("invalid", replies.empty(), "vi")
        if len(text) > replies.MAX_QUESTION_CHARS:
            return self._reply("invalid", replies.too_long(len(text)), "vi")
        language = detect_language(text, self.lexicon)
        if language == "none":
            return self._reply("invalid", replies.no_text(), "vi")
        if language == "other":
            return self._reply("invalid", replies.other_language(), "other")
        english = language == "en"
        if scope is not None:
            # A section chosen from a suggestion: the question was already judged a question.
            if not self._has_section(scope):
                return self._reply("invalid", replies.suggestion_gone(english), language)
            return _Pending(analyze(text, self.lexicon, self.judge), language, scope)
        intent = self.lexicon.intent(self._intent_text(text, language))
        if intent == "handoff":
            return self._reply("handoff", replies.handoff(english), language, handoff=True)
        if intent == "greeting":
            return self._reply("greeting", replies.greeting(self._names, english), language)
        if intent == "help":
            return self._reply("help", replies.help_text(self._names, english), language)
        if intent == "thanks":
            return self._reply("thanks", replies.thanks(english), language)

        # Even a question with no content word ("alo ai đó đâu rồi") is read by the model:
        # the handoff probe may recognise a request for a person in it.
        return _Pending(analyze(text, self.lexicon, self.judge), language, None)

    def _has_section(self, scope: Section) -> bool:
        if scope[0] == OFFICER_ANSWER_DOC:  # an officer answer offered as a suggestion
            return self.officers.get(scope[1]) is not None
        indexed = self.index.documents.get(scope[0])
        return indexed is not None and scope[1] in indexed.structure.sections

    def _finish(self, pending: _Pending, vector: np.ndarray) -> tuple[Answer, Trace]:
        """The retrieval, the decision and the composition for a question that needed the model."""
        query, language, scope = pending.query, pending.language, pending.scope
        english = language == "en"
        if scope is not None and scope[0] == OFFICER_ANSWER_DOC:
            return self._chosen_officer_answer(query, vector, scope[1], language), Trace(None, 0)
        if scope is None and self.decision.wants_person(vector):
            answer = self._reply("handoff", replies.handoff(english), language, handoff=True)
            return answer, Trace(None, 0.0)
        if scope is None and not query.terms:
            return self._reply("not_found", replies.unclear(english), language), Trace(None, 0.0)
        if (
            scope is None
            and not (query.asks_signer or query.answer_type)
            and not self.judge.content_terms(query.terms)
        ):
            # Only a document's name was asked about ("Nghị quyết 02 nói về vấn đề gì"), not
            # its date, number or signer: its opening states what it is, whatever the scores.
            overview = self.finder.overview(query, vector)
            if overview is not None:
                return self.renderer.answer(overview, language, OVERVIEW_CONFIDENCE), Trace(None, 0)
        found = self.finder.find(query, vector, scope)
        if found is None:
            answer = self._reply("not_found", replies.not_found(self._names, english), language)
            return self._officers(query, vector, answer, scope), Trace(None, 0.0)
        decision = self.decision.decide(
            found.features, can_suggest=bool(found.sections), topic_shift=found.topic_shift
        )
        trace = Trace(found.features, 0.0, decision, found.sections, vector, found.quote_vector)
        confidence = decision.right if math.isfinite(decision.right) else 0.0
        if scope is not None or decision.outcome == "answer":
            answer = self.renderer.answer(found.composition, language, confidence)
        elif decision.outcome == "suggest":
            answer = self.renderer.suggestions(found.sections, language, confidence)
        else:
            answer = self._reply("not_found", replies.not_found(self._names, english), language)
            answer = replace(answer, confidence=confidence)
        return self._officers(query, vector, answer, scope), trace

    def _intent_text(self, text: str, language: str) -> str:
        """Folded words with shorthand written out ("gặp ng thật" → "gap nguoi that")."""
        if language == "en":
            return " ".join(folded_tokens(text))
        words = []
        for token in re.findall(r"[^\W_]+(?:&[^\W_]+)?", text):
            words.append(self.lexicon.abbreviation(token) or token)
        return " ".join(folded_tokens(" ".join(words)))
