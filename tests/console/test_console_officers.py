"""The console's officers page over HTTP, the real bot: an admin sees who may use the
desk, adds an officer (who can then sign in, with their unit) and removes them (signed out
at once); the same audit entries as /themcanbo and /xoacanbo; an officer is refused; bad
accounts, settings' own officers and forged posts are refused politely."""

from __future__ import annotations

import aiohttp
import pytest

from bot.app import running
from bot.strings import console as words
from tests.console.conftest import signed_in
from tests.fakes.answerer import FakeAnswerer
from tests.fakes.telegram_api import FakeTelegram
from tests.web.conftest import web_settings

ADMIN = "telegram:9001"
SETTLED = "telegram:9100"  # an officer from settings


@pytest.fixture
async def bot(fake: FakeTelegram, tmp_path):
    settings = web_settings(
        fake,
        f"sqlite+aiosqlite:///{tmp_path / 'o.db'}",
        admins=ADMIN,
        officers=f"{SETTLED}=UBND phường Hàng Bạc",
    )
    async with running(settings, FakeAnswerer()) as state:
        yield state


async def test_an_admin_adds_and_removes_an_officer(bot) -> None:
    page = bot.base_url + "/console/can-bo"
    async with aiohttp.ClientSession() as http:
        headers, session = await signed_in(bot, ADMIN, http)
        async with http.get(page, headers=headers) as listed:
            text = await listed.text()
            assert listed.status == 200 and SETTLED in text and "UBND phường Hàng Bạc" in text
        add = {"csrf": session.csrf, "who": "zalo_oa:4455", "unit": "  UBND phường  Ba Đình "}
        async with http.post(page + "/them", data=add, headers=headers) as added:
            assert added.status == 200 and "zalo_oa:4455" in await added.text()
        assert await bot.dispatcher.officers.role_of("zalo_oa:4455") == (
            "officer",
            "UBND phường Ba Đình",
        )
        theirs, _ = await signed_in(bot, "zalo_oa:4455", http)
        async with http.get(bot.base_url + "/console/", headers=theirs) as home:
            assert home.status == 200 and "UBND phường Ba Đình" in await home.text()
        remove = {"csrf": session.csrf, "who": "zalo_oa:4455"}
        async with http.post(page + "/xoa", data=remove, headers=headers) as removed:
            assert removed.status == 200
        assert await bot.dispatcher.officers.role_of("zalo_oa:4455") is None
        async with http.get(bot.base_url + "/console/", headers=theirs) as gone:
            assert gone.status == 401  # signed out at the next request
    actions = [(actor, action) for actor, action, _, _ in await bot.store.audit_entries()]
    assert (ADMIN, "themcanbo") in actions and (ADMIN, "xoacanbo") in actions


async def test_officers_bad_accounts_and_forgeries_are_refused(bot) -> None:
    page = bot.base_url + "/console/can-bo"
    async with aiohttp.ClientSession() as http:
        officer, officer_session = await signed_in(bot, SETTLED, http)
        async with http.get(page, headers=officer) as refused:
            assert refused.status == 403 and words.ADMINS_ONLY in await refused.text()
        data = {"csrf": officer_session.csrf, "who": "telegram:1", "unit": "X"}
        async with http.post(page + "/them", data=data, headers=officer) as refused:
            assert refused.status == 403
        async with http.get(bot.base_url + "/console/", headers=officer) as home:
            assert "/console/can-bo" not in await home.text()  # no menu entry for officers
        headers, session = await signed_in(bot, ADMIN, http)
        for who, unit in (
            ("123456789", "UBND"),
            ("facebook:1", "UBND"),
            ("telegram:1 2", "UBND"),
            ("telegram:" + "9" * 65, "UBND"),
            ("telegram:55", ""),
            ("telegram:55", "x" * 201),
        ):
            data = {"csrf": session.csrf, "who": who, "unit": unit}
            async with http.post(page + "/them", data=data, headers=headers) as bad:
                assert bad.status == 400, (who, unit)
        data = {"csrf": session.csrf, "who": SETTLED}
        async with http.post(page + "/xoa", data=data, headers=headers) as settled:
            assert settled.status == 409 and words.IN_SETTINGS in await settled.text()
        forged = {"csrf": "nope", "who": "telegram:55", "unit": "UBND"}
        async with http.post(page + "/them", data=forged, headers=headers) as r:
            assert r.status == 403
    assert await bot.dispatcher.officers.role_of("telegram:55") is None
    assert await bot.dispatcher.officers.role_of(SETTLED) == ("officer", "UBND phường Hàng Bạc")
    actions = [action for _, action, _, _ in await bot.store.audit_entries()]
    assert "console_officers_refused" in actions and "console_forgery_refused" in actions


async def test_a_body_that_is_not_a_form_is_refused_politely(bot) -> None:
    broken = {"Content-Type": "multipart/form-data; boundary=x", "Origin": bot.base_url}
    async with aiohttp.ClientSession() as http:
        headers, _ = await signed_in(bot, ADMIN, http)
        for path in ("/console/can-bo/them", "/console/dang-xuat", "/console/yeu-cau/1/dong"):
            body = b'--x\r\nContent-Disposition: form-data; name="csrf"\r\n\r\nabc'  # no end
            url = bot.base_url + path
            async with http.post(url, data=body, headers={**headers, **broken}) as refused:
                assert refused.status in (400, 404), path  # 404: no ticket 1 (looked up first)
                assert "Traceback" not in await refused.text()
        url = bot.base_url + "/console/can-bo/them"
        async with http.post(url, data=b"--x\r\n", headers={**headers, **broken}) as refused:
            assert refused.status == 400 and words.BAD_FORM in await refused.text()
