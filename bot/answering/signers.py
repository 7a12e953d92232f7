"""Who signed: when several documents of the kind asked about are indexed ("ai ký kế
hoạch này" with two plans), each one's signer, each cited with its own document, rather
than one document's by chance."""

from __future__ import annotations

from bot.answering.composer import Composer, Composition
from bot.answering.features import document_kinds, document_references
from bot.documents.passages import unit_role
from bot.documents.structure import SIGNATURE
from bot.retrieval.index import SearchIndex
from bot.retrieval.query import Query


class Signers:
    def __init__(self, index: SearchIndex, composer: Composer, kinds: dict[str, set[str]]) -> None:
        """``kinds``: each document's kinds ("kh" for a Kế hoạch)."""
        self.composer = composer
        self.kinds = kinds
        self.line = {  # each document's signer line (the last one: the name)
            u.doc: i
            for i, u in enumerate(index.units)
            if u.section == SIGNATURE and unit_role(SIGNATURE, index.unit_text(i))
        }

    def of_each(self, query: Query) -> Composition | None:
        """The signers of every document the question may mean, when it names none and
        more than one fits; else None (the usual search answers)."""
        if not query.asks_signer or document_references(query.text):
            return None
        asked = document_kinds(query.text)
        units = [u for doc, u in self.line.items() if not asked or asked & self.kinds[doc]]
        if len(units) < 2:
            return None
        return Composition(tuple(self.composer.whole(u) for u in units), "fact", tuple(units))
