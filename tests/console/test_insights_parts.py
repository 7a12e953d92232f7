"""The insights' pieces on their own: periods and their navigation, office time counted
by arithmetic (as the SQL does) against OfficeHours' day-by-day count, the charts' SVG,
and the cache that keeps a page from waiting long."""

from __future__ import annotations

import asyncio
import random
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.console.charts import Chart, grouped
from bot.console.insight_data import BROKEN, Cache, Figures, Scope
from bot.console.insight_exports import as_csv
from bot.console.insight_period import Period, parse_year, year_bounds
from bot.console.insight_tables import Table
from bot.console.insights import workweek
from bot.conversation.office_hours import OfficeHours
from bot.core.insights import DAY, HOUR, Workweek, epoch, nearest_rank, office_seconds
from bot.store.errors import StoreError
from bot.strings import console_insights as words

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2026, 12, 6)


def test_periods_day_week_month_and_neighbours() -> None:
    month = Period.parse(None, None, TODAY)
    assert (month.kind, month.first, month.after, month.label) == (
        "thang",
        date(2026, 12, 1),
        date(2027, 1, 1),
        "Tháng 12/2026",
    )
    assert month.previous().first == date(2026, 11, 1) and month.next().first == date(2027, 1, 1)
    week = Period.parse("tuan", "2026-12-06", TODAY)  # a Sunday: the week began on Monday
    assert (week.first, week.last, week.label) == (
        date(2026, 11, 30),
        date(2026, 12, 6),
        "Tuần 30/11 – 06/12/2026",
    )
    assert week.previous().first == date(2026, 11, 23)
    day = Period.parse("ngay", "2024-02-29", TODAY)
    assert (day.first, day.after, day.next().first) == (
        date(2024, 2, 29),
        date(2024, 3, 1),
        date(2024, 3, 1),
    )
    size, buckets = day.buckets()
    assert size == HOUR and len(buckets) == 24 and buckets[0][1] == "00h"
    size, buckets = Period.parse("thang", "2024-02-10", TODAY).buckets()
    assert size == DAY and len(buckets) == 29 and buckets[-1][1] == "29/02"
    assert buckets[0][0] == (date(2024, 2, 1) - date(1970, 1, 1)).days


@pytest.mark.parametrize(
    ("kind", "day", "said"),
    [
        ("nam", None, words.BAD_KIND),
        (None, "2026-02-30", words.BAD_DATE),
        (None, "26-2-3", words.BAD_DATE),
        (None, "1999-12-31", words.BAD_DATE),
        (None, "2026-12-06T00:00", words.BAD_DATE),
    ],
)
def test_bad_periods_are_refused_with_a_reason(kind, day, said) -> None:
    with pytest.raises(ValueError, match=re.escape(said)):
        Period.parse(kind, day, TODAY)


def test_years() -> None:
    assert parse_year(None, TODAY) == 2026 and parse_year("2025", TODAY) == 2025
    for bad in ("99", "20255", "abcd", "1999"):
        with pytest.raises(ValueError):
            parse_year(bad, TODAY)
    bounds = year_bounds(2026, OfficeHours.parse("07:30-17:00", "1-5", "Asia/Ho_Chi_Minh").zone)
    assert len(bounds) == 13 and bounds[0] == datetime(2025, 12, 31, 17, tzinfo=UTC)


def test_office_time_by_arithmetic_is_the_day_by_day_count() -> None:
    """What the SQL computes (office_seconds of two instants, subtracted) is what the
    inbox's OfficeHours.open_minutes counts, for any pair of instants."""
    shuffle = random.Random(15)
    for hours, days in (("07:30-17:00", "1-5"), ("08:00-11:30", "1,3,5"), ("00:00-23:59", "1-7")):
        office = OfficeHours.parse(hours, days, "Asia/Ho_Chi_Minh")
        week = workweek(office, office.zone, TODAY)
        for _ in range(400):
            start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(
                seconds=shuffle.randrange(30_000_000)
            )
            end = start + timedelta(seconds=shuffle.randrange(10 * 86400))
            by_days = office.open_minutes(start, end)
            by_sums = office_seconds(epoch(end), week) - office_seconds(epoch(start), week)
            assert by_sums // 60 == by_days, (hours, days, start, end)


def test_the_default_week_and_the_nearest_rank() -> None:
    week = workweek(None, OfficeHours.parse("00:00-01:00", "1", "Asia/Ho_Chi_Minh").zone, TODAY)
    assert week == Workweek(27000, 61200, frozenset(range(5)), 25200)
    assert [nearest_rank(n, 50) for n in (1, 2, 3, 4, 10)] == [1, 1, 2, 2, 5]
    assert [nearest_rank(n, 90) for n in (1, 2, 10, 11)] == [1, 2, 9, 10]


@pytest.mark.parametrize("kind", ["bars", "hbars", "columns"])
def test_charts_are_accessible_svg(kind) -> None:
    chart = Chart(
        kind,
        "Câu hỏi <theo> kênh & ngày",
        ("Zalo OA", "Telegram", "Trang web"),
        (("Câu hỏi", (12.0, 0.0, 1234.0)), ("Khác", (1.0, 2.0, 3.0))),
        target=10,
        target_label="Chỉ tiêu 10",
    )
    for standalone in (True, False):
        text = chart.svg(standalone)
        root = ET.fromstring(
            text
            if standalone
            else text.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
        )
        assert root.get("role") == "img" and root.get("viewBox", "").startswith("0 0 ")
        title = root.find(f"{SVG}title")
        assert title is not None and title.text == "Câu hỏi <theo> kênh & ngày"
        labelled = root.get("aria-labelledby", "").split()
        assert labelled == [title.get("id"), root.find(f"{SVG}desc").get("id")]
        assert "Telegram 0" in root.find(f"{SVG}desc").text  # the numbers, read out
        assert root.findall(f".//{SVG}rect"), "no bar drawn"
    assert chart.svg(True).count("<svg") == 1


def test_numbers_are_grouped_the_vietnamese_way() -> None:
    assert (grouped(1234567), grouped(12.5), grouped(0)) == ("1.234.567", "12,5", "0")


async def test_the_cache_waits_a_little_computes_once_and_keeps_the_result() -> None:
    now = [0.0]
    cache = Cache(clock=lambda: now[0])
    release = asyncio.Event()
    calls = []

    async def slow() -> str:
        calls.append(1)
        await release.wait()
        return "xong"

    assert await cache.get("k", slow, fresh=60, wait=0.01) is None  # not ready: the page goes on
    assert await cache.get("k", slow, fresh=60, wait=0.01) is None  # the same computation
    release.set()
    kept = await cache.get("k", slow, fresh=60, wait=5)
    assert kept.value == "xong" and len(calls) == 1
    assert (await cache.get("k", slow, fresh=60, wait=0)).value == "xong"
    now[0] = 61.0  # stale: the old value now, a new one computed for the next request
    release.clear()
    assert (await cache.get("k", slow, fresh=60, wait=5)).value == "xong"  # without waiting
    release.set()
    await asyncio.gather(*cache.running.values())
    assert not cache.running and len(calls) == 2
    assert (await cache.get("k", slow, fresh=60, wait=0)).value == "xong" and len(calls) == 2


async def test_a_failing_query_shows_as_broken_and_is_tried_again() -> None:
    class Failing:
        tries = 0

        async def year_figures(self, bounds, areas):
            self.tries += 1
            raise StoreError("database busy")

    store = Failing()
    figures = Figures(store, Workweek(0, 1, frozenset(), 0), 60)
    zone = OfficeHours.parse("07:30-17:00", "1-5", "Asia/Ho_Chi_Minh").zone
    scope = Scope(None, None)
    assert await figures.year(2025, scope, zone, wait=5) is BROKEN
    assert await figures.year(2025, scope, zone, wait=5) is BROKEN
    assert store.tries == 2  # a failure is not kept


def test_a_csv_cell_that_looks_like_a_formula_stays_text() -> None:
    table = Table(
        "x", "X", ("Tên", "Số"), (('=HYPERLINK("http://x")', -3), ("@SUM(A1)", 2), ("Lan", 1))
    )
    text = as_csv(table)
    assert text.startswith("\ufeffTên,Số\r\n")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and "\r\n-3" not in text
    assert ",-3\r\n" in text and "Lan,1" in text
