"""The answer engine: question in, short cited answer (or a decline, or a handoff) out.

Channel-agnostic and synchronous (CPU-bound); ``ask`` runs it off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from bot.answering import replies
from bot.answering.calibration import Calibration, Features
from bot.answering.composer import Composer, Composition, Quote
from bot.answering.contract import Answer, Citation
from bot.answering.coverage import CoverageJudge
from bot.documents.passages import short_title
from bot.documents.structure import PREAMBLE, SIGNATURE
from bot.retrieval.index import SearchIndex
from bot.retrieval.query import Query, analyze, shows_answer_type
from bot.retrieval.retriever import HybridRetriever
from bot.vietnamese.language import detect_language
from bot.vietnamese.lexicon import Lexicon
from bot.vietnamese.text import clean, collapse_spaces, folded_tokens, has_diacritics, tokens

logger = logging.getLogger(__name__)

MAX_ANSWER_CHARS = 2000  # Zalo's limit for one message
MAX_BATCH = 16  # questions encoded together when many arrive at once
CANDIDATES = 12
LIST_MARGIN = 0.1
OVERVIEW_CONFIDENCE = 0.9  # a question naming only a document is answered by its opening
OVERVIEW_MIN_CHARS = 60  # shorter letterhead lines (number, date) are not the overview
COVERAGE_WEIGHT = 0.6  # how much the share of the question found lifts a sentence
HEADING_WEIGHT = 0.3  # … and the share found in its own heading
_REASON = re.compile(r"\b(nhằm|để|vì|bởi|nhờ|do đó|qua đó)\b", re.IGNORECASE)
TITLE_IN_LABEL = 70  # section headings up to this length are shown beside the section number  # how far below the best sentence a heading may score and still win
_HTML_TAG = re.compile(r"<[^>]{0,300}>")
_DIGIT = re.compile(r"\d")


class QueryEncoder(Protocol):
    def encode_queries(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class _Pending:
    """A question analysed and waiting for its vector."""

    query: Query
    language: str


@dataclass(frozen=True)
class Trace:
    """Why the engine answered as it did (for evaluation and logs)."""

    features: Features | None
    seconds: float


class AnswerEngine:
    def __init__(
        self,
        index: SearchIndex,
        encoder: QueryEncoder,
        lexicon: Lexicon | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        self.index = index
        self.encoder = encoder
        self.lexicon = lexicon or Lexicon()
        self.calibration = calibration or Calibration.load()
        self.retriever = HybridRetriever(index)
        self.judge = CoverageJudge(index, self.lexicon)
        self.composer = Composer(index)
        self.version = index.manifest.get("version", "")
        self._names = [d.document.meta.citation_name for d in index.documents.values()]
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="answer")
        self._waiting: list[tuple[str, asyncio.Future[Answer]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self.last_trace: Trace | None = None

    async def ask(self, text: str) -> Answer:
        """Answer without blocking the event loop.

        One worker thread (the model already uses every core). Questions that arrive while
        it is busy wait together and are then encoded as one batch: a batch of eight costs
        about a third of eight single encodings, so 50 people asking at once are served
        several times faster, and a lone question waits for nothing.
        """
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._waiting.append((text, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            try:
                answers = await loop.run_in_executor(
                    self._executor, self.answer_batch, [text for text, _ in batch]
                )
            except BaseException as exc:  # the executor was shut down, or we were cancelled
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                raise
            for (_, future), answer in zip(batch, answers, strict=True):
                if not future.done():
                    future.set_result(answer)

    def passage(self, doc_id: str, section_id: str) -> str:
        return section_passage(self.index, doc_id, section_id)

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    # ------------------------------------------------------------------------------
    def answer(self, text: str) -> Answer:
        return self.answer_batch([text])[0]

    def answer_batch(self, texts: list[str]) -> list[Answer]:
        """Answers in order; the questions that need the model are encoded together."""
        started = time.perf_counter()
        prepared: list[Answer | _Pending] = []
        for text in texts:
            try:
                prepared.append(self._prepare(text if isinstance(text, str) else ""))
            except Exception:  # never let one question take the bot down
                logger.exception("engine failed on a question")
                prepared.append(self._failed())
        pending = [p.query.dense_text for p in prepared if isinstance(p, _Pending)]
        vectors = iter(self.encoder.encode_queries(pending) if pending else [])
        answers: list[Answer] = []
        features = None
        for item in prepared:
            if isinstance(item, Answer):
                answers.append(item)
                features = None
                continue
            try:
                answer, features = self._finish(item, next(vectors))
            except Exception:
                logger.exception("engine failed on a question")
                answer, features = self._failed(), None
            answers.append(answer)
        # Evaluation reads the trace of the last single answer.
        self.last_trace = Trace(features, time.perf_counter() - started)
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

    def _prepare(self, raw: str) -> Answer | _Pending:
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
        intent = self.lexicon.intent(self._intent_text(text, language))
        if intent == "handoff":
            return self._reply("handoff", replies.handoff(english), language, handoff=True)
        if intent == "greeting":
            return self._reply("greeting", replies.greeting(self._names, english), language)
        if intent == "help":
            return self._reply("help", replies.help_text(self._names, english), language)
        if intent == "thanks":
            return self._reply("thanks", replies.thanks(english), language)

        query = analyze(text, self.lexicon, self.judge)
        if not query.terms:
            return self._reply("not_found", replies.unclear(english), language)
        return _Pending(query, language)

    def _finish(self, pending: _Pending, vector: np.ndarray) -> tuple[Answer, Features | None]:
        """The retrieval and composition for a question that needed the model."""
        query, language = pending.query, pending.language
        english = language == "en"
        if not self.judge.content_terms(query.terms):
            # Only a document's name was asked about ("Nghị quyết 02 nói về vấn đề gì"):
            # its opening states what it is, so that is the answer, whatever the scores.
            overview = self._overview(query, vector)
            if overview is not None:
                return self._render(overview, query, OVERVIEW_CONFIDENCE), None
        composition, features = self._search(query, vector)
        confidence = self.calibration.probability(features)
        if composition is None or confidence < self.calibration.threshold:
            answer = self._reply("not_found", replies.not_found(self._names, english), language)
            return _with_confidence(answer, confidence), features
        return self._render(composition, query, confidence), features

    def _intent_text(self, text: str, language: str) -> str:
        """Folded words with shorthand written out ("gặp ng thật" → "gap nguoi that")."""
        if language == "en":
            return " ".join(folded_tokens(text))
        words = []
        for token in re.findall(r"[^\W_]+(?:&[^\W_]+)?", text):
            words.append(self.lexicon.abbreviation(token) or token)
        return " ".join(folded_tokens(" ".join(words)))

    def _search(self, query: Query, vector: np.ndarray) -> tuple[Composition | None, Features]:
        ranked = self.retriever.rank(query, vector)
        terms = self.judge.content_terms(query.terms)
        candidates = [int(i) for i in ranked.order[:CANDIDATES]]
        # The headings above the best sentences compete too: a question may ask for
        # everything under one ("mục đích của Kế hoạch là gì").
        for i in list(candidates[:8]):
            for heading in self.composer.headings_above(i):
                if heading not in candidates:
                    candidates.append(heading)
        coverage = {i: self.judge.coverage(terms, [i]) for i in candidates}
        heading = {i: self.judge.heading_coverage(terms, i) for i in candidates}

        def has_number(i: int) -> bool:
            return shows_answer_type(query.answer_type, self.index.unit_text(i))

        def final(i: int) -> float:
            score = (
                float(ranked.scores[i])
                + COVERAGE_WEIGHT * coverage[i]
                + HEADING_WEIGHT * heading[i]
            )
            if not has_number(i):
                score -= 0.15
            if query.wants_reason and _REASON.search(self.index.unit_text(i)):
                score += 0.1
            return score

        candidates.sort(key=final, reverse=True)
        best = candidates[0]

        def adds(chosen: list[int], candidate: int) -> float:
            before = self.judge.coverage(terms, chosen)
            return self.judge.coverage(terms, [*chosen, candidate]) - before

        head = self._list_head(best, candidates, final)
        items = self.composer.list_items(head) if head is not None else []
        if head is not None and items:
            composition = self.composer.compose_list(head, items)
        else:
            composition = self.composer.compose_fact(
                candidates, final, adds, self._clause_scorer(terms), reason=query.wants_reason
            )

        answer_coverage = self.judge.coverage(terms, composition.units)
        unknown = self.judge.unknown(terms)
        features = Features(
            coverage=coverage[best],
            answer_coverage=answer_coverage,
            dense=float(ranked.dense[best]),
            dense_top=float(ranked.dense.max()),
            fused=float(ranked.scores[best]),
            lexical=float(ranked.lexical[best]),
            number_missing=float(not any(has_number(i) for i in composition.units)),
            english=float(query.language == "en"),
            terms=len(query.terms),
            unknown=float(len(unknown)),
            unknown_weight=sum(self.judge.weight(t) for t in unknown),
            accented=_accented_share(query.text),
        )
        return composition, features

    def _overview(self, query: Query, vector: np.ndarray) -> Composition | None:
        """The title and opening paragraph of the document the question names."""
        ranked = self.retriever.rank(query, vector)
        best = next(
            (int(i) for i in ranked.order if self.index.units[int(i)].section == PREAMBLE), None
        )
        if best is None:
            return None
        doc = self.index.units[best].doc
        opening = [
            i
            for i, u in enumerate(self.index.units)
            if u.doc == doc
            and u.section == PREAMBLE
            and len(self.index.unit_text(i)) >= OVERVIEW_MIN_CHARS
        ][-2:]  # the title and the opening paragraph come last in the letterhead
        quotes = tuple(self.composer.whole(i) for i in opening)
        return Composition(quotes, "overview", tuple(opening)) if quotes else None

    def _list_head(self, best: int, candidates: list[int], final) -> int | None:
        """A heading that matches about as well as the best sentence under it: answer with its list."""
        if self.composer.is_title(best):
            return best
        for candidate in candidates:
            if final(candidate) < final(best) - LIST_MARGIN:
                break
            if self.composer.is_title(candidate) and self.composer.contains(candidate, best):
                return candidate
        return None

    def _clause_scorer(self, terms):
        return lambda text: self.judge.coverage_of_text(terms, text)

    # ------------------------------------------------------------------------------
    def _render(self, composition: Composition, query: Query, confidence: float) -> Answer:
        english = query.language == "en"
        citations = [self._citation(q) for q in composition.quotes]
        places = list(dict.fromkeys((c.doc, c.section) for c in citations))
        first = citations[0]
        name = self.index.meta(first.doc).citation_name
        if composition.head is not None:
            # A list: the lead-in names the heading, each item its own subsection.
            head = self._citation(self.composer.whole(composition.head))
            lines = [replies.lead_in(name, self._place(head, english, heading=True), english)]
            for quote, citation in zip(composition.quotes, citations, strict=True):
                own = (
                    ""
                    if citation.section == head.section
                    else f" ({_section_label(citation.section, english)})"
                )
                lines.append(f"• {_shown(quote, citation)}{own}")
        elif len(places) == 1:
            lines = [replies.lead_in(name, self._place(first, english), english)]
            for quote, citation in zip(composition.quotes, citations, strict=True):
                shown = _shown(quote, citation)
                lines.append(f"• {shown}" if len(citations) > 1 else shown)
        else:
            lines = [replies.lead_in(name, None, english)]
            for quote, citation in zip(composition.quotes, citations, strict=True):
                lines.append(f"• {_shown(quote, citation)} ({self._place(citation, english)})")
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
            language=query.language,
            index_version=self.version,
        )

    def _place(self, citation: Citation, english: bool = False, heading: bool = False) -> str:
        """ "mục IV.1.2 (Ban Tuyên giáo và Dân vận Thành ủy)": the heading tells who or what.

        The heading is left out when the quote itself starts with it, unless it names the
        list that follows (``heading``).
        """
        label = _section_label(citation.section, english)
        short = citation.title
        repeated = citation.quote.startswith(short) and not heading
        if citation.section in {PREAMBLE, SIGNATURE} or len(short) > TITLE_IN_LABEL or repeated:
            return label
        return f"{label} ({short})"

    def _citation(self, quote: Quote) -> Citation:
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
            label=f"{meta.citation_name}, {_section_label(unit.section)}",
            start=quote.start,
            end=quote.end,
        )


def _accented_share(text: str) -> float:
    words = [w for w in tokens(text) if not w.isdigit()]
    return sum(1 for w in words if has_diacritics(w)) / len(words) if words else 0.0


def _shown(quote: Quote, citation: Citation) -> str:
    """The quote in quotation marks, with "…" where the sentence was cut."""
    return f"“{'…' if quote.cut_before else ''}{citation.quote}{'…' if quote.trimmed else ''}”"


def _section_label(section: str, english: bool = False) -> str:
    if section == PREAMBLE:
        return "opening of the document" if english else "phần đầu văn bản"
    if section == SIGNATURE:
        return "recipients and signature" if english else "phần nơi nhận"
    return f"section {section}" if english else f"mục {section}"


def section_passage(index: SearchIndex, doc_id: str, section_id: str) -> str:
    """The full text of a section (with its subsections), for "Xem nguyên văn"."""
    section = index.section(doc_id, section_id)
    body = index.text(doc_id, section.start, section.end)
    return "\n".join(line.strip() for line in body.splitlines() if line.strip())


def _with_confidence(answer: Answer, confidence: float) -> Answer:
    from dataclasses import replace

    return replace(answer, confidence=confidence if math.isfinite(confidence) else 0.0)
