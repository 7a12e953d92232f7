"""Without an officers' Telegram chat, the console takes the tickets: a web citizen who
asks for an officer gets a ticket (not "no officer here") when someone may sign in to the
console; what they write next waits in the ticket's conversation; the console's reply
reaches them, labelled. With nobody to sign in, the citizen is told where to turn."""

from __future__ import annotations

import aiohttp

from bot.app import running
from tests.answering.support import repo_settings
from tests.console.conftest import signed_in
from tests.fakes.answerer import HANDOFF, FakeAnswerer

ADMIN = "telegram:9001"
ASK = "cho toi gap can bo"


def web_only(tmp_path, **overrides):
    return repo_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'w.db'}",
        http_host="127.0.0.1",
        http_port=0,
        office_days="1-7",
        office_hours="00:00-23:59",
        **overrides,
    )


async def web_citizen(http: aiohttp.ClientSession, base: str) -> tuple[str, dict]:
    async with http.get(base + "/api/session") as r:
        session = await r.json()
    headers = {"X-Visitor": session["token"], "Origin": base}
    return session["visitor"], headers


async def test_the_console_takes_tickets_when_there_is_no_officers_chat(tmp_path) -> None:
    async with running(web_only(tmp_path, admins=ADMIN), FakeAnswerer({ASK: HANDOFF})) as state:
        base = state.base_url
        async with aiohttp.ClientSession() as citizen, aiohttp.ClientSession() as officer:
            visitor, headers = await web_citizen(citizen, base)
            async with citizen.post(base + "/api/ask", json={"text": ASK}, headers=headers) as r:
                said = (await r.json())["messages"]
                assert any(m["kind"] == "handoff" for m in said), said
            later = {"text": "Nhà tôi ở số 12 phố Huế"}
            async with citizen.post(base + "/api/ask", json=later, headers=headers) as r:
                assert r.status == 200
            tickets = await state.store.inbox_tickets()
            assert len(tickets) == 1
            ticket = tickets[0][0].id
            cookie, session = await signed_in(state, ADMIN, officer)
            page = f"{base}/console/yeu-cau/{ticket}"
            async with officer.get(page, headers=cookie) as r:
                assert "số 12 phố Huế" in await r.text()
            reply = {"csrf": session.csrf, "text": "Phường sẽ cử người đến."}
            async with officer.post(page + "/tra-loi", data=reply, headers=cookie) as r:
                assert r.status == 200
            url = f"{base}/api/conversations/{visitor}"
            async with citizen.get(url, headers=headers) as r:
                shown = [m["text"] for m in (await r.json())["messages"]]
            assert any(t.startswith("💬 Cán bộ") and "cử người đến" in t for t in shown), shown


async def test_without_officers_anywhere_the_citizen_is_told_where_to_turn(tmp_path) -> None:
    settings = web_only(tmp_path, help_phone="024 3825 1234")
    async with running(settings, FakeAnswerer({ASK: HANDOFF})) as state:
        async with aiohttp.ClientSession() as citizen:
            _, headers = await web_citizen(citizen, state.base_url)
            url = state.base_url + "/api/ask"
            async with citizen.post(url, json={"text": ASK}, headers=headers) as r:
                said = (await r.json())["messages"]
        assert any("024 3825 1234" in m["text"] for m in said), said
        assert await state.store.inbox_tickets() == []
