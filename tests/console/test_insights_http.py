"""The console's insights over HTTP, the real bot (SQLite) with the known dataset of the
store's contract tests: the page and its navigation, each CSV and SVG download, refusals
of bad input, an officer's unit, and an admin's audited request for personal data."""

from __future__ import annotations

import asyncio
import csv
import io
import re

import aiohttp
import pytest

from bot.app import running
from bot.console.insight_exports import LISTS, PERIOD_FIGURES, YEAR_TABLES
from bot.console.insights import Insights
from bot.strings import console_insights as words
from tests.console.conftest import signed_in
from tests.fakes.answerer import FakeAnswerer
from tests.fakes.telegram_api import FakeTelegram
from tests.store.test_insights_contract import UNIT_BA_DINH, UNIT_KIM_LIEN, build_known
from tests.web.conftest import web_settings

ADMIN = "telegram:9001"
OFFICER = "telegram:7001"  # UBND phường Ba Đình (added by command in build_known)
HOME = "/console/so-lieu"
NOVEMBER = {"ky": "thang", "ngay": "2026-11-01"}


@pytest.fixture
async def bot(fake: FakeTelegram, tmp_path):
    settings = web_settings(
        fake,
        f"sqlite+aiosqlite:///{tmp_path / 'insights.db'}",
        admins=ADMIN,
        officers=f"telegram:7002={UNIT_KIM_LIEN}",
        office_hours="07:30-17:00",
        office_days="1-5",
    )
    async with running(settings, FakeAnswerer()) as state:
        state.known = await build_known(state.store)
        # Whole pages (a busy test machine may need more than the page's usual wait); the
        # wait itself is test_a_slow_figure_does_not_hold_the_page_up's.
        insights(state).wait = 30.0
        yield state


def insights(state) -> Insights:
    return next(part for part in state.console.parts if isinstance(part, Insights))


async def fetch(bot, http, headers, path: str, **query) -> tuple[int, str, aiohttp.ClientResponse]:
    async with http.get(bot.base_url + path, params=query, headers=headers) as response:
        return response.status, await response.text(), response


def rows_of(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")  # the byte-order mark Excel needs for UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


async def test_the_admin_sees_every_figure_of_a_month(bot) -> None:
    async with aiohttp.ClientSession() as http:
        headers, _ = await signed_in(bot, ADMIN, http)
        status, page, response = await fetch(bot, http, headers, HOME, **NOVEMBER)
    assert status == 200 and "Refresh" not in response.headers  # all computed in time
    assert "Tháng 11/2026" in page
    for title in (words.CHANNELS, words.OUTCOMES, words.SECTIONS, words.VOTES, words.TICKETS):
        assert title in page
    assert (
        page.count('<svg class="chart" role="img"') == 6
    )  # channels ×2, outcomes, sections, votes, broadcasts
    assert "Nắm bắt dư luận" in page and "Mục tiêu, chỉ tiêu" in page  # section titles
    assert "/console/so-lieu/cau-hoi-chua-tra-loi" in page  # the clusters' page, linked
    assert 'rel="prev" href="/console/so-lieu?ky=thang&amp;ngay=2026-10-01"' in page
    assert 'rel="next" href="/console/so-lieu?ky=thang&amp;ngay=2026-12-01"' in page
    assert "Dân p1" not in page and "u-p1" not in page  # no citizen named on the page
    tickets = re.search(r'id="yeu-cau".*?</section>', page, re.S).group(0)
    assert "4 giờ 0 phút" in tickets and "9 giờ 0 phút" in tickets  # median, 90th percentile
    assert "1 (50%)" in tickets  # one of two answered within 2 h of office hours


async def test_every_table_downloads_as_csv_and_every_chart_as_svg(bot) -> None:
    async with aiohttp.ClientSession() as http:
        headers, _ = await signed_in(bot, ADMIN, http)
        for name in PERIOD_FIGURES:
            status, text, response = await fetch(
                bot, http, headers, f"{HOME}/{name}.csv", **NOVEMBER
            )
            assert status == 200, name
            assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
            assert f"so-lieu-{name}-thang-2026-11-01.csv" in response.headers["Content-Disposition"]
            assert len(rows_of(text)) >= 2, name
            status, svg, response = await fetch(
                bot, http, headers, f"{HOME}/{name}.svg", **NOVEMBER
            )
            if name == "yeu-cau":  # a table without a chart
                assert status == 404
                continue
            assert status == 200 and response.headers["Content-Type"].startswith("image/svg+xml")
            assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "<title" in svg
        for name in YEAR_TABLES:
            status, text, _ = await fetch(bot, http, headers, f"{HOME}/{name}.csv", nam="2026")
            assert status == 200 and len(rows_of(text)) > 5
        channels = rows_of((await fetch(bot, http, headers, f"{HOME}/kenh.csv", **NOVEMBER))[1])
        assert channels[0] == list(words.COLUMNS["channel"])
        assert ["Telegram", "3", "30%"] in channels and ["Tổng", "10", "100%"] in channels
        daily = rows_of(
            (await fetch(bot, http, headers, f"{HOME}/kenh-theo-ngay.csv", **NOVEMBER))[1]
        )
        assert len(daily) == 1 + 30 and daily[1][0] == "01/11" and daily[1][-1] == "1"
        sections = rows_of((await fetch(bot, http, headers, f"{HOME}/muc.csv", **NOVEMBER))[1])
        assert sections[1] == ["57-KH/TU III.10", "Nắm bắt dư luận", "3"]
        year = rows_of((await fetch(bot, http, headers, f"{HOME}/nam.csv", nam="2026"))[1])
        assert year[11] == ["11/2026", "10", "1", "3", "2", "4"]
        totals = rows_of((await fetch(bot, http, headers, f"{HOME}/nam-tong.csv", nam="2026"))[1])
        assert totals[1][1] == "4" and totals[2][1] == "3"  # reached, subscribers


async def test_periods_by_day_and_week_and_their_navigation(bot) -> None:
    async with aiohttp.ClientSession() as http:
        headers, _ = await signed_in(bot, ADMIN, http)
        status, page, _ = await fetch(bot, http, headers, HOME, ky="ngay", ngay="2026-11-10")
        assert status == 200 and "Ngày 10/11/2026" in page and words.CHANNELS_HOURLY in page
        hourly = rows_of(
            (
                await fetch(
                    bot, http, headers, f"{HOME}/kenh-theo-ngay.csv", ky="ngay", ngay="2026-11-10"
                )
            )[1]
        )
        assert len(hourly) == 1 + 24 and hourly[18][0] == "17h" and hourly[18][-1] == "1"
        status, page, _ = await fetch(bot, http, headers, HOME, ky="tuan", ngay="2026-11-04")
        assert "Tuần 02/11 – 08/11/2026" in page
        assert 'href="/console/so-lieu?ky=tuan&amp;ngay=2026-10-26"' in page  # the week before
        status, page, _ = await fetch(bot, http, headers, HOME)  # this month, by default
        assert status == 200 and 'rel="next"' not in page  # nothing after the current month


@pytest.mark.parametrize(
    ("query", "status", "said"),
    [
        ({"ky": "nam-ngoai"}, 400, words.BAD_KIND),
        ({"ngay": "2026-13-45"}, 400, words.BAD_DATE),
        ({"ngay": "hôm qua"}, 400, words.BAD_DATE),
        ({"ngay": "0001-01-01"}, 400, words.BAD_DATE),
        ({"don-vi": "UBND phường Không Có"}, 400, words.BAD_UNIT),
    ],
)
async def test_bad_input_gets_a_polite_refusal(bot, query, status, said) -> None:
    async with aiohttp.ClientSession() as http:
        headers, _ = await signed_in(bot, ADMIN, http)
        got, page, _ = await fetch(bot, http, headers, HOME, **query)
        assert (got, said in page) == (status, True)
        got, page, _ = await fetch(bot, http, headers, f"{HOME}/kenh.csv", **query)
        assert (got, said in page) == (status, True)
        got, _, _ = await fetch(bot, http, headers, f"{HOME}/khong-co.csv")
        assert got == 404
        got, page, _ = await fetch(bot, http, headers, f"{HOME}/nam", nam="99999")
        assert got == 400 and words.BAD_YEAR in page


async def test_signed_out_gets_401(bot) -> None:
    async with aiohttp.ClientSession() as http:
        for path in (HOME, f"{HOME}/nam", f"{HOME}/kenh.csv", f"{HOME}/muc.svg"):
            status, _, _ = await fetch(bot, http, {}, path)
            assert status == 401


async def test_an_officer_sees_their_unit_only(bot) -> None:
    async with aiohttp.ClientSession() as http:
        headers, _ = await signed_in(bot, OFFICER, http)
        status, page, _ = await fetch(bot, http, headers, HOME, **NOVEMBER)
        assert status == 200 and UNIT_BA_DINH in page and 'name="don-vi"' not in page
        channels = rows_of((await fetch(bot, http, headers, f"{HOME}/kenh.csv", **NOVEMBER))[1])
        assert ["Tổng", "6", "100%"] in channels  # p1's and p2's questions, not the others'
        units = rows_of((await fetch(bot, http, headers, f"{HOME}/thong-bao.csv", **NOVEMBER))[1])
        assert [row[0] for row in units[1:]] == [UNIT_BA_DINH]
        lines = rows_of(
            (await fetch(bot, http, headers, f"{HOME}/yeu-cau-chi-tiet.csv", **NOVEMBER))[1]
        )
        assert [row[0] for row in lines[1:]] == [str(bot.known.tickets[t]) for t in ("t2", "t3")]
        status, page, _ = await fetch(
            bot, http, headers, HOME, **{**NOVEMBER, "don-vi": UNIT_KIM_LIEN}
        )
        assert status == 403 and words.OTHER_UNIT in page
        status, page, _ = await fetch(
            bot, http, headers, f"{HOME}/yeu-cau-chi-tiet.csv", **{**NOVEMBER, "ca-nhan": "1"}
        )
        assert status == 403 and words.NO_PERSONAL in page and "Dân p1" not in page
        year = rows_of((await fetch(bot, http, headers, f"{HOME}/nam-tong.csv", nam="2026"))[1])
        assert year[1][1] == "2"  # reached: p1 and p2
    actions = [(actor, action) for actor, action, _, _ in await bot.store.audit_entries()]
    assert (OFFICER, "console_insights_refused") in actions
    assert (OFFICER, "console_export_personal_refused") in actions


async def test_personal_data_only_when_an_admin_asks_and_it_is_audited(bot) -> None:
    async with aiohttp.ClientSession() as http:
        headers, _ = await signed_in(bot, ADMIN, http)
        plain = rows_of(
            (await fetch(bot, http, headers, f"{HOME}/yeu-cau-chi-tiet.csv", **NOVEMBER))[1]
        )
        assert plain[0] == list(words.COLUMNS["ticket_lines"])
        assert not any("Dân" in cell or "u-p" in cell for row in plain for cell in row)
        assert not any(
            action == "console_export_personal"
            for _, action, _, _ in await bot.store.audit_entries()
        )
        query = {**NOVEMBER, "don-vi": UNIT_BA_DINH, "ca-nhan": "1"}
        named = rows_of(
            (await fetch(bot, http, headers, f"{HOME}/yeu-cau-chi-tiet.csv", **query))[1]
        )
        assert named[0][-3:] == list(words.COLUMNS["personal"])
        assert [row[-3:-1] for row in named[1:]] == [["Dân p2", "u-p2"], ["Dân p1", "u-p1"]]
        officers = rows_of(
            (await fetch(bot, http, headers, f"{HOME}/thong-bao-chi-tiet.csv", **query))[1]
        )
        assert officers[1][-1] == "telegram:7001"
        _, page, _ = await fetch(bot, http, headers, HOME, **NOVEMBER)
        assert 'name="ca-nhan"' in page  # the admin's choice on the page
    entries = [(a, action, d) for a, action, d, _ in await bot.store.audit_entries()]
    asked = [d for a, action, d in entries if action == "console_export_personal"]
    assert {
        "table": "yeu-cau-chi-tiet",
        "period": "thang-2026-11-01",
        "unit": UNIT_BA_DINH,
    } in asked
    assert {
        "table": "thong-bao-chi-tiet",
        "period": "thang-2026-11-01",
        "unit": UNIT_BA_DINH,
    } in asked
    assert all(a == ADMIN for a, action, _ in entries if action == "console_export_personal")


async def test_the_year_page(bot) -> None:
    async with aiohttp.ClientSession() as http:
        headers, _ = await signed_in(bot, ADMIN, http)
        status, page, _ = await fetch(bot, http, headers, f"{HOME}/nam", nam="2026")
        assert status == 200 and "Tổng kết năm 2026" in page and words.YEAR_ROWS["reached"] in page
        assert 'href="/console/so-lieu/nam?nam=2025"' in page
        status, page, _ = await fetch(
            bot, http, headers, f"{HOME}/nam", nam="2026", **{"don-vi": UNIT_BA_DINH}
        )
        assert status == 200 and f'<option value="{UNIT_BA_DINH}" selected>' in page


async def test_a_unit_without_broadcasts_is_listed_against_the_target(bot) -> None:
    async with aiohttp.ClientSession() as http:
        headers, _ = await signed_in(bot, ADMIN, http)
        units = rows_of(
            (
                await fetch(
                    bot, http, headers, f"{HOME}/thong-bao.csv", ky="thang", ngay="2026-10-01"
                )
            )[1]
        )
    assert units[1][:4] == [UNIT_BA_DINH, "1", "10", words.NOT_MET]
    assert units[2][:4] == [UNIT_KIM_LIEN, "0", "10", words.NOT_MET]  # from the settings' roster


def test_every_list_that_may_name_people_is_a_download_only() -> None:
    assert set(LISTS).isdisjoint(PERIOD_FIGURES)


class SlowSections:
    """The store, with the sections' query held until the test lets it go."""

    def __init__(self, store) -> None:
        self.store = store
        self.release = asyncio.Event()

    def __getattr__(self, name: str):
        return getattr(self.store, name)

    async def top_sections(self, *args):
        await self.release.wait()
        return await self.store.top_sections(*args)


async def test_a_slow_figure_does_not_hold_the_page_up(bot) -> None:
    part = insights(bot)
    part.wait = 0.35
    slow = part.figures.store = SlowSections(bot.store)
    async with aiohttp.ClientSession() as http:
        headers, _ = await signed_in(bot, ADMIN, http)
        status, page, response = await fetch(bot, http, headers, HOME, **NOVEMBER)
        assert status == 200 and response.headers["Refresh"] == "3"  # comes back by itself
        assert words.PENDING in page and words.CHANNELS in page  # the rest is there
        assert 'id="muc"' not in page
        slow.release.set()
        await asyncio.gather(*part.figures.cache.running.values())
        status, page, response = await fetch(bot, http, headers, HOME, **NOVEMBER)
        assert "Refresh" not in response.headers and 'id="muc"' in page
        assert words.PENDING not in page


async def test_an_officer_without_a_unit_sees_no_citizens(bot) -> None:
    await bot.store.add_officer("telegram", "7003", "", ADMIN)
    async with aiohttp.ClientSession() as http:
        headers, _ = await signed_in(bot, "telegram:7003", http)
        status, page, _ = await fetch(bot, http, headers, HOME, **NOVEMBER)
        assert words.OFFICER_SCOPE in page
        assert status == 200
        channels = rows_of((await fetch(bot, http, headers, f"{HOME}/kenh.csv", **NOVEMBER))[1])
        assert ["Tổng", "0", "—"] in channels
        units = rows_of((await fetch(bot, http, headers, f"{HOME}/thong-bao.csv", **NOVEMBER))[1])
        assert [row[:2] for row in units[1:]] == [[words.NO_UNIT, "0"]]
        lines = rows_of(
            (await fetch(bot, http, headers, f"{HOME}/thong-bao-chi-tiet.csv", **NOVEMBER))[1]
        )
        assert lines[1:] == []
