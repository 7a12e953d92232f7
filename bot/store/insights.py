"""The console's insights (Số liệu) on SQLite and PostgreSQL: one aggregate query per
figure over indexed columns (migration 0012), rows never loaded to be counted.

See bot/core/insights.py for what each one means; bot/store/memory_insights.py counts
the same in memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, union

from bot.core.insights import MonthFigures, SectionCount, SectionVotes, Window, YearFigures
from bot.store.insights_broadcasts import BroadcastInsightsMixin
from bot.store.insights_sql import (
    FIRST_DOC,
    FIRST_SECTION,
    FIRST_TITLE,
    SENT_STATES,
    among,
    asked_in,
    bucket,
    month_of,
    opened_in,
    total,
)
from bot.store.insights_tickets import TicketInsightsMixin
from bot.store.models import Broadcast, Delivery, Feedback, Message, Officer, Person, Ticket


class InsightsMixin(TicketInsightsMixin, BroadcastInsightsMixin):
    async def insight_areas(self) -> list[str]:
        query = select(Person.area).where(Person.area.is_not(None), Person.area != "").distinct()
        return sorted(area for (area,) in await self._rows(query))

    async def insight_units(self) -> list[str]:
        officers = select(Officer.unit).where(Officer.active, Officer.unit != "")
        broadcasts = select(Broadcast.unit).where(Broadcast.unit != "")
        return sorted(unit for (unit,) in await self._rows(union(officers, broadcasts)))

    async def questions_by_channel(
        self, window: Window, size: int, offset: int
    ) -> list[tuple[str, int, int]]:
        when = bucket(self._dialect, Message.created_at, size, offset).label("bucket")
        query = (
            select(Person.platform, when, func.count())
            .join(Person, Person.id == Message.person_id)
            .where(*asked_in(window))
            .group_by(Person.platform, when)
        )
        if window.areas is not None:
            query = query.where(Person.area.in_(window.areas))
        return [(platform, int(b), int(n)) for platform, b, n in await self._rows(query)]

    async def outcomes(self, window: Window) -> dict[str, int]:
        said = select(Message.kind, func.count()).where(
            Message.created_at >= window.start, Message.created_at < window.end
        )
        said = among(said, Message.person_id, window.areas).group_by(Message.kind)
        replies = said.where(Message.direction == "out")
        questions = select(func.count()).select_from(Message).where(*asked_in(window))
        tickets = select(func.count()).select_from(Ticket).where(*opened_in(window))
        said_rows, asked, opened = await self._together(
            replies,
            among(questions, Message.person_id, window.areas),
            among(tickets, Ticket.person_id, window.areas),
        )
        counts = {kind: int(n) for kind, n in said_rows}
        counts["question"], counts["tickets"] = int(asked[0][0]), int(opened[0][0])
        return counts

    async def top_sections(self, window: Window, limit: int) -> list[SectionCount]:
        count = func.count().label("n")
        query = (
            select(FIRST_DOC, FIRST_SECTION, func.max(FIRST_TITLE), count)
            .where(
                Message.kind == "answer",
                Message.created_at >= window.start,
                Message.created_at < window.end,
                FIRST_SECTION.is_not(None),
                FIRST_SECTION != "",  # an officer's explanation first: not a section
            )
            .group_by(FIRST_DOC, FIRST_SECTION)
            .order_by(count.desc(), FIRST_DOC, FIRST_SECTION)
            .limit(limit)
        )
        query = among(query, Message.person_id, window.areas)
        return [SectionCount(d, s, t or "", int(n)) for d, s, t, n in await self._rows(query)]

    async def section_votes(self, window: Window, limit: int) -> list[SectionVotes]:
        up, down = total(Feedback.value == 1).label("up"), total(Feedback.value == -1)
        query = (
            select(FIRST_DOC, FIRST_SECTION, func.max(FIRST_TITLE), up, down)
            .join(Message, Message.id == Feedback.message_id)
            .where(
                Feedback.updated_at >= window.start,
                Feedback.updated_at < window.end,
                FIRST_SECTION.is_not(None),
                FIRST_SECTION != "",  # an officer's explanation first: not a section
            )
            .group_by(FIRST_DOC, FIRST_SECTION)
            .order_by((up + down).desc(), FIRST_DOC, FIRST_SECTION)
            .limit(limit)
        )
        query = among(query, Feedback.person_id, window.areas)
        rows = await self._rows(query)
        return [SectionVotes(d, s, t or "", int(u), int(n)) for d, s, t, u, n in rows]

    async def year_figures(
        self, bounds: Sequence[datetime], areas: tuple[str, ...] | None
    ) -> YearFigures:
        first, last = bounds[0], bounds[-1]
        span = Window(first, last, areas)
        month = month_of(Message.created_at, bounds).label("m")
        asked = among(
            select(month, func.count()).where(*asked_in(span)), Message.person_id, areas
        ).group_by(month)
        opened = month_of(Ticket.opened_at, bounds).label("m")
        tickets = among(
            select(opened, func.count()).where(*opened_in(span)), Ticket.person_id, areas
        ).group_by(opened)
        voted = month_of(Feedback.updated_at, bounds).label("m")
        votes = among(
            select(voted, total(Feedback.value == 1), total(Feedback.value == -1)).where(
                Feedback.updated_at >= first, Feedback.updated_at < last
            ),
            Feedback.person_id,
            areas,
        ).group_by(voted)
        sent = select(Broadcast.id).where(
            Broadcast.started_at >= first,
            Broadcast.started_at < last,
            Broadcast.state.in_(SENT_STATES),
        )
        started = month_of(Broadcast.started_at, bounds).label("m")
        replies = among(
            self._after_broadcasts(sent, first, last).with_only_columns(started, func.count()),
            Delivery.person_id,
            areas,
        ).group_by(started)
        months = [
            dict.fromkeys(("questions", "replies", "up", "down", "tickets"), 0) for _ in bounds[1:]
        ]
        found = await self._together(asked, tickets, votes, replies)
        for m, n in found[0]:
            months[m]["questions"] = int(n)
        for m, n in found[1]:
            months[m]["tickets"] = int(n)
        for m, up, down in found[2]:
            months[m].update(up=int(up), down=int(down))
        for m, n in found[3]:
            months[m]["replies"] = int(n)
        reached, subscribers = await asyncio.gather(
            self._reached_people(sent, span), self._subscribers(areas)
        )
        return YearFigures(tuple(MonthFigures(**f) for f in months), reached, subscribers)

    async def _reached_people(self, sent: Any, span: Window) -> int:
        answered = select(Message.person_id.label("p")).where(
            Message.direction == "out",
            Message.created_at >= span.start,
            Message.created_at < span.end,
        )
        delivered = select(Delivery.person_id.label("p")).where(
            Delivery.broadcast_id.in_(sent), Delivery.state == "sent"
        )
        people = union(answered, delivered).subquery()
        query = among(select(func.count()).select_from(people), people.c.p, span.areas)
        return await self._count(query)

    async def _subscribers(self, areas: tuple[str, ...] | None) -> int:
        query = select(func.count()).where(Person.subscribed, ~Person.blocked)
        if areas is not None:
            query = query.where(Person.area.in_(areas))
        return await self._count(query)
