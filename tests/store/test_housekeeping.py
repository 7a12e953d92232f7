"""The hourly housekeeping pass: the retention period (RETENTION_DAYS) on SQLite and
PostgreSQL, and 0 keeping everything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.config import Settings
from bot.housekeeping import tidy
from bot.store import Store
from bot.store.models import Message


async def _conversation(store: Store) -> tuple[int, int, int]:
    """(person, a message 400 days old, one from today)."""
    person = await store.upsert_person("telegram", "1", "1")
    old = await store.add_message(person.id, "in", "câu hỏi năm ngoái", "question")
    new = await store.add_message(person.id, "in", "câu hỏi hôm nay", "question")
    long_ago = datetime.now(UTC) - timedelta(days=400)
    async with store.engine.begin() as connection:
        await connection.execute(
            update(Message).where(Message.id == old.id).values(created_at=long_ago)
        )
    return person.id, old.id, new.id


async def test_messages_past_the_retention_period_are_deleted(store: Store) -> None:
    person_id, old, new = await _conversation(store)
    await tidy(store, retention_days=365)
    assert [m.id for m in await store.recent_messages(person_id)] == [new]
    assert await store.get_message(old) is None


async def test_zero_keeps_them_forever(store: Store) -> None:
    person_id, old, new = await _conversation(store)
    await tidy(store, retention_days=0)
    assert [m.id for m in await store.recent_messages(person_id)] == [old, new]


def test_the_setting_defaults_to_a_year_and_refuses_a_negative(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings(_env_file=None).retention_days == 365  # type: ignore[call-arg]
    monkeypatch.setenv("RETENTION_DAYS", "0")
    assert Settings(_env_file=None).retention_days == 0  # type: ignore[call-arg]
    monkeypatch.setenv("RETENTION_DAYS", "-1")
    with pytest.raises(ValueError):
        Settings(_env_file=None)  # type: ignore[call-arg]
