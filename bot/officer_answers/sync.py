"""Every process's engine serves exactly the approved officers' answers, within a second.

Each process polls the (id, approved version) pairs of the approved answers: one indexed
query a second, a few milliseconds for thousands of answers, on SQLite and PostgreSQL
alike. When the set differs from what the engine serves, the new texts are read and the
engine is told the whole set (it embeds only the new ones); cached answers are dropped,
so a withdrawn answer is not served from the cache either. A change made in this process
wakes the poll at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from bot.core import background
from bot.core.officer_answers import OfficerAnswerServing, OfficerAnswerStore, ServedOfficerAnswer

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5


class OfficerAnswerSync:
    def __init__(
        self,
        store: OfficerAnswerStore,
        engine: OfficerAnswerServing,
        forget_answers: Callable[[], None] = lambda: None,
        every: float = POLL_SECONDS,
    ) -> None:
        self.store = store
        self.engine = engine
        self.forget_answers = forget_answers  # the conversation's answer cache
        self.every = every
        self.served: dict[tuple[int, int], ServedOfficerAnswer] = {}
        self.wake = asyncio.Event()
        self.synced = asyncio.Event()  # set after each pass (tests wait on it)

    async def changed(self) -> None:
        """Something was approved, edited or withdrawn here: look now."""
        self.wake.set()

    async def once(self) -> bool:
        """One look; True when the engine's set changed."""
        keys = await self.store.served_officer_answer_keys()
        if keys == set(self.served):
            return False
        new = keys - set(self.served)
        fresh = {s.key: s for s in await self.store.served_officer_answers(new)}
        served = {k: v for k, v in self.served.items() if k in keys} | fresh
        await self.engine.serve_officer_answers(list(served.values()))
        self.served = served
        self.forget_answers()
        logger.info("officer answers served: %d (%d new)", len(served), len(fresh))
        return True

    async def loop(self) -> None:
        while True:
            self.wake.clear()
            try:
                await self.once()
            except Exception:
                if background.cancelling():
                    raise
                logger.exception("officer answers: the poll failed; trying again")
            self.synced.set()
            self.synced = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=self.every)
