"""Headless Chromium for the web chat tests, and an async face for Selenium's blocking calls.

The system browser and driver are used (Debian's ``chromium`` and ``chromium-driver``): the
driver path is given to ``Service`` so Selenium Manager never runs and nothing is downloaded.

Every Selenium call blocks until Chromium answers, and Chromium may be waiting for the bot
that runs on the test's event loop; so the tests go through :class:`Page`, whose methods run
each call in a worker thread (``asyncio.to_thread``) and leave the loop free to serve.
No pytest import here: ``scripts/bench.py`` may use :func:`new_browser` too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WINDOW = (420, 900)  # a phone-sized window
DEFAULT_TIMEOUT = 45.0  # a busy 2-core machine; waits end as soon as the page shows it
POLL = 0.05  # seconds between two looks at the page

T = TypeVar("T")
Scope = WebDriver | WebElement


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if missing:
        return (
            f"{' and '.join(missing)} not installed "
            "(apt-get install chromium chromium-driver; .ci/run does it)"
        )
    return None


def new_browser() -> WebDriver:
    """Headless Chromium with a phone-sized window and Vietnamese as the page language."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        "--lang=vi",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-search-engine-choice-screen",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "vi-VN,vi"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console errors
    service = Service(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(service=service, options=options)
    # Headless Chromium keeps windows at least 500 px wide: emulate the phone's viewport.
    width, height = WINDOW
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True},
    )
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


def text_of(element: WebElement) -> str:
    """What the reader sees (hidden parts excluded), or "" for an element gone stale."""
    try:
        return element.text
    except StaleElementReferenceException:
        return ""


def message_texts(driver: WebDriver) -> list[str]:
    """``class: text`` of every message in ``#messages``, for failure reports."""
    lines = []
    for item in driver.find_elements(By.CSS_SELECTOR, "#messages > *"):
        try:
            kind = item.get_attribute("class") or item.tag_name
            body = " ".join(item.text.split())
        except StaleElementReferenceException:
            continue
        lines.append(f"[{kind}] {body[:160]}")
    return lines


class Page:
    """The browser, awaited: every Selenium call runs in a worker thread."""

    def __init__(self, driver: WebDriver, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.driver = driver
        self.timeout = timeout

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def open(self, url: str) -> None:
        await self.run(self.driver.get, url)

    async def refresh(self) -> None:
        await self.run(self.driver.refresh)

    async def script(self, source: str, *args: Any) -> Any:
        return await self.run(self.driver.execute_script, source, *args)

    async def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not await self.run(self.driver.save_screenshot, str(path)):
            raise AssertionError(f"could not save a screenshot to {path}")
        return path

    async def find_all(self, css: str, within: Scope | None = None) -> list[WebElement]:
        return await self.run((within or self.driver).find_elements, By.CSS_SELECTOR, css)

    async def count(self, css: str, within: Scope | None = None) -> int:
        return len(await self.find_all(css, within))

    async def wait_for(
        self,
        css: str,
        text: str | None = None,
        timeout: float | None = None,
        *,
        within: Scope | None = None,
        after: int = 0,
        exact: bool = False,
        visible: bool = True,
    ) -> WebElement:
        """The first element matching ``css`` (from the ``after``-th one on) that is displayed
        (unless ``visible=False``: an empty list has no size) and whose visible text contains
        ``text`` (equals it if ``exact``); AssertionError with what the chat shows if none
        appears within ``timeout`` seconds."""

        def look() -> WebElement | None:
            scope = within or self.driver
            for element in scope.find_elements(By.CSS_SELECTOR, css)[after:]:
                try:
                    if visible and not element.is_displayed():
                        continue
                    seen = element.text
                except StaleElementReferenceException:
                    continue
                if text is None or (seen.strip() == text if exact else text in seen):
                    return element
            return None

        wanted = css + (f" with text {text!r}" if text is not None else "")
        return await self._poll(look, timeout, wanted)

    async def wait_until(
        self, check: Callable[[], T | None], what: str, timeout: float | None = None
    ) -> T:
        """Poll the blocking ``check`` (run in a worker thread) until it returns a truthy value."""
        return await self._poll(check, timeout, what)

    async def _poll(self, look: Callable[[], T | None], timeout: float | None, what: str) -> T:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            try:
                found = await self.run(look)
            except StaleElementReferenceException:
                found = None
            if found:
                return found
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(POLL)
        try:
            shown = await self.run(message_texts, self.driver)
            url = await self.run(lambda: self.driver.current_url)
        except WebDriverException:
            shown, url = [], "?"
        listing = "\n  ".join(shown) or "(no #messages children)"
        raise AssertionError(f"waited in vain for {what} on {url}; the chat shows:\n  {listing}")

    async def type(self, css: str, text: str, *, enter: bool = False) -> WebElement:
        field = await self.wait_for(css)
        keys = (text, Keys.ENTER) if enter else (text,)
        await self.run(field.send_keys, *keys)
        return field

    async def click(self, target: str | WebElement, *, within: Scope | None = None) -> WebElement:
        element = await self.wait_for(target, within=within) if isinstance(target, str) else target
        await self.run(self._click, element)
        return element

    def _click(self, element: WebElement) -> None:
        """Scroll into view, then a real click; a JS click if something covers the element."""
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        try:
            element.click()
        except WebDriverException as exc:
            if "element click intercepted" not in str(exc):
                raise
            self.driver.execute_script("arguments[0].click()", element)

    async def switch_to_frame(self, frame: str | WebElement) -> None:
        element = await self.wait_for(frame) if isinstance(frame, str) else frame
        await self.run(self.driver.switch_to.frame, element)

    async def switch_to_page(self) -> None:
        await self.run(self.driver.switch_to.default_content)

    async def reset(self) -> None:
        """A blank tab with no cookies or storage: each test starts as a new visitor."""
        await self.run(self._reset)

    def _reset(self) -> None:
        self.driver.switch_to.default_content()
        self.driver.get("about:blank")
        # Cookies ignore the port: one bot's visitor cookie would reach the next test's bot.
        # Storage is per origin (port included), and every bot gets a new port.
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class LocalSite:
    """A tiny site on 127.0.0.1 (a free port) for pages the tests need: a portal that embeds
    the widget, or the harness self-test's page. ``pages[path]`` is HTML (read at request
    time, so it may be filled in after the site started); ``routes`` adds handlers."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self._routes: list[tuple[str, str, Handler]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    def route(self, method: str, path: str, handler: Handler) -> None:
        """Add a handler (before ``start``)."""
        self._routes.append((method, path, handler))

    async def __aenter__(self) -> LocalSite:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        app = web.Application()
        for method, path, handler in self._routes:
            app.router.add_route(method, path, handler)
        app.router.add_get("/{path:.*}", self._page)  # last: the routes above come first
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _page(self, request: web.Request) -> web.Response:
        html = self.pages.get("/" + request.match_info["path"])
        if html is None:
            raise web.HTTPNotFound()
        return web.Response(text=html, content_type="text/html", charset="utf-8")


def page(driver: WebDriver, timeout: float = DEFAULT_TIMEOUT) -> Page:
    return Page(driver, timeout)
