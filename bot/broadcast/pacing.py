"""Sends spaced evenly to stay under a platform's global rate.

Telegram allows about 30 messages a second in bulk and counts them in any one-second
window; a token bucket would let a burst through at the start of each second. Evenly
spaced slots (one every 1/rate s, reserved in order) never bunch, even when several
senders ask at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Pacer:
    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        if per_second <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / per_second
        self._clock = clock
        self._next = 0.0

    def reserve(self) -> float:
        """Seconds to wait for the next free slot (which is then taken)."""
        now = self._clock()
        slot = max(now, self._next)
        self._next = slot + self.interval
        return slot - now

    async def wait(self) -> None:
        delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)
