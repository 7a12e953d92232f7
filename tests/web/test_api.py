"""The web chat's JSON API and server push, over real HTTP against the running bot.

The flows run on the fake answerer (``answerer``); that the page gets the real engine's answer
contract unchanged is the one slow test."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from bot.app import running
from bot.config import Settings
from tests.fakes.answerer import DOC, FakeAnswerer, suggesting
from tests.fakes.telegram_api import FakeTelegram
from tests.web.conftest import (
    GOAL,
    GOAL_ANSWER,
    OFFICER,
    OPERATORS,
    PORTAL,
    web_settings,
)


def api_settings(fake: FakeTelegram, database_url: str, **overrides) -> Settings:
    """The browser tests' settings, with a portal allowed to embed the chat."""
    return web_settings(fake, database_url, **{"web_allowed_origins": [PORTAL], **overrides})


class Visitor:
    """A browser-less visitor: keeps the cookie like a browser does."""

    def __init__(self, base_url: str, http: aiohttp.ClientSession) -> None:
        self.base_url = base_url
        self.http = http
        self.id = ""

    async def session(self) -> dict:
        async with self.http.get(self.base_url + "/api/session") as response:
            data = await response.json()
        self.id = data["visitor"]
        return data

    async def post(self, path: str, body: dict) -> tuple[int, dict]:
        async with self.http.post(self.base_url + path, json=body) as response:
            return response.status, await response.json()

    async def ask(self, text: str, client_id: str | None = None) -> list[dict]:
        body = {"text": text, **({"client_id": client_id} if client_id else {})}
        status, data = await self.post("/api/ask", body)
        assert status == 200, data
        return data["messages"]


@pytest.mark.slow
async def test_the_page_gets_the_real_engines_answer_contract_and_passage(
    fake, store_url, engine
) -> None:
    async with (
        running(api_settings(fake, store_url), engine) as state,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http,
    ):
        visitor = Visitor(state.base_url, http)
        await visitor.session()
        [answer] = await visitor.ask(GOAL, "q-1")
        assert answer["author"] == "bot" and "42.000 USD" in answer["text"]
        assert answer["citations"][0]["label"] == "Kế hoạch 57-KH/TU, mục II.2.2"
        contract = engine.answer(GOAL).to_dict()
        assert {k: answer["answer"][k] for k in contract if k != "language"} == {
            k: v for k, v in contract.items() if k != "language"
        }
        citation = answer["citations"][0]
        async with http.get(
            state.base_url + "/api/passage",
            params={"doc": citation["doc"], "section": citation["section"]},
        ) as response:
            assert "95.000 USD" in (await response.json())["text"]


async def test_ask_feedback_handoff_and_the_officer_reply_is_pushed(
    fake, store_url, answerer
) -> None:
    async with (
        running(api_settings(fake, store_url), answerer) as state,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http,
    ):
        visitor = Visitor(state.base_url, http)
        first = await visitor.session()
        assert first["messages"] == [] and len(first["starters"]) == 3

        [answer] = await visitor.ask(GOAL, "q-1")
        assert answer["author"] == "bot" and "42.000 USD" in answer["text"]
        assert answer["citations"][0]["label"] == "Kế hoạch 57-KH/TU, mục II.2.2"
        contract = GOAL_ANSWER.to_dict()
        assert {k: answer["answer"][k] for k in contract if k != "language"} == {
            k: v for k, v in contract.items() if k != "language"
        }
        actions = [b["action"] for b in answer["buttons"]]
        assert f"fb:dn:{answer['id']}" in actions and "handoff" in actions
        # A retry (same client_id) gets the same answer back, nothing answered twice.
        again = await visitor.ask(GOAL, "q-1")
        assert [m["id"] for m in again] == [answer["id"]]

        citation = answer["citations"][0]
        async with http.get(
            state.base_url + "/api/passage",
            params={"doc": citation["doc"], "section": citation["section"]},
        ) as response:
            assert "95.000 USD" in (await response.json())["text"]

        status, data = await visitor.post("/api/action", {"action": f"fb:dn:{answer['id']}"})
        assert status == 200 and data["messages"][0]["author"] == "notice"

        # Server push: an open stream receives the officer's reply.
        events = await http.get(
            state.base_url + "/api/events", params={"v": visitor.id, "after": "0"}
        )
        assert events.headers["Content-Type"].startswith("text/event-stream")
        status, data = await visitor.post("/api/action", {"action": "handoff"})
        assert "Đã chuyển yêu cầu #" in data["messages"][0]["text"]
        post = await fake.wait_for(
            lambda c: c.method == "sendMessage" and c.ok and c.chat_id == OPERATORS, timeout=10
        )
        assert "Web" in post.params["text"] and "muc tieu thu nhap" in post.params["text"]
        await fake.deliver_webhook(
            fake.text_update(
                OPERATORS,
                OFFICER,
                "Chào bạn, mục tiêu là trên 42.000 USD.",
                reply_to_message_id=post.result["message_id"],
            ),
            url=state.base_url + "/telegram/webhook",
        )
        pushed = await _next_event(events, lambda m: m["author"] == "officer")
        assert "trên 42.000 USD" in pushed["text"]
        events.close()

        # A reload (same cookie) shows everything, the officer's reply included.
        history = (await visitor.session())["messages"]
        assert [m["author"] for m in history][:2] == ["user", "bot"]
        assert history[-1]["author"] == "officer"


async def _next_event(response: aiohttp.ClientResponse, wanted, timeout: float = 10.0) -> dict:
    async def read() -> dict:
        while True:
            line = (await response.content.readline()).decode()
            if line.startswith("data: "):
                message = json.loads(line[6:])
                if wanted(message):
                    return message

    return await asyncio.wait_for(read(), timeout)


async def test_safety_headers_limits_and_polite_errors(fake, store_url, answerer) -> None:
    settings = api_settings(fake, store_url, web_requests_per_minute=5)
    async with (
        running(settings, answerer) as state,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http,
    ):
        async with http.get(state.base_url + "/") as page:
            html = await page.text()
            csp = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert f"frame-ancestors 'self' {PORTAL}" in csp
        assert '<ol id="messages"' in html

        async with http.get(state.base_url + "/?title=<script>alert(1)</script>") as page:
            assert "<script>alert" not in await page.text()

        visitor = Visitor(state.base_url, http)
        await visitor.session()
        injected = '<img src=x onerror="alert(1)">'
        [reply] = await visitor.ask(injected)
        assert reply["author"] == "bot"  # answered as text; the page renders it as text

        async with http.post(
            state.base_url + "/api/ask",
            data=b"{not json",
            headers={"Content-Type": "application/json"},
        ) as response:
            assert response.status == 400 and "error" in await response.json()
        async with http.post(state.base_url + "/api/ask", json={"text": "x" * 70_000}) as response:
            assert response.status == 413
        async with http.get(state.base_url + "/api/conversations/" + "0" * 32) as response:
            assert response.status == 403  # not this visitor's conversation

        statuses = [(await visitor.post("/api/ask", {"text": f"câu {n}"}))[0] for n in range(6)]
        assert 429 in statuses
        status, data = await visitor.post("/api/ask", {"text": "nữa"})
        assert status == 429 and "quá nhanh" in data["error"]

        for origin, allowed in ((PORTAL, True), ("https://evil.example", False)):
            async with http.get(
                state.base_url + "/api/session", headers={"Origin": origin}
            ) as response:
                granted = response.headers.get("Access-Control-Allow-Origin")
                assert (granted == origin) is allowed


async def test_widget_script_and_theme(fake, store_url, answerer) -> None:
    async with (
        running(api_settings(fake, store_url), answerer) as state,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http,
    ):
        async with http.get(state.base_url + "/widget.js") as response:
            script = await response.text()
        assert "hoidap-launcher" in script and "embed=1" in script
        async with http.get(state.base_url + "/theme.css", params={"color": "0b5394"}) as response:
            assert "--accent:#0b5394" in await response.text()
        async with http.get(state.base_url + "/theme.css", params={"color": "red;}"}) as response:
            assert "red" not in await response.text()
        total = 0
        for path in ("/", "/static/chat.js", "/static/chat.css", "/theme.css"):
            async with http.get(state.base_url + path) as response:
                total += len(await response.read())
        assert total < 150 * 1024  # the page weight target, nothing from a CDN


async def test_suggested_sections_are_buttons_that_answer(fake, store_url) -> None:
    answerer = FakeAnswerer({GOAL: suggesting("II.2.2", "I.2")})
    async with (
        running(api_settings(fake, store_url), answerer) as state,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http,
    ):
        visitor = Visitor(state.base_url, http)
        await visitor.session()
        [offer] = await visitor.ask(GOAL, "s-1")
        assert offer["kind"] == "suggest" and offer["citations"] == []
        assert offer["answer"]["suggestions"][0]["section"] == "II.2.2"
        choices = [b["action"] for b in offer["buttons"] if b["action"].startswith("sg:")]
        assert choices and choices[0] == f"sg:{offer['id']}:1"

        status, data = await visitor.post("/api/action", {"action": choices[0], "client_id": "c-1"})
        assert status == 200
        answer = data["messages"][-1]
        assert answer["kind"] == "answer" and "Nội dung mục II.2.2" in answer["text"]
        assert answer["citations"][0]["section"] == "II.2.2"
        assert answerer.asked[-1] == (GOAL, (DOC, "II.2.2"))

        status, data = await visitor.post("/api/action", {"action": "sg:999999:1"})
        assert status == 200 and "không còn hiệu lực" in data["messages"][-1]["text"]
        status, _ = await visitor.post("/api/action", {"action": "sg:1:999"})
        assert status == 400  # not a choice the page could have shown

        again = await visitor.session()  # a reload shows the choices again
        shown = next(m for m in again["messages"] if m["id"] == offer["id"])
        assert [b["action"] for b in shown["buttons"]][: len(choices)] == choices
