"""The dispatcher on the memory store and a fake answerer: once, and only once."""

from __future__ import annotations

import asyncio

from bot.core.messages import Outbound, SendResult, inbound_data, outbound_data
from bot.strings import errors as strings
from tests.core.support import core, said
from tests.fakes.answerer import FakeAnswerer, cited

QUESTION = "muc tieu 2030 la gi"
ANSWERS = {QUESTION: cited("II.2.2", "Thu nhập 12.000 USD năm 2030.")}


async def test_a_question_is_answered_stored_and_sent_once() -> None:
    bot = core(FakeAnswerer(ANSWERS))
    mine = await bot.dispatcher.dispatch(said(QUESTION, key="7"))
    assert [o.text for o in mine] == [ANSWERS[QUESTION].answer]
    assert bot.senders["telegram"].texts("42") == [ANSWERS[QUESTION].answer]
    [claim] = bot.store.updates.values()
    assert claim.state == "delivered" and claim.sent == 1
    kinds = [m.kind for m in bot.store.messages.values()]
    assert kinds == ["question", "answer"]


async def test_a_retry_gets_the_same_replies_and_nothing_is_sent_again() -> None:
    bot = core(FakeAnswerer(ANSWERS))
    first = await bot.dispatcher.dispatch(said(QUESTION, key="7"))
    again = await bot.dispatcher.dispatch(said(QUESTION, key="7"))
    assert [o.record_id for o in again] == [o.record_id for o in first]
    assert len(bot.sent()) == 1 and len(bot.store.messages) == 2
    assert len(bot.answerer.asked) == 1


async def test_a_retry_while_the_first_is_answering_waits_for_it() -> None:
    answerer = FakeAnswerer(ANSWERS)
    answerer.gate = asyncio.Event()
    bot = core(answerer)
    first = asyncio.create_task(bot.dispatcher.dispatch(said(QUESTION, key="7", platform="web")))
    while not answerer.asked:
        await asyncio.sleep(0)
    retry = asyncio.create_task(bot.dispatcher.dispatch(said(QUESTION, key="7", platform="web")))
    await asyncio.sleep(0.01)
    assert not retry.done()  # no empty answer while the first one is still composed
    answerer.gate.set()
    first_replies, retry_replies = await asyncio.gather(first, retry)
    assert [o.record_id for o in retry_replies] == [o.record_id for o in first_replies]
    assert len(answerer.asked) == 1 and len(bot.store.messages) == 2


async def test_what_a_dead_process_only_received_is_answered_at_start() -> None:
    dead = core(FakeAnswerer(ANSWERS), owner="dead:1:x")
    inbound = said(QUESTION, key="7")
    arrival = await dead.store.record_arrival(
        "telegram", "7", "dead:1:x", inbound_data(inbound), "42", "42", text=QUESTION
    )
    assert arrival.fresh  # … and the process died before answering
    restarted = core(FakeAnswerer(ANSWERS), store=dead.store, owner="new:2:y")
    assert await restarted.dispatcher.recover() == 1
    assert restarted.senders["telegram"].texts("42") == [ANSWERS[QUESTION].answer]
    # Telegram redelivers the update it never had acknowledged: nothing more is sent.
    await restarted.dispatcher.dispatch(inbound)
    assert len(restarted.sent()) == 1
    assert [m.kind for m in restarted.store.messages.values()] == ["question", "answer"]


async def test_replies_a_dead_process_did_not_send_are_sent_once() -> None:
    store_owner = core(owner="dead:1:x")
    claim, _ = await store_owner.store.receive_update("telegram", "9", "dead:1:x")
    replies = [Outbound("telegram", "42", "một"), Outbound("telegram", "42", "hai")]
    await store_owner.store.answer_update(claim.id, [outbound_data(r) for r in replies])
    await store_owner.store.mark_update_sent(claim.id, 1, 2)  # "một" went out, then the crash
    restarted = core(store=store_owner.store, owner="new:2:y")
    retried = await restarted.dispatcher.dispatch(said("x", key="9"))  # the retry comes first
    assert [o.text for o in retried] == ["một", "hai"]
    assert await restarted.dispatcher.recover() == 0  # nothing left for the start
    assert restarted.senders["telegram"].texts() == ["hai"]


async def test_an_update_another_live_process_holds_is_left_to_it() -> None:
    store = core().store
    claim, _ = await store.receive_update("telegram", "5", "other:1:a")
    async with store.process_lease("other:1:a"):  # that process is alive (and is us here)
        assert await core(store=store, owner="new:2:b").dispatcher.recover() == 0
    assert (await store.get_update(claim.id)).state == "received"  # type: ignore[union-attr]


async def test_an_error_gets_the_one_apology_and_nothing_half_done_is_kept() -> None:
    bot = core(FakeAnswerer(ANSWERS))

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk is full")

    bot.store.answer_update = broken  # type: ignore[method-assign]
    mine = await bot.dispatcher.dispatch(said(QUESTION, key="7"))
    assert [o.text for o in mine] == [strings.APOLOGY]
    assert bot.senders["telegram"].texts() == [strings.APOLOGY]
    # The answer written inside the failed unit is gone; the question (kept on arrival) stays.
    assert [m.kind for m in bot.store.messages.values()] == ["question"]


async def test_a_citizen_who_blocked_the_bot_is_marked() -> None:
    bot = core(FakeAnswerer(ANSWERS))
    bot.senders["telegram"].results.append(SendResult("blocked", "Forbidden: bot was blocked"))
    await bot.dispatcher.dispatch(said(QUESTION))
    person = await bot.store.find_person("telegram", "42")
    assert person is not None and person.blocked
    [answer] = [m for m in bot.store.messages.values() if m.direction == "out"]
    assert answer.delivery == "blocked"
    # They write again: unblocked.
    await bot.dispatcher.dispatch(said(QUESTION))
    assert not (await bot.store.find_person("telegram", "42")).blocked  # type: ignore[union-attr]


async def test_a_channel_that_is_not_configured_fails_politely() -> None:
    bot = core(FakeAnswerer(ANSWERS))
    mine = await bot.dispatcher.dispatch(said(QUESTION, platform="zalo_bot"))
    assert len(mine) == 1  # answered; the send failed and was recorded
    [answer] = [m for m in bot.store.messages.values() if m.direction == "out"]
    assert answer.delivery == "failed"


async def test_the_web_gets_its_replies_without_a_second_write() -> None:
    bot = core(FakeAnswerer(ANSWERS))
    mine = await bot.dispatcher.dispatch(said(QUESTION, platform="web", chat="v1"))
    [claim] = bot.store.updates.values()
    assert claim.state == "delivered" and claim.sent == 1  # stored is delivered
    assert [o.chat_id for o in mine] == ["v1"]
    assert bot.senders["web"].texts("v1") == [ANSWERS[QUESTION].answer]  # pushed to the page


async def test_each_update_keeps_what_to_answer_again() -> None:
    bot = core(FakeAnswerer(ANSWERS))
    inbound = said(QUESTION, key="7")
    await bot.dispatcher.dispatch(inbound)
    [claim] = bot.store.updates.values()
    assert claim.inbound == inbound_data(inbound)
