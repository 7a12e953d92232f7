"""The web chat in a real browser: headless Chromium and the real bot with the fake Telegram.

``browser`` is one Chromium for the session (the tests skip, with the reason, where
/usr/bin/chromium or /usr/bin/chromedriver is missing; .ci/run installs both). ``chat`` is that
browser as a fresh visitor (no cookies), awaited through :class:`tests.web.support.Page`.
``bot`` is the whole bot (``bot.app.running``: real engine, SQLite store, aiohttp server on a
free port) with the fake Telegram Bot API and its operators' group, so that tickets opened from
the web reach the group and an operator's reply comes back through the Telegram webhook.
``launch_bot(**settings)`` starts one with other settings (e.g. ``web_allowed_origins``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from bot.app import Running, running
from bot.config import Settings
from tests.answering.support import repo_settings
from tests.fakes.answerer import FakeAnswerer, cited
from tests.fakes.telegram_api import FakeTelegram
from tests.web.audit import console_errors
from tests.web.support import WINDOW, LocalSite, Page, missing_browser, new_browser, page

OPERATORS = -1001234567890
OFFICER = 777001
SECRET = "s3cr3t-Token_ok"
PORTAL = "https://cong.hanoi.example.vn"  # a portal allowed to embed the chat
GOAL = "muc tieu thu nhap binh quan dau nguoi nam 2045"
GOAL_ANSWER = cited("II.2.2", "Đến năm 2045, thu nhập bình quân đầu người đạt trên 42.000 USD.")
GOAL_PASSAGE = "Thu nhập trên 42.000 USD; GRDP bình quân đầu người khoảng 95.000 USD."
VIEWPORTS = {"phone": (390, 844), "desktop": (1366, 900)}  # issue 14's two screens
OUTPUT_DIR = Path(__file__).resolve().parents[1] / "output"  # tests/output/ (git-ignored)


@pytest.fixture(scope="session")
def browser() -> Iterator[WebDriver]:
    """One headless Chromium (system browser and driver) for the whole session."""
    why = missing_browser()
    if why:
        pytest.skip(f"browser tests need the system Chromium: {why}")
    driver = new_browser()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
async def chat(browser: WebDriver) -> Page:
    """The browser as a new visitor: a blank tab, no cookies."""
    fresh = page(browser)
    await fresh.reset()
    return fresh


@pytest.fixture
def answerer() -> FakeAnswerer:
    """The API tests' answerer: one question with its cited answer and passage."""
    return FakeAnswerer({GOAL: GOAL_ANSWER}, {"II.2.2": GOAL_PASSAGE})


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        server.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")
        yield server


def web_settings(fake: FakeTelegram, database_url: str, **overrides) -> Settings:
    values = {
        "database_url": database_url,
        "http_host": "127.0.0.1",
        "http_port": 0,  # any free port
        "telegram_bot_token": fake.token,
        "telegram_api_base_url": fake.base_url,
        "telegram_operator_chat_id": str(OPERATORS),
        "telegram_webhook_url": "https://bot.example.vn/telegram/webhook",
        "telegram_webhook_secret": SECRET,
        "office_days": "1-7",
        "office_hours": "00:00-23:59",
    }
    return repo_settings(**{**values, **overrides})


@dataclass
class WebBot:
    """A running bot and the fake Telegram its operators' desk lives on."""

    state: Running
    fake: FakeTelegram

    @property
    def base_url(self) -> str:
        return self.state.base_url

    async def ticket_post(self, *, since: int = 0, timeout: float = 10.0) -> tuple[int, str]:
        """Message id and text of the first post in the operators' group (from call ``since``)."""
        call = await self.fake.wait_for(
            lambda c: c.method == "sendMessage" and c.ok and c.chat_id == OPERATORS,
            timeout,
            since=since,
        )
        return call.result["message_id"], call.params["text"]

    async def operator_reply(self, post_id: int, text: str, name: str = "Cán bộ Lan") -> None:
        """An officer answers a ticket post in the group, delivered to the bot's webhook."""
        update = self.fake.text_update(
            OPERATORS, OFFICER, text, first_name=name, reply_to_message_id=post_id
        )
        status = await self.fake.deliver_webhook(update, url=f"{self.base_url}/telegram/webhook")
        assert status == 200, f"the Telegram webhook answered {status}"


LaunchBot = Callable[..., AbstractAsyncContextManager[WebBot]]


@pytest.fixture
def launch_bot(browser: WebDriver, engine, fake: FakeTelegram, tmp_path: Path) -> LaunchBot:
    """``async with launch_bot(**settings) as bot:`` the real bot on a fresh SQLite database.

    ``browser`` comes first so that the tests skip before the model loads when Chromium is
    missing. Before the bot stops, the browser leaves its pages (closing their event streams).
    """
    launched = 0

    @asynccontextmanager
    async def launch(**overrides) -> AsyncIterator[WebBot]:
        nonlocal launched
        launched += 1
        database_url = f"sqlite+aiosqlite:///{tmp_path / f'web{launched}' / 'bot.db'}"
        async with running(web_settings(fake, database_url, **overrides), engine) as state:
            try:
                yield WebBot(state, fake)
            finally:
                await page(browser).reset()

    return launch


@pytest.fixture
async def bot(launch_bot: LaunchBot) -> AsyncIterator[WebBot]:
    async with launch_bot() as running_bot:
        yield running_bot


@pytest.fixture
async def site() -> AsyncIterator[LocalSite]:
    """A small web site of the test's own on 127.0.0.1 (another port): ``site.pages[path]``."""
    async with LocalSite() as local:
        yield local


@pytest.fixture
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


@pytest.fixture(params=list(VIEWPORTS))
async def screen(request, browser: WebDriver) -> AsyncIterator[tuple[str, int, int]]:
    """The browser's viewport for the test: a phone or a desktop."""
    width, height = VIEWPORTS[request.param]
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
    )
    console_errors(browser)  # start with an empty console
    try:
        yield request.param, width, height
    finally:
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": WINDOW[0], "height": WINDOW[1], "deviceScaleFactor": 1, "mobile": True},
        )
