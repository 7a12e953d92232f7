"""Deleting personal data: one person on request, everyone's old messages after the
retention period. The contract of the store ports: memory, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from bot.core.records import CLOSED_BY_ERASURE
from bot.store import Store
from bot.store.memory import MemoryStore
from bot.store.models import Message, Ticket
from tests.core.support import core, said
from tests.fakes.answerer import FakeAnswerer, cited

LONG_AGO = datetime.now(UTC) - timedelta(days=400)


@pytest.fixture
def store(any_store: Store) -> Store:
    return any_store


async def _set_times(store: Any, model: Any, row_id: int, **times: datetime) -> None:
    """Move a row back in time (what a year of waiting would do)."""
    if isinstance(store, MemoryStore):
        table = store.messages if model is Message else store.tickets
        table[row_id] = replace(table[row_id], **times)
        return
    async with store.engine.begin() as connection:
        await connection.execute(update(model).where(model.id == row_id).values(**times))


async def _talk(store: Store, user: str) -> tuple[int, list[int]]:
    """A person who asked, got an answer, voted and subscribed: (person id, message ids)."""
    person = await store.upsert_person("telegram", user, user, f"Người {user}", "vi")
    asked = await store.add_message(person.id, "in", f"muc tieu 2030 ({user})", "question")
    answer = await store.add_message(
        person.id, "out", "Thu nhập 12.000 USD.", "answer", answer=cited("II.2.2", "12.000 USD")
    )
    await store.add_feedback(answer.id, person.id, 1)
    await store.set_subscribed(person.id, True)
    await store.set_preferences(person.id, ["kinh tế"], "ba dinh")
    return person.id, [asked.id, answer.id]


async def test_erasing_a_person_leaves_only_counts_and_spares_others(store: Store) -> None:
    person_id, said = await _talk(store, "1")
    other_id, other_said = await _talk(store, "2")
    ticket = await store.open_ticket(person_id, "người dân hỏi: “nhà tôi ở đâu”", said[1])
    relayed = await store.add_message(
        person_id, "out", "💬 Cán bộ trả lời: …", "operator", None, None, ticket.id
    )

    erased = await store.erase_person(person_id)

    assert (erased.messages, erased.feedback) == (3, 1)
    assert (erased.tickets_closed, erased.tickets_cleared) == (1, 1)
    assert erased.closed_ticket_ids == (ticket.id,)
    assert erased.unsubscribed and not erased.person_deleted  # the ticket refers to them
    assert await store.recent_messages(person_id) == []
    for message_id in [*said, relayed.id]:
        assert await store.get_message(message_id) is None
    assert await store.recent_feedback(person_id) == []
    closed = await store.get_ticket(ticket.id)
    assert closed is not None and closed.state == "closed"
    assert (closed.reason, closed.last_answer_id, closed.closed_by) == (
        "",
        None,
        CLOSED_BY_ERASURE,
    )
    person = await store.get_person(person_id)
    assert person is not None and (person.display_name, person.language) == ("", None)
    assert not person.subscribed and person.subscribed_at is None
    assert (person.topics, person.area) == (None, None)

    other = await store.get_person(other_id)
    assert other is not None and other.subscribed and other.display_name == "Người 2"
    assert [m.id for m in await store.recent_messages(other_id)] == other_said
    assert await store.recent_feedback(other_id) == [1]

    [(actor, action, details, _)] = await store.audit_entries()
    assert (actor, action) == ("telegram:1", "erase_person")
    assert details == erased.counts()
    assert all(isinstance(v, int) for v in details.values())  # numbers, never text


async def test_a_person_nothing_refers_to_is_deleted(store: Store) -> None:
    person_id, _ = await _talk(store, "1")
    erased = await store.erase_person(person_id)
    assert erased.person_deleted and erased.messages == 2
    assert await store.get_person(person_id) is None
    assert await store.find_person("telegram", "1") is None
    assert await store.erase_person(person_id) == type(erased)()  # again: nothing to do
    again = await store.upsert_person("telegram", "1", "1", "Lan")  # they may come back
    assert not again.subscribed and again.topics is None  # a new start (SQLite may reuse the id)


async def test_handled_updates_lose_their_text_and_one_in_progress_keeps_the_person(
    store: Store,
) -> None:
    inbound = {"platform": "telegram", "text": "nhà tôi ở số 5"}
    old = await store.record_arrival("telegram", "u1", "me", inbound, "1", "1", "Lan", text="hỏi")
    assert old.person is not None
    await store.answer_update(old.update.id, [{"text": "trả lời"}], 1)  # delivered
    now = await store.record_arrival("telegram", "u2", "me", {"action": "del:yes"}, "1", "1")

    erased = await store.erase_person(old.person.id)

    assert erased.updates_cleared == 1 and not erased.person_deleted
    handled = await store.get_update(old.update.id)
    assert handled is not None and (handled.inbound, handled.outbox) == (None, ())
    current = await store.get_update(now.update.id)
    assert current is not None and current.inbound == {"action": "del:yes"}  # still to answer
    again, fresh = await store.receive_update("telegram", "u1", "me")
    assert not fresh and again.id == old.update.id  # a retry is still recognised


async def test_queued_broadcast_deliveries_are_skipped_and_kept(store: Store) -> None:
    person_id, _ = await _talk(store, "1")
    await _talk(store, "2")
    broadcast = await store.create_broadcast("telegram:9", "Lịch họp tổ dân phố")
    assert await store.enqueue_broadcast(broadcast.id) == 2
    erased = await store.erase_person(person_id)
    assert erased.deliveries_skipped == 1 and not erased.person_deleted
    progress = await store.broadcast_progress(broadcast.id)
    assert (progress["queued"], progress["skipped"]) == (1, 1)  # the count stays


async def test_retention_deletes_old_messages_in_batches(store: Store) -> None:
    person_id, recent = await _talk(store, "1")
    old_ids = []
    for n in range(5):
        message = await store.add_message(person_id, "in", f"câu hỏi cũ {n}", "question")
        await _set_times(store, Message, message.id, created_at=LONG_AGO)
        old_ids.append(message.id)
    old_answer = await store.add_message(
        person_id, "out", "trả lời cũ", "answer", answer=cited("I", "x")
    )
    await _set_times(store, Message, old_answer.id, created_at=LONG_AGO)
    await store.add_feedback(old_answer.id, person_id, -1)
    ticket = await store.open_ticket(person_id, "hỏi: “nhà tôi”", old_answer.id)
    await store.close_ticket(ticket.id, "telegram:9")
    await _set_times(store, Ticket, ticket.id, closed_at=LONG_AGO)
    open_ticket = await store.open_ticket(person_id, "vẫn mở: “câu hỏi”")

    cutoff = datetime.now(UTC) - timedelta(days=365)
    expired = await store.erase_messages_before(cutoff, batch=2)

    assert (expired.messages, expired.feedback, expired.tickets_cleared) == (6, 1, 1)
    assert expired.batches == 3 + 1  # six messages two at a time, then one ticket
    assert [m.id for m in await store.recent_messages(person_id)] == recent  # the new stay
    assert await store.recent_feedback(person_id) == [1]
    wiped = await store.get_ticket(ticket.id)
    assert wiped is not None and (wiped.reason, wiped.last_answer_id) == ("", None)
    still = await store.get_ticket(open_ticket.id)
    assert still is not None and still.reason == "vẫn mở: “câu hỏi”"
    person = await store.get_person(person_id)
    assert person is not None and person.subscribed  # retention keeps subscriptions
    assert await store.erase_messages_before(cutoff, batch=2) == type(expired)()


async def test_the_request_through_the_dispatcher_keeps_only_the_confirmation(
    store: Store,
) -> None:
    """On a real database too: one unit forgets and stores the confirmation, and the
    person row stays (the update being answered refers to it), anonymised."""
    b = core(FakeAnswerer({"muc tieu": cited("II.2.2", "12.000 USD")}), store)  # type: ignore[arg-type]
    for text in ("muc tieu", "dang ky", "xoa du lieu"):
        await b.dispatcher.dispatch(said(text, platform="web", chat="v-9"))
    [done] = await b.dispatcher.dispatch(said(action="del:yes", platform="web", chat="v-9"))
    person = await store.find_person("web", "v-9")
    assert person is not None and not person.subscribed
    assert [m.text for m in await store.recent_messages(person.id)] == [done.text]
    assert done.record_id is not None  # stored: what the web page reloads
