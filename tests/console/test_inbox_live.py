"""The inbox finds and flags: search ignores tone marks and looks at closed tickets only
when asked; the JSON API shows an officer only their unit's tickets; a ticket taken by
another officer is refused politely; lateness counts office hours only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp

from bot.console.inbox_view import Lateness, rows_html
from bot.conversation.office_hours import OfficeHours
from bot.core.records import PersonRecord, TicketRecord
from bot.strings import console as words
from tests.console.conftest import signed_in
from tests.console.test_inbox import ADMIN, bot, citizen_asks_for_an_officer  # noqa: F401
from tests.fakes.telegram_api import FakeTelegram

HOURS = OfficeHours.parse("07:30-17:00", "1-5", "Asia/Ho_Chi_Minh")
MONDAY_9 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội


def test_office_minutes_skip_nights_and_weekends() -> None:
    assert HOURS.open_minutes(MONDAY_9, MONDAY_9 + timedelta(hours=2)) == 120
    friday_16 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # 16:00 Friday
    monday_8 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 08:00 Monday
    assert HOURS.open_minutes(friday_16, monday_8) == 60 + 30
    assert HOURS.open_minutes(monday_8, friday_16) == 0  # backwards: nothing


def _ticket(state: str, opened: datetime) -> tuple[TicketRecord, PersonRecord]:
    ticket = TicketRecord(1, 1, state, "hỏi về lệ phí", None, opened)  # type: ignore[arg-type]
    person = PersonRecord(
        1,
        "zalo_oa",
        "u",
        "c",
        "Bà Lan",
        None,
        False,
        None,
        False,
        None,
        opened,
        opened,
        None,
        "ba dinh",
    )
    return ticket, person


def test_a_ticket_is_late_only_when_still_owed_a_reply_past_the_target() -> None:
    lateness = Lateness(HOURS, 120)
    now = MONDAY_9 + timedelta(hours=3)
    late = lateness.row(*_ticket("open", MONDAY_9), now)
    assert late.late and late.waited_minutes == 180
    assert not lateness.row(*_ticket("answered", MONDAY_9), now).late  # the officer replied
    assert not lateness.row(*_ticket("open", now - timedelta(minutes=90)), now).late
    overnight = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)  # 16:30 Monday
    next_morning = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 08:00 Tuesday: 60 office minutes
    assert not lateness.row(*_ticket("open", overnight), next_morning).late
    html = rows_html([late], searched=False)
    assert 'class="late"' in html and words.LATE in html  # not colour alone


async def test_search_ignores_tone_marks_and_closed_tickets_need_asking(
    bot,  # noqa: F811
    fake: FakeTelegram,
) -> None:
    ticket = await citizen_asks_for_an_officer(bot, fake)  # "Bác Tư" asks for an officer
    async with aiohttp.ClientSession() as http:
        headers, session = await signed_in(bot, ADMIN, http)
        home = bot.base_url + "/console/"
        for query, found in (
            ("bac tu", True),
            ("BÁC  tư", True),
            (f"#{ticket}", True),
            ("zalo", False),
            ("bác năm", False),
        ):
            async with http.get(home, params={"q": query}, headers=headers) as page:
                text = await page.text()
                assert page.status == 200 and (f"#{ticket}<" in text) == found, query
        async with http.get(home, params={"q": "x" * 5000}, headers=headers) as huge:
            assert huge.status == 200 and words.INBOX_NONE_FOUND in await huge.text()
        base = f"{home}yeu-cau/{ticket}"
        async with http.post(base + "/dong", data={"csrf": session.csrf}, headers=headers) as r:
            assert r.status == 200
        async with http.get(home, params={"q": "bac tu"}, headers=headers) as page:
            assert f"#{ticket}<" not in await page.text()
        async with http.get(home, params={"q": "bac tu", "dong": "1"}, headers=headers) as page:
            text = await page.text()
            assert f"#{ticket}<" in text and words.STATES["closed"] in text
        api = bot.base_url + "/console/api/yeu-cau"
        async with http.get(api, params={"dong": "1"}, headers=headers) as listed:
            tickets = (await listed.json())["tickets"]
            assert [(t["id"], t["state"], t["name"]) for t in tickets] == [
                (ticket, "closed", "Bác Tư")
            ]


async def test_the_json_api_and_the_live_list_keep_to_the_officers_unit(
    bot,  # noqa: F811
    fake: FakeTelegram,
) -> None:
    ticket = await citizen_asks_for_an_officer(bot, fake)
    person = await bot.store.find_person("telegram", "5001")
    await bot.store.set_preferences(person.id, None, "ba dinh")
    await bot.store.add_officer("telegram", "7001", "UBND phường Ba Đình", ADMIN)
    await bot.store.add_officer("telegram", "7002", "UBND phường Kim Liên", ADMIN)
    api = bot.base_url + "/console/api/yeu-cau"
    async with aiohttp.ClientSession() as http:
        ours, _ = await signed_in(bot, "telegram:7001", http)
        theirs, _ = await signed_in(bot, "telegram:7002", http)
        async with http.get(api, headers=ours) as listed:
            assert [t["id"] for t in (await listed.json())["tickets"]] == [ticket]
        async with http.get(f"{api}/{ticket}", headers=ours) as one:
            body = await one.json()
            assert body["ticket"]["name"] == "Bác Tư"
            assert any(m["text"] == "cho toi gap can bo" for m in body["conversation"])
        async with http.get(api, headers=theirs) as listed:
            assert (await listed.json())["tickets"] == []
        async with http.get(f"{api}/{ticket}", headers=theirs) as hidden:
            assert hidden.status == 404 and "Bác Tư" not in await hidden.text()
        async with http.get(bot.base_url + "/console/hop-thu", headers=theirs) as live:
            assert live.status == 200 and "Bác Tư" not in await live.text()
        async with http.get(
            f"{bot.base_url}/console/yeu-cau/{ticket}/hoi-thoai", headers=theirs
        ) as r:
            assert r.status == 404
        async with http.get(api) as anonymous:
            assert anonymous.status == 401


async def test_taking_a_ticket_another_officer_took_is_refused_politely(
    bot,  # noqa: F811
    fake: FakeTelegram,
) -> None:
    ticket = await citizen_asks_for_an_officer(bot, fake)
    await bot.store.add_officer("telegram", "7001", "", ADMIN)
    await bot.store.assign_ticket(ticket, "telegram:7001")
    async with aiohttp.ClientSession() as http:
        headers, session = await signed_in(bot, ADMIN, http)
        url = f"{bot.base_url}/console/yeu-cau/{ticket}/nhan"
        async with http.post(url, data={"csrf": session.csrf}, headers=headers) as refused:
            assert refused.status == 409 and "telegram:7001" in await refused.text()
    assert (await bot.store.get_ticket(ticket)).assigned_by == "telegram:7001"
