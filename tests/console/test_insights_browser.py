"""The insights in headless Chromium, on a phone and on a desktop: every chart is shown,
the page never scrolls sideways (wide tables scroll in their own box), a CSV download
arrives as Excel wants it; screenshots for the issue's note."""

from __future__ import annotations

import pytest

from bot.app import running
from bot.strings import console_insights as words
from tests.console.test_insights_http import ADMIN, HOME, NOVEMBER
from tests.fakes.answerer import FakeAnswerer
from tests.store.test_insights_contract import UNIT_KIM_LIEN, build_known
from tests.web.conftest import screen, web_settings  # noqa: F401  (the phone / desktop viewports)
from tests.web.support import Page

pytestmark = pytest.mark.slow

SIDEWAYS = "return document.documentElement.scrollWidth - window.innerWidth"
CHARTS = """return [...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  return [svg.querySelector('title').textContent, Math.round(box.width), Math.round(box.height)];
});"""
FETCH_CSV = """const done = arguments[arguments.length - 1];
fetch(arguments[0]).then(async r => done([r.status, r.headers.get('content-type'),
  r.headers.get('content-disposition'), Array.from(new Uint8Array(await r.arrayBuffer()))]));"""


def all_charts(driver) -> list | None:
    charts = driver.execute_script(CHARTS)
    return charts if len(charts) == 6 else None


async def test_insights_charts_downloads_and_screens(
    chat: Page,
    screen,  # noqa: F811  (the fixture imported above)
    fake,
    tmp_path,
    output_dir,
) -> None:
    name, width, _ = screen
    settings = web_settings(
        fake,
        f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
        admins=ADMIN,
        officers=f"telegram:7002={UNIT_KIM_LIEN}",
        office_hours="07:30-17:00",
        office_days="1-5",
    )
    async with running(settings, FakeAnswerer()) as state:
        try:
            await build_known(state.store)
            token = await state.console.sign_in.new_link_token(ADMIN)
            await chat.open(f"{state.base_url}/console/dang-nhap?t={token}")
            await chat.wait_for(".who", ADMIN)
            query = "&".join(f"{k}={v}" for k, v in NOVEMBER.items())
            await chat.open(f"{state.base_url}{HOME}?{query}")
            await chat.wait_for("h2", words.HEADING)
            # Figures not ready within the page's wait come with its next (self-)reload.
            charts = await chat.wait_until(lambda: all_charts(chat.driver), "the six charts")
            for title, shown_width, shown_height in charts:
                assert shown_width >= min(300, width - 40) and shown_height > 60, title
            for selector in ("#kenh svg", "#muc svg", "#danh-gia svg", "#thong-bao svg"):
                await chat.wait_for(selector, visible=True)
            assert await chat.script(SIDEWAYS) <= 0, "the page scrolls sideways"
            await chat.screenshot(output_dir / f"console-insights-{name}.png")
            await chat.script("document.querySelector('#kenh-theo-ngay').scrollIntoView()")
            await chat.screenshot(output_dir / f"console-insights-daily-{name}.png")
            await chat.script("document.querySelector('#muc').scrollIntoView()")
            await chat.screenshot(output_dir / f"console-insights-sections-{name}.png")
            await chat.script("document.querySelector('#thong-bao').scrollIntoView()")
            await chat.screenshot(output_dir / f"console-insights-broadcasts-{name}.png")
            link = await chat.wait_for("#kenh .downloads a[href*='.csv']")
            href = link.get_attribute("href")
            status, kind, disposition, data = await chat.run(
                chat.driver.execute_async_script, FETCH_CSV, href
            )
            assert (status, kind) == (200, "text/csv; charset=utf-8")
            assert "attachment" in disposition
            text = bytes(data).decode("utf-8")
            assert text.startswith("\ufeff" + ",".join(words.COLUMNS["channel"]))
            assert "Zalo OA,3,30%" in text
            await chat.open(f"{state.base_url}{HOME}/nam?nam=2026")
            await chat.wait_for("#nam-tong", words.YEAR_ROWS["reached"])
            assert await chat.script(SIDEWAYS) <= 0, "the year page scrolls sideways"
            await chat.screenshot(output_dir / f"console-insights-year-{name}.png")
        finally:
            await chat.reset()
