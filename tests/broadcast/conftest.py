"""Broadcasts need the bot running, not the model: ``answerer`` is a fake that answers the one
question the officers' tests ask (an officer's ordinary question still reaches it)."""

from __future__ import annotations

import pytest

from tests.fakes.answerer import FakeAnswerer, cited

QUESTION = "mục tiêu thu nhập năm 2045"
ANSWER = cited("II.2.2", "Đến năm 2045, thu nhập bình quân đầu người đạt trên 42.000 USD.")


@pytest.fixture
def answerer() -> FakeAnswerer:
    return FakeAnswerer({QUESTION: ANSWER})
