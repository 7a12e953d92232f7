"""Grouping 5,000 unanswered questions by meaning, as the bot's background job does it.

The questions (``cluster_topics``: forty topics the documents do not cover, typed with and
without tone marks, with chatter mixed in) are stored in a fresh SQLite database as
questions the engine answered "not found", spread over 90 days, beside answered ones
the job must ignore. The answer engine is started as ``python -m bot run`` starts it (its
own process, ``ENGINE_PROCESS_THREADS`` model threads), or in this process (``--inline``,
``TORCH_THREADS``); its start is not timed. Then one run of the job, cold (no vector
cached): the read, the embedding through the engine, the grouping. The quality is
measured against the generating topic and way of asking; ``--compare`` also groups the
same vectors by the model alone, by the words alone and with HDBSCAN.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert

from bot.config import Settings
from bot.console.cluster_job import ClusterJob
from bot.console.cluster_math import DISTANCE, MEANING, Items, Similarity, clusters_of, items_of
from bot.store.models import Message, Person
from bot.store.repository import open_store
from bot.vietnamese.text import has_diacritics
from scripts.benchmarks.cluster_topics import questions

WARDS = ["ba dinh", "kim lien", "hoan kiem", "cau giay", "", ""]


async def run(count: int, inline: bool, compare: bool, seed: int = 7) -> dict[str, Any]:
    drawn = questions(count, seed)
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        async with open_store(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}") as store:
            truth = await _fill(store, drawn, seed)
            started = time.perf_counter()
            engine = await _engine(settings, inline)
            loaded = time.perf_counter() - started
            try:
                job = ClusterJob(store, engine, every_minutes=30)
                began = time.perf_counter()
                assert await job.run()
                wall = time.perf_counter() - began
                result = await job.latest()
                since = datetime.now(UTC) - timedelta(days=90)
                items = items_of(await store.unanswered_questions(since, count))
                vectors = _vectors(job, items)
                if compare:  # the model on every item too, for its grouping alone (not timed)
                    plain = [r for r, marked in enumerate(items.marked) if not marked]
                    if plain:
                        vectors[plain] = await engine.embed([items.texts[r] for r in plain])
            finally:
                close = getattr(engine, "close", None)
                if close is not None:
                    close()
    assert result is not None
    variants = {"chosen (agglomerative, words + model)": _groups(items, vectors)}
    if compare:
        variants.update(_alternatives(items, vectors))
    quality = {name: _quality(items, groups, truth) for name, groups in variants.items()}
    return {
        "count": count,
        "items": len(items.keys),
        "marked": sum(items.marked),
        "result": result,
        "wall": wall,
        "engine_start": loaded,
        "engine": "in this process" if inline else "its own process",
        "threads": settings.torch_threads if inline else settings.engine_process_threads,
        "bf16": _bf16(engine, settings),
        "quality": quality,
    }


async def _fill(
    store: Any, drawn: list[tuple[str, str, str]], seed: int
) -> dict[int, tuple[str, str]]:
    """People, their questions and the engine's replies; returns message id → truth."""
    chance = random.Random(seed)
    now = datetime.now(UTC)
    people = max(1, len(drawn) // 3)
    async with store.engine.begin() as connection:
        await connection.execute(
            insert(Person),
            [
                {
                    "platform": "telegram",
                    "user_id": str(n),
                    "chat_id": str(n),
                    "area": chance.choice(WARDS) or None,
                }
                for n in range(people)
            ],
        )
    rows = []
    for n, (text, _, _) in enumerate(drawn):
        at = now - timedelta(days=90 * chance.random() ** 1.5)  # more of them lately
        person = 1 + n % people
        rows.append(_row(person, "in", text, "question", at))
        rows.append(_row(person, "out", "Không tìm thấy…", "not_found", at + timedelta(seconds=1)))
        if n % 3 == 0:  # an answered question the job must leave out
            later = at + timedelta(seconds=2)
            rows.append(_row(person, "in", "mục tiêu năm 2030 là gì", "question", later))
            rows.append(_row(person, "out", "Theo Kế hoạch…", "answer", later, True))
    rows.sort(key=lambda r: (r["created_at"], r["direction"] == "out"))
    async with store.engine.begin() as connection:
        stored = (
            await connection.execute(insert(Message).returning(Message.id, Message.text), rows)
        ).all()
    label = {text: (topic, way) for text, topic, way in drawn}  # one text, one topic
    return {int(i): label[text] for i, text in stored if text in label}


def _row(
    person: int, direction: str, text: str, kind: str, at: datetime, grounded: bool = False
) -> dict:
    return {
        "person_id": person,
        "direction": direction,
        "text": text,
        "kind": kind,
        "created_at": at,
        "grounded": grounded if direction == "out" else None,
        "handoff": False,
    }


async def _engine(settings: Settings, inline: bool) -> Any:
    if inline:
        from bot.answering.loading import load_engine

        return load_engine(settings)
    from bot.answering.worker import EngineProcess

    return await EngineProcess.start(settings)


def _bf16(engine: Any, settings: Settings) -> object:
    """Whether questions are encoded in bfloat16 (the child's choice is not visible here)."""
    chosen = getattr(getattr(engine, "encoder", None), "bf16_queries", None)
    if chosen is not None:
        return chosen
    return "auto (by the CPU)" if settings.embed_bf16 is None else settings.embed_bf16


def _vectors(job: ClusterJob, items: Items) -> np.ndarray:
    """The vectors the job embedded (zeros for the items it left to the words)."""
    dimension = len(next(iter(job._vectors.values()))) if job._vectors else 1
    vectors = np.zeros((len(items.keys), dimension), dtype=np.float32)
    for row, messages in enumerate(items.messages):
        if messages[0].id in job._vectors:
            vectors[row] = job._vectors[messages[0].id]
    return vectors


def _groups(
    items: Items,
    vectors: np.ndarray,
    meaning: float = MEANING,
    distance: float = DISTANCE,
    marked: bool = True,
) -> list[list[int]]:
    similarity = Similarity(vectors, items.keys, items.marked if marked else None, meaning)
    return clusters_of(similarity, distance)


def _alternatives(items: Items, vectors: np.ndarray) -> dict[str, list[list[int]]]:
    from scipy.spatial.distance import squareform
    from sklearn.cluster import HDBSCAN

    found = {
        "model alone (every item, d=0.5)": _groups(items, vectors, 1.0, 0.5, marked=False),
        "words alone (d=0.7)": _groups(items, vectors, 0.0, 0.7),
    }
    distances = squareform(Similarity(vectors, items.keys, items.marked).condensed_distances())
    for size in (3, 5):
        labels = HDBSCAN(min_cluster_size=size, metric="precomputed").fit_predict(distances)
        groups: dict[int, list[int]] = defaultdict(list)
        for row, label in enumerate(labels):
            groups[int(label) if label >= 0 else -1 - row].append(row)
        found[f"HDBSCAN (words + model, min size {size})"] = list(groups.values())
    return found


def _quality(
    items: Items, groups: list[list[int]], truth: dict[int, tuple[str, str]]
) -> dict[str, float]:
    label: dict[int, int] = {}
    for number, rows in enumerate(groups):
        for row in rows:
            for asked in items.messages[row]:
                label[asked.id] = number
    size = Counter(label.values())
    real = [i for i in label if i in truth and truth[i][0] != "noise"]
    grouped = [i for i in real if size[label[i]] >= 2]
    members: dict[int, list[str]] = defaultdict(list)
    for i in grouped:
        members[label[i]].append(truth[i][0])
    purity = sum(Counter(t).most_common(1)[0][1] for t in members.values()) / max(1, len(grouped))
    ways: dict[str, list[int]] = defaultdict(list)
    for i in real:
        ways[truth[i][1]].append(label[i])
    together = sum(Counter(c).most_common(1)[0][1] for c in ways.values()) / max(1, len(real))
    texts = {a.id: a.text for rows in items.messages for a in rows}
    split: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for i in real:
        split[truth[i][1]][0 if has_diacritics(texts[i]) else 1].append(label[i])
    joined = total = 0
    for marked, plain in split.values():
        if marked and plain:
            main = Counter(marked).most_common(1)[0][0]
            joined += sum(1 for c in plain if c == main)
            total += len(plain)
    chatter = [i for i in label if i in truth and truth[i][0] == "noise"]
    return {
        "clusters": sum(1 for n in size.values() if n >= 2),
        "in clusters": len(grouped) / max(1, len(real)),
        "topic purity": purity,
        "way of asking together": together,
        "without tone marks joined": joined / max(1, total),
        "chatter in clusters": sum(1 for i in chatter if size[label[i]] >= 2),
    }


def report(found: dict[str, Any]) -> str:
    result, seconds = found["result"], found["result"]["seconds"]
    lines = [
        f"clusters: {found['count']} unanswered questions → {found['items']} distinct after "
        f"folding ({found['marked']} with tone marks, read by the model; {result['short']} "
        f"one-word left out); engine {found['engine']}, {found['threads']} model thread(s), "
        f"bf16 {found['bf16']}; engine start {found['engine_start']:.1f} s (not counted)",
        f"  cold run: {seconds['total']:.1f} s (read {seconds['read']:.2f} s, embed "
        f"{result['embedded']} texts {seconds['embed']:.1f} s, group {seconds['cluster']:.1f} s); "
        f"wall incl. saving {found['wall']:.1f} s",
        f"  {len(result['clusters'])} clusters of 2+, largest {[c['size'] for c in result['clusters'][:5]]}; "
        f"{result['alone']} questions alone",
    ]
    for name, q in found["quality"].items():
        lines.append(
            f"  {name}: {q['clusters']} clusters, {q['in clusters']:.0%} of real questions in one, "
            f"topic purity {q['topic purity']:.3f}, way of asking together {q['way of asking together']:.3f}, "
            f"untoned joined {q['without tone marks joined']:.2f}, chatter in clusters {q['chatter in clusters']}"
        )
    return "\n".join(lines)
