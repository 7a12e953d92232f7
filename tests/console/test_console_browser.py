"""Signing in to the console in headless Chromium: the link from the bot opens the
console (the SameSite=Strict cookie reaches it), signing out works from the page, and a
used link is refused; the command line prints a link for the first admin."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.app import running
from bot.console.signin import LINK_SECONDS
from tests.fakes.answerer import HANDOFF, FakeAnswerer
from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.web.conftest import OPERATORS, web_settings
from tests.web.support import Page

pytestmark = pytest.mark.slow

ADMIN = "telegram:9001"
CITIZEN = 5001
ASK = "cho toi gap can bo"
ZALO_CITIZEN = "6142871234567890123"


async def test_sign_in_reply_to_a_ticket_then_sign_out(
    chat: Page, fake, tmp_path, output_dir
) -> None:
    settings = web_settings(fake, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", admins=ADMIN)
    async with running(settings, FakeAnswerer({ASK: HANDOFF})) as state:
        try:
            update = fake.text_update(CITIZEN, CITIZEN, ASK, first_name="Bác Tư")
            url = state.base_url + "/telegram/webhook"
            assert await fake.deliver_webhook(update, url=url) == 200
            await fake.wait_for_message(OPERATORS, text_contains="Yêu cầu #")
            token = await state.console.sign_in.new_link_token(ADMIN)
            link = f"{state.base_url}/console/dang-nhap?t={token}"
            await chat.open(link)
            await chat.wait_for(".who", ADMIN)  # arrived on the console, signed in
            await chat.screenshot(output_dir / "console-inbox.png")
            await chat.click("table.inbox a")
            await chat.wait_for("ol.conversation", ASK)
            await chat.type("#reply", "Phường sẽ gọi lại bác chiều nay.")
            since = len(fake.calls)
            await chat.click("form[action$='tra-loi'] button")
            await fake.wait_for_message(CITIZEN, since=since, text_contains="gọi lại bác")
            await chat.wait_for("ol.conversation", "gọi lại bác")  # back on the ticket
            await chat.screenshot(output_dir / "console-ticket.png")
            await chat.open(state.base_url + "/console/")
            await chat.click("form[action$='dang-xuat'] button")
            await chat.wait_for("main", "Bạn đã đăng xuất")
            await chat.open(state.base_url + "/console/")
            await chat.wait_for("main", "chưa đăng nhập")
            await chat.open(link)  # the same link again
            await chat.wait_for("main", "đã được dùng")
        finally:
            await chat.reset()


async def test_a_new_request_and_the_citizens_next_message_appear_without_reload(
    chat: Page, fake, tmp_path, output_dir
) -> None:
    settings = web_settings(fake, f"sqlite+aiosqlite:///{tmp_path / 'l.db'}", admins=ADMIN)
    async with running(settings, FakeAnswerer({ASK: HANDOFF})) as state:
        try:
            token = await state.console.sign_in.new_link_token(ADMIN)
            await chat.open(f"{state.base_url}/console/dang-nhap?t={token}")
            await chat.wait_for("#inbox", "Không có yêu cầu")
            url = state.base_url + "/telegram/webhook"
            update = fake.text_update(CITIZEN, CITIZEN, ASK, first_name="Bác Tư")
            assert await fake.deliver_webhook(update, url=url) == 200
            await chat.wait_for("#inbox tr", "Bác Tư", timeout=60)  # no reload
            await chat.screenshot(output_dir / "console-inbox-live.png")
            await chat.click("#inbox a")
            await chat.wait_for("#conversation", ASK)
            later = fake.text_update(CITIZEN, CITIZEN, "Số nhà tôi là 12 Đội Cấn")
            assert await fake.deliver_webhook(later, url=url) == 200
            await chat.wait_for("#conversation", "12 Đội Cấn", timeout=60)
            assert await chat.script("return document.getElementById('reply') !== null")
        finally:
            await chat.reset()


async def test_a_reply_from_the_console_reaches_a_zalo_oa_citizen(
    chat: Page, fake, tmp_path, output_dir
) -> None:
    async with FakeZaloOA() as zalo:
        zalo.add_user(ZALO_CITIZEN, "Bà Lan")
        settings = web_settings(
            fake, f"sqlite+aiosqlite:///{tmp_path / 'z.db'}", admins=ADMIN, **zalo.bot_settings()
        )
        async with running(settings, FakeAnswerer({ASK: HANDOFF})) as state:
            try:
                event = zalo.text_event(ZALO_CITIZEN, ASK)
                assert (await zalo.deliver_event(state.base_url + "/zalo/oa/webhook", event))[
                    0
                ] == 200
                await fake.wait_for_message(OPERATORS, text_contains="Yêu cầu #")
                token = await state.console.sign_in.new_link_token(ADMIN)
                await chat.open(f"{state.base_url}/console/dang-nhap?t={token}")
                await chat.wait_for("#inbox tr", "Zalo OA")
                await chat.click("#inbox a")
                await chat.wait_for("#conversation", ASK)
                since = len(zalo.calls)
                await chat.type("#reply", "Chào bà, tổ dân phố sẽ đến nhà bà sáng mai.")
                await chat.click("form[action$='tra-loi'] button")
                got = await zalo.wait_for_cs(
                    ZALO_CITIZEN, since=since, text_contains="tổ dân phố sẽ đến"
                )
                assert got.text.startswith("💬 Cán bộ")  # labelled as an officer's words
                await chat.wait_for("#conversation", "tổ dân phố sẽ đến")
            finally:
                await chat.reset()


async def test_an_expired_link_is_refused_in_the_browser(chat: Page, fake, tmp_path) -> None:
    settings = web_settings(fake, f"sqlite+aiosqlite:///{tmp_path / 'e.db'}", admins=ADMIN)
    async with running(settings, FakeAnswerer()) as state:
        try:
            token = await state.console.sign_in.new_link_token(ADMIN)
            later = time.time() + LINK_SECONDS + 1
            state.console.sign_in.clock = lambda: later  # eleven minutes on
            await chat.open(f"{state.base_url}/console/dang-nhap?t={token}")
            await chat.wait_for("main", "hết hạn")
            await chat.open(state.base_url + "/console/")
            await chat.wait_for("main", "chưa đăng nhập")
        finally:
            await chat.reset()


def test_the_command_line_prints_a_link_for_the_first_admin(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'c.db'}",
        "ADMINS": ADMIN,
        "PUBLIC_BASE_URL": "https://bot.example.vn",
        "DATA_DIR": str(tmp_path),
    }
    root = Path(__file__).resolve().parents[2]
    ok = subprocess.run(
        [sys.executable, "-m", "bot", "login-link", ADMIN],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip().startswith("https://bot.example.vn/console/dang-nhap?t=")
    refused = subprocess.run(
        [sys.executable, "-m", "bot", "login-link", "telegram:1"],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2 and not refused.stdout
