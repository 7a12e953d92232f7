"""Passwordless sign-in to the officers' console, on the memory store: a link works once
and for ten minutes, two tabs opening one link sign in once, a session ends when left
idle or closed, and ``/dangnhap`` gives links only to officers, only in a private chat."""

from __future__ import annotations

import asyncio

from bot.broadcast.desk import BroadcastDesk
from bot.broadcast.roster import Roster
from bot.console.signin import LINK_SECONDS, SignIn
from bot.core.messages import Inbound
from bot.store.memory import MemoryStore
from bot.strings import broadcast as wording
from bot.strings import console as words


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_a_link_signs_in_once() -> None:
    sign_in = SignIn(MemoryStore(), idle_seconds=1800)
    token = await sign_in.new_link_token("telegram:1")
    assert await sign_in.redeem(token) == ("telegram:1", "")
    assert await sign_in.redeem(token) == (None, "used")
    assert await sign_in.redeem("made-up") == (None, "unknown")


async def test_two_tabs_opening_one_link_sign_in_once() -> None:
    sign_in = SignIn(MemoryStore(), idle_seconds=1800)
    token = await sign_in.new_link_token("telegram:1")
    results = await asyncio.gather(*(sign_in.redeem(token) for _ in range(5)))
    assert sorted(actor or "" for actor, _ in results) == ["", "", "", "", "telegram:1"]


async def test_a_link_expires_after_ten_minutes() -> None:
    clock = Clock()
    sign_in = SignIn(MemoryStore(), idle_seconds=1800, clock=clock)
    token = await sign_in.new_link_token("telegram:1")
    clock.now += LINK_SECONDS + 1
    assert await sign_in.redeem(token) == (None, "expired")


async def test_a_session_ends_when_idle_or_closed() -> None:
    clock = Clock()
    sign_in = SignIn(MemoryStore(), idle_seconds=1800, clock=clock)
    session = await sign_in.open("telegram:1", "officer", "UBND phường Ba Đình")
    found = await sign_in.find(session.id)
    assert found is not None and found.unit == "UBND phường Ba Đình" and found.csrf
    clock.now += 1700  # used again before the limit: the idle time starts over
    assert await sign_in.find(session.id) is not None
    clock.now += 1700
    assert await sign_in.find(session.id) is not None
    clock.now += 1801
    assert await sign_in.find(session.id) is None
    other = await sign_in.open("telegram:1", "officer", "")
    await sign_in.close(other)
    assert await sign_in.find(other.id) is None
    assert await sign_in.find("") is None and await sign_in.find("forged") is None


def _said(user: str, text: str, chat: str | None = None) -> Inbound:
    return Inbound("telegram", user, chat or user, f"k-{user}-{text}-{chat}", text=text)


async def test_dangnhap_gives_officers_a_link_in_private_only() -> None:
    store = MemoryStore()
    desk = BroadcastDesk(store, Roster.parse("telegram:11=Phường Ba Đình", "telegram:99"))
    sign_in = SignIn(store, idle_seconds=1800)

    async def link(actor: str) -> str:
        url = f"https://bot.example.vn/console/dang-nhap?t={await sign_in.new_link_token(actor)}"
        return words.link_message(url, 10)

    desk.console_link = link
    [reply] = await desk.handle(_said("11", "/dangnhap"))
    token = reply.text.split("?t=")[1].split()[0]
    assert await sign_in.redeem(token) == ("telegram:11", "")
    [in_group] = await desk.handle(_said("11", "/dangnhap", chat="-100200"))
    assert in_group.text == words.PRIVATE_ONLY
    [citizen] = await desk.handle(_said("55", "/dangnhap"))
    assert citizen.text == wording.NOT_AN_OFFICER
    desk.console_link = None
    [unset] = await desk.handle(_said("99", "/dangnhap"))
    assert unset.text == words.NO_PUBLIC_URL
    assert await desk.role_of("telegram:99") == ("admin", "")
    assert await desk.role_of("telegram:11") == ("officer", "Phường Ba Đình")
    assert await desk.role_of("telegram:55") is None
