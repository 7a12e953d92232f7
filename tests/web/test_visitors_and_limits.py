"""Attacks on the web chat, over real HTTP against the running bot: each one refused.

Session fixation, reading another visitor's conversation, cross-site posts, a chunked body
past the limit, spoofed X-Forwarded-For, too many streams — and behind a trusted proxy,
each citizen gets a limit of their own.
"""

from __future__ import annotations

import asyncio

import aiohttp

from bot.app import running
from tests.web.conftest import PORTAL
from tests.web.test_api import Visitor, api_settings


def jar() -> dict[str, aiohttp.CookieJar]:
    return {"cookie_jar": aiohttp.CookieJar(unsafe=True)}


async def test_a_visitor_id_the_server_did_not_sign_is_never_adopted(
    fake, store_url, answerer
) -> None:
    async with (
        running(api_settings(fake, store_url), answerer) as state,
        aiohttp.ClientSession(**jar()) as attacker,
        aiohttp.ClientSession(**jar()) as victim,
    ):
        mine = Visitor(state.base_url, attacker)
        known = await mine.session()
        # The attacker plants its own id (bare, or its signed token) in the victim's page.
        for planted in (known["visitor"], "ab" * 16):
            async with victim.get(
                state.base_url + "/api/session",
                params={"v": planted},
                headers={"X-Visitor": planted},
            ) as response:
                assigned = await response.json()
            assert assigned["visitor"] != planted
        # Even the attacker's own signed token in the victim's header gives the attacker's
        # id only to whoever holds the token: the victim's later question goes to the
        # victim's id, which the attacker cannot read.
        victim_page = Visitor(state.base_url, victim)
        session = await victim_page.session()
        await victim_page.ask("câu hỏi riêng của nạn nhân", "v-1")
        async with attacker.get(
            state.base_url + f"/api/conversations/{session['visitor']}"
        ) as response:
            assert response.status == 403
        async with (
            aiohttp.ClientSession() as cookieless,
            cookieless.get(
                state.base_url + "/api/events", params={"v": session["visitor"]}
            ) as response,
        ):
            assert response.status == 403  # the bare id opens no stream
        forged = f"{session['visitor']}.{'0' * 32}"
        async with attacker.get(
            state.base_url + f"/api/conversations/{session['visitor']}",
            headers={"X-Visitor": forged},
        ) as response:
            assert response.status == 403


async def test_cross_site_posts_and_chunked_bodies_are_refused(fake, store_url, answerer) -> None:
    async with (
        running(api_settings(fake, store_url), answerer) as state,
        aiohttp.ClientSession(**jar()) as http,
    ):
        visitor = Visitor(state.base_url, http)
        await visitor.session()
        ask = state.base_url + "/api/ask"
        async with http.post(
            ask, data='{"text": "xin chao"}', headers={"Content-Type": "text/plain"}
        ) as response:
            assert response.status == 415 and "JSON" in (await response.json())["error"]
        async with http.post(
            ask, json={"text": "xin chao"}, headers={"Origin": "https://evil.example"}
        ) as response:
            assert response.status == 403
        for origin in (PORTAL, state.base_url):  # an allowed portal, and the page itself
            async with http.post(ask, json={"text": "xin chao"}, headers={"Origin": origin}) as r:
                assert r.status == 200

        async def chunks():
            yield b'{"text": "'
            for _ in range(64):
                yield b"a" * 16_384  # 1 MB in all, without a Content-Length
            yield b'"}'

        async with http.post(
            ask, data=chunks(), headers={"Content-Type": "application/json"}
        ) as response:
            assert response.status == 413


async def test_limits_key_on_the_client_and_only_trusted_proxies_name_it(
    fake, store_url, answerer
) -> None:
    settings = api_settings(
        fake,
        store_url,
        web_requests_per_minute=3,
        web_streams_per_address=2,
        trusted_proxies=["127.0.0.1/32"],
    )
    async with running(settings, answerer) as state, aiohttp.ClientSession(**jar()) as http:
        visitor = Visitor(state.base_url, http)
        await visitor.session()

        async def ask_from(address: str) -> int:
            async with http.post(
                state.base_url + "/api/ask",
                json={"text": "xin chao"},
                headers={"X-Forwarded-For": f"203.0.113.9, {address}"},
            ) as response:
                return response.status

        # Behind the proxy, two citizens: one flooding does not block the other.
        flood = [await ask_from("198.51.100.1") for _ in range(5)]
        assert flood.count(429) == 2
        assert await ask_from("198.51.100.2") == 200

        streams = []
        try:
            for _ in range(3):
                streams.append(await http.get(state.base_url + "/api/events"))
            assert [s.status for s in streams] == [200, 200, 429]
        finally:
            for stream in streams:
                stream.close()


async def test_without_trusted_proxies_a_forwarded_header_changes_nothing(
    fake, store_url, answerer
) -> None:
    settings = api_settings(fake, store_url, web_requests_per_minute=3)
    async with running(settings, answerer) as state, aiohttp.ClientSession(**jar()) as http:
        visitor = Visitor(state.base_url, http)
        await visitor.session()
        statuses = []
        for n in range(5):  # a new made-up address each time: still one client
            async with http.post(
                state.base_url + "/api/ask",
                json={"text": "xin chao"},
                headers={"X-Forwarded-For": f"198.51.100.{n}", "Forwarded": f"for=192.0.2.{n}"},
            ) as response:
                statuses.append(response.status)
        assert statuses.count(429) == 2
        await asyncio.sleep(0)
