"""Web chat under load: 50 API clients at once, and the page's weight.

The bot runs as its own process (`python -m bot run`, defaults: only the web chat).
Each client gets a session (cookie), then asks its questions one after another through
``POST /api/ask``. Measured: answers per second, p50/p95 per answer, and the bytes a
first visit transfers (page, script, styles, theme; nothing from a CDN).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import aiohttp

from scripts.benchmarks.common import BotProcess, percentile, resources

PAGE_PARTS = (
    "/",
    "/static/chat.js",
    "/static/chat.css",
    "/theme.css",
    "/static/icon.svg",
    "/api/session",
)


async def run(questions: list[str], clients: int, rounds: int, cache: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        # One IP and one browser visitor play many people here.
        env = {"WEB_REQUESTS_PER_MINUTE": "100000", "FLOOD_LIMIT": "100000"}
        async with BotProcess(Path(tmp), env, cache) as bot:
            weight = await page_weight(bot.url)
            rendered = await asyncio.to_thread(browser_times, bot.url, questions)
            result = await bot.measure(_ask(bot.url, questions, clients, rounds))
    result["page_kb"] = weight / 1024
    result["rendered"] = rendered
    return result


def browser_times(url: str, questions: list[str]) -> list[float]:
    """Enter → answer on screen in headless Chromium, per question ([] without a browser)."""
    from tests.web.browser_timing import measure_answer_times
    from tests.web.support import missing_browser, new_browser

    if missing_browser():
        return []
    browser = new_browser()
    try:
        return measure_answer_times(browser, url, questions)
    finally:
        browser.quit()


async def page_weight(url: str) -> int:
    total = 0
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        for part in PAGE_PARTS:
            async with http.get(url + part) as response:
                total += len(await response.read()) + sum(
                    len(k) + len(v) + 4 for k, v in response.raw_headers
                )
    return total


async def _ask(url: str, questions: list[str], clients: int, rounds: int) -> dict:
    latencies: list[float] = []

    async def client(n: int, count: int) -> None:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            async with http.get(url + "/api/session") as response:
                await response.read()
            for r in range(count):
                question = questions[(n * rounds + r) % len(questions)]
                started = time.perf_counter()
                async with http.post(url + "/api/ask", json={"text": question}) as response:
                    if response.status != 200:
                        raise RuntimeError(f"/api/ask answered {response.status}")
                    await response.read()
                latencies.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(client(n, 1) for n in range(clients)))  # warm-up
    latencies.clear()
    started = time.perf_counter()
    await asyncio.gather(*(client(n, rounds) for n in range(clients)))
    seconds = time.perf_counter() - started
    return {
        "answers": len(latencies),
        "answers_per_s": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 0.5),
        "p95_ms": percentile(latencies, 0.95),
    }


def rendered(times: list[float]) -> str:
    if not times:
        return "headless Chromium not installed: no browser timing\n"
    return (
        f"Headless Chromium, Enter → answer rendered over {len(times)} questions: "
        f"p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms\n"
    )


def report(result: dict, clients: int) -> str:
    return (
        f"Web API, {clients} clients asking at once ({result['answers']} answers): "
        f"{result['answers_per_s']:.1f} answers/s, p50 {result['p50_ms']:.0f} ms, "
        f"p95 {result['p95_ms']:.0f} ms; first visit transfers {result['page_kb']:.1f} KB\n"
        + rendered(result["rendered"])
        + resources(result)
    )
