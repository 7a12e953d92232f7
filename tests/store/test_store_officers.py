"""Officers added by an admin, on memory, SQLite and PostgreSQL alike: listed by unit with
their units, a removed one gone from the list and from the officers, added back active."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def store(any_store: Any) -> Any:
    return any_store


async def test_added_officers_are_listed_by_unit_and_removal_takes_them_off(store) -> None:
    await store.add_officer("telegram", "7002", "UBND phường Kim Liên", "telegram:1")
    await store.add_officer("zalo_oa", "99", "UBND phường Ba Đình", "telegram:1")
    await store.add_officer("telegram", "7001", "UBND phường Ba Đình", "telegram:1")
    assert await store.added_officers() == [
        ("telegram:7001", "UBND phường Ba Đình"),
        ("zalo_oa:99", "UBND phường Ba Đình"),
        ("telegram:7002", "UBND phường Kim Liên"),
    ]
    assert await store.remove_officer("telegram", "7001")
    assert ("telegram:7001", "UBND phường Ba Đình") not in await store.added_officers()
    assert "telegram:7001" not in await store.officer_actors()
    await store.add_officer("telegram", "7001", "UBND phường Hàng Bạc", "telegram:1")
    assert ("telegram:7001", "UBND phường Hàng Bạc") in await store.added_officers()
