"""The insights' SQL pieces that differ by database, and those built from them.

Only ``seconds`` (whole seconds since 1970) is written twice; days, hours and office
hours are integer arithmetic on it, the same on SQLite and PostgreSQL and the same as
``bot.core.insights`` computes in Python for the in-memory store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Select, and_, case, cast, extract, func, literal, text
from sqlalchemy.sql.elements import ColumnElement

from bot.core.insights import DAY, REPLY_WINDOW, Window, Workweek
from bot.store.base import StoreBase
from bot.store.models import Message, Person, Ticket

# The cited section of an answer: its first citation (the best one).
FIRST_DOC = Message.citations[(0, "doc")].as_string()
FIRST_SECTION = Message.citations[(0, "section")].as_string()
FIRST_TITLE = Message.citations[(0, "title")].as_string()


def seconds(dialect: str, column: Any) -> ColumnElement[int]:
    """Whole seconds since 1970, floored (SQLite's strftime('%s') already is)."""
    if dialect == "postgresql":
        return cast(func.floor(extract("epoch", column)), BigInteger)
    return cast(extract("epoch", column), BigInteger)


def within_day(dialect: str, column: Any, start: Any) -> ColumnElement[bool]:
    """``start`` <= ``column`` < ``start`` + 24 h: to the microsecond on PostgreSQL, to the
    millisecond on SQLite (its times are text; strftime gives milliseconds)."""
    if dialect == "postgresql":
        later = start + literal(timedelta(seconds=REPLY_WINDOW))
    else:
        later = func.strftime("%Y-%m-%d %H:%M:%f", start, f"+{REPLY_WINDOW} seconds")
    return and_(column >= start, column < later)


def number(value: int) -> ColumnElement[int]:
    return literal(value, BigInteger)


def bucket(dialect: str, column: Any, size: int, offset: int) -> ColumnElement[int]:
    """The local hour or day (``size`` seconds) of ``column``, counted from 1970."""
    return (seconds(dialect, column) + number(offset)) // number(size)


def office_seconds(dialect: str, column: Any, week: Workweek) -> ColumnElement[int]:
    """``bot.core.insights.office_seconds`` as SQL: office time from 1970 to ``column``."""
    local = seconds(dialect, column) + number(week.offset)
    day = local // number(DAY)
    second = local - day * number(DAY)
    position = day % number(7)
    daily = week.closes - week.opens
    before: ColumnElement[int] = number(0)
    for weekday in sorted(week.days):
        before = before + case((position > number((weekday - 3) % 7), number(1)), else_=number(0))
    open_today = [(weekday - 3) % 7 for weekday in sorted(week.days)]
    today = case(
        (~position.in_(open_today), number(0)),
        (second <= number(week.opens), number(0)),
        (second >= number(week.closes), number(daily)),
        else_=second - number(week.opens),
    )
    return ((day // number(7)) * number(len(week.days)) + before) * number(daily) + today


def month_of(column: Any, bounds: Sequence[datetime]) -> ColumnElement[int]:
    """0 … len(bounds) - 2: which of the spans between consecutive ``bounds`` it is in."""
    whens = [(column < bound, number(n)) for n, bound in enumerate(bounds[1:-1])]
    return case(*whens, else_=number(len(bounds) - 2)) if whens else number(0)


def among(query: Select[Any], person: Any, areas: tuple[str, ...] | None) -> Select[Any]:
    """Only the citizens of ``areas`` (their chosen ward), unless it is None (everyone)."""
    if areas is None:
        return query
    return query.join(Person, Person.id == person).where(Person.area.in_(areas))


def total(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows meet ``condition`` (0, not NULL, when there are none)."""
    return func.coalesce(func.sum(case((condition, number(1)), else_=number(0))), number(0))


SENT_STATES = ("sending", "paused", "done")  # a broadcast that went out (as month_report)
AT_ONCE = 4  # insight queries running at the same time, per process


class InsightsBase(StoreBase):
    @property
    def _dialect(self) -> str:
        return self._engine.dialect.name

    async def _rows(self, query: Any) -> list[Any]:
        # At most a few at once: the bot's own messages share the connection pool.
        slots = self.__dict__.setdefault("_insight_slots", asyncio.Semaphore(AT_ONCE))
        async with slots, self._read() as session:
            if self._dialect == "postgresql":
                # Compiling these one-off aggregates (JIT) costs more than it saves.
                await session.execute(text("SET LOCAL jit = off"))
            return list((await session.execute(query)).all())

    async def _count(self, query: Any) -> int:
        return int((await self._rows(query))[0][0])

    async def _together(self, *queries: Any) -> list[list[Any]]:
        """Several queries at once, each on its own connection (PostgreSQL runs them side
        by side; SQLite one after the other)."""
        return list(await asyncio.gather(*(self._rows(query) for query in queries)))


def asked_in(window: Window) -> tuple[Any, ...]:
    return (
        Message.direction == "in",
        Message.kind == "question",
        Message.created_at >= window.start,
        Message.created_at < window.end,
    )


def opened_in(window: Window) -> tuple[Any, ...]:
    return (Ticket.opened_at >= window.start, Ticket.opened_at < window.end)
