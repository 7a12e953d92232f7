"""A request Telegram refuses (400: chat not found, message is not modified) is not
tried again: the same request would be refused the same way, and each retry costs the
citizen's queue half a second or more. Real PTB on our aiohttp transport, against a
loopback server that refuses on purpose."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot

from bot.channels.telegram_http import AiohttpRequest
from bot.channels.telegram_send import TelegramSender
from bot.core.messages import Outbound
from tests.fakes.loopback import TELEGRAM_ME as ME
from tests.fakes.loopback import TELEGRAM_PATH, loopback
from tests.fakes.loopback import TELEGRAM_TOKEN as TOKEN

REFUSALS = {
    "sendMessage": "Bad Request: chat not found",
    "editMessageText": "Bad Request: message is not modified",
}


class RefusingServer:
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "getMe":
            return web.json_response({"ok": True, "result": ME})
        await request.read()
        self.calls.append(method)
        body = {"ok": False, "error_code": 400, "description": REFUSALS[method]}
        return web.json_response(body, status=400)


@pytest.fixture
async def refusing() -> AsyncIterator[tuple[RefusingServer, str]]:
    server = RefusingServer()
    async with loopback(TELEGRAM_PATH, server.handle) as base:
        yield server, f"{base}/bot"


async def test_a_refused_reply_fails_at_once(refusing) -> None:
    server, base = refusing
    async with Bot(TOKEN, base_url=base, request=AiohttpRequest()) as bot:
        result = await TelegramSender(bot).send(Outbound("telegram", "42", "Trả lời"))

    assert result.status == "failed" and "chat not found" in (result.reason or "").lower()
    assert server.calls == ["sendMessage"]  # once, not three times


async def test_an_edit_with_nothing_to_change_is_done(refusing) -> None:
    server, base = refusing
    async with Bot(TOKEN, base_url=base, request=AiohttpRequest()) as bot:
        wait = await TelegramSender(bot).edit_text("42", "7", "Đã gửi 10/10")

    assert wait is None  # nothing to do: not a reason to edit again later
    assert server.calls == ["editMessageText"]
