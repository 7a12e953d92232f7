"""Ticket response times for the console's insights: counts, nearest-rank percentiles
(row_number over the sorted waits) and office-hours time, all computed by the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, select

from bot.core.insights import TicketLine, TicketTimes, Window, Workweek
from bot.store.insights_sql import (
    InsightsBase,
    among,
    number,
    office_seconds,
    opened_in,
    seconds,
    total,
)
from bot.store.models import Person, Ticket


class TicketInsightsMixin(InsightsBase):
    async def ticket_times(self, window: Window, week: Workweek, target: int) -> TicketTimes:
        dialect = self._dialect
        answered = Ticket.answered_at.is_not(None)
        office = office_seconds(dialect, Ticket.answered_at, week) - office_seconds(
            dialect, Ticket.opened_at, week
        )
        counts = (
            select(
                func.count(),
                total(answered),
                total(and_(answered, office <= number(target))),
                total(and_(~answered, Ticket.state != "closed")),
                total(and_(~answered, Ticket.state == "closed")),
            )
            .select_from(Ticket)
            .where(*opened_in(window))
        )
        wait = (seconds(dialect, Ticket.answered_at) - seconds(dialect, Ticket.opened_at)).label(
            "s"
        )
        ranked = among(
            select(
                wait,
                func.row_number().over(order_by=wait).label("rank"),
                func.count().over().label("n"),
            ).where(*opened_in(window), answered),
            Ticket.person_id,
            window.areas,
        ).subquery()
        tallies, ranks = await self._together(
            among(counts, Ticket.person_id, window.areas),
            select(*(_at_rank(ranked, percent) for percent in (50, 90))),
        )
        opened, done, within, waiting, unanswered = tallies[0]
        median, p90 = ranks[0]
        return TicketTimes(
            int(opened),
            int(done),
            _int(median),
            _int(p90),
            int(within),
            int(waiting),
            int(unanswered),
        )

    async def ticket_lines(
        self, window: Window, week: Workweek, personal: bool, limit: int
    ) -> list[TicketLine]:
        dialect = self._dialect
        office = office_seconds(dialect, Ticket.answered_at, week) - office_seconds(
            dialect, Ticket.opened_at, week
        )
        columns = [Ticket.id, Person.platform, Ticket.state, Ticket.opened_at, Ticket.answered_at]
        columns.append(office)
        if personal:
            columns += [Person.display_name, Person.user_id, Ticket.reason]
        query = (
            select(*columns)
            .join(Person, Person.id == Ticket.person_id)
            .where(*opened_in(window))
            .order_by(Ticket.opened_at, Ticket.id)
            .limit(limit)
        )
        if window.areas is not None:
            query = query.where(Person.area.in_(window.areas))
        return [
            TicketLine(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                None if row[4] is None else int(row[5]),
                *(row[6:] if personal else ()),
            )
            for row in await self._rows(query)
        ]


def _at_rank(ranked: Any, percent: int) -> Any:
    """The value at ``nearest_rank(n, percent)`` (the same integer formula, in SQL)."""
    rank = (ranked.c.n * number(percent) + number(99)) // number(100)
    return func.max(case((ranked.c.rank == rank, ranked.c.s)))


def _int(value: Any) -> int | None:
    return None if value is None else int(value)
