"""scripts/console_data.py, small: the generated year has the shape the insights and their
benchmark need (four channels, wards and units, cited answers, votes, tickets in every
state, every unit's broadcasts with replies), on SQLite (INSERT) and PostgreSQL (COPY),
the same from the same seed; a database that holds people is refused unless replaced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.insights import DAY, Window, Workweek
from bot.store import Store
from scripts.console_data import fill
from scripts.console_shape import WARDS, area_of, unit_of

NOW = datetime(2026, 12, 6, 3, tzinfo=UTC)
WEEK = Workweek(27000, 61200, frozenset(range(5)), 25200)


async def test_a_generated_year(store_url: str) -> None:
    counts = await fill(store_url, messages=8000, tickets=150, days=90, now=NOW)
    assert counts["messages"] >= 7990 and counts["tickets"] == 150
    assert counts["people"] == 320 and counts["officers"] == len(WARDS)
    assert counts["broadcasts"] > 30 * 2 and counts["deliveries"] > 0
    last90 = Window(NOW - timedelta(days=90), NOW)
    async with await Store.open(store_url) as store:
        by_channel = await store.questions_by_channel(last90, DAY, 7 * 3600)
        assert {platform for platform, _, _ in by_channel} == {
            "telegram",
            "zalo_oa",
            "zalo_bot",
            "web",
        }
        outcomes = await store.outcomes(last90)
        assert outcomes["question"] > 3000 and outcomes["answer"] > outcomes["not_found"] > 0
        assert outcomes["tickets"] == 150
        assert len(await store.top_sections(last90, 50)) > 20
        assert sum(v.up + v.down for v in await store.section_votes(last90, 50)) > 50
        times = await store.ticket_times(last90, WEEK, 7200)
        assert 0 < times.within_target < times.answered < times.opened
        assert times.closed_unanswered > 0 and times.median < times.p90
        month = (NOW - timedelta(days=40), NOW - timedelta(days=10))
        rows = await store.unit_broadcasts(*month, None)
        assert rows == await store.month_report(*month)
        assert sum(r["replies"] for r in rows) > 0 and {r["unit"] for r in rows} <= {
            unit_of(w) for w in WARDS
        }
        assert set(await store.insight_areas()) <= {area_of(w) for w in WARDS}
        assert (await store.year_figures([NOW - timedelta(days=90), NOW], None)).reached > 200
    with pytest.raises(SystemExit):
        await fill(store_url, messages=100, tickets=1, days=10, now=NOW)
    assert (
        await fill(store_url, messages=8000, tickets=150, days=90, now=NOW, replace=True) == counts
    )
