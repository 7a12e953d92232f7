"""Officer answers' vectors on disk: read back only for exactly the same texts and model,
never a half-written or foreign file; a process that starts again serves the approved
answers without embedding them again."""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from bot.answering.officer_vectors import VectorCache, embedded
from bot.core.officer_answers import OfficerAnswerText, ServedOfficerAnswer

TEXTS = ["Hội nghị ở phường họp hôm nào?", "Lúc 8 giờ ngày 23/4 tại hội trường."]


def test_vectors_come_back_only_for_the_same_texts_and_model(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path, "model-a")
    vectors = np.arange(8, dtype=np.float32).reshape(2, 4)
    assert cache.get(TEXTS) is None
    cache.put(TEXTS, vectors)
    assert np.array_equal(cache.get(TEXTS), vectors)
    assert cache.get([TEXTS[0], TEXTS[1] + " "]) is None  # an edited text: another file
    assert VectorCache(tmp_path, "model-b").get(TEXTS) is None  # another model
    assert not list(tmp_path.glob("*.tmp"))  # written whole, then renamed
    for path in tmp_path.glob("*.npy"):
        path.write_bytes(b"\x93NUMPY broken")
    assert cache.get(TEXTS) is None  # a damaged file is embedded again, not trusted
    assert VectorCache(None, "model-a").get(TEXTS) is None


def test_a_disk_that_refuses_writes_costs_only_the_cache(tmp_path: Path, caplog) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with caplog.at_level(logging.WARNING):
        VectorCache(blocked / "vectors", "m").put(TEXTS, np.zeros((2, 4), np.float32))
    assert "not kept" in caplog.text


async def test_only_the_missing_groups_are_embedded(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path, "m")
    cache.put(TEXTS, np.ones((2, 3), np.float32))
    asked: list[list[str]] = []

    async def embed(texts: list[str]) -> np.ndarray:
        asked.append(texts)
        return np.full((len(texts), 3), 2.0, np.float32)

    other = ["Giờ làm việc?", "7h30–17h."]
    got = await embedded([TEXTS, other], cache, embed)
    assert asked == [other]
    assert got[0][0, 0] == 1.0 and got[1][0, 0] == 2.0
    assert await embedded([other], cache, embed) and asked == [other]  # kept: not again


@pytest.mark.slow
def test_a_new_engine_serves_kept_answers_without_the_model(engine, tmp_path, monkeypatch) -> None:
    served = ServedOfficerAnswer(
        7,
        1,
        "Phường Hoàn Kiếm",
        datetime(2026, 5, 4, tzinfo=UTC),
        OfficerAnswerText((TEXTS[0],), TEXTS[1]),
    )
    fingerprint = engine.vector_cache.fingerprint
    monkeypatch.setattr(engine, "vector_cache", VectorCache(tmp_path, fingerprint))
    try:
        asyncio.run(engine.serve_officer_answers([served]))
        asyncio.run(engine.serve_officer_answers([]))  # as if the process had stopped

        async def no_model(texts):  # a start that would embed again fails here
            raise AssertionError(f"embedded again: {texts}")

        monkeypatch.setattr(engine, "embed", no_model)
        asyncio.run(engine.serve_officer_answers([served]))
        assert engine.officers.get("7") == served
    finally:
        monkeypatch.undo()
        asyncio.run(engine.serve_officer_answers([]))


def test_vectors_of_answers_no_longer_served_are_pruned_after_a_grace(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path, "model-a")
    withdrawn = ["Câu hỏi đã rút?", "Giải đáp đã rút."]
    cache.put(TEXTS, np.zeros((2, 4), np.float32))
    cache.put(withdrawn, np.ones((2, 4), np.float32))

    assert cache.prune([TEXTS]) == 0  # written just now: another process may serve it
    for path in tmp_path.glob("*.npy"):
        os.utime(path, (0, 0))  # untouched since long ago
    assert cache.prune([TEXTS]) == 1

    assert cache.get(withdrawn) is None
    assert cache.get(TEXTS) is not None  # still served: kept, however old
    assert VectorCache(None, "model-a").prune([TEXTS]) == 0


async def test_pruning_runs_at_most_once_a_grace_period(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path, "model-a")
    cache.put(TEXTS, np.zeros((2, 4), np.float32))
    os.utime(next(tmp_path.glob("*.npy")), (0, 0))
    await cache.prune_unused([TEXTS])
    cache.put(["Khác?"], np.zeros((1, 4), np.float32))
    os.utime(cache._path(["Khác?"]), (0, 0))

    await cache.prune_unused([TEXTS])  # too soon after the last: nothing listed

    assert cache.get(["Khác?"]) is not None
