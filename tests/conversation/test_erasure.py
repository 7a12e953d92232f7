"""A citizen deletes their data ("xóa dữ liệu"): asked, confirmed or cancelled, on every
channel; the memory store and the fake answerer, through the one dispatcher."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.core.records import PersonRecord
from bot.strings import errors, privacy
from tests.core.support import OFFICERS, Core, core, said
from tests.fakes.answerer import HANDOFF, FakeAnswerer, cited

GOAL = "muc tieu 2030"
ANSWERS = {
    GOAL: cited("II.2.2", "Thu nhập 12.000 USD năm 2030."),
    "cho toi gap nguoi that": HANDOFF,
}
QUESTION_VI = privacy.erase_question(10)
QUESTION_EN = privacy.erase_question(10, english=True)
NOTHING_PENDING = privacy.nothing_to_confirm(10)


def bot() -> Core:
    return core(FakeAnswerer(ANSWERS))


async def ask(b: Core, text: str | None = None, **fields: str) -> list[str]:
    return [o.text for o in await b.dispatcher.dispatch(said(text, **fields))]


async def person(b: Core, platform: str = "telegram", user: str = "42") -> PersonRecord:
    found = await b.store.find_person(platform, user)
    assert found is not None
    return found


async def history(b: Core, platform: str = "telegram", user: str = "42") -> list[str]:
    """What a reloaded web page shows (``/api/session`` reads exactly this)."""
    found = await b.store.find_person(platform, user)
    return [] if found is None else [m.text for m in await b.store.recent_messages(found.id, 200)]


async def test_asked_then_confirmed_everything_goes_and_officers_are_told() -> None:
    b = bot()
    await ask(b, GOAL)
    answer = [m for m in b.store.messages.values() if m.kind == "answer"][-1]
    await ask(b, action=f"fb:up:{answer.id}")
    await ask(b, "dang ky")
    await ask(b, "cho toi gap nguoi that")  # a ticket, posted to the officers
    ticket = await b.store.active_ticket((await person(b)).id)
    assert ticket is not None

    assert await ask(b, "Xoá dữ liệu của tôi") == [QUESTION_VI]  # heard, not relayed
    assert [x.action for x in b.sent()[-1].buttons] == ["del:yes", "del:no"]
    assert [x.label for x in b.sent()[-1].buttons] == ["Xóa", "Không"]
    before, said_so_far = len(b.sent()), len(await history(b))

    replies = await ask(b, action="del:yes")

    done = privacy.erased(said_so_far)
    assert replies == [done]  # what the citizen's chat gets back
    note = b.sent()[-1]
    assert (note.chat_id, note.text) == (OFFICERS.chat_id, privacy.ticket_erased_note(ticket.id))
    assert [o.text for o in b.sent()[before:]] == [done, note.text]
    assert await history(b) == [done]
    citizen = await person(b)
    assert not citizen.subscribed and citizen.display_name == ""
    closed = await b.store.get_ticket(ticket.id)
    assert closed is not None and closed.state == "closed" and closed.reason == ""
    assert b.store.feedback == {}
    [(actor, action, counts, _)] = await b.store.audit_entries()
    assert (actor, action, counts["messages"], counts["tickets_closed"]) == (
        "telegram:42",
        "erase_person",
        said_so_far,
        1,
    )
    assert await ask(b, GOAL) == [ANSWERS[GOAL].answer]  # and the bot still answers


async def test_on_the_web_only_the_confirmation_is_left_to_reload() -> None:
    b = bot()
    web = {"platform": "web", "chat": "v-1"}
    await ask(b, GOAL, **web)
    await ask(b, "xoa du lieu", **web)
    [done] = await ask(b, action="del:yes", **web)
    assert await history(b, "web", "v-1") == [done]


async def test_cancelled_keeps_everything() -> None:
    b = bot()
    await ask(b, GOAL)
    await ask(b, "dang ky")
    await ask(b, "/xoadulieu")
    kept = await history(b)
    assert await ask(b, action="del:no") == [privacy.erase_cancelled()]
    assert await history(b) == [*kept, privacy.erase_cancelled()]
    assert (await person(b)).subscribed
    assert await ask(b, action="del:yes") == [NOTHING_PENDING]  # the question was answered
    assert GOAL in await history(b)


async def test_an_expired_or_repeated_confirmation_gets_a_polite_reply() -> None:
    b = bot()
    await ask(b, GOAL)
    await ask(b, "xoa du lieu")
    question = [m for m in b.store.messages.values() if m.kind == privacy.ASK_KIND][-1]
    b.store.messages[question.id] = replace(
        question, created_at=question.created_at - timedelta(minutes=11)
    )
    assert await ask(b, action="del:yes") == [NOTHING_PENDING]
    assert GOAL in await history(b)  # nothing deleted

    await ask(b, "xoa du lieu")
    [done] = await ask(b, action="del:yes")
    for again in ("del:yes", "del:yes", "del:maybe", "del"):
        replies = await ask(b, action=again)
        assert replies == [NOTHING_PENDING] and errors.APOLOGY not in replies
    assert await history(b) == [done, *[NOTHING_PENDING] * 4]


async def test_typed_yes_confirms_where_there_are_no_buttons() -> None:
    b = bot()
    zalo = {"platform": "zalo_oa", "chat": "z-7"}
    await ask(b, GOAL, **zalo)
    [question] = await ask(b, "xoá dữ liệu", **zalo)
    assert "gõ “có”" in question and "gõ “không”" in question  # said without buttons
    [done] = await ask(b, "Có", **zalo)
    assert done == privacy.erased(5)  # question, answer, request, asking, and "có"
    assert await history(b, "zalo_oa", "z-7") == [done]


async def test_typed_no_cancels_and_plain_yes_no_mean_what_they_did() -> None:
    b = bot()
    await ask(b, GOAL, platform="zalo_oa", chat="z-8")
    await ask(b, "xoa du lieu", platform="zalo_oa", chat="z-8")
    assert await ask(b, "khong", platform="zalo_oa", chat="z-8") == [privacy.erase_cancelled()]
    assert GOAL in await history(b, "zalo_oa", "z-8")
    await ask(b, "gia vang hom nay")  # not found: "có" accepts the officer, as before
    [notice] = await ask(b, "có")
    assert "#" in notice


async def test_english_asks_and_answers_in_english() -> None:
    b = bot()
    assert await ask(b, "Delete my data") == [QUESTION_EN]
    assert [x.action for x in b.sent()[-1].buttons] == ["del:yes:en", "del:no:en"]
    [done] = await ask(b, action="del:yes:en")
    assert done == privacy.erased(2, english=True)
    assert await ask(b, action="del:yes:en") == [privacy.nothing_to_confirm(10, english=True)]


async def test_a_question_about_deleting_data_goes_to_the_answer_engine() -> None:
    b = bot()
    question = "Kế hoạch có nói gì về việc xóa dữ liệu cá nhân của người dân không?"
    await ask(b, question)
    assert b.answerer.asked[-1] == (question, None)
    assert QUESTION_VI not in await history(b)
