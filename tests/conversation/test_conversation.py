"""The citizens' conversation and its tickets, on the memory store and a fake answerer."""

from __future__ import annotations

from bot.core.records import MessageRecord
from bot.strings import conversation as texts
from tests.core.support import OFFICERS, Core, core, said
from tests.fakes.answerer import HANDOFF, FakeAnswerer, cited, suggesting

GOAL = "muc tieu 2030"
AMBIGUOUS = "ve bao chi"
ANSWERS = {
    GOAL: cited("II.2.2", "Thu nhập 12.000 USD năm 2030."),
    AMBIGUOUS: suggesting("IV.1.9", "III.4"),
    "cho toi gap nguoi that": HANDOFF,
}


def bot() -> Core:
    return core(FakeAnswerer(ANSWERS))


async def ask(bot: Core, text: str | None = None, **fields: str) -> list[str]:
    return [o.text for o in await bot.dispatcher.dispatch(said(text, **fields))]


def actions(bot: Core) -> list[str]:
    return [b.action for b in bot.sent()[-1].buttons]


async def last_out(bot: Core) -> MessageRecord:
    return [m for m in bot.store.messages.values() if m.direction == "out"][-1]


async def test_start_greets_with_the_starter_questions() -> None:
    b = bot()
    [greeting] = await ask(b, "/start")
    assert "Kế hoạch 57-KH/TU" in greeting
    assert [a for a in actions(b) if a.startswith("ex:")] == ["ex:0", "ex:1", "ex:2"]


async def test_an_answer_carries_feedback_handoff_and_full_text_buttons() -> None:
    b = bot()
    assert await ask(b, GOAL) == [ANSWERS[GOAL].answer]
    message = await last_out(b)
    assert {f"fb:up:{message.id}", "handoff", f"full:{message.id}:0"} <= set(actions(b))


async def test_a_suggestion_is_chosen_by_button_or_by_typing_its_number() -> None:
    b = bot()
    await ask(b, AMBIGUOUS)
    suggestion = await last_out(b)
    assert suggestion.kind == "suggest" and suggestion.suggested_for == AMBIGUOUS
    assert actions(b)[:2] == [f"sg:{suggestion.id}:1", f"sg:{suggestion.id}:2"]
    [typed] = await ask(b, "so 1")  # Zalo has no buttons: the number right after
    assert "IV.1.9" in typed and b.answerer.asked[-1] == (AMBIGUOUS, ("57-KH/TU", "IV.1.9"))
    [chosen] = await ask(b, action=f"sg:{suggestion.id}:2")
    assert "III.4" in chosen  # the button stays valid: choosing again answers again
    await ask(b, AMBIGUOUS)
    [wrong] = await ask(b, "7")
    assert wrong == texts.no_such_choice(2)


async def test_a_stale_or_foreign_suggestion_gets_a_polite_reply() -> None:
    b = bot()
    await ask(b, AMBIGUOUS, chat="other")
    foreign = await last_out(b)
    for action in (f"sg:{foreign.id}:1", "sg:99999:1", "sg:x:y"):
        [reply] = await ask(b, action=action)
        assert "gợi ý" in reply or "lựa chọn" in reply or reply  # a reply, never an error
    assert await ask(b, "2") == [texts.NO_CHOICE_PENDING]


async def test_yes_after_not_found_opens_a_ticket_posted_to_the_officers() -> None:
    b = bot()
    await ask(b, "gia vang hom nay")
    [notice] = await ask(b, "có")
    ticket = await b.store.active_ticket((await b.store.find_person("telegram", "42")).id)  # type: ignore[union-attr]
    assert ticket is not None and f"#{ticket.id}" in notice
    post = b.sent()[-1]
    assert (post.platform, post.chat_id, post.ticket_id) == (
        "telegram",
        OFFICERS.chat_id,
        ticket.id,
    )
    assert "gia vang hom nay" in post.text  # the officer sees what was asked


async def test_while_a_ticket_is_open_messages_go_to_the_officers() -> None:
    b = bot()
    await ask(b, "cho toi gap nguoi that")
    assert await ask(b, "toi o phuong Ba Dinh") == []  # nothing back to the citizen
    relay = b.sent()[-1]
    assert relay.chat_id == OFFICERS.chat_id and "toi o phuong Ba Dinh" in relay.text


async def test_an_officers_reply_reaches_the_citizen_and_dong_closes_the_ticket() -> None:
    b = bot()
    await ask(b, "cho toi gap nguoi that")
    post = b.sent()[-1]
    assert post.chat_id == OFFICERS.chat_id
    post_id = "5001"
    await b.store.link_ticket_post(post.ticket_id, OFFICERS.chat_id, post_id)  # type: ignore[arg-type]

    def officer(text: str) -> dict[str, str]:
        return {"chat": OFFICERS.chat_id, "user": "77", "reply_to": post_id, "text": text}

    await b.dispatcher.dispatch(said(**officer("Chào bạn, phường sẽ gọi lại.")))
    to_citizen = b.sent()[-1]
    assert to_citizen.chat_id == "42" and "Chào bạn, phường sẽ gọi lại." in to_citizen.text
    await b.dispatcher.dispatch(said(**officer("/dong")))
    assert texts.TICKET_CLOSED_FOR_CITIZEN in b.senders["telegram"].texts("42")
    person = await b.store.find_person("telegram", "42")
    assert person is not None and await b.store.active_ticket(person.id) is None
    assert await ask(b, GOAL) == [ANSWERS[GOAL].answer]  # answered by the bot again


async def test_a_reply_to_an_unknown_post_is_ignored() -> None:
    b = bot()
    replies = await b.dispatcher.dispatch(said("hi", chat=OFFICERS.chat_id, reply_to="1"))
    assert replies == [] and b.sent() == []


async def test_two_thumbs_down_in_a_row_hand_over() -> None:
    b = bot()
    await ask(b, GOAL)
    first = await last_out(b)
    assert await ask(b, action=f"fb:dn:{first.id}") == [texts.FEEDBACK_SORRY]
    await ask(b, GOAL)
    second = await last_out(b)
    [notice] = await ask(b, action=f"fb:dn:{second.id}")
    assert "#" in notice  # a ticket number: handed over


async def test_photos_and_stickers_get_a_polite_text_only_notice() -> None:
    b = bot()
    assert await ask(b, None, content="unsupported") == [texts.UNSUPPORTED]


async def test_a_flood_is_told_once_then_ignored() -> None:
    b = core(FakeAnswerer(ANSWERS), flood=2)
    for _ in range(2):
        await ask(b, GOAL)
    assert await ask(b, GOAL) == [texts.FLOODED]
    assert await ask(b, GOAL) == []


async def test_subscribing_choosing_topics_and_a_ward() -> None:
    b = bot()
    [subscribed] = await ask(b, "dang ky")
    assert subscribed.startswith(texts.SUBSCRIBED)
    await ask(b, action="topic:1")
    await ask(b, "đăng ký phường Ba Đình")
    person = await b.store.find_person("telegram", "42")
    assert person is not None and person.subscribed
    assert person.topics == (texts.TOPICS[1],) and person.area == "ba dinh"
    assert await ask(b, "huy dang ky") == [texts.UNSUBSCRIBED]
    assert not (await b.store.find_person("telegram", "42")).subscribed  # type: ignore[union-attr]


async def test_the_full_text_is_sent_a_page_at_a_time_or_all_when_typed() -> None:
    b = bot()
    await ask(b, GOAL)
    answer = await last_out(b)
    [page] = await ask(b, action=f"full:{answer.id}:0")
    assert "nguyên văn, trang 1/1" in page and "Dòng hai của mục." in page
    [typed] = await ask(b, "xem nguyen van")
    assert "Dòng một của mục." in typed
