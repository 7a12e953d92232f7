"""``/luu`` in the officers' Telegram group, through the real python-telegram-bot client and
the fake Telegram API: an officer's reply to a ticket is saved as a draft officer answer
(the citizen's question, the officer's words), whether /luu answers the officer's own
relayed reply or the bot's post; the citizen receives nothing of it; a ticket nobody has
answered yet, or someone who is not an officer, gets a polite reason in the group."""

from __future__ import annotations

from typing import Any

import pytest

from bot.strings import officer_answers as words
from tests.channels.conftest import CITIZEN, OFFICER, OPERATORS, bot_settings, linked_post, started
from tests.fakes.answerer import FakeAnswerer
from tests.fakes.telegram_api import FakeTelegram

QUESTION = "Thủ tục đăng ký hộ kinh doanh ở đâu?"
REPLY = "Bác nộp hồ sơ tại bộ phận một cửa của phường, mang theo CCCD."
UNIT = "UBND phường Hàng Bạc"
STRANGER = 777999  # in the group, but not an officer
PUBLIC = "https://hoidap.example.vn"


@pytest.fixture
def settings(fake: FakeTelegram, database_url: str):
    return bot_settings(
        fake,
        database_url,
        officers=f"telegram:{OFFICER}={UNIT}",
        admins="telegram:9001",
        public_base_url=PUBLIC,
    )


async def send(state, fake: FakeTelegram, update: dict[str, Any]) -> int:
    """Deliver ``update`` to the bot's webhook (processed before it answers); its message id."""
    status = await fake.deliver_webhook(update, url=state.base_url + "/telegram/webhook")
    assert status == 200
    return update["message"]["message_id"] if "message" in update else 0


async def a_ticket(state, fake: FakeTelegram) -> int:
    """The citizen's question is not in the documents; they ask for an officer: the post."""
    await send(state, fake, fake.text_update(CITIZEN, CITIZEN, QUESTION, first_name="Bác Tư"))
    since = len(fake.calls)
    callback = fake.callback_update(CITIZEN, CITIZEN, "handoff", 1, first_name="Bác Tư")
    assert await fake.deliver_webhook(callback, url=state.base_url + "/telegram/webhook") == 200
    await fake.wait_for_message(OPERATORS, since=since, text_contains="Yêu cầu #")
    post_id = fake.calls_to("sendMessage", ok_only=True)[-1].result["message_id"]
    return await linked_post(state, OPERATORS, post_id)


async def say_in_group(state, fake, user: int, text: str, reply_to: int) -> tuple[int, str]:
    """An officer's message in the group; (its id, the bot's answer there)."""
    since = len(fake.calls)
    update = fake.text_update(
        OPERATORS, user, text, first_name="Cán bộ Lan", reply_to_message_id=reply_to
    )
    message_id = await send(state, fake, update)
    answer = await fake.wait_for_message(OPERATORS, since=since)
    return message_id, answer["text"]


async def test_luu_on_the_officers_own_reply_saves_a_draft(
    fake: FakeTelegram, settings, answerer: FakeAnswerer
) -> None:
    async with started(settings, answerer) as state:
        post_id = await a_ticket(state, fake)
        since = len(fake.calls)
        update = fake.text_update(
            OPERATORS, OFFICER, REPLY, first_name="Cán bộ Lan", reply_to_message_id=post_id
        )
        reply_id = await send(state, fake, update)
        relayed = await fake.wait_for_message(CITIZEN, since=since, text_contains=REPLY)
        assert relayed["text"].startswith(f"💬 Cán bộ {UNIT} trả lời")
        assert fake.message(OPERATORS, reply_id)["from"]["id"] == OFFICER  # not the bot's post

        to_citizen = len(fake.sent_messages(CITIZEN))
        _, said = await say_in_group(state, fake, OFFICER, "/luu", reply_id)
        [entry] = await state.store.officer_answers()
        assert said == words.saved(entry.id, f"{PUBLIC}/console/giai-dap/{entry.id}")
        assert len(fake.sent_messages(CITIZEN)) == to_citizen  # /luu is not relayed
        ticket = await state.store.ticket_for_post(str(OPERATORS), str(post_id))
        assert (entry.state, entry.unit, entry.source) == ("draft", UNIT, f"ticket:{ticket.id}")
        assert entry.created_by == f"telegram:{OFFICER}"
        assert entry.latest.text.questions == (QUESTION,)
        assert entry.latest.text.answer == REPLY
        actions = [(who, action) for who, action, _, _ in await state.store.audit_entries()]
        assert (f"telegram:{OFFICER}", "giai_dap_soan") in actions


async def test_luu_with_a_sample_question_and_its_refusals(
    fake: FakeTelegram, settings, answerer: FakeAnswerer
) -> None:
    async with started(settings, answerer) as state:
        post_id = await a_ticket(state, fake)
        ticket = await state.store.ticket_for_post(str(OPERATORS), str(post_id))
        to_citizen = len(fake.sent_messages(CITIZEN))
        _, said = await say_in_group(state, fake, OFFICER, "/luu", post_id)
        assert said == words.no_reply_yet(ticket.id)
        _, said = await say_in_group(state, fake, STRANGER, "/luu", post_id)
        assert said == words.NOT_OFFICER
        assert len(fake.sent_messages(CITIZEN)) == to_citizen
        assert await state.store.officer_answers() == []

        since = len(fake.calls)
        reply = fake.text_update(OPERATORS, OFFICER, REPLY, reply_to_message_id=post_id)
        await send(state, fake, reply)
        await fake.wait_for_message(CITIZEN, since=since, text_contains=REPLY)
        sample = "Đăng ký hộ kinh doanh ở phường nào?"
        to_citizen = len(fake.sent_messages(CITIZEN))
        _, said = await say_in_group(state, fake, OFFICER, f"/luu  {sample}", post_id)
        [entry] = await state.store.officer_answers()
        assert said.startswith(f"Đã lưu bản nháp giải đáp #{entry.id}")
        assert entry.latest.text.questions == (sample,) and entry.latest.text.answer == REPLY
        assert len(fake.sent_messages(CITIZEN)) == to_citizen
