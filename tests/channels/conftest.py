"""A running bot (an answerer, a SQLite or PostgreSQL store, aiohttp server) talking to the fake
Telegram API.

``answerer`` is a :class:`~tests.fakes.answerer.FakeAnswerer` that knows the questions the
flow tests ask (``ANSWERS``): flows need *an* answer, a decline or a handoff, not the model's.
Tests of what the real engine answers take the session ``engine`` and are marked slow.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.app import Running, running
from bot.config import Settings
from tests.answering.support import repo_settings
from tests.fakes.answerer import FakeAnswerer, cited
from tests.fakes.telegram_api import FakeTelegram

OPERATORS = -1001234567890
CITIZEN = 424242
OFFICER = 777001
SECRET = "s3cr3t-Token_ok"

GOAL = "muc tieu thu nhap binh quan dau nguoi nam 2045"
GOAL_ANSWER = cited(
    "II.2.2", "Đến năm 2045, thu nhập bình quân đầu người đạt trên 42.000 USD (giá hiện hành)."
)
GOAL_PASSAGE = (
    "Đến năm 2045, thu nhập bình quân đầu người đạt trên 42.000 USD (giá hiện hành); "
    "GRDP bình quân đầu người khoảng 95.000 USD."
)
CONTEST_ANSWER = cited("IV.1.9", "Cuộc thi trực tuyến dự kiến phát động vào tháng 6/2026.")
# What the fake answerer says to the questions of the flow tests; anything else: not found.
ANSWERS = {
    GOAL: GOAL_ANSWER,
    "muc tieu thu nhap nam 2045": GOAL_ANSWER,
    "mục tiêu thu nhập năm 2045": GOAL_ANSWER,
    "mục tiêu 2045": cited("I.2", "Mục tiêu đến năm 2045: Thủ đô phát triển toàn diện."),
    "muc tieu nam 2045": cited("I.2", "Mục tiêu đến năm 2045: Thủ đô phát triển toàn diện."),
    "mục tiêu xuyên suốt xây dựng thủ đô": cited(
        "I.1", "Mục tiêu xuyên suốt là xây dựng Thủ đô văn hiến, văn minh, hiện đại."
    ),
    "trung tâm tài chính gắn với không gian nào": cited(
        "III.2", "Trung tâm tài chính gắn với không gian phát triển phía Bắc sông Hồng."
    ),
    "cuoc thi truc tuyen du kien phat dong thang may": CONTEST_ANSWER,
    "cuộc thi trực tuyến có chủ đề gì": CONTEST_ANSWER,
}
PASSAGES = {"II.2.2": GOAL_PASSAGE}


@pytest.fixture
def answerer() -> FakeAnswerer:
    """A fresh fake answerer per test (it keeps what it was asked)."""
    return FakeAnswerer(ANSWERS, PASSAGES)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        server.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")
        yield server


@pytest.fixture
def database_url(store_url: str) -> str:
    """The flows run on SQLite and on PostgreSQL (see tests/conftest.py)."""
    return store_url


def bot_settings(
    fake: FakeTelegram, database_url: str, *, webhook: bool = True, **overrides
) -> Settings:
    values = {
        "database_url": database_url,
        "http_host": "127.0.0.1",
        "http_port": 0,  # any free port
        "telegram_bot_token": fake.token,
        "telegram_api_base_url": fake.base_url,
        "telegram_operator_chat_id": str(OPERATORS),
        "telegram_webhook_url": "https://bot.example.vn/telegram/webhook" if webhook else None,
        "telegram_webhook_secret": SECRET if webhook else None,
        "office_days": "1-7",
        "office_hours": "00:00-23:59",
    }
    return repo_settings(**{**values, **overrides})


@asynccontextmanager
async def started(settings: Settings, answerer) -> AsyncIterator[Running]:
    async with running(settings, answerer) as state:
        yield state


async def linked_post(state: Running, chat_id: int, post_id: int, timeout: float = 30.0) -> int:
    """Wait until the bot has linked its post ``post_id`` to a ticket, then return it.

    The link is written once Telegram has answered the send; an officer replies seconds
    later, while a test can reply the instant the fake answers (on a loaded machine the
    two are far apart)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while await state.store.ticket_for_post(chat_id, post_id) is None:
        assert loop.time() < deadline, f"post {post_id} was never linked to a ticket"
        await asyncio.sleep(0.02)
    return post_id
