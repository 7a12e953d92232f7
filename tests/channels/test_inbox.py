"""Webhook events that keep failing are given up on, reported once, and block nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.channels import inbox as inbox_module
from bot.channels.inbox import EventInbox
from bot.store.memory import MemoryStore


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox_module, "RETRY_PAUSE", 0.001)


class Handler:
    def __init__(self, poison: set[str]) -> None:
        self.poison = poison
        self.handled: list[str] = []
        self.notes: list[str] = []

    async def __call__(self, payload: dict[str, Any]) -> None:
        if payload["key"] in self.poison:
            raise TypeError(f"cannot handle {payload.get('text')}")
        self.handled.append(payload["key"])

    async def tell(self, text: str) -> None:
        self.notes.append(text)


def person(payload: dict[str, Any]) -> str:
    return payload["sender"]["id"]  # KeyError for a payload of the wrong shape


async def test_a_poison_event_is_given_up_on_after_five_tries_and_others_go_on() -> None:
    store, handler = MemoryStore(), Handler({"bad"})
    inbox = EventInbox(store, "zalo_oa", handler, person, tell_officers=handler.tell)
    events = [
        {"key": "bad", "sender": {"id": "u1"}, "text": "bí mật của người dân"},
        {"key": "ok-1", "sender": {"id": "u1"}},  # the same person, after the bad one
        {"key": "odd"},  # no sender at all: its own turn
        {"key": "ok-2", "sender": {"id": "u2"}},
    ]
    for event in events:
        assert await inbox.accept(event["key"], event)
    await asyncio.wait_for(inbox.drain(), 30)
    assert sorted(handler.handled) == ["odd", "ok-1", "ok-2"]
    assert await store.inbox_pending("zalo_oa") == []
    [(key, why)] = await store.inbox_dead("zalo_oa")
    assert key == "bad" and why.startswith("TypeError") and "bí mật" not in why
    assert store.inbox[("zalo_oa", "bad")].attempts == inbox_module.MAX_ATTEMPTS
    [note] = handler.notes
    assert "u1" in note and "TypeError" in note and "bí mật" not in note


async def test_an_event_that_kept_killing_the_bot_is_given_up_on_at_start() -> None:
    store, handler = MemoryStore(), Handler(set())
    await store.inbox_put("zalo_oa", "crasher", {"key": "crasher", "sender": {"id": "u9"}})
    for _ in range(inbox_module.MAX_ATTEMPTS):  # each start tried it, and died in it
        await store.inbox_attempt("zalo_oa", "crasher")
    inbox = EventInbox(store, "zalo_oa", handler, person, tell_officers=handler.tell)
    await inbox.start()
    await asyncio.wait_for(inbox.drain(), 30)
    assert handler.handled == [] and len(handler.notes) == 1
    assert [k for k, _ in await store.inbox_dead("zalo_oa")] == ["crasher"]


async def test_every_leftover_is_loaded_at_start_not_only_the_first_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(inbox_module, "PAGE", 3)
    store, handler = MemoryStore(), Handler(set())
    for n in range(10):
        await store.inbox_put("zalo_oa", f"e{n}", {"key": f"e{n}", "sender": {"id": f"u{n}"}})
    inbox = EventInbox(store, "zalo_oa", handler, person)
    await inbox.start()
    await asyncio.wait_for(inbox.drain(), 30)
    assert sorted(handler.handled) == sorted(f"e{n}" for n in range(10))
