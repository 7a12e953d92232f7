"""What the officers' console's "Số liệu" asks of a store: a window of time and citizens,
and the counts that answer it (the plan's yardsticks).

Every number is counted by the database (GROUP BY over indexed columns), never by loading
rows; the in-memory store counts the same way, so the contract tests hold both to one
result. Times are cut into local days and hours by plain integer arithmetic on seconds
since 1970 (``bucket``, ``office_seconds``), which SQLite and PostgreSQL do alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

DAY = 86_400
HOUR = 3_600
REPLY_WINDOW = DAY  # a reply to a broadcast is a message within 24 h of it (as /baocao)


@dataclass(frozen=True)
class Window:
    """From ``start`` (included) to ``end`` (excluded); citizens whose ward is one of
    ``areas`` (folded, as ``people.area``), or everyone when ``areas`` is None."""

    start: datetime
    end: datetime
    areas: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Workweek:
    """Office hours as numbers a query can use (see ``OfficeHours``)."""

    opens: int  # seconds after local midnight
    closes: int
    days: frozenset[int]  # weekdays, Monday = 0
    offset: int  # the zone's offset from UTC, seconds (Việt Nam keeps one all year)


@dataclass(frozen=True)
class SectionCount:
    doc: str
    section: str
    title: str
    count: int


@dataclass(frozen=True)
class SectionVotes:
    doc: str
    section: str
    title: str
    up: int
    down: int


@dataclass(frozen=True)
class TicketTimes:
    """Tickets opened in a window; times in seconds from opening to the first answer."""

    opened: int
    answered: int
    median: int | None  # nearest-rank percentiles of the answered ones
    p90: int | None
    within_target: int  # answered within the target, counting office hours only
    waiting: int  # not answered, not closed
    closed_unanswered: int


@dataclass(frozen=True)
class TicketLine:
    """One ticket for an export; the personal fields are None unless asked for."""

    id: int
    platform: str
    state: str
    opened_at: datetime
    answered_at: datetime | None
    office_seconds: int | None  # office-hours seconds until the first answer
    name: str | None = None
    user_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class MonthFigures:
    questions: int = 0
    replies: int = 0  # messages within 24 h of a broadcast that reached the person
    up: int = 0
    down: int = 0
    tickets: int = 0


@dataclass(frozen=True)
class YearFigures:
    months: tuple[MonthFigures, ...]
    reached: int  # distinct people who received anything (an answer, a broadcast)
    subscribers: int  # subscribed and not blocked, now


def epoch(moment: datetime) -> int:
    """Whole seconds since 1970 (as the databases floor them)."""
    return int(moment.timestamp() // 1)


def bucket(moment: datetime, size: int, offset: int) -> int:
    """The local hour or day (``size`` seconds) a moment falls in, counted from 1970."""
    return (epoch(moment) + offset) // size


def office_seconds(seconds: int, week: Workweek) -> int:
    """Office-hours seconds from 1970 up to ``seconds`` since 1970: the difference of two
    is the office time between them (``OfficeHours.open_minutes``, in seconds). Day 0 of
    1970 was a Thursday, so a week of days starts on weekday 3."""
    local = seconds + week.offset
    day, second = local // DAY, local % DAY
    weeks, position = day // 7, day % 7
    daily = week.closes - week.opens
    before = sum(1 for weekday in week.days if (weekday - 3) % 7 < position)
    today = 0
    if (position + 3) % 7 in week.days:
        today = min(max(second - week.opens, 0), daily)
    return (weeks * len(week.days) + before) * daily + today


def nearest_rank(count: int, percent: int) -> int:
    """The 1-based rank of the ``percent``-th percentile among ``count`` sorted values."""
    return (count * percent + 99) // 100


@dataclass(frozen=True)
class Asked:
    """One question the documents did not answer: its message id, words, time and the
    citizen's ward (folded; "" when none was chosen)."""

    id: int
    text: str
    at: datetime
    area: str = ""


@dataclass(frozen=True)
class Said:
    """A question's words as the console may show them, with the asker's ward."""

    text: str
    area: str


class Insights(Protocol):
    """The counts behind the console's Số liệu (one aggregate query each)."""

    async def insight_areas(self) -> list[str]:
        """The wards citizens have chosen (folded), to find a unit's."""
        ...

    async def insight_units(self) -> list[str]:
        """Units of officers added by command and of broadcasts sent."""
        ...

    async def questions_by_channel(
        self, window: Window, size: int, offset: int
    ) -> list[tuple[str, int, int]]:
        """(platform, ``bucket`` of ``size`` seconds, questions) with any question."""
        ...

    async def outcomes(self, window: Window) -> dict[str, int]:
        """Questions ("question"), the bot's replies by kind, tickets opened ("tickets")."""
        ...

    async def top_sections(self, window: Window, limit: int) -> list[SectionCount]:
        """The sections answers cited first, most cited first."""
        ...

    async def section_votes(self, window: Window, limit: int) -> list[SectionVotes]:
        """👍/👎 given in the window, by the section the answer cited first."""
        ...

    async def ticket_times(self, window: Window, week: Workweek, target: int) -> TicketTimes:
        """Tickets opened in the window; ``target``: office-hours seconds."""
        ...

    async def ticket_lines(
        self, window: Window, week: Workweek, personal: bool, limit: int
    ) -> list[TicketLine]:
        """Tickets opened in the window, oldest first (for an export)."""
        ...

    async def unit_broadcasts(
        self, start: datetime, end: datetime, unit: str | None
    ) -> list[dict[str, Any]]:
        """``month_report``'s rows (one per broadcast), of one unit or all."""
        ...

    async def year_figures(
        self, bounds: Sequence[datetime], areas: tuple[str, ...] | None
    ) -> YearFigures:
        """Month by month between consecutive ``bounds``, and the whole span's reach."""
        ...

    async def unanswered_questions(self, since: datetime, limit: int) -> list[Asked]:
        """The newest ``limit`` questions since ``since`` whose reply from the engine (the
        person's next message, before they wrote again) was "not found", newest first."""
        ...

    async def questions_said(self, ids: Sequence[int]) -> dict[int, Said]:
        """The words of the questions ``ids`` still stored (an erased citizen's are gone)."""
        ...
