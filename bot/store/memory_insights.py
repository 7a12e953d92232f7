"""The console's insights counted in memory, as the SQL store's queries count them (the
contract tests in tests/store/test_insights_contract.py hold both to the same numbers)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.core.insights import (
    REPLY_WINDOW,
    MonthFigures,
    SectionCount,
    SectionVotes,
    TicketLine,
    TicketTimes,
    Window,
    Workweek,
    YearFigures,
    bucket,
    epoch,
    nearest_rank,
    office_seconds,
)
from bot.core.records import MessageRecord, TicketRecord
from bot.store.memory_base import MemoryBase

SENT_STATES = ("sending", "paused", "done")


class MemoryInsights(MemoryBase):
    def _in_areas(self, person_id: int, areas: tuple[str, ...] | None) -> bool:
        return areas is None or self.people[person_id].area in areas

    def _questions_in(self, window: Window) -> Iterable[MessageRecord]:
        for m in self.messages.values():
            asked = m.direction == "in" and m.kind == "question"
            if (
                asked
                and _inside(m.created_at, window)
                and self._in_areas(m.person_id, window.areas)
            ):
                yield m

    def _tickets_in(self, window: Window) -> Iterable[TicketRecord]:
        for t in self.tickets.values():
            if _inside(t.opened_at, window) and self._in_areas(t.person_id, window.areas):
                yield t

    async def insight_areas(self) -> list[str]:
        return sorted({p.area for p in self.people.values() if p.area})

    async def insight_units(self) -> list[str]:
        officers = {unit for unit, active in self.officers.values() if active and unit}
        return sorted(officers | {b.unit for b in self.broadcasts.values() if b.unit})

    async def questions_by_channel(
        self, window: Window, size: int, offset: int
    ) -> list[tuple[str, int, int]]:
        counts = Counter(
            (self.people[m.person_id].platform, bucket(m.created_at, size, offset))
            for m in self._questions_in(window)
        )
        return [(platform, b, n) for (platform, b), n in counts.items()]

    async def outcomes(self, window: Window) -> dict[str, int]:
        counts = Counter(
            m.kind
            for m in self.messages.values()
            if m.direction == "out"
            and _inside(m.created_at, window)
            and self._in_areas(m.person_id, window.areas)
        )
        counts["question"] = sum(1 for _ in self._questions_in(window))
        counts["tickets"] = sum(1 for _ in self._tickets_in(window))
        return dict(counts)

    async def top_sections(self, window: Window, limit: int) -> list[SectionCount]:
        counts: Counter[tuple[str, str]] = Counter()
        titles: dict[tuple[str, str], str] = {}
        for m in self.messages.values():
            if m.kind != "answer" or not m.citations or not m.citations[0].section:
                continue
            if not _inside(m.created_at, window):
                continue
            if self._in_areas(m.person_id, window.areas):
                key = (m.citations[0].doc, m.citations[0].section)
                counts[key] += 1
                titles[key] = max(titles.get(key, ""), m.citations[0].title)
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [SectionCount(d, s, titles[(d, s)], n) for (d, s), n in ranked]

    async def section_votes(self, window: Window, limit: int) -> list[SectionVotes]:
        votes: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        titles: dict[tuple[str, str], str] = {}
        for f in self.feedback.values():
            answer = self.messages.get(f.message_id)
            if answer is None or not answer.citations or not answer.citations[0].section:
                continue
            if not _inside(f.updated_at, window):
                continue
            if self._in_areas(f.person_id, window.areas):
                key = (answer.citations[0].doc, answer.citations[0].section)
                votes[key][0 if f.value == 1 else 1] += 1
                titles[key] = max(titles.get(key, ""), answer.citations[0].title)
        ranked = sorted(votes.items(), key=lambda item: (-sum(item[1]), item[0]))[:limit]
        return [SectionVotes(d, s, titles[(d, s)], up, down) for (d, s), (up, down) in ranked]

    async def ticket_times(self, window: Window, week: Workweek, target: int) -> TicketTimes:
        opened = list(self._tickets_in(window))
        answered = [t for t in opened if t.answered_at is not None]
        waits = sorted(epoch(t.answered_at) - epoch(t.opened_at) for t in answered)  # type: ignore[arg-type]

        def at(percent: int) -> int | None:
            return waits[nearest_rank(len(waits), percent) - 1] if waits else None

        return TicketTimes(
            opened=len(opened),
            answered=len(answered),
            median=at(50),
            p90=at(90),
            within_target=sum(1 for t in answered if _office(t, week) <= target),  # type: ignore[operator]
            waiting=sum(1 for t in opened if t.answered_at is None and t.state != "closed"),
            closed_unanswered=sum(
                1 for t in opened if t.answered_at is None and t.state == "closed"
            ),
        )

    async def ticket_lines(
        self, window: Window, week: Workweek, personal: bool, limit: int
    ) -> list[TicketLine]:
        lines = []
        for t in sorted(self._tickets_in(window), key=lambda t: (t.opened_at, t.id))[:limit]:
            person = self.people[t.person_id]
            extra = (person.display_name, person.user_id, t.reason) if personal else ()
            lines.append(
                TicketLine(
                    t.id,
                    person.platform,
                    t.state,
                    t.opened_at,
                    t.answered_at,
                    _office(t, week),
                    *extra,
                )
            )
        return lines

    def _broadcasts_sent(self, start: datetime, end: datetime, unit: str | None) -> list[Any]:
        return sorted(
            (
                b
                for b in self.broadcasts.values()
                if b.started_at is not None
                and start <= b.started_at < end
                and b.state in SENT_STATES
                and (unit is None or b.unit == unit)
            ),
            key=lambda b: b.id,
        )

    def _recipients(self, broadcast_id: int) -> set[int]:
        return {p for (b, p), s in self.deliveries.items() if b == broadcast_id and s == "sent"}

    async def unit_broadcasts(
        self, start: datetime, end: datetime, unit: str | None
    ) -> list[dict[str, Any]]:
        rows = []
        for b in self._broadcasts_sent(start, end, unit):
            reached = self._recipients(b.id)
            said = list(self._replies_after(b.started_at, reached))
            votes = Counter(
                f.value
                for f in self.feedback.values()
                if f.person_id in reached and _within_day(f.updated_at, b.started_at)
            )
            rows.append(
                {
                    "broadcast": b.id,
                    "unit": b.unit,
                    "officer": b.officer,
                    "started_at": b.started_at,
                    "delivered": len(reached),
                    "replies": len(said),
                    "questions": sum(1 for m in said if m.kind == "question"),
                    "thumbs_up": votes.get(1, 0),
                    "thumbs_down": votes.get(-1, 0),
                }
            )
        return rows

    def _replies_after(self, started: datetime, reached: set[int]) -> Iterable[MessageRecord]:
        for m in self.messages.values():
            if (
                m.person_id in reached
                and m.direction == "in"
                and _within_day(m.created_at, started)
            ):
                yield m

    async def year_figures(
        self, bounds: Sequence[datetime], areas: tuple[str, ...] | None
    ) -> YearFigures:
        span = Window(bounds[0], bounds[-1], areas)
        months = [Counter[str]() for _ in bounds[1:]]

        def month(moment: datetime) -> Counter[str]:
            return months[sum(1 for bound in bounds[1:-1] if moment >= bound)]

        for m in self._questions_in(span):
            month(m.created_at)["questions"] += 1
        for t in self._tickets_in(span):
            month(t.opened_at)["tickets"] += 1
        for f in self.feedback.values():
            if _inside(f.updated_at, span) and self._in_areas(f.person_id, areas):
                month(f.updated_at)["up" if f.value == 1 else "down"] += 1
        reached = {
            m.person_id
            for m in self.messages.values()
            if m.direction == "out" and _inside(m.created_at, span)
        }
        for b in self._broadcasts_sent(span.start, span.end, None):
            recipients = self._recipients(b.id)
            reached |= recipients
            scoped = {p for p in recipients if self._in_areas(p, areas)}
            month(b.started_at)["replies"] += sum(
                1 for _ in self._replies_after(b.started_at, scoped)
            )  # type: ignore[arg-type]
        subscribers = sum(
            1
            for p in self.people.values()
            if p.subscribed and not p.blocked and self._in_areas(p.id, areas)
        )
        return YearFigures(
            tuple(MonthFigures(**counts) for counts in months),
            sum(1 for p in reached if self._in_areas(p, areas)),
            subscribers,
        )


def _inside(moment: datetime, window: Window) -> bool:
    return window.start <= moment < window.end


def _within_day(moment: datetime, started: datetime) -> bool:
    return started <= moment < started + timedelta(seconds=REPLY_WINDOW)


def _office(ticket: TicketRecord, week: Workweek) -> int | None:
    if ticket.answered_at is None:
        return None
    return office_seconds(epoch(ticket.answered_at), week) - office_seconds(
        epoch(ticket.opened_at), week
    )
