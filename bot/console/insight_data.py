"""Fetching the insights' figures: every figure concurrently, each kept a little while,
and a page that never waits long for them.

On a million messages a month's figures take the database a few hundred milliseconds
and a year's several seconds. A page waits at most ``wait`` seconds: what is not ready
is shown as "being computed" and the page reloads itself; the computation goes on and
the next request finds it. Figures are kept ``FRESH`` seconds (a period still running) or
``SETTLED`` seconds (one that is over, which changes only when data is erased), and each
is computed by one task at a time however many officers ask.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.broadcast.monthly import MONTHLY_TARGET, summarise
from bot.console.insight_period import Period, local, offset, year_bounds
from bot.core.insights import Insights, Workweek
from bot.store.errors import StoreError
from bot.strings import console_insights as words

logger = logging.getLogger(__name__)

FRESH = 60.0  # seconds a running period's figures are kept
SETTLED = 900.0  # … a finished period's
YEAR_FRESH = 600.0  # … the running year's (a summary: ten minutes old is new enough)
KEPT = 256  # figures kept at most (least recently used dropped)
TOP = 15  # sections listed
BROKEN = object()  # a figure whose query failed (the page says so)


@dataclass(frozen=True)
class Kept:
    value: Any
    at: datetime  # when it was computed


@dataclass(frozen=True)
class Scope:
    """Whose figures: one unit (its citizens by ward, its broadcasts) or every one."""

    unit: str | None  # None: every unit (an admin's "all")
    areas: tuple[str, ...] | None  # None: every citizen

    @property
    def key(self) -> str:
        return "*" if self.unit is None else self.unit


class Cache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.kept: OrderedDict[Hashable, tuple[float, Kept]] = OrderedDict()
        self.running: dict[Hashable, asyncio.Task[Kept]] = {}

    async def get(
        self, key: Hashable, compute: Callable[[], Awaitable[Any]], fresh: float, wait: float
    ) -> Kept | None:
        """The figure: kept, or computed within ``wait`` seconds, or the last one while a
        new one is computed; None when there is none yet. Raises what ``compute`` raised."""
        found = self.kept.get(key)
        if found is not None and self.clock() - found[0] < fresh:
            self.kept.move_to_end(key)
            return found[1]
        task = self.running.get(key)
        if task is None:
            task = asyncio.create_task(self._compute(key, compute), name=f"insight {key}")
            task.add_done_callback(_retrieve)
            self.running[key] = task
        if found is not None:
            return found[1]  # the last one now; the new one for the next request
        try:
            return await asyncio.wait_for(asyncio.shield(task), wait)
        except TimeoutError:
            return None

    async def _compute(self, key: Hashable, compute: Callable[[], Awaitable[Any]]) -> Kept:
        try:
            kept = Kept(await compute(), datetime.now(UTC))
            self.kept[key] = (self.clock(), kept)
            self.kept.move_to_end(key)
            while len(self.kept) > KEPT:
                self.kept.popitem(last=False)
            return kept
        finally:
            del self.running[key]


class Figures:
    """The store's insights for a period or a year, through the cache."""

    def __init__(
        self, store: Insights, week: Workweek, target_seconds: int, cache: Cache | None = None
    ) -> None:
        self.store = store
        self.week = week
        self.target = target_seconds
        self.cache = cache or Cache()

    async def get(
        self, key: tuple, compute: Callable[[], Awaitable[Any]], fresh: float, wait: float
    ) -> Any:
        """The figure (a ``Kept``), None while it is computed, or BROKEN."""
        try:
            return await self.cache.get(key, compute, fresh, wait)
        except StoreError:
            logger.exception("insight %s failed", key)
            return BROKEN

    async def period(
        self, period: Period, scope: Scope, zone: Any, units: list[str], wait: float
    ) -> dict[str, Any]:
        """Each figure of the period page by name (None: not ready, BROKEN: failed)."""
        window = period.window(zone, scope.areas)
        ended = window.end <= datetime.now(UTC)
        size, _ = period.buckets()
        month_first, month_after = period.month()
        store = self.store
        jobs: dict[str, Callable[[], Awaitable[Any]]] = {
            "channels": lambda: store.questions_by_channel(
                window, size, offset(zone, period.first)
            ),
            "outcomes": lambda: store.outcomes(window),
            "sections": lambda: store.top_sections(window, TOP),
            "votes": lambda: store.section_votes(window, TOP),
            "tickets": lambda: store.ticket_times(window, self.week, self.target),
            "broadcasts": lambda: self._broadcasts(
                local(month_first, zone), local(month_after, zone), scope, units
            ),
        }
        base = (period.kind, period.first, scope.key)
        fresh = SETTLED if ended else FRESH
        found = await asyncio.gather(
            *(self.get((name, *base), job, fresh, wait) for name, job in jobs.items())
        )
        return {name: _value(kept) for name, kept in zip(jobs, found, strict=True)}

    async def _broadcasts(
        self, start: datetime, end: datetime, scope: Scope, units: list[str]
    ) -> list[dict[str, Any]]:
        """``summarise``'s rows (as /baocao), with the units that sent nothing too."""
        if scope.unit == "":  # an officer without a unit has no unit's broadcasts
            return [_nothing("")]
        rows = summarise(await self.store.unit_broadcasts(start, end, scope.unit))
        known = {row["unit"] for row in rows}
        for unit in [scope.unit] if scope.unit is not None else units:
            if unit not in known:
                rows.append(_nothing(unit))
        return sorted(rows, key=lambda row: (-row["broadcasts"], row["unit"]))

    async def broadcast_lines(self, period: Period, scope: Scope, zone: Any) -> list[dict]:
        if scope.unit == "":
            return []
        first, after = period.month()
        return await self.store.unit_broadcasts(local(first, zone), local(after, zone), scope.unit)

    async def year(self, year: int, scope: Scope, zone: Any, wait: float) -> Any:
        """The year's figures as ``Kept`` (with when they were computed), None, BROKEN."""
        bounds = year_bounds(year, zone)
        ended = bounds[-1] <= datetime.now(UTC)
        return await self.get(
            ("year", year, scope.key),
            lambda: self.store.year_figures(bounds, scope.areas),
            SETTLED if ended else YEAR_FRESH,
            wait,
        )


def _value(kept: Any) -> Any:
    return kept.value if isinstance(kept, Kept) else kept


def _retrieve(task: asyncio.Task[Kept]) -> None:
    """A computation nobody waited for that failed: logged (the next request tries again)."""
    if not task.cancelled() and task.exception() is not None:
        logger.warning("insight computation failed: %r", task.exception())


def _nothing(unit: str) -> dict[str, Any]:
    return {
        "unit": unit or words.NO_UNIT,
        "target": MONTHLY_TARGET,
        "met": False,
        "broadcasts": 0,
        "delivered": 0,
        "replies": 0,
        "questions": 0,
        "thumbs_up": 0,
        "thumbs_down": 0,
    }
