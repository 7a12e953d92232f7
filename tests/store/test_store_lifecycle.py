"""Opening, closing, restarting, and migrations that build exactly the models' schema."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store import Store, StoreError, open_store, upgrade
from bot.store.engine import async_url, create_engine
from bot.store.migrate import alembic_config, downgrade_engine, upgrade_engine
from bot.store.models import Base

TABLES = {
    "people",
    "messages",
    "tickets",
    "ticket_posts",
    "feedback",
    "processed_updates",
    "secrets_kv",
    "inbox",
    "broadcasts",
    "broadcast_media",
    "deliveries",
    "officers",
    "audit_log",
    "officer_answers",
    "officer_answer_versions",
}

pytestmark = pytest.mark.blank_database  # migrations are tested from nothing


async def _diffs(engine: AsyncEngine, metadata: MetaData) -> list[Any]:
    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async with engine.connect() as connection:
        return await connection.run_sync(compare)


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def test_migration_builds_exactly_the_models(store_url: str) -> None:
    await upgrade(store_url)
    engine = create_engine(store_url)
    try:
        assert await _tables(engine) == TABLES | {"alembic_version"}
        assert await _diffs(engine, Base.metadata) == []
        # The comparison is not blind: a column the migration lacks shows up.
        changed = MetaData(naming_convention=Base.metadata.naming_convention)
        for table in Base.metadata.sorted_tables:
            table.to_metadata(changed)
        changed.tables["secrets_kv"].append_column(Column("note", String(10)))
        assert [d[0] for d in await _diffs(engine, changed)] == ["add_column"]
    finally:
        await engine.dispose()


async def test_migrations_go_down_and_up_again(store_url: str) -> None:
    engine = create_engine(store_url)
    try:
        await upgrade_engine(engine)
        await upgrade_engine(engine)  # at head already: nothing to do
        await downgrade_engine(engine, "base")
        assert await _tables(engine) == {"alembic_version"}
        await upgrade_engine(engine)
        assert await _diffs(engine, Base.metadata) == []
    finally:
        await engine.dispose()


async def test_restart_keeps_everything(store_url: str) -> None:
    async with await Store.open(store_url) as store:
        person = await store.upsert_person("telegram", 5, 5, "Lan")
        ticket = await store.open_ticket(person.id, "cần cán bộ")
        await store.link_ticket_post(ticket.id, -100, 9)
        await store.receive_update("telegram", 77, "host:1:a")
    async with open_store(store_url) as reopened:
        assert await reopened.active_ticket(person.id) == ticket
        assert await reopened.ticket_for_post(-100, 9) == ticket
        assert await reopened.find_person("telegram", 5) == person
        assert (await reopened.receive_update("telegram", 77, "host:2:b"))[1] is False


async def test_concurrent_opens_migrate_once(store_url: str) -> None:
    stores = await asyncio.gather(*(Store.open(store_url) for _ in range(3)))
    try:
        people = await asyncio.gather(*(s.upsert_person("web", "same", "same") for s in stores))
        assert len({p.id for p in people}) == 1
    finally:
        for store in stores:
            await store.close()


async def test_sqlite_file_and_folder_are_created(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "deeper" / "bot.db"
    async with open_store(f"sqlite+aiosqlite:///{path}") as store:
        await store.kv_set("a", "b")
    assert path.is_file()


async def test_in_memory_sqlite_serves_concurrent_callers() -> None:
    async with open_store("sqlite+aiosqlite://") as store:
        person = await store.upsert_person("web", "s1", "s1")
        await asyncio.gather(
            *(store.add_message(person.id, "in", f"câu {n}", "text") for n in range(10)),
            *(store.receive_update("web", "u1", "host:1:a") for _ in range(5)),
        )
        texts = [m.text for m in await store.recent_messages(person.id, 20)]
        assert sorted(texts) == sorted(f"câu {n}" for n in range(10))
        assert (await store.receive_update("web", "u1", "host:1:a"))[1] is False


async def test_plain_urls_get_the_async_driver(tmp_path: Path) -> None:
    assert async_url("postgresql://u@h/db").drivername == "postgresql+asyncpg"
    assert async_url("postgres://u@h/db").drivername == "postgresql+asyncpg"
    async with open_store(f"sqlite:///{tmp_path / 'plain.db'}") as store:
        await store.kv_set("a", "b")
        assert await store.kv_get("a") == "b"


async def test_open_without_migrations_and_unsupported_urls(tmp_path: Path) -> None:
    async with open_store(f"sqlite+aiosqlite:///{tmp_path / 'raw.db'}", migrate=False) as store:
        with pytest.raises(StoreError):
            await store.kv_get("anything")  # no tables: a StoreError, not a raw driver error
    for url in ("mysql+aiomysql://u@localhost/db", "postgresql+psycopg2://u@h/db", "nonsense"):
        with pytest.raises(StoreError):
            await Store.open(url)


async def test_unreachable_server_is_a_store_error() -> None:
    with pytest.raises(StoreError):
        await Store.open("postgresql+asyncpg://nobody@127.0.0.1:1/none")


def test_alembic_command_line_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without a handed-over connection, env.py makes its own engine (or prints SQL offline)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    command.upgrade(alembic_config(url), "head", sql=True)
    assert "CREATE TABLE tickets" in capsys.readouterr().out
    command.upgrade(alembic_config(url), "head")
    command.current(alembic_config(url))
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        assert {name for (name,) in rows} == TABLES | {"alembic_version"}
