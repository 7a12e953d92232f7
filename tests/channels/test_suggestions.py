"""Suggested sections ("Có phải bạn muốn hỏi về…") on Telegram (buttons) and Zalo OA (typed
numbers): choosing one answers the question from that section; stale or wrong choices get a
polite reply. The fake answerer offers the sections (when the real engine suggests is
tests/answering's matter) and answers a choice from the chosen section."""

from __future__ import annotations

import pytest

from tests.channels.conftest import CITIZEN, GOAL, bot_settings, started
from tests.channels.test_telegram_flow import keyboard_actions, webhook
from tests.channels.test_zalo_oa_flow import CITIZEN as ZALO_CITIZEN
from tests.channels.test_zalo_oa_flow import ask, zalo, zalo_settings  # noqa: F401 (fixture)
from tests.fakes.answerer import DOC, FakeAnswerer
from tests.fakes.answerer import suggesting as suggestion


@pytest.fixture
def suggesting() -> FakeAnswerer:
    return FakeAnswerer({GOAL: suggestion("II.2.2", "I.2", "III.4")})


async def test_telegram_buttons_choose_a_section(fake, database_url, suggesting) -> None:
    async with started(bot_settings(fake, database_url), suggesting) as state:
        await webhook(state, fake, fake.text_update(CITIZEN, CITIZEN, GOAL))
        offer = fake.sent_messages(CITIZEN)[-1]
        assert "Có phải bạn muốn hỏi về" in offer["text"] and "“" not in offer["text"]
        actions = keyboard_actions(offer)
        choices = [a for a in actions if a.startswith("sg:")]
        assert 1 <= len(choices) <= 3 and "handoff" in actions
        rows = offer["reply_markup"]["inline_keyboard"]
        assert all(len(row) == 1 for row in rows if row[0]["callback_data"].startswith("sg:"))
        offer_id = fake.calls_to("sendMessage", ok_only=True)[-1].result["message_id"]

        for _ in range(2):  # choosing twice answers twice
            await webhook(state, fake, fake.callback_update(CITIZEN, CITIZEN, choices[0], offer_id))
            answer = fake.sent_messages(CITIZEN)[-1]["text"]
            assert "Nội dung mục II.2.2" in answer and "II.2.2" in answer
        assert suggesting.asked[-1] == (GOAL, (DOC, "II.2.2"))

        stale = "sg:999999:1"  # an old button, or one from before a restart with another store
        await webhook(state, fake, fake.callback_update(CITIZEN, CITIZEN, stale, offer_id))
        assert "không còn hiệu lực" in fake.sent_messages(CITIZEN)[-1]["text"]
        await webhook(state, fake, fake.callback_update(CITIZEN, CITIZEN, "sg:x:y", offer_id))
        assert "không còn hiệu lực" in fake.sent_messages(CITIZEN)[-1]["text"]


async def test_zalo_numbers_choose_a_section(fake, zalo, database_url, suggesting) -> None:  # noqa: F811
    async with started(zalo_settings(fake, zalo, database_url), suggesting) as state:
        assert await ask(state, zalo, GOAL) == 200
        offer = zalo.calls_to("cs", ok_only=True)[-1].text
        assert "Có phải bạn muốn hỏi về" in offer and "gõ 1" in offer

        await ask(state, zalo, "9")
        assert "Chỉ có lựa chọn" in zalo.calls_to("cs", ok_only=True)[-1].text
        await ask(state, zalo, "1")
        answer = zalo.calls_to("cs", ok_only=True)[-1].text
        assert "Nội dung mục II.2.2" in answer and "II.2.2" in answer
        assert suggesting.asked[-1] == (GOAL, (DOC, "II.2.2"))

        await ask(state, zalo, "2")  # the last answer is no longer a suggestion
        assert "không có danh sách" in zalo.calls_to("cs", ok_only=True)[-1].text
        person = await state.store.find_person("zalo_oa", ZALO_CITIZEN)
        assert person is not None
