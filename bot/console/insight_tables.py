"""The insights' figures as tables (the page's, and the CSV downloads), each with the
chart drawn from the same numbers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.broadcast.monthly import MONTHLY_TARGET
from bot.console.charts import Chart
from bot.console.insight_period import Period
from bot.core.insights import SectionCount, SectionVotes, TicketLine, TicketTimes, YearFigures
from bot.strings import console as console_words
from bot.strings import console_insights as words

PLATFORMS = ("zalo_oa", "zalo_bot", "telegram", "web")
VOTE_COLOURS = ("#009E73", "#D55E00")  # 👍 green, 👎 vermilion
OUTCOMES = ("answer", "suggest", "not_found", "tickets")


@dataclass(frozen=True)
class Table:
    name: str  # the download's name: /console/so-lieu/<name>.csv (and .svg)
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    numeric: frozenset[int] = frozenset()  # columns aligned right
    chart: Chart | None = None
    note: str = ""


def channels(found: list[tuple[str, int, int]], period: Period) -> tuple[Table, Table]:
    """Questions per channel in the period, and per hour or day of it."""
    totals: dict[str, int] = defaultdict(int)
    by_bucket: dict[tuple[str, int], int] = {}
    for platform, bucket, count in found:
        totals[platform] += count
        by_bucket[(platform, bucket)] = count
    names = [*PLATFORMS, *sorted(set(totals) - set(PLATFORMS))]
    labels = tuple(words.PLATFORMS.get(p, p) for p in names)
    whole = sum(totals.values())
    counts = tuple(totals.get(p, 0) for p in names)
    table = Table(
        "kenh",
        words.CHANNELS,
        words.COLUMNS["channel"],
        (
            *((label, n, words.share(n, whole)) for label, n in zip(labels, counts, strict=True)),
            (words.TOTAL, whole, words.share(whole, whole)),
        ),
        frozenset({1, 2}),
        Chart("bars", f"{words.CHANNELS} — {period.label}", labels, ((words.QUESTIONS, counts),)),
    )
    _, buckets = period.buckets()
    title = words.CHANNELS_HOURLY if period.kind == "ngay" else words.CHANNELS_DAILY
    first = words.HOUR_COLUMN if period.kind == "ngay" else words.DAY_COLUMN
    rows = []
    for bucket, label in buckets:
        values = [by_bucket.get((p, bucket), 0) for p in names]
        rows.append((label, *values, sum(values)))
    series = tuple(
        (label, tuple(float(row[1 + i]) for row in rows)) for i, label in enumerate(labels)
    )
    daily = Table(
        "kenh-theo-ngay",
        title,
        (first, *labels, words.TOTAL),
        tuple(rows),
        frozenset(range(1, len(names) + 2)),
        Chart("columns", f"{title} — {period.label}", tuple(b[1] for b in buckets), series),
    )
    return table, daily


def outcomes(counts: dict[str, int], period: Period) -> Table:
    asked = counts.get("question", 0)
    labels = tuple(words.OUTCOME_NAMES[k] for k in OUTCOMES)
    values = tuple(counts.get(k, 0) for k in OUTCOMES)
    return Table(
        "ket-qua",
        words.OUTCOMES,
        words.COLUMNS["outcome"],
        (
            (words.QUESTIONS, asked, words.share(asked, asked)),
            *((k, n, words.share(n, asked)) for k, n in zip(labels, values, strict=True)),
        ),
        frozenset({1, 2}),
        Chart("bars", f"{words.OUTCOMES} — {period.label}", labels, ((words.OUTCOMES, values),)),
        words.OUTCOMES_NOTE,
    )


def sections(found: list[SectionCount], period: Period) -> Table:
    return Table(
        "muc",
        words.SECTIONS,
        words.COLUMNS["section"],
        tuple((f"{s.doc} {s.section}", s.title, s.count) for s in found),
        frozenset({2}),
        Chart(
            "hbars",
            f"{words.SECTIONS} — {period.label}",
            tuple(f"{s.section} · {s.title}" for s in found),
            ((words.COLUMNS["section"][2], tuple(float(s.count) for s in found)),),
        ),
        words.SECTIONS_NOTE,
    )


def votes(found: list[SectionVotes], period: Period) -> Table:
    return Table(
        "danh-gia",
        words.VOTES,
        words.COLUMNS["votes"],
        tuple(
            (f"{v.doc} {v.section}", v.title, v.up, v.down, words.share(v.up, v.up + v.down))
            for v in found
        ),
        frozenset({2, 3, 4}),
        Chart(
            "hbars",
            f"{words.VOTES} — {period.label}",
            tuple(f"{v.section} · {v.title}" for v in found),
            (
                (words.UP, tuple(float(v.up) for v in found)),
                (words.DOWN, tuple(float(v.down) for v in found)),
            ),
            VOTE_COLOURS,
        ),
    )


def tickets(times: TicketTimes, target_minutes: int) -> Table:
    names = words.TICKET_ROWS
    target = words.duration(target_minutes * 60)
    rows = (
        (names["opened"], str(times.opened)),
        (names["answered"], str(times.answered)),
        (names["median"], words.duration(times.median)),
        (names["p90"], words.duration(times.p90)),
        (
            names["within"].format(target=target),
            f"{times.within_target} ({words.share(times.within_target, times.answered)})",
        ),
        (names["waiting"], str(times.waiting)),
        (names["closed_unanswered"], str(times.closed_unanswered)),
    )
    return Table("yeu-cau", words.TICKETS, words.COLUMNS["tickets"], rows, frozenset({1}))


def broadcasts(rows: list[dict[str, Any]], period: Period) -> Table:
    month, _ = period.month()
    title = words.broadcasts_heading(month)
    return Table(
        "thong-bao",
        title,
        words.COLUMNS["broadcasts"],
        tuple(
            (
                r["unit"],
                r["broadcasts"],
                r["target"],
                words.MET if r["met"] else words.NOT_MET,
                r["delivered"],
                r["replies"],
                r["thumbs_up"],
                r["thumbs_down"],
            )
            for r in rows
        ),
        frozenset({1, 2, 4, 5, 6, 7}),
        Chart(
            "hbars",
            title,
            tuple(r["unit"] for r in rows),
            ((words.COLUMNS["broadcasts"][1], tuple(float(r["broadcasts"]) for r in rows)),),
            target=MONTHLY_TARGET,
            target_label=words.target_label(MONTHLY_TARGET),
        ),
    )


def year(figures: YearFigures, number: int) -> tuple[Table, Table]:
    labels = tuple(f"{m:02d}/{number}" for m in range(1, 13))
    months = figures.months
    rows = tuple(
        (label, m.questions, m.replies, m.up, m.down, m.tickets)
        for label, m in zip(labels, months, strict=True)
    )
    sums = [sum(row[i] for row in rows) for i in range(1, 6)]
    table = Table(
        "nam",
        f"{words.YEAR} {number}",
        words.COLUMNS["year"],
        (*rows, (words.YEAR_TOTALS, *sums)),
        frozenset(range(1, 6)),
        Chart(
            "columns",
            f"{words.COLUMNS['year'][1]} — {words.YEAR} {number}",
            tuple(f"{m:02d}" for m in range(1, 13)),
            ((words.COLUMNS["year"][1], tuple(float(m.questions) for m in months)),),
        ),
        words.YEAR_NOTE,
    )
    names = words.YEAR_ROWS
    totals = Table(
        "nam-tong",
        f"{words.YEAR_TOTALS} {number}",
        words.COLUMNS["tickets"],
        (
            (names["reached"], figures.reached),
            (names["subscribers"], figures.subscribers),
            (names["questions"], sums[0]),
            (names["replies"], sums[1]),
            (names["up"], sums[2]),
            (names["down"], sums[3]),
            (names["tickets"], sums[4]),
        ),
        frozenset({1}),
    )
    return table, totals


def ticket_lines(lines: list[TicketLine], zone: ZoneInfo, personal: bool) -> Table:
    columns = words.COLUMNS["ticket_lines"] + (words.COLUMNS["personal"] if personal else ())
    rows = []
    for line in lines:
        waited = None
        if line.answered_at is not None:
            waited = int((line.answered_at - line.opened_at).total_seconds() // 60)
        office = None if line.office_seconds is None else line.office_seconds // 60
        row: tuple[Any, ...] = (
            line.id,
            words.PLATFORMS.get(line.platform, line.platform),
            console_words.STATES.get(line.state, line.state),
            _when(line.opened_at, zone),
            _when(line.answered_at, zone),
            "" if waited is None else waited,
            "" if office is None else office,
        )
        if personal:
            row += (line.name or "", line.user_id or "", line.reason or "")
        rows.append(row)
    return Table("yeu-cau-chi-tiet", words.TICKET_LIST, columns, tuple(rows), frozenset({0, 5, 6}))


def broadcast_lines(found: list[dict[str, Any]], zone: ZoneInfo, personal: bool) -> Table:
    columns = words.COLUMNS["broadcast_lines"] + (words.COLUMNS["officer"] if personal else ())
    rows = []
    for r in found:
        row: tuple[Any, ...] = (
            r["broadcast"],
            r["unit"] or words.NO_UNIT,
            _when(r["started_at"], zone),
            r["delivered"],
            r["replies"],
            r["thumbs_up"],
            r["thumbs_down"],
        )
        rows.append(row + ((r["officer"],) if personal else ()))
    return Table("thong-bao-chi-tiet", words.BROADCAST_LIST, columns, tuple(rows))


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime("%d/%m/%Y %H:%M")
