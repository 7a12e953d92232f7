"""Find what to quote for an analysed question, and measure how well it fits.

The retriever scores every sentence; the best dozen (and the headings above them) are
re-scored with what the question's words cover, the composer picks the quotes, and
``Features`` describe the choice for the decision model. The distinct sections that
scored best (a list's heading first) are the suggestions when the decision is unsure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from bot.answering.composer import Composer, Composition
from bot.answering.coverage import CoverageJudge
from bot.answering.decision import Probe
from bot.answering.features import (
    Features,
    absent_figures,
    accented_share,
    asked_figures,
    capitalised_names,
    cues,
    document_references,
    figures,
    names_a_body,
)
from bot.answering.list_head import ListHeads
from bot.answering.scoring import SentenceScorer
from bot.answering.signers import Signers
from bot.documents.structure import PREAMBLE, overlaps, within
from bot.retrieval.examples import NONE
from bot.retrieval.index import SearchIndex
from bot.retrieval.query import Query
from bot.retrieval.query_intent import shows_answer_type
from bot.retrieval.retriever import HybridRetriever, Ranked
from bot.vietnamese.text import folded_tokens

CANDIDATES = 12
NEAR = 0.1  # sections scoring this close to the best are "near" (features)
MAX_SUGGESTIONS = 3

Section = tuple[str, str]  # (doc id, section id)


@dataclass(frozen=True)
class Found:
    composition: Composition
    features: Features
    sections: tuple[Section, ...]  # distinct places that matched best, best first
    quote_vector: np.ndarray  # the quoted sentences' mean vector (for the match probe)
    topic_shift: float = 0.0  # onto the fitting documents' topic scale (see Probe.reference)


class QuoteFinder:
    def __init__(
        self,
        index: SearchIndex,
        judge: CoverageJudge,
        composer: Composer,
        probes: dict[str, Probe] | None = None,
    ) -> None:
        self.index = index
        self.probes = probes or {}
        self.judge = judge
        self.composer = composer
        self.retriever = HybridRetriever(index)
        self._section_of = [(u.doc, u.section) for u in index.units]
        topic = self.probes.get("topic")
        docs = [doc for doc, _ in self._section_of]
        self._topic_shift = topic.shifts(index.unit_vectors, docs) if topic and docs else {}
        self.list_heads = ListHeads(composer, judge)
        names = [
            f"{d.document.meta.citation_name} {d.document.meta.title}"
            for d in index.documents.values()
        ]
        # The indexed documents themselves; any other one a question names is not here.
        self._documents_named = frozenset(ref for n in names for ref in document_references(n))
        self._document_numbers = frozenset(number for n in names for number in figures(n))
        # Each document's own references and kinds ("Kế hoạch 57-KH/TU": kh 57, "kh").
        self._own: dict[str, tuple[set[tuple[str, int]], set[str]]] = {}
        for doc, d in index.documents.items():
            refs = document_references(d.document.meta.citation_name)
            self._own[doc] = (refs, {kind for kind, _ in refs})
        self.signers = Signers(index, composer, {doc: own[1] for doc, own in self._own.items()})
        self.scorer = SentenceScorer(index, judge, self._own)

    def in_scope(self, unit: int, scope: Section | None) -> bool:
        if scope is None:
            return True
        doc, section = self._section_of[unit]
        return doc == scope[0] and within(section, scope[1])

    def find(self, query: Query, vector: np.ndarray, scope: Section | None = None) -> Found | None:
        """The best quotes (within ``scope`` when the citizen chose a section)."""
        ranked = self.retriever.rank(query, vector)
        # A question made only of a document's name and what it asks for ("NQ 02 ngày
        # nào", "ai ký nghị quyết 02") is judged on those words: the name is the subject.
        terms = self.judge.content_terms(query.terms) or list(query.terms)
        order = [int(i) for i in ranked.order if self.in_scope(int(i), scope)]
        if not order:
            return None
        candidates = order[:CANDIDATES]
        # The headings above the best sentences compete too ("mục đích của Kế hoạch là gì").
        for i in list(candidates[:8]):
            for heading in self.composer.headings_above(i):
                if heading not in candidates and self.in_scope(heading, scope):
                    candidates.append(heading)
        final = self.scorer.for_question(query, ranked, terms, candidates)
        candidates.sort(key=final, reverse=True)
        best = candidates[0]

        def adds(chosen: list[int], candidate: int) -> float:
            before = self.judge.coverage(terms, chosen)
            return self.judge.coverage(terms, [*chosen, candidate]) - before

        def fact() -> Composition:
            return self.composer.compose_fact(
                candidates,
                final,
                adds,
                lambda text: self.judge.coverage_of_text(terms, text),
                reason=query.wants_reason,
                plural=query.wants_list,
            )

        # Each plan's signer ("ai ký", several plans); else a list (asked for); else the fact.
        composition = self.signers.of_each(query) if scope is None else None
        if composition is None:
            composed = None
            head = self.list_heads.choose(
                query, terms, best, candidates, final, lambda u: self.in_scope(u, scope)
            )
            if head is None:
                composed = fact()
                head = self.composer.quoted_heading(composed, best)
            if head is not None:
                head = self.composer.named_child(head, self.list_heads.naming(query, terms))
            items = self.composer.list_items(head) if head is not None else []
            if head is not None and len(items) >= 2:
                composition = self.composer.compose_list(head, items)
            else:
                composed = composed or fact()
                composition = self.composer.with_introduced(composed) or composed
        sections = self._distinct_sections(candidates, order, final)
        quote_vector = self.index.unit_vectors[list(composition.units)].mean(axis=0)
        quote_vector = quote_vector / (float(np.linalg.norm(quote_vector)) or 1.0)
        features = self._features(query, ranked, terms, composition, best, final, sections)
        features = replace(
            features,
            topic=self.probes["topic"].score(vector) if "topic" in self.probes else 0.0,
            match=self.probes["match"].score(vector * quote_vector)
            if "match" in self.probes
            else 0.0,
        )
        places = [s for s, _ in sections]
        if composition.head is not None:  # a part of the list would answer only that part
            listed = self._section_of[composition.head]
            places = [listed, *(s for s in places if not overlaps(s, listed))]
        shift = self._topic_shift.get(self._section_of[best][0], 0.0)
        return Found(composition, features, tuple(places[:MAX_SUGGESTIONS]), quote_vector, shift)

    def _distinct_sections(
        self, candidates: list[int], order: list[int], final
    ) -> list[tuple[Section, float]]:
        """Sections by their best sentence, leaving out any that overlaps a better one. The
        re-scored candidates come first; further sentences (in retrieval order) are scored
        only when they bring a section not seen yet, which keeps this cheap."""
        chosen: list[tuple[Section, float]] = []
        for i in candidates:  # already sorted by final score
            section = self._section_of[i]
            if not any(overlaps(section, s) for s, _ in chosen):
                chosen.append((section, final(i)))
        wanted = MAX_SUGGESTIONS + 2
        for i in order[CANDIDATES : CANDIDATES * 3]:
            if len(chosen) >= wanted:
                break
            section = self._section_of[i]
            if not any(overlaps(section, s) for s, _ in chosen):
                chosen.append((section, final(i)))
        chosen.sort(key=lambda pair: pair[1], reverse=True)
        return chosen[:wanted]

    def _features(
        self, query, ranked: Ranked, terms, composition, best, final, sections
    ) -> Features:
        units = composition.units
        quoted = " ".join(self.index.unit_text(i) for i in units)
        unknown = self.judge.unknown(terms)
        home = self._section_of[best]
        top_dense, top_lexical = int(np.argmax(ranked.dense)), int(np.argmax(ranked.lexical))
        best_final = final(best)
        other = sections[1][1] if len(sections) > 1 else best_final - 1.0
        names = [n for n in capitalised_names(query.text) if not self.judge.has_content_word(n)]
        lexical_top = float(ranked.lexical.max()) if ranked.lexical.size else 0.0
        flags = cues(" ".join(folded_tokens(query.text)))
        missing = [
            self.judge.weight(t) for t in terms if not any(self.judge.found(t, u) for u in units)
        ]
        spread = float(ranked.dense.std()) or 1.0
        sampled = self.index.examples.covers(home[0])
        near = ranked.neighbours if sampled else NONE
        return Features(
            coverage=self.judge.coverage(terms, [best]),
            answer_coverage=self.judge.coverage(terms, units),
            dense=float(ranked.dense[best]),
            dense_top=float(ranked.dense.max()),
            fused=float(ranked.scores[best]),
            lexical=float(ranked.lexical[best]),
            number_missing=float(
                not any(
                    shows_answer_type(query.answer_type, self.index.unit_text(i)) for i in units
                )
            ),
            english=float(query.language == "en"),
            terms=len(query.terms),
            unknown=float(len(unknown)),
            unknown_weight=sum(self.judge.weight(t) for t in unknown),
            accented=accented_share(query.text),
            final=best_final,
            margin=best_final - other,
            dense_gap=float(ranked.dense.max() - ranked.dense[best]),
            lexical_share=float(ranked.lexical[best]) / lexical_top if lexical_top > 0 else 0.0,
            dense_agrees=float(overlaps(self._section_of[top_dense], home)),
            lexical_agrees=float(overlaps(self._section_of[top_lexical], home)),
            heading=self.judge.heading_coverage(terms, best),
            unknown_share=len(unknown) / len(terms) if terms else 1.0,
            figures_absent=float(self._absent_figures(query, terms, units, quoted)),
            names_absent=float(len(names)),
            wants_type=float(bool(query.answer_type)),
            wants_list=float(query.wants_list),
            wants_reason=float(query.wants_reason),
            list_shape=float(composition.head is not None),
            sections_near=float(sum(1 for _, s in sections[1:] if s >= best_final - NEAR)),
            dense_z=float(ranked.dense.max() - ranked.dense.mean()) / spread,
            missing_weight=max(missing, default=0.0),
            who_missing=float(bool(flags["asks_who"]) and not names_a_body(quoted)),
            other_documents=float(len(document_references(query.text) - self._documents_named)),
            sampled=float(sampled),
            example_in=near.nearest_in,
            example_out=near.nearest_out,
            example_agrees=float(near.section is not None and overlaps(near.section, home)),
            **flags,
        )

    def _absent_figures(self, query: Query, terms, units, quoted: str) -> int:
        asked = asked_figures(query.text, self._document_numbers)
        if not asked:
            return 0
        cover = [self.judge.coverage(terms, [u]) for u in units]
        best = " ".join(
            self.index.unit_text(u) for u, c in zip(units, cover, strict=True) if c == max(cover)
        )
        return absent_figures(asked, quoted, best)

    def overview(self, query: Query, vector: np.ndarray) -> Composition | None:
        """The title and opening paragraph of the document the question names."""
        ranked = self.retriever.rank(query, vector)
        best = next(
            (int(i) for i in ranked.order if self.index.units[int(i)].section == PREAMBLE), None
        )
        return None if best is None else self.composer.opening(self.index.units[best].doc)
