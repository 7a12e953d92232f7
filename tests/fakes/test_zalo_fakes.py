"""The fake Zalo OA and Zalo Bot Platform servers, driven through plain aiohttp requests."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import (
    DEFAULT_OA_ID,
    ERR_INVALID_PARAMS,
    ERR_INVALID_TOKEN,
    ERR_OAUTH_INVALID_REFRESH,
    ERR_OAUTH_INVALID_SECRET,
    ERR_OUTSIDE_WINDOW,
    FakeZaloOA,
    sign,
    text_event,
)

USER = "6142009834561230001"
CHAT = "e4ea2cd5189df1c3a88c"


@pytest.fixture
async def oa() -> AsyncIterator[FakeZaloOA]:
    async with FakeZaloOA() as fake:
        yield fake


@pytest.fixture
async def zb() -> AsyncIterator[FakeZaloBot]:
    async with FakeZaloBot(max_poll_timeout=2.0) as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        yield session


class Receiver:
    """A tiny webhook endpoint on 127.0.0.1 recording each request's headers and raw body."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.read()))
        return web.Response(text="ok")

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


# ---- Zalo OA ---------------------------------------------------------------------------------


async def send_cs(
    http: aiohttp.ClientSession, oa: FakeZaloOA, text: str, *, token: str | None = None
) -> dict[str, Any]:
    async with http.post(
        f"{oa.api_base_url}/v3.0/oa/message/cs",
        json={"recipient": {"user_id": USER}, "message": {"text": text}},
        headers={"access_token": token if token is not None else oa.access_token},
    ) as response:
        assert response.status == 200  # Zalo answers errors inside a 200 envelope
        return await response.json()


async def refresh(
    http: aiohttp.ClientSession, oa: FakeZaloOA, refresh_token: str, secret: str | None = None
) -> dict[str, Any]:
    async with http.post(
        f"{oa.oauth_base_url}/v4/oa/access_token",
        data={"refresh_token": refresh_token, "app_id": oa.app_id, "grant_type": "refresh_token"},
        headers={"secret_key": secret if secret is not None else oa.app_secret},
    ) as response:
        assert response.status == 200
        return await response.json()


async def test_cs_success_is_recorded(oa: FakeZaloOA, http: aiohttp.ClientSession) -> None:
    body = await send_cs(http, oa, "Xin chào")
    assert body["error"] == 0 and body["message"] == "Success"
    assert body["data"]["user_id"] == USER and body["data"]["message_id"]
    assert oa.sent_texts(USER) == ["Xin chào"] and oa.sent_texts("other") == []
    call = await oa.wait_for_cs(USER, timeout=1)
    assert call.headers["access_token"] == oa.access_token
    assert call.params["message"] == {"text": "Xin chào"} and call.response == body


async def test_cs_token_errors(oa: FakeZaloOA, http: aiohttp.ClientSession) -> None:
    assert (await send_cs(http, oa, "a", token=""))["error"] == ERR_INVALID_TOKEN
    assert (await send_cs(http, oa, "a", token="nope"))["error"] == ERR_INVALID_TOKEN
    oa.expire_access_token()
    body = await send_cs(http, oa, "a")
    assert body == {"error": ERR_INVALID_TOKEN, "message": "Access token is invalid"}
    assert oa.sent_texts() == []


async def test_refresh_rotates_and_old_refresh_token_is_single_use(
    oa: FakeZaloOA, http: aiohttp.ClientSession
) -> None:
    old_access, old_refresh = oa.access_token, oa.refresh_token
    oa.expire_access_token()
    body = await refresh(http, oa, old_refresh)
    assert body["expires_in"] == "90000"
    assert body["access_token"] == oa.access_token != old_access
    assert body["refresh_token"] == oa.refresh_token != old_refresh
    assert oa.refresh_count == 1 and oa.issued_refresh_tokens == [old_refresh, oa.refresh_token]
    assert (await send_cs(http, oa, "lại", token=body["access_token"]))["error"] == 0

    reused = await refresh(http, oa, old_refresh)
    assert reused["error"] == ERR_OAUTH_INVALID_REFRESH
    assert reused["error_name"] == "Invalid refresh token" and "access_token" not in reused
    assert oa.refresh_count == 1

    wrong_secret = await refresh(http, oa, oa.refresh_token, secret="bad")
    assert wrong_secret["error"] == ERR_OAUTH_INVALID_SECRET
    oa.expire_refresh_token()
    assert (await refresh(http, oa, body["refresh_token"]))["error"] == ERR_OAUTH_INVALID_REFRESH
    call = oa.calls_to("access_token")[0]
    assert call.headers["secret_key"] == oa.app_secret
    assert call.params == {
        "refresh_token": old_refresh,
        "app_id": oa.app_id,
        "grant_type": "refresh_token",
    }


async def test_authorization_code_exchange_is_single_use(
    oa: FakeZaloOA, http: aiohttp.ClientSession
) -> None:
    code = oa.issue_auth_code(code_verifier="v" * 43)
    form = {
        "code": code,
        "app_id": oa.app_id,
        "grant_type": "authorization_code",
        "code_verifier": "v" * 43,
    }
    url = f"{oa.oauth_base_url}/v4/oa/access_token"
    async with http.post(url, data=form, headers={"secret_key": oa.app_secret}) as response:
        body = await response.json()
    assert body["access_token"] == oa.access_token and body["refresh_token"] == oa.refresh_token
    assert oa.refresh_count == 0  # an exchange is not a refresh
    async with http.post(url, data=form, headers={"secret_key": oa.app_secret}) as response:
        assert (await response.json())["error"] < 0


async def test_cs_outside_window_and_text_limit(
    oa: FakeZaloOA, http: aiohttp.ClientSession
) -> None:
    assert (await send_cs(http, oa, "x" * 2000))["error"] == 0
    assert (await send_cs(http, oa, "x" * 2001))["error"] == ERR_INVALID_PARAMS
    assert (await send_cs(http, oa, ""))["error"] == ERR_INVALID_PARAMS
    oa.mark_outside_window(USER)
    body = await send_cs(http, oa, "muộn")
    assert body["error"] == ERR_OUTSIDE_WINDOW and "7 days" in body["message"]
    assert oa.sent_texts() == ["x" * 2000]


async def test_user_detail(oa: FakeZaloOA, http: aiohttp.ClientSession) -> None:
    oa.add_user(USER, "Trần Thị Bình")
    url = f"{oa.api_base_url}/v3.0/oa/user/detail"
    query = {"data": json.dumps({"user_id": USER})}
    async with http.get(url, params=query, headers={"access_token": oa.access_token}) as r:
        body = await r.json()
    assert body["error"] == 0
    assert body["data"]["user_id"] == USER and body["data"]["display_name"] == "Trần Thị Bình"
    async with http.get(url, params=query, headers={"access_token": "bad"}) as r:
        assert (await r.json())["error"] == ERR_INVALID_TOKEN


async def test_scripted_failures(oa: FakeZaloOA, http: aiohttp.ClientSession) -> None:
    oa.fail_next("cs", error=-32, message="Exceeded rate limit")
    assert (await send_cs(http, oa, "a")) == {"error": -32, "message": "Exceeded rate limit"}
    oa.fail_next("cs", error=None, http_status=500)
    async with http.post(f"{oa.api_base_url}/v3.0/oa/message/cs", json={}) as response:
        assert response.status == 500
    oa.fail_next("cs", drop=True)
    with pytest.raises(aiohttp.ClientConnectionError):
        await send_cs(http, oa, "a")
    assert (await send_cs(http, oa, "a"))["error"] == 0  # scripts are used up
    assert [c.status for c in oa.calls_to("cs")] == [200, 500, None, 200]


def test_signature_helper_matches_independent_computation() -> None:
    raw = b'{"event_name":"user_send_text","app_id":"1","timestamp":"1699003881354"}'
    expected = hashlib.sha256(b"1" + raw + b"1699003881354" + b"oa-key").hexdigest()
    assert sign("1", raw, "1699003881354", "oa-key") == "mac=" + expected


def test_event_shapes() -> None:
    event = text_event(USER, "Chào", msg_id="cb31", timestamp_ms=1699003881354, app_id="9")
    assert event["event_name"] == "user_send_text" and event["app_id"] == "9"
    assert event["sender"] == {"id": USER} and event["recipient"] == {"id": DEFAULT_OA_ID}
    assert event["message"] == {"text": "Chào", "msg_id": "cb31"}
    assert event["timestamp"] == "1699003881354" and isinstance(event["user_id_by_app"], str)
    fake = FakeZaloOA()
    follow = fake.follow_event(USER)
    assert follow["event_name"] == "follow" and follow["follower"] == {"id": USER}
    assert follow["oa_id"] == fake.oa_id and isinstance(follow["timestamp"], str)
    image = fake.image_event(USER)
    assert image["event_name"] == "user_send_image" and image["recipient"] == {"id": fake.oa_id}
    assert image["message"]["attachments"][0]["type"] == "image"
    assert fake.sticker_event(USER)["message"]["attachments"][0]["type"] == "sticker"
    assert fake.unfollow_event(USER)["event_name"] == "unfollow"


async def test_deliver_event_signs_the_exact_bytes(oa: FakeZaloOA) -> None:
    event = oa.text_event(USER, "Nghị quyết 02 là gì?")
    async with Receiver() as hook:
        status, text, elapsed = await oa.deliver_event(hook.url, event)
        assert (status, text) == (200, "ok") and elapsed >= 0
        await oa.deliver_event(hook.url, event, signature=None)
        await oa.deliver_event(hook.url, event, signature="mac=bad")
    (headers, raw), (unsigned, _), (wrong, _) = hook.requests
    assert json.loads(raw) == event
    expected = sign(oa.app_id, raw, event["timestamp"], oa.oa_secret_key)
    assert headers["X-ZEvent-Signature"] == expected
    assert headers["Content-Type"] == "application/json"
    assert "X-ZEvent-Signature" not in unsigned and wrong["X-ZEvent-Signature"] == "mac=bad"


# ---- Zalo Bot Platform -----------------------------------------------------------------------


async def call_bot(
    http: aiohttp.ClientSession,
    zb: FakeZaloBot,
    method: str,
    body: dict[str, Any] | None = None,
    token: str | None = None,
) -> tuple[int, dict[str, Any]]:
    url = f"{zb.base_url}{token if token is not None else zb.token}/{method}"
    async with http.post(url, json=body or {}) as response:
        return response.status, await response.json()


async def test_bot_get_me_and_wrong_token(zb: FakeZaloBot, http: aiohttp.ClientSession) -> None:
    status, body = await call_bot(http, zb, "getMe")
    assert status == 200 and body["ok"] is True
    assert body["result"] == {
        "id": zb.bot_id,
        "account_name": "Bot Hoi Dap",
        "account_type": "BASIC",
        "can_join_groups": False,
    }
    status, body = await call_bot(http, zb, "getMe", token="1:wrong")
    assert status == 401 and body["ok"] is False and body["error_code"] == 401


async def test_bot_send_message_limits(zb: FakeZaloBot, http: aiohttp.ClientSession) -> None:
    status, body = await call_bot(http, zb, "sendMessage", {"chat_id": CHAT, "text": "Chào"})
    assert status == 200 and body["result"]["message_id"]
    assert isinstance(body["result"]["date"], int)
    ok, _ = await call_bot(http, zb, "sendMessage", {"chat_id": CHAT, "text": "x" * 2000})
    long, body = await call_bot(http, zb, "sendMessage", {"chat_id": CHAT, "text": "x" * 2001})
    empty, _ = await call_bot(http, zb, "sendMessage", {"chat_id": CHAT, "text": ""})
    assert (ok, long, empty) == (200, 400, 400) and body["error_code"] == 400
    assert zb.sent_texts(CHAT) == ["Chào", "x" * 2000]
    call = await zb.wait_for_message(CHAT, timeout=1)
    assert call.text == "Chào" and call.headers["content-type"] == "application/json"
    zb.fail_next("sendMessage", 429, times=1)
    status, body = await call_bot(http, zb, "sendMessage", {"chat_id": CHAT, "text": "a"})
    assert status == 429 and body["description"] == "Too Many Requests"


async def test_bot_errors_can_come_with_http_200(http: aiohttp.ClientSession) -> None:
    async with FakeZaloBot(http_200_errors=True) as fake:
        status, body = await call_bot(http, fake, "getMe", token="1:wrong")
    assert status == 200 and body["error_code"] == 401


async def test_bot_get_updates_returns_one_pushed_update(
    zb: FakeZaloBot, http: aiohttp.ClientSession
) -> None:
    first = zb.push_update(zb.text_update(CHAT, CHAT, "một", message_id="m1"))
    zb.push_update(zb.text_update(CHAT, CHAT, "hai"))
    status, body = await call_bot(http, zb, "getUpdates", {"timeout": 1})
    assert status == 200 and body == {"ok": True, "result": first}
    message = body["result"]["message"]
    assert body["result"]["event_name"] == "message.text.received" and "update_id" not in body
    assert message["from"] == {"id": CHAT, "display_name": "Nguyễn Văn An", "is_bot": False}
    assert message["chat"] == {"id": CHAT, "chat_type": "PRIVATE"}
    assert message["text"] == "một" and message["message_id"] == "m1"
    assert isinstance(message["date"], int) and message["date"] > 10**12  # milliseconds
    _, body = await call_bot(http, zb, "getUpdates", {"timeout": "1"})
    assert body["result"]["message"]["text"] == "hai" and zb.pending_updates == []


async def test_bot_get_updates_waits_then_times_out(
    zb: FakeZaloBot, http: aiohttp.ClientSession
) -> None:
    started = time.monotonic()
    status, body = await call_bot(http, zb, "getUpdates", {"timeout": 0.3})
    assert time.monotonic() - started >= 0.25
    assert status == 408
    assert body == {"ok": False, "error_code": 408, "description": "Request timeout"}

    poll = asyncio.create_task(call_bot(http, zb, "getUpdates", {"timeout": 5}))
    await zb.wait_for(lambda c: c.method == "getUpdates" and c.status is None, timeout=1)
    zb.push_update(zb.sticker_update(CHAT, CHAT))
    status, body = await asyncio.wait_for(poll, 2)
    assert status == 200 and body["result"]["event_name"] == "message.sticker.received"


async def test_bot_webhook_blocks_get_updates(zb: FakeZaloBot, http: aiohttp.ClientSession) -> None:
    hook = {"url": "https://x.vn/h", "secret_token": "short"}
    assert (await call_bot(http, zb, "setWebhook", hook))[0] == 400
    hook["secret_token"] = "s3cret-token"
    status, body = await call_bot(http, zb, "setWebhook", hook)
    assert status == 200 and body["result"]["url"] == "https://x.vn/h"
    assert isinstance(body["result"]["updated_at"], int)
    zb.push_update(zb.text_update(CHAT, CHAT, "a"))
    status, body = await call_bot(http, zb, "getUpdates", {"timeout": 1})
    assert status == 409 and body["error_code"] == 409
    _, info = await call_bot(http, zb, "getWebhookInfo")
    assert info["result"]["url"] == "https://x.vn/h"
    await call_bot(http, zb, "deleteWebhook")
    status, body = await call_bot(http, zb, "getUpdates", {"timeout": 1})
    assert status == 200 and body["result"]["message"]["text"] == "a"


async def test_bot_deliver_webhook_carries_secret(zb: FakeZaloBot) -> None:
    update = zb.text_update(CHAT, CHAT, "Kế hoạch 57 là gì?")
    async with Receiver() as hook:
        assert await zb.deliver_webhook(hook.url, update, "s3cret-token") == (200, "ok")
        await zb.deliver_webhook(hook.url, update, None)
    (headers, raw), (unsigned, _) = hook.requests
    assert headers["X-Bot-Api-Secret-Token"] == "s3cret-token"
    assert json.loads(raw) == {"ok": True, "result": update}
    assert "X-Bot-Api-Secret-Token" not in unsigned
