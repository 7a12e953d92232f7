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
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from bot.documents.loader import discover, load_document
from bot.documents.model import Document, DocumentMeta, Section
from bot.documents.passages import Passage, build_passages, heading_path, unit_role
from bot.documents.segment import Unit, segment
from bot.documents.structure import DocumentStructure, parse_structure
from bot.errors import SearchIndexError
from bot.retrieval.lexical import BM25, index_terms

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
# The code that turns documents into index files: a change to it makes an index stale.
_BUILDER_MODULES = ("documents", "retrieval/index.py", "retrieval/lexical.py", "vietnamese/text.py")


def builder_fingerprint() -> str:
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for name in _BUILDER_MODULES:
        target = package / name
        for file in sorted(target.rglob("*.py")) if target.is_dir() else [target]:
            digest.update(file.name.encode() + file.read_bytes())
    return digest.hexdigest()[:16]


class Encoder:
    """What the builder needs from an embedding model (``Embedder`` satisfies it)."""

    name: str
    fingerprint: str
    dimension: int

    def encode_documents(self, texts: list[str], batch_size: int = 32) -> np.ndarray: ...


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
        return cls(
            documents=documents,
            units=units,
            passages=passages,
            unit_passage=_unit_passage(units, passages),
            unit_context=[_unit_context(documents, u) for u in units],
            unit_bm25=BM25.load(folder / "units.bm25"),
            passage_bm25=BM25.load(folder / "passages.bm25"),
            unit_vectors=np.load(folder / "units.npy", allow_pickle=False),
            passage_faiss=faiss.read_index(str(folder / "passages.faiss")),
            manifest=manifest,
        )


def build_index(
    knowledge: Path,
    encoder: Encoder,
    progress: Callable[[str, int, int], None] | None = None,
) -> SearchIndex:
    """Read every document in ``knowledge`` and build the full index (deterministic)."""
    started = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    files = discover(knowledge)
    documents: dict[str, IndexedDocument] = {}
    units: list[Unit] = []
    passages: list[Passage] = []
    for n, path in enumerate(files, 1):
        document = load_document(path)
        if document.meta.id in documents:
            raise SearchIndexError(
                f"Hai tệp cùng số hiệu {document.meta.id}: {documents[document.meta.id].document.source} "
                f"và {path.name}. Đặt `id:` khác nhau trong phần đầu (hoặc tệp .meta)."
            )
        structure = parse_structure(document.text)
        doc_units = segment(document.meta.id, document.text, structure)
        passages += build_passages(document, structure, doc_units, len(units))
        units += doc_units
        documents[document.meta.id] = IndexedDocument(document, structure)
        report("đọc tài liệu", n, len(files))

    unit_context = [_unit_context(documents, u) for u in units]
    passage_text = [_passage_context(documents, p) for p in passages]
    unit_vectors = _encode(encoder, unit_context, "nhúng câu", report)
    passage_vectors = _encode(encoder, passage_text, "nhúng đoạn", report)
    passage_faiss = faiss.IndexFlatIP(encoder.dimension)
    passage_faiss.add(passage_vectors)

    manifest = {
        "format": FORMAT_VERSION,
        "builder": builder_fingerprint(),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_seconds": 0.0,
        "model": {
            "name": encoder.name,
            "fingerprint": encoder.fingerprint,
            "dimension": encoder.dimension,
        },
        "documents": [
            {
                "id": d.document.meta.id,
                "source": d.document.source,
                "sha256": d.document.sha256,
                "short_name": d.document.meta.citation_name,
                "sections": len(d.structure.sections),
                "units": sum(1 for u in units if u.doc == d.document.meta.id),
                "passages": sum(1 for p in passages if p.doc == d.document.meta.id),
            }
            for d in documents.values()
        ],
        "counts": {"documents": len(documents), "units": len(units), "passages": len(passages)},
    }
    manifest["version"] = _content_version(manifest)
    index = SearchIndex(
        documents=documents,
        units=units,
        passages=passages,
        unit_passage=_unit_passage(units, passages),
        unit_context=unit_context,
        unit_bm25=BM25.build([index_terms(t) for t in unit_context]),
        passage_bm25=BM25.build([index_terms(t) for t in passage_text]),
        unit_vectors=unit_vectors,
        passage_faiss=passage_faiss,
        manifest=manifest,
    )
    manifest["build_seconds"] = round(time.perf_counter() - started, 2)
    return index


def knowledge_changes(knowledge: Path, manifest: dict) -> list[str]:
    """Human-readable differences between ``knowledge/`` now and what the index was built from."""
    built = {d["source"]: d["sha256"] for d in manifest.get("documents", [])}
    try:
        current = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in discover(knowledge)}
    except Exception as exc:  # an empty or missing folder is itself a change worth reporting
        return [str(exc)]
    changes = [f"mới: {name}" for name in sorted(current.keys() - built.keys())]
    changes += [f"đã xóa: {name}" for name in sorted(built.keys() - current.keys())]
    changes += [
        f"đã sửa: {name}"
        for name in sorted(current.keys() & built.keys())
        if current[name] != built[name]
    ]
    return changes


def _encode(
    encoder: Encoder, texts: list[str], stage: str, report: Callable[[str, int, int], None]
) -> np.ndarray:
    batch = 32
    parts = []
    for i in range(0, len(texts), batch):
        parts.append(encoder.encode_documents(texts[i : i + batch], batch_size=batch))
        report(stage, min(i + batch, len(texts)), len(texts))
    if not parts:
        return np.zeros((0, encoder.dimension), dtype=np.float32)
    return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)


def _unit_context(documents: dict[str, IndexedDocument], unit: Unit) -> str:
    indexed = documents[unit.doc]
    path = heading_path(indexed.document, indexed.structure, unit.section)
    sentence = indexed.document.text[unit.start : unit.end]
    role = unit_role(unit.section, sentence)
    if role:
        path = (*path, role)
    return " ".join(f"{' › '.join(path)}: {sentence}".split())


def _passage_context(documents: dict[str, IndexedDocument], passage: Passage) -> str:
    body = documents[passage.doc].document.text[passage.start : passage.end]
    return " ".join(f"{' › '.join(passage.heading_path)}: {body}".split())


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


def _content_version(manifest: dict) -> str:
    """Identifies what the index answers from: documents and model, not the build time."""
    key = json.dumps(
        {"model": manifest["model"], "documents": manifest["documents"], "format": FORMAT_VERSION},
        sort_keys=True,
    )
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def _write_json(path: Path, obj: object) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=False), encoding="utf-8")
    tmp.replace(path)


def iter_sections(index: SearchIndex) -> Iterable[tuple[str, Section]]:
    for doc_id, d in index.documents.items():
        for section in d.structure.sections.values():
            yield doc_id, section
