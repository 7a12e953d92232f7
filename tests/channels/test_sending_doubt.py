"""An answer is sent again only when it surely never reached the platform.

A platform that takes the request and then drops the connection (or answers too late)
may have delivered the message: sending it again could give a citizen the same answer
twice, so it is recorded as not confirmed instead. A platform that could not be reached
at all is tried again. Real clients (PTB on our aiohttp transport, the Zalo clients)
against a loopback server that misbehaves on purpose.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot

from bot.channels.telegram_http import AiohttpRequest
from bot.channels.telegram_send import TelegramSender
from bot.channels.zalo_bot_client import ZaloBotClient, ZaloBotError
from bot.core.messages import Outbound
from tests.fakes.loopback import TELEGRAM_ME as ME
from tests.fakes.loopback import TELEGRAM_PATH, loopback
from tests.fakes.loopback import TELEGRAM_TOKEN as TOKEN


class DroppingServer:
    """Answers getMe; takes every other call, counts it, and hangs up without answering."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if method == "getMe":
            return web.json_response({"ok": True, "result": ME})
        await request.read()
        self.calls.append(method)
        assert request.transport is not None
        request.transport.close()  # the request arrived; no answer ever comes
        return web.Response()


@pytest.fixture
async def dropping() -> AsyncIterator[tuple[DroppingServer, str]]:
    server = DroppingServer()
    async with loopback(TELEGRAM_PATH, server.handle) as base:
        yield server, f"{base}/bot"


def closed_port() -> str:
    with socket.socket() as probe:  # bound, then released: nothing listens there
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/bot"


async def test_telegram_does_not_resend_an_answer_the_platform_may_have(dropping) -> None:
    server, base = dropping
    bot = Bot(TOKEN, base_url=base, request=AiohttpRequest())
    async with bot:
        result = await TelegramSender(bot).send(Outbound("telegram", "42", "Trả lời"))
    assert result.status == "failed" and "không xác nhận" in (result.reason or "")
    assert server.calls == ["sendMessage"]  # once, not three times


async def test_telegram_tries_again_when_nothing_was_reached() -> None:
    request = AiohttpRequest()
    await request.initialize()
    try:
        url = closed_port() + TOKEN + "/sendMessage"
        attempts = []
        for _ in range(2):
            try:
                await request.do_request(url, "POST")
            except Exception as exc:  # the kind of failure is what is tested
                attempts.append(type(exc).__name__)
        assert attempts == ["NotSent", "NotSent"]
    finally:
        await request.shutdown()


async def test_zalo_bot_does_not_resend_but_knows_what_never_left(dropping) -> None:
    server, base = dropping
    async with ZaloBotClient(TOKEN, base) as client:
        with pytest.raises(ZaloBotError) as doubt:
            await client.send_message("chat-1", "Trả lời")
    assert doubt.value.maybe_delivered and server.calls == ["sendMessage"]
    async with ZaloBotClient(TOKEN, closed_port()) as client:
        with pytest.raises(ZaloBotError) as unreached:
            await client.send_message("chat-1", "Trả lời")
    assert unreached.value.transient and not unreached.value.maybe_delivered


async def test_zalo_oa_sends_a_consultation_message_once_when_zalo_hangs_up() -> None:
    from bot.channels import zalo_protocol as zp
    from bot.channels.zalo_oa_client import ZaloOAClient, ZaloOAError
    from bot.store.memory import MemoryStore

    taken: list[str] = []

    async def hang_up(request: web.Request) -> web.StreamResponse:
        await request.read()
        taken.append(request.path)
        assert request.transport is not None
        request.transport.close()
        return web.Response()

    async with loopback(zp.OA_CS_PATH, hang_up) as base:
        client = ZaloOAClient(
            MemoryStore(),
            app_id="1",
            app_secret=None,
            access_token="token",
            refresh_token=None,
            api_base_url=base,
            oauth_base_url=base,
        )
        await client.start()
        try:
            with pytest.raises(ZaloOAError) as doubt:
                await client.send_text("8490001", "Trả lời")
            assert doubt.value.code == -1 and taken == [zp.OA_CS_PATH]  # once, not three times
        finally:
            await client.close()
