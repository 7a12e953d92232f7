"""People: upsert, lookup, block and subscription state."""

from __future__ import annotations

from datetime import UTC

import pytest

from bot.store import Store, StoreError


@pytest.fixture
def store(any_store: Store) -> Store:
    """These tests are the contract of the store ports: memory, SQLite and PostgreSQL."""
    return any_store


async def test_upsert_creates_then_refreshes(store: Store) -> None:
    first = await store.upsert_person("telegram", 42, 4200, "Lan", "vi")
    assert (first.platform, first.user_id, first.chat_id) == ("telegram", "42", "4200")
    assert (first.display_name, first.language) == ("Lan", "vi")
    assert not first.subscribed and not first.blocked
    assert first.created_at.tzinfo is not None and first.created_at.utcoffset() == UTC.utcoffset(
        None
    )

    again = await store.upsert_person("telegram", "42", "4201")
    assert again.id == first.id
    assert again.chat_id == "4201"
    assert (again.display_name, again.language) == ("Lan", "vi")  # kept when not given
    assert again.created_at == first.created_at
    assert again.updated_at >= first.updated_at

    renamed = await store.upsert_person("telegram", 42, 4201, "Lan Anh", "en")
    assert (renamed.id, renamed.display_name, renamed.language) == (first.id, "Lan Anh", "en")


async def test_same_user_id_on_another_platform_is_another_person(store: Store) -> None:
    telegram = await store.upsert_person("telegram", "7", "7")
    zalo = await store.upsert_person("zalo", "7", "7")
    assert telegram.id != zalo.id


async def test_get_and_find(store: Store) -> None:
    person = await store.upsert_person("zalo", "8415627", "8415627", "Minh")
    assert await store.get_person(person.id) == person
    assert await store.find_person("zalo", "8415627") == person
    assert await store.get_person(person.id + 1000) is None
    assert await store.find_person("telegram", "8415627") is None


async def test_blocked_flag_and_time(store: Store) -> None:
    person = await store.upsert_person("telegram", 1, 1)
    blocked = await store.set_blocked(person.id, True)
    assert blocked.blocked and blocked.blocked_at is not None
    assert blocked.blocked_at.tzinfo is not None

    again = await store.set_blocked(person.id, True)
    assert again.blocked_at == blocked.blocked_at  # the time it started, not the last call

    unblocked = await store.set_blocked(person.id, False)
    assert not unblocked.blocked and unblocked.blocked_at is None
    assert (await store.get_person(person.id)) == unblocked


async def test_subscription_records_consent_time(store: Store) -> None:
    person = await store.upsert_person("telegram", 2, 2)
    subscribed = await store.set_subscribed(person.id, True)
    assert subscribed.subscribed and subscribed.subscribed_at is not None
    assert subscribed.subscribed_at >= person.created_at
    assert (await store.set_subscribed(person.id, True)).subscribed_at == subscribed.subscribed_at

    upserted = await store.upsert_person("telegram", 2, 2, "Hoa")
    assert upserted.subscribed and upserted.subscribed_at == subscribed.subscribed_at

    unsubscribed = await store.set_subscribed(person.id, False)
    assert not unsubscribed.subscribed and unsubscribed.subscribed_at is None


async def test_unknown_person_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError):
        await store.set_blocked(999, True)
    with pytest.raises(StoreError):
        await store.set_subscribed(999, True)
