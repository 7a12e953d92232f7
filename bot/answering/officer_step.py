"""Approved officer answers inside the engine: kept in step with the store, and consulted
after the documents for every question (the documents always win)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from bot.answering.officer_index import OfficerIndex, OfficerMatch
from bot.answering.officer_render import officer_answer, with_officer_suggestion, with_see_also
from bot.answering.officer_vectors import VectorCache, embedded
from bot.core.answer import Answer
from bot.core.officer_answers import ServedOfficerAnswer
from bot.retrieval.query import Query

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from bot.answering.coverage import CoverageJudge
    from bot.answering.finder import QuoteFinder, Section
    from bot.answering.render import Renderer


class OfficerAnswering:
    officers: OfficerIndex
    judge: CoverageJudge
    finder: QuoteFinder
    renderer: Renderer
    version: str
    _executor: ThreadPoolExecutor
    vector_cache: VectorCache  # their vectors on disk (load_engine gives it a folder)

    if TYPE_CHECKING:  # AnswerEngine's own

        async def embed(self, texts: Sequence[str]) -> np.ndarray: ...

        def _has_section(self, scope: Section) -> bool: ...

    async def serve_officer_answers(self, served: Sequence[ServedOfficerAnswer]) -> None:
        """Serve exactly ``served`` (the OfficerAnswerServing port): new ones are read from
        the vector cache or embedded a chunk at a time, between citizens' questions."""
        new = self.officers.missing(served)
        groups = [OfficerIndex.texts(s) for s in new]
        vectors = await embedded(groups, self.vector_cache, self.embed)
        by_key = {s.key: v for s, v in zip(new, vectors, strict=True)}
        await asyncio.get_running_loop().run_in_executor(
            self._executor, self.officers.install, served, by_key
        )
        await self.vector_cache.prune_unused(OfficerIndex.texts(s) for s in served)

    def _officers(
        self, query: Query, vector: np.ndarray, answer: Answer, scope: Section | None
    ) -> Answer:
        """An approved officer answer that answers the question: served when the documents
        do not answer it, else shown at most as a labelled "see also" after them."""
        if scope is not None or not len(self.officers):
            return answer
        match = self.officers.match(query, vector, self.judge.content_terms(query.terms))
        if match is None:
            return answer
        sure = match.probability >= self.officers.model.threshold
        if answer.kind == "answer":
            return with_see_also(answer, match) if sure else answer
        if answer.kind not in ("not_found", "suggest"):
            return answer
        if not sure:  # likely, not sure: offered as a choice; the offer states no fact
            return with_officer_suggestion(answer, match, self.version)
        return self._officer_answer(query, vector, match, answer.language)

    def _officer_answer(
        self, query: Query, vector: np.ndarray, match: OfficerMatch, language: str
    ) -> Answer:
        related = None
        for section in match.served.text.sections[:1]:
            if self._has_section(section):
                quoted = self.finder.find(query, vector, section)
                if quoted is not None:
                    related = self.renderer.answer(quoted.composition, language, 1.0)
        return officer_answer(match, related, language, self.version)

    def _chosen_officer_answer(
        self, query: Query, vector: np.ndarray, entry_id: str, language: str
    ) -> Answer:
        """The officer answer a citizen chose from a suggestion (checked in ``_prepare``)."""
        served = self.officers.get(entry_id)
        assert served is not None
        match = OfficerMatch(served, 1.0, None)
        return self._officer_answer(query, vector, match, language)
