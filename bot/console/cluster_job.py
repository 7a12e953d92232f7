"""The background job behind the page of unanswered questions: never run by a request.

Every ``CLUSTERS_EVERY_MINUTES`` (and soon after the page is opened on a result older than
that) it reads the questions of the last 90 days the documents did not answer (the newest
5,000), embeds those it has not embedded before (vectors kept in this process's memory by
message id, nothing new stored), groups them in a thread and keeps the result in the
key-value table as JSON: sizes, trends, message ids and counts, no question text. One run
at a time in a process; across processes a claim in the key-value table, and a result
another process computed recently is not computed again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from bot.console.cluster_math import DISTANCE, MEANING, Items, items_of
from bot.console.cluster_summary import compute
from bot.core import background
from bot.core.ports import Embeddings

logger = logging.getLogger(__name__)
# Characters of a question the model reads: a question's meaning is in its first lines, and
# a long one (60 KB pasted) would hold the engine for seconds while citizens wait.
EMBED_CHARS = 300

RESULT = "console_clusters"
CLAIM = "console_clusters_run"
CLAIM_SECONDS = 600  # a run that died holding the claim is taken over after this long
DAYS = 90
CAP = 5000
FIRST_WAIT = 60.0  # seconds after start before the first look (a page's request is sooner)


class ClusterJob:
    def __init__(
        self,
        store: Any,  # KeyValues with ``engine`` (the SQL store)
        embeddings: Embeddings,
        every_minutes: float,
        *,
        days: int = DAYS,
        cap: int = CAP,
        distance: float = DISTANCE,
        meaning: float = MEANING,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.embeddings = embeddings
        self.every = timedelta(minutes=every_minutes)
        self.days, self.cap, self.distance, self.meaning = days, cap, distance, meaning
        self.clock = clock
        self.runs = 0  # runs finished by this process
        self._vectors: dict[int, np.ndarray] = {}  # message id → its question's vector
        self._lock = asyncio.Lock()
        # Its own thread, at a lower priority: grouping yields the CPU to answering citizens.
        self._executor = ThreadPoolExecutor(1, "clusters", initializer=_low_priority)
        self._wake = asyncio.Event()
        self.finished = asyncio.Event()  # set after each run (cleared by who waits on it)

    # ---- what the page uses: never waits for a run --------------------------------
    async def latest(self) -> dict[str, Any] | None:
        raw = await self.store.kv_get(RESULT)
        return json.loads(raw) if raw else None

    def stale(self, result: dict[str, Any] | None) -> bool:
        if result is None:
            return True
        return self.clock() - datetime.fromisoformat(result["computed_at"]) >= self.every

    def request(self) -> None:
        """Ask the loop for a run soon (returns at once)."""
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._lock.locked()

    # ---- the loop -----------------------------------------------------------------
    async def loop(self, first_wait: float = FIRST_WAIT) -> None:
        """Forever: a run whenever the kept result is stale, then sleep until it will be
        or until the page asks. The first look waits: a starting bot has more urgent work."""
        wait = first_wait
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            self._wake.clear()
            wait = self.every.total_seconds()
            try:
                latest = await self.latest()
                if self.stale(latest):
                    await self.run()
                else:
                    assert latest is not None
                    age = self.clock() - datetime.fromisoformat(latest["computed_at"])
                    wait = max(1.0, (self.every - age).total_seconds())
            except Exception:  # an unreachable database: try again next time
                if background.cancelling():
                    raise
                logger.exception("grouping unanswered questions failed")

    async def run(self) -> bool:
        """One run, unless one is under way here or in another process; True when done."""
        if self._lock.locked():
            return False
        async with self._lock:
            if not await self._claim():
                return False
            try:
                await self._run()
            finally:
                await self._release()
            self.runs += 1
            self.finished.set()
            return True

    async def _run(self) -> None:
        started, now = time.perf_counter(), self.clock()
        since = now - timedelta(days=self.days)
        questions = await self.store.unanswered_questions(since, self.cap)
        read = time.perf_counter()
        loop = asyncio.get_running_loop()
        items = await loop.run_in_executor(self._executor, items_of, questions)
        vectors, embedded = await self._vectors_of(items)
        embedding = time.perf_counter()
        grouping = functools.partial(compute, items, vectors, now, self.distance, self.meaning)
        result = await loop.run_in_executor(self._executor, grouping)
        done = time.perf_counter()
        result.update(
            computed_at=now.isoformat(),
            since=since.isoformat(),
            embedded=embedded,
            seconds={
                "read": round(read - started, 3),
                "embed": round(embedding - read, 3),
                "cluster": round(done - embedding, 3),
                "total": round(done - started, 3),
            },
        )
        await self.store.kv_set(RESULT, json.dumps(result, ensure_ascii=False))
        logger.info("grouped %d unanswered questions in %.1f s", len(questions), done - started)

    async def _vectors_of(self, items: Items) -> tuple[np.ndarray, int]:
        """One row per item; the model reads only items typed with tone marks (zeros for
        the others) and only those not read before."""
        known: dict[int, np.ndarray] = {}
        missing = []
        for row, marked in enumerate(items.marked):
            if not marked:
                continue
            cached = next(
                (self._vectors[a.id] for a in items.messages[row] if a.id in self._vectors), None
            )
            if cached is None:
                missing.append(row)
            else:
                known[row] = cached
        if missing:
            # By length: the model pads each chunk to its longest text (a third faster).
            missing.sort(key=lambda r: len(items.texts[r]))
            texts = [items.texts[r][:EMBED_CHARS] for r in missing]
            fresh = np.asarray(await self.embeddings.embed(texts))
            known.update(zip(missing, fresh, strict=True))
        dimension = len(next(iter(known.values()))) if known else 1
        vectors = np.zeros((len(items.keys), dimension), dtype=np.float32)
        for row, vector in known.items():
            vectors[row] = vector
        # Kept: the vectors of the questions still in the window, under each message id.
        self._vectors = {a.id: known[r] for r in known for a in items.messages[r]}
        return vectors, len(missing)

    async def _claim(self) -> bool:
        """This process may run (no other holds a live claim, and the result is stale)."""
        raw = await self.store.kv_get(CLAIM)
        if raw is not None and json.loads(raw).get("until", 0) > time.time():
            return False
        if not self.stale(await self.latest()):
            return False  # another process has just finished
        until = json.dumps({"until": time.time() + CLAIM_SECONDS})
        return await self.store.kv_compare_and_set(CLAIM, raw, until)

    async def _release(self) -> None:
        try:
            await self.store.kv_set(CLAIM, json.dumps({"until": 0}))
        except Exception:  # the claim expires by itself
            logger.warning("could not release the clustering claim", exc_info=True)


def _low_priority() -> None:
    """A lower CPU priority for the calling thread (Linux: each thread has its own nice)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
