#!/usr/bin/env python3
"""Fuzz every public HTTP endpoint of the bot: `python scripts/fuzz.py --seed N --count 10000`.

Starts the real bot (`python -m bot run`) on a free 127.0.0.1 port with a fresh SQLite
database (or ``--database-url``), its Telegram, Zalo OA and Zalo Bot webhooks live and
pointed at the loopback fakes of tests/fakes, then sends ``--count`` seeded hostile
requests (8 at a time, 15 s each at most) to the web chat's API, page and files, the
broadcast photos, /healthz and the three webhooks. Case N of seed S is always the same
request (up to the clock in platform events): ``--show N`` prints it, ``--case N`` sends
only it. Afterwards the bot must still answer (web, Telegram, Zalo OA, Zalo Bot), and its
log is searched for tracebacks.

Exit status 1 when any answer was a 5xx, any request timed out, the log has a traceback (or
an ERROR line: the inbox logs failed events without one) or the after-check failed.
Nothing leaves the machine: every address is loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp
from yarl import URL

from scripts.fuzzing import console, platforms, web
from scripts.fuzzing.report import LogWatcher, Report, Result
from scripts.fuzzing.values import Case
from tests.fakes.telegram_api import DEFAULT_TOKEN, FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import DEFAULT_APP_ID, DEFAULT_OA_ID, DEFAULT_OA_SECRET_KEY, FakeZaloOA
from tests.process import BotRun

CONCURRENCY = 8
TIMEOUT = 15.0  # seconds per request; more counts as a "timeout" failure
SSE_READ = 0.3  # seconds an event stream is read before the client hangs up
TELEGRAM_SECRET = "fuzz-telegram-Secret_0123"
ZALO_BOT_SECRET = "fuzz-zalo-bot-secret-0123"
OPERATORS = -1001234567890
OFFICER = 777001
ZALO_USERS = tuple(f"84{9_100_000 + n}" for n in range(40))
VISITORS = 24  # web visitors the cases speak as (introduced by GET /api/session first)
AFTER_QUESTION = "Kế hoạch 57 ban hành ngày nào?"
AFTER_CHAT = 5_550_001
AFTER_ZALO_USER = "8490000001"

# Which endpoint a case aims at, and how often (per 100).
GENERATORS: list[tuple[Callable[[random.Random, web.Context], Case], float]] = [
    (web.ask, 14),
    (web.action, 10),
    (web.session, 6),
    (web.conversation, 5),
    (web.events, 5),
    (web.passage, 7),
    (web.index, 4),
    (web.theme, 3),
    (web.widget, 2),
    (web.static, 5),
    (web.media, 4),
    (web.healthz, 2),
    (console.console, 10),
    (platforms.telegram, 14),
    (platforms.zalo_oa, 10),
    (platforms.zalo_bot, 9),
]


def _made_up(rng: random.Random) -> web.Visitor:
    """A visitor for --show, where no server introduced one (the run asks /api/session)."""
    visitor = f"{rng.getrandbits(128):032x}"
    signature = f"{rng.getrandbits(128):032x}"
    return web.Visitor(visitor, f"{visitor}.{signature}", f"{visitor}.9999999999.{signature}")


async def introduce_visitors(http: aiohttp.ClientSession, target: str) -> tuple[web.Visitor, ...]:
    """VISITORS new visitors, as GET /api/session introduces them to a new page."""
    found: list[web.Visitor] = []
    deadline = time.monotonic() + 60  # /healthz answers a moment before the channels start
    while len(found) < VISITORS:
        async with http.get(f"{target}/api/session") as response:
            body = await response.json(content_type=None)
        if response.status == 503 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            continue
        if response.status != 200 or not isinstance(body, dict):
            raise RuntimeError(f"GET /api/session answered {response.status}: {body}")
        visitor = str(body["visitor"])
        found.append(
            web.Visitor(visitor, str(body.get("token") or visitor), str(body.get("stream") or ""))
        )
    return tuple(found)


def context(
    seed: int, visitors: tuple[web.Visitor, ...] = (), signed_in: object = None
) -> web.Context:
    rng = random.Random(f"{seed}/context")
    passages = json.loads((ROOT / "index" / "passages.json").read_text(encoding="utf-8"))
    return web.Context(
        telegram_secret=TELEGRAM_SECRET,
        zalo_bot_secret=ZALO_BOT_SECRET,
        zalo_app_id=DEFAULT_APP_ID,
        zalo_oa_id=DEFAULT_OA_ID,
        zalo_oa_key=DEFAULT_OA_SECRET_KEY,
        visitors=visitors or tuple(_made_up(rng) for _ in range(VISITORS)),
        zalo_users=ZALO_USERS,
        operator_chat=OPERATORS,
        officer=OFFICER,
        bot_user_id=int(DEFAULT_TOKEN.split(":")[0]),
        static_names=tuple(sorted(p.name for p in (ROOT / "bot" / "web" / "static").iterdir())),
        sections=tuple(dict.fromkeys(p["section"] for p in passages)),
        doc=passages[0]["doc"],
        console=signed_in,
    )


def make_case(seed: int, index: int, ctx: web.Context) -> Case:
    """Case ``index`` of ``seed``: its own generator, so any case can be made alone."""
    rng = random.Random(f"{seed}/{index}")
    makers, weights = zip(*GENERATORS, strict=True)
    return rng.choices(makers, weights)[0](rng, ctx)


# ---- the bot and its fakes ----------------------------------------------------------------------
@dataclass
class Target:
    url: str
    bot: BotRun
    telegram: FakeTelegram
    zalo_oa: FakeZaloOA
    zalo_bot: FakeZaloBot


@contextlib.asynccontextmanager
async def started_bot(
    database_url: str | None, logs: Path, tmp: Path, name: str = "bot"
) -> AsyncIterator[Target]:
    """``python -m bot run`` with every channel on, webhooks pointed at loopback fakes."""
    async with FakeTelegram() as telegram, FakeZaloOA() as zalo_oa, FakeZaloBot() as zalo_bot:
        for n, user in enumerate(ZALO_USERS):
            zalo_oa.add_user(user, f"Người dân {n}")
        env = {key.upper(): value for key, value in zalo_oa.bot_settings().items()}
        env.update(
            WEB_ENABLED="true",
            TELEGRAM_BOT_TOKEN=telegram.token,
            TELEGRAM_API_BASE_URL=telegram.base_url,
            TELEGRAM_WEBHOOK_URL="https://bot.example.vn/telegram/webhook",
            TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
            TELEGRAM_OPERATOR_CHAT_ID=str(OPERATORS),
            ZALO_BOT_TOKEN=zalo_bot.token,
            ZALO_BOT_API_BASE_URL=zalo_bot.base_url,
            ZALO_BOT_WEBHOOK_URL="https://bot.example.vn/zalo/bot/webhook",
            ZALO_BOT_WEBHOOK_SECRET=ZALO_BOT_SECRET,
            OFFICERS=f"telegram:{OFFICER}=UBND phường Thử Nghiệm",
            ADMINS=f"telegram:{OFFICER}",
            FLOOD_LIMIT="1000000",  # rate limits would hide what comes after them
            WEB_REQUESTS_PER_MINUTE="1000000",
            WEB_GETS_PER_MINUTE="1000000",
            WEB_STREAMS_PER_ADDRESS="100000",
            TRUSTED_PROXIES="127.0.0.1/32",  # so X-Forwarded-For / Forwarded are read
            ENGINE_PROCESS="true",  # as deployed
            DATA_DIR=str(tmp / "data"),
            MODEL_CACHE_DIR=os.environ.get("MODEL_CACHE_DIR", str(ROOT / "data" / "models")),
            HF_HUB_OFFLINE="1",
            TRANSFORMERS_OFFLINE="1",
            PUBLIC_BASE_URL="",
            LOG_LEVEL="WARNING",
        )
        (tmp / "data").mkdir(exist_ok=True)
        url = database_url or f"sqlite+aiosqlite:///{tmp / 'bot.db'}"
        bot = BotRun(name, url, logs, **env).start()
        try:
            await bot.wait_healthy(timeout=300)
            yield Target(f"http://127.0.0.1:{bot.port}", bot, telegram, zalo_oa, zalo_bot)
        finally:
            await asyncio.to_thread(bot.stop)  # the fakes keep answering while it finishes


def rss_mb(pid: int) -> tuple[float, float]:
    """VmRSS (MB) of a process, and of all its descendants together (the engine)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    family = {pid}
    while grown := {p for p, parent in parents.items() if parent in family} - family:
        family |= grown
    sizes = dict.fromkeys(family, 0.0)
    for member in family:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes[member] = int(line.split()[1]) / 1024
    return sizes.pop(pid), sum(sizes.values())


# ---- sending ------------------------------------------------------------------------------------
async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 16_384):
        yield data[start : start + 16_384]


async def send(http: aiohttp.ClientSession, base: str, case: Case, index: int) -> Result:
    assert URL(base).host == "127.0.0.1", "the fuzzer only talks to loopback"
    data = _chunks(case.body) if case.chunked and case.body is not None else case.body
    started = time.monotonic()
    body = b""
    try:
        async with asyncio.timeout(TIMEOUT):
            async with http.request(
                case.method,
                URL(base + case.path, encoded=True),
                data=data,
                headers=case.headers,
                skip_auto_headers=("Content-Type",),
            ) as response:
                if case.stream:  # SSE: the headers came; read a little and hang up
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(SSE_READ):
                            body = await response.content.read(512)
                else:
                    body = await response.read()
    except TimeoutError:
        return Result(index, case.endpoint, case.label, None, "timeout", seconds=TIMEOUT)
    except (aiohttp.ClientError, OSError) as exc:
        failure = f"conn: {type(exc).__name__}"
        return Result(
            index, case.endpoint, case.label, None, failure, seconds=time.monotonic() - started
        )
    seconds = time.monotonic() - started
    return Result(
        index, case.endpoint, case.label, response.status, body=body[:300], seconds=seconds
    )


async def fuzz(
    target: str,
    seed: int,
    indices: Iterable[int],
    report: Report,
    *,
    watcher: LogWatcher | None = None,
    concurrency: int = CONCURRENCY,
    on_result: Callable[[Case, Result], None] | None = None,
    bot_env: dict[str, str] | None = None,
) -> None:
    """Send the cases, ``concurrency`` at a time; each new traceback in the log is laid at
    the door of the requests in flight when it appeared."""
    pending = iter(indices)
    in_flight: dict[int, Case] = {}
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=True)
    async with aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=True
    ) as http:
        signed_in = None
        if bot_env is not None:  # the console's cases sign in as the admin
            signed_in = await console.console_session(http, target, bot_env, f"telegram:{OFFICER}")
        ctx = context(seed, await introduce_visitors(http, target), signed_in)

        async def worker() -> None:
            for index in pending:  # one iterator shared by the workers
                case = in_flight[index] = make_case(seed, index, ctx)
                result = await send(http, target, case, index)
                report.add(result)
                if watcher is not None:
                    watcher.poll(list(in_flight.items()))
                del in_flight[index]
                if on_result is not None:
                    on_result(case, result)

        await asyncio.gather(*(worker() for _ in range(concurrency)))


# ---- does it still answer? ----------------------------------------------------------------------
async def _check(name: str, checks: dict[str, str], attempt: Callable[[], object]) -> None:
    try:
        result = attempt()
        if asyncio.iscoroutine(result):
            result = await result
        checks[name] = "" if result is None else str(result)
    except Exception as exc:  # whatever went wrong is the finding
        checks[name] = f"{type(exc).__name__}: {exc}"[:300]


async def after_check(target: Target) -> dict[str, str]:
    """A plain question on each channel gets its answer: "" per check when it did."""
    checks: dict[str, str] = {}
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as http:

        async def healthz() -> str | None:
            async with http.get(f"{target.url}/healthz") as response:
                return None if response.status == 200 else f"status {response.status}"

        async def web_ask() -> str | None:
            body = {"text": AFTER_QUESTION, "client_id": "after-check"}
            async with http.get(f"{target.url}/api/session") as response:
                if response.status != 200:
                    return f"GET /api/session answered {response.status}"
                session = await response.json()
            headers = {"X-Visitor": str(session.get("token") or session["visitor"])}
            async with http.post(f"{target.url}/api/ask", json=body, headers=headers) as response:
                if response.status != 200:
                    return f"status {response.status}: {(await response.text())[:200]}"
                messages = (await response.json()).get("messages")
            return None if messages else "200 without messages"

        async def telegram() -> str | None:
            since = len(target.telegram.calls)
            update = target.telegram.text_update(AFTER_CHAT, AFTER_CHAT, AFTER_QUESTION)
            headers = {platforms.TELEGRAM_SECRET_HEADER: TELEGRAM_SECRET}
            url = f"{target.url}/telegram/webhook"
            async with http.post(url, json=update, headers=headers) as response:
                if response.status != 200:
                    return f"webhook answered {response.status}"
            await target.telegram.wait_for_message(AFTER_CHAT, timeout=60, since=since)
            return None

        async def zalo_oa() -> str | None:
            user = AFTER_ZALO_USER  # a newcomer: no state the cases left behind
            target.zalo_oa.add_user(user, "Người kiểm tra")
            since = len(target.zalo_oa.calls)
            event = target.zalo_oa.text_event(user, AFTER_QUESTION)
            status, _, _ = await target.zalo_oa.deliver_event(
                f"{target.url}/zalo/oa/webhook", event
            )
            if status != 200:
                return f"webhook answered {status}"
            await target.zalo_oa.wait_for_cs(user, timeout=60, since=since)
            return None

        async def zalo_bot() -> str | None:
            since, chat = len(target.zalo_bot.calls), "after0check"
            update = target.zalo_bot.text_update(chat, chat, AFTER_QUESTION)
            url = f"{target.url}/zalo/bot/webhook"
            status, _ = await target.zalo_bot.deliver_webhook(url, update, ZALO_BOT_SECRET)
            if status != 200:
                return f"webhook answered {status}"
            await target.zalo_bot.wait_for_message(chat, timeout=60, since=since)
            return None

        await _check("GET /healthz is 200", checks, healthz)
        await _check("web /api/ask answers", checks, web_ask)
        await _check("Telegram text gets a reply", checks, telegram)
        await _check("Zalo OA text gets a reply", checks, zalo_oa)
        await _check("Zalo Bot text gets a reply", checks, zalo_bot)
    return checks


# ---- the whole run --------------------------------------------------------------------------------
async def run_fuzz(
    seed: int,
    count: int,
    *,
    database_url: str | None = None,
    keep_logs: Path | None = None,
    only: list[int] | None = None,
    concurrency: int = CONCURRENCY,
    progress: bool = False,
) -> Report:
    """Start the bot, send ``count`` cases of ``seed`` (or just ``only``), check that it
    still answers, stop it and read its log."""
    indices = list(only) if only else list(range(count))
    report = Report(seed, len(indices))
    done = 0

    def on_result(case: Case, result: Result) -> None:
        nonlocal done
        done += 1
        if only:
            print(f"#{result.index} {case.describe(2000)}\n  -> {result.status or result.failure} "
                  f"{result.seconds:.2f}s {result.body[:300]!r}", flush=True)  # fmt: skip
        elif progress and done % 500 == 0:
            print(f"  {done}/{len(indices)} sent, {report.server_errors} x 5xx, "
                  f"{report.timeouts} timeouts", file=sys.stderr, flush=True)  # fmt: skip

    with tempfile.TemporaryDirectory(prefix="fuzz-") as scratch:
        tmp = Path(scratch)
        logs = keep_logs or tmp
        logs.mkdir(parents=True, exist_ok=True)
        name = f"fuzz-seed{seed}-{time.strftime('%Y%m%d-%H%M%S')}"
        async with started_bot(database_url, logs, tmp, name) as target:
            bot = target.bot
            watcher = LogWatcher(bot.log_path, report)
            watcher.poll([], note="while starting")
            report.rss_start = rss_mb(bot.pid)
            started = time.monotonic()
            await fuzz(
                target.url, seed, indices, report,
                watcher=watcher, concurrency=concurrency, on_result=on_result,
                bot_env=bot.env,
            )  # fmt: skip
            report.seconds = time.monotonic() - started
            report.after_check = await after_check(target)
            watcher.poll([], note="during the after-check (or late background work)")
            report.rss_end = rss_mb(bot.pid)
        watcher.poll([], note="while stopping", final=True)
        report.log_path = str(bot.log_path) if keep_logs else ""
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=10_000, help="requests to send")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    parser.add_argument("--keep-logs", type=Path, metavar="DIR", help="keep the bot's log here")
    parser.add_argument("--case", type=int, action="append", help="send only case N (repeatable)")
    parser.add_argument("--show", type=int, action="append", help="print case N, send nothing")
    parser.add_argument(
        "--concurrency", type=int, default=CONCURRENCY, help="1: each traceback has one suspect"
    )
    args = parser.parse_args(argv)
    if args.show:
        ctx = context(args.seed)
        for index in args.show:
            case = make_case(args.seed, index, ctx)
            print(f"#{index} {case.endpoint} [{case.label}]\n  {case.describe(2000)}")
        return 0
    report = asyncio.run(
        run_fuzz(
            args.seed,
            args.count,
            database_url=args.database_url,
            keep_logs=args.keep_logs,
            only=args.case,
            concurrency=args.concurrency,
            progress=True,
        )
    )
    print(report.summary())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
