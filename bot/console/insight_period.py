"""Which stretch of time an insights page shows: a day, a (Monday–Sunday) week or a month
in local time, its neighbours, and the hours or days it is cut into; or a year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.insights import DAY, HOUR, Window
from bot.strings import console_insights as words

KINDS = ("ngay", "tuan", "thang")  # day, week, month (the URL's words)
EPOCH = date(1970, 1, 1)
FIRST_YEAR, LAST_YEAR = 2000, 2100  # beyond these a date is a typing mistake
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Period:
    kind: str
    first: date  # the first local day
    after: date  # the day after the last

    @classmethod
    def of(cls, kind: str, day: date) -> Period:
        if kind == "ngay":
            return cls(kind, day, day + timedelta(days=1))
        if kind == "tuan":
            monday = day - timedelta(days=day.weekday())
            return cls(kind, monday, monday + timedelta(days=7))
        first = day.replace(day=1)
        return cls(kind, first, next_month(first))

    @classmethod
    def parse(cls, kind: str | None, day: str | None, today: date) -> Period:
        """From the page's query; ValueError with the officer's words when it is wrong."""
        kind = kind or "thang"
        if kind not in KINDS:
            raise ValueError(words.BAD_KIND)
        return cls.of(kind, parse_day(day) if day else today)

    @property
    def last(self) -> date:
        return self.after - timedelta(days=1)

    @property
    def label(self) -> str:
        return words.period_label(self.kind, self.first, self.last)

    def previous(self) -> Period:
        return Period.of(self.kind, self.first - timedelta(days=1))

    def next(self) -> Period:
        return Period.of(self.kind, self.after)

    def window(self, zone: ZoneInfo, areas: tuple[str, ...] | None) -> Window:
        return Window(local(self.first, zone), local(self.after, zone), areas)

    def month(self) -> tuple[date, date]:
        """The calendar month the period begins in (broadcasts are counted a month)."""
        first = self.first.replace(day=1)
        return first, next_month(first)

    def buckets(self) -> tuple[int, list[tuple[int, str]]]:
        """(seconds per bucket, [(bucket number as ``bot.core.insights.bucket`` counts it,
        its label)]): hours of a day, days of a week or month."""
        days = (self.first - EPOCH).days
        if self.kind == "ngay":
            return HOUR, [(days * 24 + hour, f"{hour:02d}h") for hour in range(24)]
        count = (self.after - self.first).days
        labels = [f"{self.first + timedelta(days=n):%d/%m}" for n in range(count)]
        return DAY, [(days + n, label) for n, label in enumerate(labels)]

    def query(self) -> dict[str, str]:
        return {"ky": self.kind, "ngay": self.first.isoformat()}


def parse_day(text: str) -> date:
    if not _DAY.fullmatch(text):
        raise ValueError(words.BAD_DATE)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(words.BAD_DATE) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(words.BAD_DATE)
    return day


def parse_year(text: str | None, today: date) -> int:
    if not text:
        return today.year
    if not re.fullmatch(r"\d{4}", text) or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise ValueError(words.BAD_YEAR)
    return int(text)


def year_bounds(year: int, zone: ZoneInfo) -> list[datetime]:
    """The 13 instants that cut a local year into its months."""
    return [local(date(year, month, 1), zone) for month in range(1, 13)] + [
        local(date(year + 1, 1, 1), zone)
    ]


def local(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone)


def next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def offset(zone: ZoneInfo, day: date) -> int:
    """The zone's offset from UTC on that day, in seconds."""
    moment = local(day, zone).utcoffset()
    return int(moment.total_seconds()) if moment is not None else 0
