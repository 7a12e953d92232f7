"""Broadcasts need the bot running, not the model: ``answerer`` is a fake that answers the one
question the officers' tests ask (an officer's ordinary question still reaches it)."""

from __future__ import annotations

import pytest

from bot.broadcast import clock
from bot.broadcast import delivery as delivery_loop
from tests.fakes.answerer import FakeAnswerer, cited

QUESTION = "mục tiêu thu nhập năm 2045"
ANSWER = cited("II.2.2", "Đến năm 2045, thu nhập bình quân đầu người đạt trên 42.000 USD.")


@pytest.fixture
def answerer() -> FakeAnswerer:
    return FakeAnswerer({QUESTION: ANSWER})


@pytest.fixture(autouse=True)
def quick_clocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The delivery loop's heartbeat and the progress clock's tick, in tenths of a second:
    what they do is tested, not how long they wait (pacing itself is, in the slow tests)."""
    monkeypatch.setattr(delivery_loop, "HEARTBEAT", 0.2)
    monkeypatch.setattr(clock, "TICK", 0.3)
