"""Per-person flood limit: a sliding window of recent message times, in memory.

Memory stays bounded by the people (or addresses) active within one window: keys whose
window has passed are dropped every ``PRUNE_EVERY`` calls.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

PRUNE_EVERY = 1024


class FloodLimiter:
    def __init__(
        self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._warned: dict[str, float] = {}
        self._calls = 0

    def allow(self, key: str) -> bool:
        now = self._clock()
        self._calls += 1
        if self._calls % PRUNE_EVERY == 0:
            self._prune(now)
        hits = self._hits[key]
        while hits and now - hits[0] > self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True

    def should_warn(self, key: str) -> bool:
        """One notice per window, not one per dropped message."""
        now = self._clock()
        last = self._warned.get(key)
        if last is not None and now - last < self.window:
            return False
        self._warned[key] = now
        return True

    def _prune(self, now: float) -> None:
        for key in [
            k for k, hits in self._hits.items() if not hits or now - hits[-1] > self.window
        ]:
            del self._hits[key]
        for key in [k for k, at in self._warned.items() if now - at > self.window]:
            del self._warned[key]
