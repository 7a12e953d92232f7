"""Every message answered exactly once, whatever instant the bot is killed.

The real bot (``python -m bot run``) on loopback fakes of each platform, a burst of
messages from many people at once, and SIGKILL at five random instants during the
burst; after each kill the bot is started again on the same port and database, and the
clients retry as their platforms do: the web page with the same ``client_id``, Telegram
by redelivering an update its webhook did not acknowledge, Zalo by redelivering an event
until the webhook answers (an acknowledged event is the bot's to keep). At the end each
message has exactly one answer: none lost, none twice.

The instants come from a seeded generator; the seed is in the failure message
(CRASH_SEED=<n> repeats a run).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from bot.store.repository import open_store
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.process import BotRun, free_port, wait_until

pytestmark = pytest.mark.slow

PEOPLE = 20
EACH = 10  # messages per person, one after another (each waits for its answer)
KILLS = 5
SECRET = "crash-s3cr3t-webhook"
# Questions with one short answer each (under every platform's message limit): one
# message per question, so answers can be counted per person.
QUESTIONS = (
    "muc tieu thu nhap binh quan dau nguoi nam 2045",
    "ke hoach 57 do ai ky",
    "ke hoach ban hanh ngay nao",
    "moi thang phai dang bao nhieu tin bai",
    "gia vang hom nay bao nhieu",
    "cuoc thi tim hieu nghi quyet to chuc khi nao",
    "thu do ha noi co bao nhieu dan",
    "ai chiu trach nhiem tuyen truyen tren bao chi",
    "muc dich cua ke hoach la gi",
    "thoi tiet ha noi ngay mai",
    "nghi quyet 02 ban hanh ngay nao",
    "ban tuyen giao co nhiem vu gi",
)
COMMON_ENV = {
    "FLOOD_LIMIT": "1000",  # one person's ten questions and their retries are no flood
    "WEB_REQUESTS_PER_MINUTE": "100000",  # every client is 127.0.0.1
    "ENGINE_PROCESS": "true",  # as deployed: the model does not hold up the event loop
}


def question(person: int, n: int) -> str:
    return QUESTIONS[(person + n) % len(QUESTIONS)]


class Crashes:
    """The bot, killed at ``KILLS`` random points of the burst and started again."""

    def __init__(self, database_url: str, logs: Path, env: dict[str, str]) -> None:
        self.database_url = database_url
        self.logs = logs
        self.env = {**COMMON_ENV, **env}
        self.port = free_port()
        self.seed = int(os.environ.get("CRASH_SEED") or random.randrange(1 << 30))
        self.runs: list[BotRun] = []
        self.kill_points: list[int] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        run = BotRun(f"run-{len(self.runs)}", self.database_url, self.logs, self.port, **self.env)
        self.runs.append(run.start())
        await run.wait_healthy()

    async def during(self, burst: Awaitable[None], progress: Callable[[], int]) -> None:
        """Run ``burst`` while killing the bot at random values of ``progress`` (0…total)."""
        rng = random.Random(self.seed)
        total = PEOPLE * EACH
        self.kill_points = sorted(rng.sample(range(total // 10, total * 9 // 10), KILLS))
        task = asyncio.ensure_future(burst)
        try:
            for point in self.kill_points:
                await wait_until(
                    lambda p=point: progress() >= p or task.done(), [], 300, "a kill point"
                )
                await asyncio.sleep(rng.uniform(0.0, 0.25))  # anywhere inside the next message
                self.runs[-1].kill()
                await self.start()
            await asyncio.wait_for(task, 300)
        finally:
            task.cancel()

    def stop(self) -> None:
        for run in self.runs:
            run.stop()

    def describe(self) -> str:
        tail = "\n".join(f"--- {r.name}\n{r.log()[-1500:]}" for r in self.runs)
        return f"seed {self.seed}, killed at {self.kill_points}\n{tail}"


async def _retrying(attempt: Callable[[], Awaitable[bool]]) -> None:
    """Call ``attempt`` until it says done; a dead bot (refused, reset, 5xx) is retried."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            if await attempt():
                return
        except (aiohttp.ClientError, TimeoutError, ConnectionError):
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("a message was never accepted")


# ---- web: the page retries with the same client_id ------------------------------------
async def test_web_answers_each_question_once_across_kills(store_url: str, tmp_path: Path) -> None:
    crashes = Crashes(store_url, tmp_path, {"WEB_ENABLED": "true"})
    answers: dict[tuple[int, int], list[int]] = {}
    empty: list[tuple[int, int]] = []
    visitors: dict[int, str] = {}

    async def visitor(person: int) -> None:
        timeout = aiohttp.ClientTimeout(total=60)
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar, timeout=timeout) as http:

            async def session() -> bool:
                async with http.get(f"{crashes.url}/api/session") as response:
                    if response.status != 200:
                        return False
                    visitors[person] = (await response.json())["visitor"]
                    return True

            await _retrying(session)
            for n in range(EACH):
                body = {"text": question(person, n), "client_id": f"p{person}-q{n}"}

                async def ask(body: dict[str, str] = body, n: int = n) -> bool:
                    async with http.post(f"{crashes.url}/api/ask", json=body) as response:
                        if response.status != 200:
                            return False
                        messages = (await response.json())["messages"]
                    if not messages:
                        empty.append((person, n))  # what the old code answered a retry
                    answers[person, n] = [m["id"] for m in messages]
                    return True

                await _retrying(ask)

    await crashes.start()
    try:
        await crashes.during(
            asyncio.gather(*(visitor(p) for p in range(PEOPLE))), lambda: len(answers)
        )
    finally:
        crashes.stop()
    assert not empty, f"retries answered with nothing: {empty}; {crashes.describe()}"
    assert len(answers) == PEOPLE * EACH, crashes.describe()
    async with open_store(store_url) as store:
        for person, visitor_id in visitors.items():
            found = await store.find_person("web", visitor_id)
            assert found is not None, f"visitor {person} unknown; {crashes.describe()}"
            kept = Counter(m.direction for m in await store.recent_messages(found.id, 1000))
            stored = (kept["in"], kept["out"])
            assert stored == (EACH, EACH), f"visitor {person}: {stored}; {crashes.describe()}"


# ---- Telegram: updates redelivered until the webhook acknowledges them ----------------
FIRST_CHAT = 880_000


async def test_telegram_answers_each_update_once_across_kills(
    store_url: str, tmp_path: Path
) -> None:
    async with FakeTelegram() as fake:
        crashes = Crashes(
            store_url,
            tmp_path,
            {
                "TELEGRAM_BOT_TOKEN": fake.token,
                "TELEGRAM_API_BASE_URL": fake.base_url,
                "TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/telegram/webhook",
                "TELEGRAM_WEBHOOK_SECRET": SECRET,
            },
        )
        acknowledged = 0

        async def chat(person: int) -> None:
            nonlocal acknowledged
            chat_id = FIRST_CHAT + person
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
                for n in range(EACH):
                    update = fake.text_update(chat_id, chat_id, question(person, n))

                    async def deliver(update: dict = update) -> bool:
                        async with http.post(
                            f"{crashes.url}/telegram/webhook",
                            data=json.dumps(update),
                            headers={
                                "Content-Type": "application/json",
                                "X-Telegram-Bot-Api-Secret-Token": SECRET,
                            },
                        ) as response:
                            return response.status == 200

                    await _retrying(deliver)
                    acknowledged += 1

        await crashes.start()
        try:
            burst = asyncio.gather(*(chat(p) for p in range(PEOPLE)))
            await crashes.during(burst, lambda: acknowledged)
        finally:
            crashes.stop()
        per_chat = Counter(m["chat_id"] for m in fake.sent_messages())
        counts = {p: per_chat.get(FIRST_CHAT + p, 0) for p in range(PEOPLE)}
        wrong = {p: c for p, c in counts.items() if c != EACH}
        assert not wrong, f"answers per chat (want {EACH}): {wrong}; {crashes.describe()}"


# ---- Zalo OA: signed events, acknowledged once kept --------------------------------------
async def test_zalo_oa_answers_each_event_once_across_kills(store_url: str, tmp_path: Path) -> None:
    async with FakeZaloOA() as fake:
        users = [f"84{9_000_000 + p}" for p in range(PEOPLE)]
        for user in users:
            fake.add_user(user, f"Người dân {user[-2:]}")
        env = {key.upper(): value for key, value in fake.bot_settings().items()}
        crashes = Crashes(store_url, tmp_path, env)
        acknowledged = 0

        async def person(index: int) -> None:
            nonlocal acknowledged
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
                for n in range(EACH):
                    event = fake.text_event(users[index], question(index, n))

                    async def deliver(event: dict = event) -> bool:
                        url = f"{crashes.url}/zalo/oa/webhook"
                        status, _, _ = await fake.deliver_event(url, event, session=http)
                        return status == 200

                    await _retrying(deliver)
                    acknowledged += 1
                    # The next message once this one is answered, as a person would.
                    await wait_until(
                        lambda n=n: len(fake.sent_texts(users[index])) > n, [], 240, "an answer"
                    )

        await crashes.start()
        try:
            burst = asyncio.gather(*(person(p) for p in range(PEOPLE)))
            await crashes.during(burst, lambda: acknowledged)
        finally:
            crashes.stop()
        counts = {u: len(fake.sent_texts(u)) for u in users}
        wrong = {u: c for u, c in counts.items() if c != EACH}
        assert not wrong, f"answers per person (want {EACH}): {wrong}; {crashes.describe()}"
