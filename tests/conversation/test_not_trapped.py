"""Nobody is trapped after "gặp cán bộ": no officers' chat, an expired ticket, leaving."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.conversation.handoff import Contact
from bot.core.records import PersonRecord, TicketRecord
from bot.strings import conversation as texts
from tests.core.support import OFFICERS, Core, core, said
from tests.fakes.answerer import HANDOFF, FakeAnswerer, cited

GOAL = "muc tieu 2030"
ANSWERS = {GOAL: cited("II.2.2", "Thu nhập 12.000 USD năm 2030."), "gap nguoi that": HANDOFF}


async def ask(bot: Core, text: str | None = None, **fields: str) -> list[str]:
    return [o.text for o in await bot.dispatcher.dispatch(said(text, **fields))]


async def citizen(bot: Core) -> PersonRecord:
    person = await bot.store.find_person("telegram", "42")
    assert person is not None
    return person


async def open_ticket(bot: Core) -> TicketRecord:
    await ask(bot, "gap can bo")
    ticket = await bot.store.active_ticket((await citizen(bot)).id)
    assert ticket is not None
    return ticket


async def test_without_an_officers_chat_no_officer_is_promised_and_help_is_named() -> None:
    b = core(FakeAnswerer(ANSWERS), officers_chat=None, contact=Contact("024 3825 1234"))
    for asked in ("gap can bo", "gap nguoi that"):  # typed, and what the engine hands over
        [reply] = await ask(b, asked)
        assert "chưa có cán bộ trực" in reply and "024 3825 1234" in reply
        assert "Cán bộ sẽ trả lời" not in reply
    [pressed] = await ask(b, action="handoff")
    assert "chưa có cán bộ trực" in pressed
    assert await b.store.active_ticket((await citizen(b)).id) is None
    assert await ask(b, GOAL) == [ANSWERS[GOAL].answer]  # and the bot still answers


async def test_a_ticket_left_from_when_officers_were_configured_does_not_trap() -> None:
    b = core(FakeAnswerer(ANSWERS))
    await open_ticket(b)
    later = core(b.answerer, b.store, officers_chat=None, owner="later:2:b")
    [closed, answer] = await ask(later, GOAL)
    assert "đã được đóng lại" in closed and answer == ANSWERS[GOAL].answer
    assert await later.store.active_ticket((await citizen(later)).id) is None


async def test_a_ticket_nobody_answered_in_time_expires_at_the_next_message() -> None:
    b = core(FakeAnswerer(ANSWERS), expire_after=timedelta(hours=24))
    ticket = await open_ticket(b)
    assert await ask(b, "con do khong") == []  # within the day: relayed to the officers
    aged = replace(ticket, opened_at=ticket.opened_at - timedelta(hours=25))
    b.store.tickets[ticket.id] = aged
    [closed, answer] = await ask(b, GOAL)
    assert f"#{ticket.id}" in closed and "24 giờ" in closed
    assert answer == ANSWERS[GOAL].answer
    note = b.senders["telegram"].texts(OFFICERS.chat_id)[-1]
    assert f"#{ticket.id}" in note and "tự đóng" in note
    assert b.store.tickets[ticket.id].closed_by == "hết hạn"


async def test_a_ticket_an_officer_answered_lately_stays_open() -> None:
    b = core(FakeAnswerer(ANSWERS), expire_after=timedelta(hours=24))
    ticket = await open_ticket(b)
    b.store.tickets[ticket.id] = replace(
        ticket,
        opened_at=ticket.opened_at - timedelta(days=3),
        answered_at=ticket.opened_at - timedelta(hours=1),
        state="answered",
    )
    assert await ask(b, "cam on can bo") == []  # still with the officers


async def test_the_citizen_can_leave_the_officers_and_ask_the_bot_again() -> None:
    b = core(FakeAnswerer(ANSWERS))
    ticket = await open_ticket(b)
    notice = b.senders["telegram"].sent[-2]
    assert notice.chat_id == "42" and [x.action for x in notice.buttons] == ["leave"]
    [left] = await ask(b, "hỏi tiếp")
    assert left == texts.LEFT_TICKET
    assert f"#{ticket.id}" in b.senders["telegram"].texts(OFFICERS.chat_id)[-1]
    assert await ask(b, GOAL) == [ANSWERS[GOAL].answer]
    [again] = await ask(b, action="leave")  # the old button, pressed once more
    assert again == texts.NOTHING_TO_LEAVE


async def test_votes_count_only_on_ones_own_answers() -> None:
    b = core(FakeAnswerer(ANSWERS))
    await ask(b, GOAL, chat="7")  # someone else's answer
    theirs = [m for m in b.store.messages.values() if m.direction == "out"][-1]
    for action in (f"fb:up:{theirs.id}", "fb:up:999999999", "fb:up:99999999999999999999999"):
        assert await ask(b, action=action) == [texts.NOTHING_TO_RATE]
    assert b.store.feedback == {}


async def test_buttons_count_towards_the_flood_limit() -> None:
    b = core(FakeAnswerer(ANSWERS), flood=3)
    for _ in range(3):
        await ask(b, action="topic:0")
    assert await ask(b, action="topic:0") == [texts.FLOODED]
