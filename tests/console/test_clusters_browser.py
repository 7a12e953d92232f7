"""The unanswered questions' page in headless Chromium, on a phone and on a desktop: the
clusters are listed, an example list opens, the page never scrolls sideways; screenshots
for the issue's note (150 generated questions, the fake answerer's vectors)."""

from __future__ import annotations

import pytest

from bot.app import running
from bot.console.clusters import Clusters
from bot.strings import console_clusters as words
from scripts.benchmarks.cluster_topics import questions
from tests.console.test_clusters_job import ask
from tests.fakes.answerer import FakeAnswerer
from tests.web.conftest import screen, web_settings  # noqa: F401  (the phone / desktop viewports)
from tests.web.support import Page

pytestmark = pytest.mark.slow

ADMIN = "telegram:9001"
SIDEWAYS = "return document.documentElement.scrollWidth - window.innerWidth"
WARDS = ("ba dinh", "kim lien", None)


async def test_the_clusters_page_on_a_phone_and_a_desktop(
    chat: Page,
    screen,  # noqa: F811  (the fixture imported above)
    fake,
    tmp_path,
    output_dir,
) -> None:
    name, _, _ = screen
    settings = web_settings(fake, f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", admins=ADMIN)
    async with running(settings, FakeAnswerer()) as state:
        try:
            for n, (text, _, _) in enumerate(questions(150, seed=3)):
                await ask(state.store, 1000 + n % 60, text, area=WARDS[n % 3], days=n % 20)
            job = next(p for p in state.console.parts if isinstance(p, Clusters)).job
            assert await job.run()
            token = await state.console.sign_in.new_link_token(ADMIN)
            await chat.open(f"{state.base_url}/console/dang-nhap?t={token}")
            await chat.wait_for(".who", ADMIN)
            await chat.open(f"{state.base_url}/console/so-lieu/cau-hoi-chua-tra-loi")
            await chat.wait_for("section.clusters h3", words.TITLE)
            assert await chat.count("article.cluster") >= 5
            assert await chat.script(SIDEWAYS) <= 0
            await chat.screenshot(output_dir / f"console-clusters-{name}.png")
            await chat.script("document.querySelector('article.cluster').scrollIntoView()")
            await chat.screenshot(output_dir / f"console-clusters-list-{name}.png")
            await chat.click("article.cluster details summary")
            await chat.wait_until(
                lambda: chat.driver.execute_script(
                    "return document.querySelector('article.cluster details').open"
                ),
                "the examples open",
            )
            assert await chat.script(SIDEWAYS) <= 0
        finally:
            await chat.reset()
