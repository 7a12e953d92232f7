"""When officers are on duty, to tell a citizen outside those hours when to expect a reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.strings import conversation as texts

if TYPE_CHECKING:
    from bot.config import Settings


@dataclass(frozen=True)
class OfficeHours:
    opens: time
    closes: time
    days: frozenset[int]  # 0 = Monday
    zone: ZoneInfo

    @classmethod
    def parse(cls, hours: str, days: str, zone: str) -> OfficeHours:
        """``hours`` like "08:00-17:00", ``days`` like "1-5" (Monday = 1) or "1,2,3"."""
        start, _, end = hours.partition("-")
        day_set: set[int] = set()
        for part in days.split(","):
            lo, _, hi = part.strip().partition("-")
            day_set.update(range(int(lo) - 1, int(hi or lo)))
        return cls(
            time.fromisoformat(start.strip()),
            time.fromisoformat(end.strip()),
            frozenset(day_set),
            ZoneInfo(zone),
        )

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def next_opening(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.zone)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            opening = datetime.combine(day, self.opens, self.zone)
            if day.weekday() in self.days and opening > local:
                return opening
        return local

    def describe_next(self, moment: datetime) -> str:
        opening = self.next_opening(moment)
        return f"{opening:%H:%M} {texts.WEEKDAYS[opening.weekday()]}, {opening:%d/%m}"

    def open_minutes(self, start: datetime, end: datetime) -> int:
        """Minutes of office hours between two instants: how long a ticket has really
        waited for an officer (a night or a weekend is not an officer's delay)."""
        local_start, local_end = start.astimezone(self.zone), end.astimezone(self.zone)
        if local_end <= local_start:
            return 0
        total = timedelta()
        day = local_start.date()
        for _ in range(400):  # at most a bit over a year of days: tickets expire long before
            if day > local_end.date():
                break
            if day.weekday() in self.days:
                opens = datetime.combine(day, self.opens, self.zone)
                closes = datetime.combine(day, self.closes, self.zone)
                overlap = min(closes, local_end) - max(opens, local_start)
                total += max(overlap, timedelta())
            day += timedelta(days=1)
        return int(total.total_seconds() // 60)


def office_hours_of(settings: Settings) -> OfficeHours:
    return OfficeHours.parse(settings.office_hours, settings.office_days, settings.timezone)
