"""The console over HTTP, the real bot (aiohttp, SQLite, fake answerer): a link from the
bot signs in once; the cookie is HttpOnly, SameSite=Strict, Secure behind HTTPS and
scoped to /console/; signing out needs the CSRF token and this site's origin; every
sign-in, refusal and sign-out is audited; an officer removed is signed out at once."""

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
PUBLIC = "https://bot.example.vn"


@pytest.fixture
async def bot(fake: FakeTelegram, tmp_path):
    settings = web_settings(
        fake, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", admins=ADMIN, public_base_url=PUBLIC
    )
    async with running(settings, FakeAnswerer()) as state:
        yield state


async def link_token(state) -> str:
    desk = state.dispatcher.officers
    message = await desk.console_link(ADMIN)
    assert PUBLIC + "/console/dang-nhap?t=" in message and "10 phút" in message
    return message.split("?t=")[1].split()[0]


async def test_a_link_signs_in_once_and_the_cookie_is_locked_down(bot) -> None:
    token = await link_token(bot)
    async with aiohttp.ClientSession() as http:
        async with http.get(bot.base_url + "/console/dang-nhap", params={"t": token}) as first:
            assert first.status == 200
            cookie = first.headers["Set-Cookie"]
            body = await first.text()
        for flag in ("HttpOnly", "SameSite=Strict", "Secure", "Path=/console/"):
            assert flag in cookie, cookie
        assert 'http-equiv="refresh"' in body  # same-site navigation: the cookie is sent
        session = cookie.split(";")[0].split("=", 1)[1]
        headers = {"Cookie": f"hd_console={session}"}
        async with http.get(bot.base_url + "/console/", headers=headers) as home:
            page = await home.text()
            assert home.status == 200 and ADMIN in page and "quản trị" in page
            assert home.headers["Cache-Control"] == "no-store"
        async with http.get(bot.base_url + "/console/dang-nhap", params={"t": token}) as again:
            assert again.status == 403 and words.LINK_REFUSED["used"] in await again.text()
        async with http.get(bot.base_url + "/console/") as anonymous:
            assert anonymous.status == 401
    actions = [action for _, action, _, _ in await bot.store.audit_entries()]
    assert "console_sign_in" in actions and "console_link_refused" in actions


async def test_signing_out_needs_the_token_and_this_site(bot) -> None:
    url = bot.base_url + "/console/dang-xuat"
    async with aiohttp.ClientSession() as http:
        own, session = await signed_in(bot, ADMIN, http)
        async with http.post(url, data={"csrf": "wrong"}, headers=own) as forged:
            assert forged.status == 403
        foreign = {**own, "Origin": "https://evil.example"}
        async with http.post(url, data={"csrf": session.csrf}, headers=foreign) as r:
            assert r.status == 403
        async with http.post(url, data={"csrf": session.csrf}, headers=own) as ok:
            assert ok.status == 200 and words.SIGNED_OUT in await ok.text()
        async with http.get(bot.base_url + "/console/", headers=own) as after:
            assert after.status == 401
    actions = [action for _, action, _, _ in await bot.store.audit_entries()]
    assert actions.count("console_forgery_refused") == 2 and "console_sign_out" in actions


async def test_an_officer_removed_is_signed_out_at_once(bot) -> None:
    await bot.store.add_officer("telegram", "4242", "UBND phường Kim Liên", ADMIN)
    desk = bot.dispatcher.officers
    token = (await desk.console_link("telegram:4242")).split("?t=")[1].split()[0]
    async with aiohttp.ClientSession() as http:
        async with http.get(bot.base_url + "/console/dang-nhap", params={"t": token}) as r:
            headers = {"Cookie": r.headers["Set-Cookie"].split(";")[0]}
        async with http.get(bot.base_url + "/console/", headers=headers) as home:
            assert home.status == 200 and "UBND phường Kim Liên" in await home.text()
        await bot.store.remove_officer("telegram", "4242")
        async with http.get(bot.base_url + "/console/", headers=headers) as gone:
            assert gone.status == 401


async def test_dangnhap_in_telegram_brings_a_link_that_signs_in(bot, fake: FakeTelegram) -> None:
    update = fake.text_update(9001, 9001, "/dangnhap", first_name="Quản trị")
    assert await fake.deliver_webhook(update, url=bot.base_url + "/telegram/webhook") == 200
    sent = await fake.wait_for_message(9001, text_contains="dang-nhap?t=")
    token = sent["text"].split("?t=")[1].split()[0]
    async with (
        aiohttp.ClientSession() as http,
        http.get(bot.base_url + "/console/dang-nhap", params={"t": token}) as signed,
    ):
        assert signed.status == 200 and "hd_console=" in signed.headers["Set-Cookie"]


async def test_the_console_has_its_styles_and_scripts_with_the_web_chat_off(fake, tmp_path) -> None:
    settings = web_settings(
        fake, f"sqlite+aiosqlite:///{tmp_path / 'off.db'}", admins=ADMIN, web_enabled=False
    )
    async with running(settings, FakeAnswerer()) as state, aiohttp.ClientSession() as http:
        for name in ("console.css", "chat.css", "console-live.js", "icon.svg"):
            async with http.get(f"{state.base_url}/static/{name}") as asset:
                assert asset.status == 200, name
        async with http.get(state.base_url + "/") as chat_page:
            assert chat_page.status == 404  # the citizens' chat itself stays off
        async with http.get(state.base_url + "/console/") as console:
            assert console.status == 401


async def test_an_officer_on_zalo_gets_a_sign_in_link_with_dangnhap(fake, tmp_path) -> None:
    from tests.fakes.zalo_oa_api import FakeZaloOA

    officer = "6142871234567890123"
    async with FakeZaloOA() as zalo:
        zalo.add_user(officer, "Cán bộ Lan")
        settings = web_settings(
            fake,
            f"sqlite+aiosqlite:///{tmp_path / 'z.db'}",
            officers=f"zalo_oa:{officer}=UBND phường Ba Đình",
            public_base_url=PUBLIC,
            **zalo.bot_settings(),
        )
        async with running(settings, FakeAnswerer()) as state:
            event = zalo.text_event(officer, "/dangnhap")
            status, _, _ = await zalo.deliver_event(state.base_url + "/zalo/oa/webhook", event)
            assert status == 200
            sent = await zalo.wait_for_cs(officer, text_contains="/console/dang-nhap?t=")
            token = sent.text.split("?t=")[1].split()[0]
            async with aiohttp.ClientSession() as http:
                url = state.base_url + "/console/dang-nhap"
                async with http.get(url, params={"t": token}) as signed:
                    assert signed.status == 200
                    cookie = signed.headers["Set-Cookie"].split(";")[0]
                async with http.get(state.base_url + "/console/", headers={"Cookie": cookie}) as r:
                    assert r.status == 200 and "UBND phường Ba Đình" in await r.text()
