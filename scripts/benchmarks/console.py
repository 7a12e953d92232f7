"""The officers' console on a year of a district's data: every page's time.

Generates the data (``scripts/console_data``: 1,000,000 messages, 10,000 tickets, the
units' broadcasts and deliveries) in a PostgreSQL database of its own, starts the bot as
deployed (`python -m bot run`), signs in with one-time links from `python -m bot
login-link` as an admin and as one ward's officer, and walks the console: from the inbox,
every console link two clicks deep (the sections, periods, units, a ticket, a broadcast,
each CSV and SVG), plus the inbox's search and JSON. Each page is asked once cold, then
three times more; times are on the loopback (the server's time plus well under a
millisecond). A statistics page that answers "Đang tính…" (its figures are still being
computed in the background) is noted with the time until it is whole.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import time
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import aiohttp

from scripts.benchmarks.common import BotProcess, login_link, percentile

DATABASE = "console_bench"
SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/"
ADMIN = "telegram:1"
OFFICER = "telegram:700001"  # the generated first ward's officer
WARM = 3
MAX_PAGES = 120
SKIP = re.compile(r"/console/(dang-nhap|dang-xuat)|\.png$|/anh$")
EXTRA = (  # what no link leads to: searches, live fragments, forms' downloads
    "/console/?q=ca+nhan",
    "/console/?dong=1&q=hoi",
    "/console/api/yeu-cau?dong=1",
    "/console/hop-thu",
    "/console/so-lieu/nam.csv",
    "/console/so-lieu/nam-tong.csv",
    "/console/so-lieu/yeu-cau-chi-tiet.csv",
    "/console/so-lieu/yeu-cau-chi-tiet.csv?ca-nhan=1",
    "/console/so-lieu/thong-bao-chi-tiet.csv",
    "/console/so-lieu/cau-hoi-chua-tra-loi?format=csv",
)
DERIVED = (  # a ticket's and a broadcast's live parts and JSON
    (
        re.compile(r"^/console/yeu-cau/(\d+)$"),
        ("/console/yeu-cau/{}/hoi-thoai", "/console/api/yeu-cau/{}"),
    ),
    (re.compile(r"^/console/thong-bao/(\d+)$"), ("/console/thong-bao/{}/tien-do",)),
)


async def run(messages: int, tickets: int, reuse: bool) -> dict:
    url = SERVER + DATABASE
    generated = None
    if not reuse:
        await _fresh_database()
        from scripts.console_data import fill

        began = time.perf_counter()
        counts = await fill(url, messages, tickets, replace=True)
        generated = (counts, time.perf_counter() - began)
    with tempfile.TemporaryDirectory() as tmp:
        # One client walking a hundred pages a minute: not the web chat's visitor limit.
        env = {"DATABASE_URL": url, "ADMINS": ADMIN, "WEB_GETS_PER_MINUTE": "100000"}
        async with BotProcess(Path(tmp), env) as bot:
            env = {**bot.env, "PUBLIC_BASE_URL": bot.url}
            result = {"generated": generated}
            for who in (ADMIN, OFFICER):
                link = login_link(env, who)
                result[who] = await _walk(bot.url, link)
    return result


async def _fresh_database() -> None:
    import asyncpg

    connection = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        await connection.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        await connection.close()


async def _walk(base: str, link: str) -> list[dict]:
    timings: list[dict] = []
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.get(link) as signed:
            assert signed.status == 200, f"sign-in refused: {signed.status}"
        seen: set[str] = set()
        frontier = ["/console/", *EXTRA]
        for _depth in range(3):
            found: list[str] = []
            for path in frontier:
                if path in seen or len(seen) >= MAX_PAGES:
                    continue
                seen.add(path)
                timing, body = await _time_page(http, base + path)
                timings.append({"path": path, **timing})
                found += _links(path, body)
            frontier = found
    return timings


async def _time_page(http: aiohttp.ClientSession, url: str) -> tuple[dict, str]:
    from bot.strings.console_insights import PENDING

    times, body, status = [], "", 0
    for _ in range(1 + WARM):
        began = time.perf_counter()
        async with http.get(url) as response:
            body = await response.text(errors="replace")
            status = response.status
        times.append((time.perf_counter() - began) * 1000)
    timing = {"status": status, "cold_ms": times[0], "warm_ms": percentile(times[1:], 0.5)}
    if PENDING in body:  # figures still computed in the background: how long until whole
        began = time.perf_counter()
        while PENDING in body and time.perf_counter() - began < 120:
            await asyncio.sleep(0.5)
            async with http.get(url) as response:
                body = await response.text(errors="replace")
        timing["whole_after_s"] = time.perf_counter() - began + times[-1] / 1000
    return timing, body


def _links(page: str, body: str) -> list[str]:
    links = []
    for href in re.findall(r'href="([^"#]+)"', body):
        target = urlsplit(urljoin(page, unescape(href)))
        path = target.path + (f"?{target.query}" if target.query else "")
        if target.path.startswith("/console/") and not SKIP.search(target.path):
            links.append(path)
            for pattern, parts in DERIVED:
                found = pattern.match(target.path)
                links += [part.format(found.group(1)) for part in parts] if found else []
    return links


def report(result: dict) -> str:
    lines = []
    if result["generated"]:
        counts, seconds = result["generated"]
        made = ", ".join(f"{table} {n:,}" for table, n in counts.items())
        lines.append(f"generated in {seconds:.0f} s: {made}")
    for who in (ADMIN, OFFICER):
        pages = result[who]
        role = "admin" if who == ADMIN else "officer of one ward"
        over = [p for p in pages if p["cold_ms"] > 500 or p["warm_ms"] > 500]
        failed = [p for p in pages if p["status"] >= 500]
        cold = [p["cold_ms"] for p in pages]
        warm = [p["warm_ms"] for p in pages]
        lines.append(
            f"{role}: {len(pages)} pages; cold p50 {percentile(cold, 0.5):.0f} ms, p95 "
            f"{percentile(cold, 0.95):.0f} ms, max {max(cold):.0f} ms; warm p50 "
            f"{percentile(warm, 0.5):.0f} ms, max {max(warm):.0f} ms; over 500 ms: "
            f"{len(over)}; 5xx: {len(failed)}"
        )
        for page in sorted(pages, key=lambda p: -p["cold_ms"])[:8]:
            whole = (
                f", whole after {page['whole_after_s']:.1f} s" if "whole_after_s" in page else ""
            )
            lines.append(
                f"   {page['cold_ms']:6.0f} / {page['warm_ms']:4.0f} ms  {page['status']}  "
                f"{page['path']}{whole}"
            )
    return "\n".join(lines)
