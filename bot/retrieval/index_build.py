"""Build the search index from ``knowledge/``, and tell when a built index is stale.

``build_index`` reads every document, splits it into quotable sentences and passages,
embeds both with the configured model and indexes them lexically (BM25) and densely
(FAISS). ``builder_fingerprint`` and ``knowledge_changes`` say whether the code or the
documents changed since an index was built.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from bot.documents.loader import discover, load_document
from bot.documents.passages import Passage, build_passages
from bot.documents.segment import Unit, segment
from bot.documents.structure import parse_structure
from bot.errors import SearchIndexError
from bot.retrieval import examples as samples
from bot.retrieval.index import (
    FORMAT_VERSION,
    IndexedDocument,
    SearchIndex,
    _unit_context,
    _unit_passage,
)
from bot.retrieval.lexical import BM25, index_terms

# The code that turns documents into index files: a change to it makes an index stale.
_BUILDER_MODULES = (
    "documents",
    "retrieval/index.py",
    "retrieval/index_build.py",
    "retrieval/examples.py",
    "retrieval/lexical.py",
    "retrieval/query.py",  # sample questions are read as a citizen's are
    "retrieval/query_intent.py",
    "retrieval/query_terms.py",
    "vietnamese/text.py",
    "vietnamese/language.py",  # an English sample question is read with the glossary
    "vietnamese/lexicon.py",
)
# The word lists the builder reads text with (segmentation, shorthand, synonyms, the
# English glossary, function words, framing phrases): sample questions and sentences are
# read through them, so a change to one makes an index stale too. The handoff patterns
# and the places list are not read by the builder.
_BUILDER_DATA = (
    "vietnamese/data/words.txt",
    "vietnamese/data/abbreviations.tsv",
    "vietnamese/data/synonyms.tsv",
    "vietnamese/data/english.tsv",
    "vietnamese/data/stopwords_vi.txt",
    "vietnamese/data/stopwords_en.txt",
    "vietnamese/data/framing.txt",
)


def builder_fingerprint() -> str:
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for name in _BUILDER_MODULES:
        target = package / name
        for file in sorted(target.rglob("*.py")) if target.is_dir() else [target]:
            digest.update(file.name.encode() + file.read_bytes())
    for name in _BUILDER_DATA:
        digest.update(name.encode() + (package / name).read_bytes())
    return digest.hexdigest()[:16]


class Encoder:
    """What the builder needs from an embedding model (``Embedder`` satisfies it)."""

    name: str
    fingerprint: str
    dimension: int

    def encode_documents(self, texts: list[str], batch_size: int = 32) -> np.ndarray: ...

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...


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
    examples = samples.build(
        knowledge,
        {doc_id: set(d.structure.sections) for doc_id, d in documents.items()},
        lambda texts: _encode_questions(encoder, texts, report),
        encoder.dimension,
    )

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
        "examples": {"digest": examples.digest, "count": len(examples)},
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
        examples=examples,
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
    if samples.digest(knowledge) != manifest.get("examples", {}).get("digest", ""):
        changes.append(f"đã sửa: {samples.FOLDER}/ (câu hỏi mẫu)")
    return changes


def _encode(
    encoder: Encoder,
    texts: list[str],
    stage: str,
    report: Callable[[str, int, int], None],
    queries: bool = False,
) -> np.ndarray:
    """Vectors of ``texts``, 32 at a time; as passages, or as questions (``queries``)."""
    batch = 32
    parts = []
    for i in range(0, len(texts), batch):
        chunk = texts[i : i + batch]
        if queries:
            parts.append(encoder.encode_queries(chunk))
        else:
            parts.append(encoder.encode_documents(chunk, batch_size=batch))
        report(stage, min(i + batch, len(texts)), len(texts))
    if not parts:
        return np.zeros((0, encoder.dimension), dtype=np.float32)
    return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)


def _encode_questions(
    encoder: Encoder, texts: list[str], report: Callable[[str, int, int], None]
) -> np.ndarray:
    """Sample questions read as the engine reads a citizen's (shorthand written out)."""
    from bot.retrieval.query import analyze
    from bot.vietnamese.lexicon import Lexicon

    lexicon = Lexicon()
    read = [analyze(t, lexicon).dense_text or "?" for t in texts]
    return _encode(encoder, read, "nhúng câu hỏi mẫu", report, queries=True)


def _passage_context(documents: dict[str, IndexedDocument], passage: Passage) -> str:
    body = documents[passage.doc].document.text[passage.start : passage.end]
    return " ".join(f"{' › '.join(passage.heading_path)}: {body}".split())


def _content_version(manifest: dict) -> str:
    """Identifies what the index answers from: documents and model, not the build time."""
    key = json.dumps(
        {
            "model": manifest["model"],
            "documents": manifest["documents"],
            "examples": manifest["examples"]["digest"],
            "format": FORMAT_VERSION,
        },
        sort_keys=True,
    )
    return hashlib.sha256(key.encode()).hexdigest()[:12]
