"""Platform updates (received → answered → delivered) and the secrets key-value table."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import Store, StoreError
from bot.store.journal import SentJournal


@pytest.fixture
def store(any_store: Store) -> Store:
    """These tests are the contract of the store ports: memory, SQLite and PostgreSQL."""
    return any_store


ME = "host:1:aaaa"


async def test_an_update_is_received_once(store: Store) -> None:
    first, fresh = await store.receive_update("telegram", 123456, ME, {"text": "a"})
    assert fresh and first.state == "received" and first.owner == ME
    again, fresh_again = await store.receive_update("telegram", "123456", "other:2:bbbb")
    assert not fresh_again and again.id == first.id and again.owner == ME
    assert again.inbound == {"text": "a"}
    assert (await store.receive_update("zalo", 123456, ME))[1]  # another platform's key
    assert (await store.receive_update("telegram", 123457, ME))[1]


async def test_one_of_many_concurrent_deliveries_is_fresh(store: Store) -> None:
    results = await asyncio.gather(*(store.receive_update("zalo", "evt-42", ME) for _ in range(20)))
    assert sorted(fresh for _, fresh in results) == [False] * 19 + [True]
    assert len({row.id for row, _ in results}) == 1


async def test_answered_then_sent_one_by_one(store: Store) -> None:
    row, _ = await store.receive_update("telegram", 1, ME)
    await store.answer_update(row.id, [{"text": "a"}, {"text": "b"}])
    answered = await store.get_update(row.id)
    assert answered is not None and answered.state == "answered" and answered.sent == 0
    assert answered.outbox == ({"text": "a"}, {"text": "b"})
    await store.mark_update_sent(row.id, 1, 2)
    assert (await store.get_update(row.id)).state == "answered"  # type: ignore[union-attr]
    assert [u.id for u in await store.unfinished_updates()] == [row.id]
    await store.mark_update_sent(row.id, 2, 2)
    assert (await store.get_update(row.id)).state == "delivered"  # type: ignore[union-attr]
    assert await store.unfinished_updates() == []


async def test_replies_stored_as_delivered_need_no_sending(store: Store) -> None:
    row, _ = await store.receive_update("web", "v:c1", ME)
    await store.answer_update(row.id, [{"text": "a"}], sent=1)
    assert (await store.get_update(row.id)).state == "delivered"  # type: ignore[union-attr]


async def test_one_taker_wins_an_unfinished_update(store: Store) -> None:
    row, _ = await store.receive_update("telegram", 9, "dead:1:0000")
    taken = await asyncio.gather(
        *(store.take_over_update(row.id, "dead:1:0000", f"new:{n}:x") for n in range(5))
    )
    assert sorted(t is not None for t in taken) == [False] * 4 + [True]
    [won] = [t for t in taken if t is not None]
    assert won.owner == (await store.get_update(row.id)).owner  # type: ignore[union-attr]
    await store.answer_update(row.id, [], 0)
    assert await store.take_over_update(row.id, won.owner, ME) is None  # delivered: nobody


async def test_a_process_is_alive_while_it_holds_its_lease(store_url: str) -> None:
    async with (
        await Store.open(store_url) as mine,
        await Store.open(store_url) as other,
        mine.process_lease(ME),
    ):
        assert await mine.process_alive(ME)
        assert not await mine.process_alive("dead:1:0000")
        assert not await mine.process_alive(None)
        async with other.process_lease("other:2:bbbb"):
            # PostgreSQL asks the other process's advisory lock; SQLite serves one
            # process, so any other owner was a previous run.
            postgres = store_url.startswith("postgresql")
            assert await mine.process_alive("other:2:bbbb") is postgres
        assert not await mine.process_alive("other:2:bbbb")


async def test_forget_updates_keeps_unfinished_ones(store: Store) -> None:
    done, _ = await store.receive_update("telegram", 1, ME)
    await store.answer_update(done.id, [])
    await store.receive_update("telegram", 2, ME)  # received, never answered
    assert await store.forget_updates(datetime.now(UTC) - timedelta(hours=1)) == 0
    assert await store.forget_updates(datetime.now(UTC) + timedelta(seconds=1)) == 1
    assert (await store.receive_update("telegram", 1, ME))[1]  # forgotten: new again
    assert not (await store.receive_update("telegram", 2, ME))[1]


async def test_kv_get_set(store: Store) -> None:
    assert await store.kv_get("zalo.access_token") is None
    await store.kv_set("zalo.access_token", "tok-1")
    assert await store.kv_get("zalo.access_token") == "tok-1"
    await store.kv_set("zalo.access_token", "tok-2")
    assert await store.kv_get("zalo.access_token") == "tok-2"
    assert await store.kv_get("other") is None


async def test_kv_compare_and_set(store: Store) -> None:
    assert await store.kv_compare_and_set("k", None, "v1") is True  # absent → created
    assert await store.kv_compare_and_set("k", None, "v9") is False  # present now
    assert await store.kv_compare_and_set("k", "wrong", "v9") is False
    assert await store.kv_get("k") == "v1"
    assert await store.kv_compare_and_set("k", "v1", "v2") is True
    assert await store.kv_get("k") == "v2"
    assert await store.kv_compare_and_set("missing", "v1", "v2") is False
    assert await store.kv_get("missing") is None


async def test_kv_compare_and_set_under_concurrency(store: Store) -> None:
    await store.kv_set("refresh", "old")
    results = await asyncio.gather(
        *(store.kv_compare_and_set("refresh", "old", f"new-{n}") for n in range(10))
    )
    assert results.count(True) == 1
    assert await store.kv_get("refresh") == f"new-{results.index(True)}"


async def test_inbox_keeps_events_until_done(store: Store) -> None:
    event = {"event_name": "user_send_text", "message": {"text": "xin chào", "msg_id": "m1"}}
    assert await store.inbox_put("zalo_oa", "m1", event) is True
    assert await store.inbox_put("zalo_oa", "m1", event) is False  # Zalo's retry
    assert await store.inbox_put("zalo_oa", "m2", {"n": 2}) is True
    assert await store.inbox_pending("zalo_oa") == [("m1", event), ("m2", {"n": 2})]
    assert await store.inbox_pending("zalo_bot") == []
    await store.inbox_done("zalo_oa", "m1")
    assert [key for key, _ in await store.inbox_pending("zalo_oa")] == ["m2"]
    assert await store.inbox_forget(datetime.now(UTC) + timedelta(seconds=1)) == 1


async def test_inbox_counts_attempts_and_gives_up(any_store: Store) -> None:
    store = any_store
    for key in ("a", "b", "c"):
        await store.inbox_put("zalo_oa", key, {"key": key})
    assert [await store.inbox_attempt("zalo_oa", "a") for _ in range(3)] == [1, 2, 3]
    assert await store.inbox_attempt("zalo_oa", "nothing") == 0
    assert await store.inbox_failed("zalo_oa", "a", "ValueError (x.py:1)", dead=False) is False
    assert [k for k, _ in await store.inbox_pending("zalo_oa")] == ["a", "b", "c"]
    assert await store.inbox_failed("zalo_oa", "a", "ValueError (x.py:1)", dead=True) is True
    assert await store.inbox_failed("zalo_oa", "a", "again", dead=True) is False  # once
    assert [k for k, _ in await store.inbox_pending("zalo_oa")] == ["b", "c"]
    assert [k for k, _ in await store.inbox_pending("zalo_oa", 1, after=1)] == ["c"]
    assert await store.inbox_dead("zalo_oa") == [("a", "ValueError (x.py:1)")]


async def test_a_unit_keeps_all_or_nothing(store: Store) -> None:
    person = await store.upsert_person("web", "v1", "v1")
    with pytest.raises(RuntimeError):
        async with store.unit():
            await store.add_message(person.id, "out", "một", "answer")
            await store.add_message(person.id, "out", "hai", "answer")
            raise RuntimeError("the process died here")
    assert await store.recent_messages(person.id) == []
    async with store.unit():
        kept = await store.add_message(person.id, "out", "ba", "answer")
        seen = await store.get_message(kept.id)  # reads inside see the unit's own writes
        assert seen is not None and seen.text == "ba"
    assert [m.text for m in await store.recent_messages(person.id)] == ["ba"]


async def test_a_caught_error_inside_a_unit_undoes_only_its_own_write(store: Store) -> None:
    person = await store.upsert_person("web", "v2", "v2")
    async with store.unit():
        await store.add_message(person.id, "out", "giữ", "answer")
        with pytest.raises(StoreError):
            await store.add_feedback(999_999, person.id, 1)  # no such message
        await store.add_message(person.id, "out", "cũng giữ", "answer")
    assert [m.text for m in await store.recent_messages(person.id)] == ["giữ", "cũng giữ"]


async def test_units_in_parallel_tasks_do_not_mix(store: Store) -> None:
    person = await store.upsert_person("web", "v3", "v3")

    async def one(n: int) -> None:
        async with store.unit():
            await store.add_message(person.id, "out", f"câu {n}", "answer")
            await asyncio.sleep(0)  # let the others run inside their units
            if n % 2:
                raise RuntimeError("odd ones fail")

    await asyncio.gather(*(one(n) for n in range(6)), return_exceptions=True)
    kept = sorted(m.text for m in await store.recent_messages(person.id))
    assert kept == ["câu 0", "câu 2", "câu 4"]


async def test_replies_a_dead_process_journaled_are_not_sent_again(
    store_url: str, tmp_path: Path
) -> None:
    async with await Store.open(store_url) as store:
        given = tmp_path / "data"
        folder = store.journal_folder(given)
        assert folder is not None
        first, _ = await store.receive_update("telegram", "1", "dead:1:x")
        second, _ = await store.receive_update("telegram", "2", "dead:1:x")
        for claim in (first, second):
            await store.answer_update(claim.id, [{"text": "a"}, {"text": "b"}])
        dead = SentJournal(folder, "dead:1:x")
        dead.open()
        dead.note(first.id, 2)  # both replies out, then SIGKILL before the row was written
        # (never closed: the process died)
        async with store.process_lease("new:2:y", given):
            assert (await store.get_update(first.id)).state == "delivered"  # type: ignore[union-attr]
            assert await store.process_alive("new:2:y")
        assert not list(folder.glob("sent-dead*"))  # applied, then forgotten
        async with store.process_lease("new:4:w", given):
            taken = await store.take_over_update(second.id, "dead:1:x", "new:4:w")
            assert taken is not None and taken.sent == 0  # nothing noted: sent again
        async with store.process_lease("new:5:v", given):
            other = SentJournal(folder, "dead:3:z")  # another process on this machine…
            other.open()
            assert await store.take_over_update(second.id, "new:4:w", "dead:3:z") is not None
            other.note(second.id, 1)  # …sends the first reply and is killed
            taken = await store.take_over_update(second.id, "dead:3:z", "new:5:v")
            assert taken is not None and (taken.sent, taken.state) == (1, "answered")
