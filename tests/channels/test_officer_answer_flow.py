"""The whole life of an officer answer, through the running bot, the real engine and the
fake Telegram API: a citizen's question the documents do not answer becomes a ticket; the
officer answers it in the group and saves it with /luu; an admin approves it; another
citizen asking the same thing in other words (no tone marks) gets it, labelled as the
ward's explanation; withdrawn, the same words get no officer answer any more."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.officer_answers.workflow import Actor
from tests.channels.conftest import CITIZEN, OFFICER, OPERATORS, bot_settings, started
from tests.channels.test_luu import UNIT, a_ticket, say_in_group, send
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.slow

ADMIN = Actor("telegram:9001", admin=True, unit="")
REPLY = "Bác nộp hồ sơ đăng ký hộ kinh doanh tại bộ phận một cửa của phường, mang theo CCCD."
LABEL = f"Giải đáp của {UNIT}"
NEIGHBOUR = 515151
PARAPHRASE = "dang ky ho kinh doanh thi nop ho so o dau vay"
WAIT = 60.0


async def asks(state, fake: FakeTelegram, question: str) -> dict[str, Any]:
    """The neighbour asks; the bot's reply, after choosing an offered officer answer if the
    bot offered one instead of answering (the offer states no fact)."""
    since = len(fake.calls)
    await send(state, fake, fake.text_update(NEIGHBOUR, NEIGHBOUR, question, first_name="Bà Ba"))
    reply = await fake.wait_for_message(NEIGHBOUR, since=since, timeout=WAIT)
    sent = [c for c in fake.calls_to("sendMessage", ok_only=True) if c.params is reply]
    buttons = [b for row in reply.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
    offered = [b for b in buttons if b["text"].split(". ", 1)[-1].startswith("Giải đáp của cán bộ")]
    if not offered:
        return reply
    since = len(fake.calls)
    message_id = sent[-1].result["message_id"]
    press = fake.callback_update(NEIGHBOUR, NEIGHBOUR, offered[0]["callback_data"], message_id)
    assert await fake.deliver_webhook(press, url=state.base_url + "/telegram/webhook") == 200
    return await fake.wait_for_message(NEIGHBOUR, since=since, timeout=WAIT)


async def served(state, entry_id: int, present: bool) -> None:
    """The running bot's engine serves (or no longer serves) the answer: the poll's work."""
    while (entry_id in {k[0] for k in state.answerer.officers._vectors}) != present:
        await asyncio.sleep(0.05)


async def test_an_answered_ticket_becomes_a_labelled_answer_and_stops_when_withdrawn(
    fake: FakeTelegram, database_url: str, engine
) -> None:
    settings = bot_settings(
        fake, database_url, officers=f"telegram:{OFFICER}={UNIT}", admins=ADMIN.who
    )
    try:
        async with started(settings, engine) as state:
            post_id = await a_ticket(state, fake)
            since = len(fake.calls)
            update = fake.text_update(OPERATORS, OFFICER, REPLY, reply_to_message_id=post_id)
            reply_id = await send(state, fake, update)
            await fake.wait_for_message(CITIZEN, since=since, text_contains="bộ phận một cửa")
            await say_in_group(state, fake, OFFICER, "/luu", reply_id)
            [draft] = await state.store.officer_answers()
            assert draft.state == "draft"

            workflow = state.console.officer_answers
            await workflow.approve(ADMIN, draft.id, draft.latest.version)
            await asyncio.wait_for(served(state, draft.id, True), WAIT)
            got = await asks(state, fake, PARAPHRASE)
            assert got["text"].startswith(f"💬 {LABEL}, ngày ")
            assert "(không phải nguyên văn Nghị quyết/Kế hoạch)" in got["text"]
            assert REPLY in got["text"]
            [stored] = [m for m in await state.store.recent_messages(
                (await state.store.find_person("telegram", str(NEIGHBOUR))).id, 10
            ) if m.citations and m.citations[0].kind == "officer_answer"]  # fmt: skip
            assert (stored.citations[0].entry, stored.citations[0].version) == (draft.id, 1)

            await workflow.withdraw(ADMIN, draft.id, "thủ tục đã đổi")
            await asyncio.wait_for(served(state, draft.id, False), WAIT)
            got = await asks(state, fake, PARAPHRASE)
            assert LABEL not in got["text"] and REPLY not in got["text"]
    finally:
        await engine.serve_officer_answers([])
