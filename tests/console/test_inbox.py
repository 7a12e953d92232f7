"""The console's inbox over HTTP, the real bot with the fake Telegram: a citizen's request
for an officer is listed; an admin takes it, replies (the citizen receives it on Telegram,
labelled as an officer's words) and closes it (the citizen is told); an officer sees only
the tickets of their unit's ward; a POST without the session's token is refused."""

from __future__ import annotations

import aiohttp
import pytest

from bot.app import running
from bot.strings import console as words
from tests.console.conftest import signed_in
from tests.fakes.answerer import HANDOFF, FakeAnswerer
from tests.fakes.telegram_api import FakeTelegram
from tests.web.conftest import OPERATORS, web_settings

ADMIN = "telegram:9001"
CITIZEN = 5001
ASK = "cho toi gap can bo"


@pytest.fixture
async def bot(fake: FakeTelegram, tmp_path):
    settings = web_settings(fake, f"sqlite+aiosqlite:///{tmp_path / 'i.db'}", admins=ADMIN)
    async with running(settings, FakeAnswerer({ASK: HANDOFF})) as state:
        yield state


async def citizen_asks_for_an_officer(state, fake: FakeTelegram) -> int:
    update = fake.text_update(CITIZEN, CITIZEN, ASK, first_name="Bác Tư")
    assert await fake.deliver_webhook(update, url=state.base_url + "/telegram/webhook") == 200
    await fake.wait_for_message(OPERATORS, text_contains="Yêu cầu #")
    person = await state.store.find_person("telegram", str(CITIZEN))
    ticket = await state.store.active_ticket(person.id)
    return ticket.id


async def test_take_reply_and_close_a_ticket_from_the_console(bot, fake: FakeTelegram) -> None:
    ticket = await citizen_asks_for_an_officer(bot, fake)
    base = f"{bot.base_url}/console/yeu-cau/{ticket}"
    async with aiohttp.ClientSession() as http:
        headers, session = await signed_in(bot, ADMIN, http)
        csrf = session.csrf
        async with http.get(bot.base_url + "/console/", headers=headers) as home:
            listing = await home.text()
            assert f"#{ticket}" in listing and "Bác Tư" in listing
        async with http.get(base, headers=headers) as page:
            assert page.status == 200 and ASK in await page.text()
        async with http.post(base + "/nhan", data={"csrf": csrf}, headers=headers) as taken:
            assert taken.status == 200  # followed the redirect back to the ticket
        assert (await bot.store.get_ticket(ticket)).state == "assigned"
        since = len(fake.calls)
        reply = {"csrf": csrf, "text": "Chào bác, phường sẽ gọi lại chiều nay."}
        async with http.post(base + "/tra-loi", data=reply, headers=headers) as sent:
            assert sent.status == 200
        got = await fake.wait_for_message(CITIZEN, since=since, text_contains="phường sẽ gọi lại")
        assert got["text"].startswith("💬 Cán bộ")  # an officer's words, labelled as such
        assert (await bot.store.get_ticket(ticket)).state == "answered"
        since = len(fake.calls)
        async with http.post(base + "/dong", data={"csrf": csrf}, headers=headers) as closed:
            assert closed.status == 200
        await fake.wait_for_message(CITIZEN, since=since)  # the citizen is told
        assert (await bot.store.get_ticket(ticket)).state == "closed"
        async with http.post(base + "/tra-loi", data=reply, headers=headers) as late:
            assert late.status == 409 and words.ALREADY_CLOSED in await late.text()
        async with http.get(bot.base_url + "/console/", headers=headers) as home:
            assert f"#{ticket}" not in await home.text()
    actions = [action for _, action, _, _ in await bot.store.audit_entries()]
    assert {"console_ticket_nhan", "console_ticket_tra-loi", "console_ticket_dong"} <= set(actions)


async def test_an_officer_sees_only_the_tickets_of_their_wards(bot, fake: FakeTelegram) -> None:
    ticket = await citizen_asks_for_an_officer(bot, fake)
    person = await bot.store.find_person("telegram", str(CITIZEN))
    await bot.store.add_officer("telegram", "7001", "UBND phường Ba Đình", ADMIN)
    await bot.store.add_officer("telegram", "7002", "UBND phường Kim Liên", ADMIN)
    await bot.store.set_preferences(person.id, None, "ba dinh")
    url = f"{bot.base_url}/console/yeu-cau/{ticket}"
    async with aiohttp.ClientSession() as http:
        ours, _ = await signed_in(bot, "telegram:7001", http)
        theirs, session = await signed_in(bot, "telegram:7002", http)
        csrf = session.csrf
        async with http.get(url, headers=ours) as seen:
            assert seen.status == 200
        async with http.get(url, headers=theirs) as hidden:
            assert hidden.status == 404 and "Bác Tư" not in await hidden.text()
        async with http.get(bot.base_url + "/console/", headers=theirs) as home:
            assert f"#{ticket}" not in await home.text()
        data = {"csrf": csrf, "text": "x"}
        async with http.post(url + "/tra-loi", data=data, headers=theirs) as refused:
            assert refused.status == 404
        async with http.post(url + "/dong", data={"csrf": "forged"}, headers=ours) as forged:
            assert forged.status == 403
    assert (await bot.store.get_ticket(ticket)).state == "open"
