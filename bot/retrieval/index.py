"""The search index on disk: what ``scripts/build_index.py`` writes and the bot reads.

Files (plain JSON and arrays, no pickle):
  manifest.json        model, fingerprints, document hashes, counts, build time
  documents.json       each document's metadata, body text and section tree
  units.json           quotable sentences (spans into the bodies) and their passages
  passages.json        paragraph runs within a section
  units.bm25.*         lexical index over sentences with their heading path
  passages.bm25.*      lexical index over passages
  units.npy            sentence vectors (normalised)
  passages.faiss       passage vectors in a FAISS inner-product index
  examples.json/.npy   sample questions' sections and vectors (retrieval/examples.py)

This module holds the loaded index (text and section look-ups) and its reading and
writing; building it from ``knowledge/`` is ``index_build``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

from bot.documents.model import Document, DocumentMeta, Section
from bot.documents.passages import Passage, heading_path, unit_role
from bot.documents.segment import Unit
from bot.documents.structure import DocumentStructure
from bot.errors import SearchIndexError
from bot.retrieval.examples import Examples
from bot.retrieval.lexical import BM25

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1


@dataclass
class IndexedDocument:
    document: Document
    structure: DocumentStructure


@dataclass
class SearchIndex:
    documents: dict[str, IndexedDocument]
    units: list[Unit]
    passages: list[Passage]
    unit_passage: np.ndarray  # passage number of each unit
    unit_context: list[str]  # heading path + sentence: what was indexed for each unit
    unit_bm25: BM25
    passage_bm25: BM25
    unit_vectors: np.ndarray
    passage_faiss: faiss.Index
    manifest: dict
    examples: Examples  # the sample questions (knowledge/questions), maybe none

    # -- text access ---------------------------------------------------------------
    def text(self, doc_id: str, start: int, end: int) -> str:
        return self.documents[doc_id].document.text[start:end]

    def unit_text(self, i: int) -> str:
        u = self.units[i]
        return self.text(u.doc, u.start, u.end)

    def section(self, doc_id: str, section_id: str) -> Section:
        return self.documents[doc_id].structure.sections[section_id]

    def meta(self, doc_id: str) -> DocumentMeta:
        return self.documents[doc_id].document.meta

    # -- persistence ---------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        docs = [
            {
                "meta": asdict(d.document.meta),
                "source": d.document.source,
                "sha256": d.document.sha256,
                "text": d.document.text,
                "sections": [asdict(s) for s in d.structure.sections.values()],
                "paragraphs": [asdict(p) for p in d.structure.paragraphs],
            }
            for d in self.documents.values()
        ]
        _write_json(folder / "documents.json", docs)
        _write_json(folder / "units.json", [_unit_row(u) for u in self.units])
        _write_json(folder / "passages.json", [asdict(p) for p in self.passages])
        self.unit_bm25.save(folder / "units.bm25")
        self.passage_bm25.save(folder / "passages.bm25")
        np.save(folder / "units.npy", self.unit_vectors, allow_pickle=False)
        faiss.write_index(self.passage_faiss, str(folder / "passages.faiss"))
        self.examples.save(folder)
        _write_json(folder / "manifest.json", self.manifest)  # last: marks a complete index

    @classmethod
    def load(cls, folder: Path) -> SearchIndex:
        manifest_path = folder / "manifest.json"
        if not manifest_path.is_file():
            raise SearchIndexError(
                f"Chưa có chỉ mục trong {folder}: hãy chạy `python scripts/build_index.py`."
            )
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT_VERSION:
            raise SearchIndexError(
                f"Chỉ mục trong {folder} có định dạng cũ ({manifest.get('format')}): hãy chạy lại "
                "`python scripts/build_index.py`."
            )
        from bot.documents.model import Paragraph

        documents: dict[str, IndexedDocument] = {}
        for row in json.loads((folder / "documents.json").read_text(encoding="utf-8")):
            document = Document(
                DocumentMeta(**row["meta"]), row["text"], row["source"], row["sha256"]
            )
            sections = {s["id"]: Section(**s) for s in row["sections"]}
            paragraphs = [Paragraph(**p) for p in row["paragraphs"]]
            documents[document.meta.id] = IndexedDocument(
                document, DocumentStructure(sections, paragraphs)
            )
        units = [
            _unit_from_row(r)
            for r in json.loads((folder / "units.json").read_text(encoding="utf-8"))
        ]
        passages = [
            Passage(**{**p, "heading_path": tuple(p["heading_path"])})
            for p in json.loads((folder / "passages.json").read_text(encoding="utf-8"))
        ]
        unit_vectors = np.load(folder / "units.npy", allow_pickle=False)
        return cls(
            documents=documents,
            units=units,
            passages=passages,
            unit_passage=_unit_passage(units, passages),
            unit_context=[_unit_context(documents, u) for u in units],
            unit_bm25=BM25.load(folder / "units.bm25"),
            passage_bm25=BM25.load(folder / "passages.bm25"),
            unit_vectors=unit_vectors,
            passage_faiss=faiss.read_index(str(folder / "passages.faiss")),
            manifest=manifest,
            examples=Examples.load(folder, unit_vectors.shape[1]),
        )


def _unit_context(documents: dict[str, IndexedDocument], unit: Unit) -> str:
    indexed = documents[unit.doc]
    path = heading_path(indexed.document, indexed.structure, unit.section)
    sentence = indexed.document.text[unit.start : unit.end]
    role = unit_role(unit.section, sentence)
    if role:
        path = (*path, role)
    return " ".join(f"{' › '.join(path)}: {sentence}".split())


def _unit_passage(units: list[Unit], passages: list[Passage]) -> np.ndarray:
    owner = np.zeros(len(units), dtype=np.int32)
    for n, p in enumerate(passages):
        owner[p.first_unit : p.last_unit] = n
    return owner


def _unit_row(u: Unit) -> dict:
    row = asdict(u)
    row["clauses"] = [list(c) for c in u.clauses]
    return row


def _unit_from_row(row: dict) -> Unit:
    return Unit(**{**row, "clauses": tuple(tuple(c) for c in row["clauses"])})


def _write_json(path: Path, obj: object) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=False), encoding="utf-8")
    tmp.replace(path)


def iter_sections(index: SearchIndex) -> Iterable[tuple[str, Section]]:
    for doc_id, d in index.documents.items():
        for section in d.structure.sections.values():
            yield doc_id, section
