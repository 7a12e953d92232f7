"""Handoff tickets: one active per person, the state machine, operator-group posts."""

from __future__ import annotations

import asyncio

import pytest

from bot.store import Store, StoreError


@pytest.fixture
def store(any_store: Store) -> Store:
    """These tests are the contract of the store ports: memory, SQLite and PostgreSQL."""
    return any_store


async def _person(store: Store, user: str = "1") -> int:
    return (await store.upsert_person("telegram", user, user)).id


async def test_open_ticket_and_active(store: Store) -> None:
    person_id = await _person(store)
    assert await store.active_ticket(person_id) is None
    answer = await store.add_message(person_id, "out", "Không tìm thấy", "not_found")
    ticket = await store.open_ticket(person_id, "không tìm thấy", last_answer_id=answer.id)
    assert (ticket.state, ticket.reason, ticket.last_answer_id) == (
        "open",
        "không tìm thấy",
        answer.id,
    )
    assert ticket.active and ticket.opened_at.tzinfo is not None
    assert ticket.assigned_at is ticket.answered_at is ticket.closed_at is None
    assert await store.active_ticket(person_id) == ticket
    assert await store.get_ticket(ticket.id) == ticket
    assert await store.get_ticket(ticket.id + 100) is None


async def test_one_active_ticket_per_person(store: Store) -> None:
    person_id = await _person(store)
    first = await store.open_ticket(person_id, "yêu cầu cán bộ")
    assert await store.open_ticket(person_id, "lần nữa") == first
    await store.assign_ticket(first.id, "officer-1")
    assert (await store.open_ticket(person_id, "lần ba")).id == first.id
    other = await store.open_ticket(await _person(store, "2"), "người khác")
    assert other.id != first.id


async def test_concurrent_open_ticket_makes_one(store: Store) -> None:
    person_id = await _person(store)
    tickets = await asyncio.gather(*(store.open_ticket(person_id, f"r{n}") for n in range(10)))
    assert len({t.id for t in tickets}) == 1


async def test_full_lifecycle_records_times_and_officers(store: Store) -> None:
    person_id = await _person(store)
    ticket = await store.open_ticket(person_id, "hỏi cán bộ")
    assigned = await store.assign_ticket(ticket.id, 1001)
    assert (assigned.state, assigned.assigned_by) == ("assigned", "1001")
    assert assigned.assigned_at is not None and assigned.assigned_at >= ticket.opened_at
    answered = await store.mark_answered(ticket.id, 1001)
    assert (answered.state, answered.answered_by) == ("answered", "1001")
    assert answered.answered_at is not None and answered.answered_at >= assigned.assigned_at
    assert answered.assigned_at == assigned.assigned_at
    closed = await store.close_ticket(ticket.id, 1002)
    assert (closed.state, closed.closed_by, closed.active) == ("closed", "1002", False)
    assert closed.closed_at is not None and closed.closed_at >= answered.answered_at
    assert await store.active_ticket(person_id) is None
    assert await store.get_ticket(ticket.id) == closed


async def test_answer_without_assigning_first_assigns(store: Store) -> None:
    ticket = await store.open_ticket(await _person(store), "r")
    answered = await store.mark_answered(ticket.id, "lan")
    assert answered.state == "answered"
    assert (answered.assigned_by, answered.answered_by) == ("lan", "lan")
    assert answered.assigned_at == answered.answered_at


async def test_repeats_are_noops(store: Store) -> None:
    ticket = await store.open_ticket(await _person(store), "r")
    assigned = await store.assign_ticket(ticket.id, "lan")
    assert await store.assign_ticket(ticket.id, "lan") == assigned
    answered = await store.mark_answered(ticket.id, "lan")
    assert await store.mark_answered(ticket.id, "minh") == answered  # first answer kept
    closed = await store.close_ticket(ticket.id, "lan")
    assert await store.close_ticket(ticket.id, "minh") == closed  # closing twice: no-op


async def test_close_from_open_and_reopen_makes_a_new_ticket(store: Store) -> None:
    person_id = await _person(store)
    first = await store.open_ticket(person_id, "r1")
    closed = await store.close_ticket(first.id, "lan")
    assert closed.state == "closed" and closed.assigned_at is None
    second = await store.open_ticket(person_id, "r2")
    assert second.id != first.id and second.state == "open"


@pytest.mark.parametrize(
    ("steps", "bad"),
    [
        (["assign", "answer"], "assign"),  # answered → assigned
        (["close"], "assign"),
        (["close"], "answer"),
        (["assign"], "assign-other"),  # someone else's ticket
    ],
)
async def test_invalid_transitions_raise(store: Store, steps: list[str], bad: str) -> None:
    ticket = await store.open_ticket(await _person(store), "r")
    moves = {
        "assign": lambda: store.assign_ticket(ticket.id, "lan"),
        "assign-other": lambda: store.assign_ticket(ticket.id, "minh"),
        "answer": lambda: store.mark_answered(ticket.id, "lan"),
        "close": lambda: store.close_ticket(ticket.id, "lan"),
    }
    for step in steps:
        await moves[step]()
    before = await store.get_ticket(ticket.id)
    with pytest.raises(StoreError):
        await moves[bad]()
    assert await store.get_ticket(ticket.id) == before


async def test_unknown_ticket_is_a_store_error(store: Store) -> None:
    for move in (store.assign_ticket, store.mark_answered, store.close_ticket):
        with pytest.raises(StoreError):
            await move(404, "lan")
    with pytest.raises(StoreError):
        await store.link_ticket_post(404, -100, 1)
    with pytest.raises(StoreError):
        await store.open_ticket(404, "no such person")


async def test_operator_posts_find_their_ticket(store: Store) -> None:
    ticket = await store.open_ticket(await _person(store), "r")
    other = await store.open_ticket(await _person(store, "2"), "r")
    await store.link_ticket_post(ticket.id, -1001234, 77)
    await store.link_ticket_post(ticket.id, -1001234, 78)  # a follow-up post about it
    await store.link_ticket_post(other.id, -1001234, 79)
    await store.link_ticket_post(ticket.id, "-1001234", "77")  # linking again: idempotent
    assert (await store.ticket_for_post(-1001234, 77)) == ticket
    assert (await store.ticket_for_post("-1001234", "78")) == ticket
    assert (await store.ticket_for_post(-1001234, 79)) == other
    assert await store.ticket_for_post(-1001234, 80) is None
    assert await store.ticket_for_post(-999, 77) is None
    closed = await store.close_ticket(ticket.id, "lan")
    assert await store.ticket_for_post(-1001234, 77) == closed


async def test_a_post_belongs_to_one_ticket(store: Store) -> None:
    ticket = await store.open_ticket(await _person(store), "r")
    other = await store.open_ticket(await _person(store, "2"), "r")
    await store.link_ticket_post(ticket.id, -1, 5)
    with pytest.raises(StoreError):
        await store.link_ticket_post(other.id, -1, 5)
    assert (await store.ticket_for_post(-1, 5)) == ticket


async def test_concurrent_transitions_keep_one_winner(store: Store) -> None:
    ticket = await store.open_ticket(await _person(store), "r")
    results = await asyncio.gather(
        *(store.assign_ticket(ticket.id, f"officer-{n}") for n in range(8)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, StoreError) for r in results if r not in winners)
    assert (await store.get_ticket(ticket.id)) == winners[0]


async def test_the_inbox_is_tickets_not_closed_longest_waiting_first_with_their_citizen(
    store: Store,
) -> None:
    first = await store.open_ticket(await _person(store, "a"), "một")
    second = await store.open_ticket(await _person(store, "b"), "hai")
    closed = await store.open_ticket(await _person(store, "c"), "ba")
    await store.close_ticket(closed.id, "telegram:9")
    await store.assign_ticket(second.id, "telegram:9")
    inbox = await store.inbox_tickets()
    assert [(t.id, p.id) for t, p in inbox] == [
        (first.id, first.person_id),
        (second.id, second.person_id),
    ]
    assert inbox[1][0].state == "assigned" and inbox[1][1].user_id == "b"
    assert [t.id for t, _ in await store.inbox_tickets(limit=1)] == [first.id]
    everything = await store.inbox_tickets(include_closed=True)
    assert [t.id for t, _ in everything] == [closed.id, second.id, first.id]
