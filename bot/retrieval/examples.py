"""Sample questions: how people ask, each labelled with the section that answers it.

Maintainers keep them in ``knowledge/questions/*.jsonl`` beside the documents, one
question a line: ``{"question": …, "kind": "fact" | "list" | "out_of_scope", "section":
…, "doc": …, "writer": …}`` (``doc`` may be left out when there is one document; other
kinds, such as handoff, are skipped). ``scripts/build_index.py`` embeds them with the
index. A citizen's question close to sample questions of one section lifts that
section's sentences (people's words seldom match the text's, but often match how someone
else asked), and the nearest in-scope and out-of-scope samples are signals for the
decision model. A document without sample questions is answered as before.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.errors import SearchIndexError
from bot.retrieval.similarity import cosines

FOLDER = "questions"  # under knowledge/
IN_SCOPE = frozenset({"fact", "list"})
KINDS = IN_SCOPE | {"out_of_scope"}
# How a section is lifted by its nearest sample question (fitted leave-one-writer-out on
# the sample questions themselves, see scripts/fit_decision.py): the best section gets
# WEIGHT, others less the further they trail it (SPREAD), and nothing at all unless the
# nearest sample is close enough to be the same question asked another way (FLOOR…SURE).
WEIGHT = 0.3
SPREAD = 0.04
FLOOR = 0.85
SURE = 0.95
LEAST = 1e-3

Section = tuple[str, str]


@dataclass(frozen=True)
class Neighbours:
    """What the sample questions say about one question."""

    best: dict[Section, float]  # the nearest in-scope sample's similarity, per section
    nearest_in: float  # similarity of the nearest in-scope sample (0 if none)
    nearest_out: float  # … and of the nearest out-of-scope one
    section: Section | None  # the nearest in-scope sample's section


NONE = Neighbours({}, 0.0, 0.0, None)


@dataclass
class Examples:
    docs: list[str]
    sections: list[str]
    in_scope: np.ndarray  # bool per sample
    writers: list[str]
    vectors: np.ndarray  # query-style e5 vectors, normalised
    digest: str = ""
    # A writer whose samples are ignored: fitting and evaluation ask each writer's
    # questions with only the other writers' samples, so the numbers stay honest.
    held_out: str | None = None
    # Every sample set aside: how a document without sample questions is answered (the
    # decision model is fitted on both, see scripts/fit_decision.py).
    off: bool = False
    _writer_array: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._writer_array = np.asarray(self.writers, dtype=object)
        self._documents = {d for d, inside in zip(self.docs, self.in_scope, strict=True) if inside}
        # Each in-scope sample's section as a number, so a question's best cosine per
        # section is one vectorised pass.
        self._labels = sorted(
            {(d, s) for d, s, i in zip(self.docs, self.sections, self.in_scope, strict=True) if i}
        )
        number = {label: n for n, label in enumerate(self._labels)}
        self._label_of = np.asarray(
            [number.get((d, s), -1) for d, s in zip(self.docs, self.sections, strict=True)],
            dtype=np.int64,
        )

    def __len__(self) -> int:
        return len(self.docs)

    def covers(self, doc: str) -> bool:
        """Whether ``doc`` has in-scope sample questions to compare a question with."""
        return not self.off and doc in self._documents

    def neighbours(self, vector: np.ndarray) -> Neighbours:
        if self.off or not len(self):
            return NONE
        similarity = cosines(self.vectors, vector)
        usable = np.ones(len(self), dtype=bool)
        if self.held_out is not None:
            usable = self._writer_array != self.held_out
        inside, outside = usable & self.in_scope, usable & ~self.in_scope
        per_label = np.full(len(self._labels), -np.inf)
        np.maximum.at(per_label, self._label_of[inside], similarity[inside])
        best = {self._labels[n]: float(v) for n, v in enumerate(per_label) if np.isfinite(v)}
        nearest_out = float(similarity[outside].max()) if outside.any() else 0.0
        if not best:
            return Neighbours({}, 0.0, nearest_out, None)
        section = max(best, key=best.__getitem__)
        return Neighbours(best, best[section], nearest_out, section)

    def lifts(self, neighbours: Neighbours) -> dict[Section, float]:
        """How much each section's sentences are lifted (see WEIGHT … SURE)."""
        if neighbours.section is None:
            return {}
        top = neighbours.nearest_in
        sure = min(1.0, max(0.0, (top - FLOOR) / (SURE - FLOOR)))
        lifts = {}
        for key, value in neighbours.best.items():
            lift = WEIGHT * sure * math.exp((value - top) / SPREAD)
            if lift >= LEAST:
                lifts[key] = lift
        return lifts

    # -- persistence ---------------------------------------------------------------
    def save(self, folder: Path) -> None:
        rows = [
            {"doc": d, "section": s, "in_scope": bool(i), "writer": w}
            for d, s, i, w in zip(
                self.docs, self.sections, self.in_scope, self.writers, strict=True
            )
        ]
        (folder / "examples.json").write_text(
            json.dumps({"digest": self.digest, "rows": rows}, ensure_ascii=False), encoding="utf-8"
        )
        np.save(folder / "examples.npy", self.vectors, allow_pickle=False)

    @classmethod
    def load(cls, folder: Path, dimension: int) -> Examples:
        path = folder / "examples.json"
        if not path.is_file():  # an index built before sample questions existed
            return empty(dimension)
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = data["rows"]
        return cls(
            docs=[r["doc"] for r in rows],
            sections=[r["section"] for r in rows],
            in_scope=np.asarray([r["in_scope"] for r in rows], dtype=bool),
            writers=[r["writer"] for r in rows],
            vectors=np.load(folder / "examples.npy", allow_pickle=False),
            digest=data.get("digest", ""),
        )


def empty(dimension: int) -> Examples:
    return Examples([], [], np.zeros(0, dtype=bool), [], np.zeros((0, dimension), np.float32))


# -- reading knowledge/questions ------------------------------------------------------
def files(knowledge: Path) -> list[Path]:
    folder = knowledge / FOLDER
    return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


def digest(knowledge: Path) -> str:
    """Identifies the sample questions (empty when there are none)."""
    paths = files(knowledge)
    if not paths:
        return ""
    hashed = hashlib.sha256()
    for path in paths:
        hashed.update(path.name.encode() + b"\0" + path.read_bytes())
    return hashed.hexdigest()[:16]


def read(knowledge: Path, sections: dict[str, set[str]]) -> list[dict]:
    """The usable sample questions; ``sections``: each document's section ids.

    A line that names a document or section not in the index is an error the maintainer
    must see (a renamed section would otherwise lift nothing, silently).
    """
    only = next(iter(sections)) if len(sections) == 1 else None
    found = []
    for path in files(knowledge):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}, dòng {number}"
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SearchIndexError(
                    f"Câu hỏi mẫu {where}: không phải JSON ({exc.msg})."
                ) from exc
            kind = item.get("kind", "fact")
            if kind not in KINDS or not str(item.get("question", "")).strip():
                continue
            doc = item.get("doc") or only
            section = item.get("section", "") if kind in IN_SCOPE else ""
            if kind in IN_SCOPE and (doc not in sections or section not in sections[doc]):
                raise SearchIndexError(
                    f"Câu hỏi mẫu {where}: không có mục {section!r} trong tài liệu {doc!r}."
                )
            found.append(
                {
                    "question": item["question"],
                    "doc": doc or "",
                    "section": section,
                    "in_scope": kind in IN_SCOPE,
                    "writer": str(item.get("writer") or path.stem),
                }
            )
    return found


def build(
    knowledge: Path,
    sections: dict[str, set[str]],
    encode: Callable[[Sequence[str]], np.ndarray],
    dimension: int,
) -> Examples:
    """Read and embed the sample questions (``encode``: texts → query vectors)."""
    items = read(knowledge, sections)
    if not items:
        return empty(dimension)
    vectors = np.ascontiguousarray(encode([i["question"] for i in items]), dtype=np.float32)
    return Examples(
        docs=[i["doc"] for i in items],
        sections=[i["section"] for i in items],
        in_scope=np.asarray([i["in_scope"] for i in items], dtype=bool),
        writers=[i["writer"] for i in items],
        vectors=vectors,
        digest=digest(knowledge),
    )
