"""Fixtures shared by every test folder."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.answering.engine import AnswerEngine
from bot.answering.loading import load_engine
from bot.vietnamese.lexicon import Lexicon
from tests.answering.support import repo_settings

# Fixtures that load the real model, convert it, or start the real bot: a test using one is
# slow whatever its module says, so ``-m "not slow"`` never waits for a model.
MODEL_FIXTURES = {"engine", "composing", "model_dir", "st_model", "source_bytes"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def lexicon() -> Lexicon:
    """The shipped vocabulary data (read-only), for tests that need no model."""
    return Lexicon()


@pytest.fixture(scope="session")
def engine() -> Iterator[AnswerEngine]:
    """One real answer engine (real index, real embedding model) for the whole session."""
    loaded = load_engine(repo_settings())
    yield loaded
    loaded.close()


@pytest.fixture
def composing(engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch) -> AnswerEngine:
    """The real engine with its decision always answering: for tests of what the composer
    quotes and how channels carry it, not of when the decision model answers (that is
    tests/answering/test_decision.py and scripts/evaluate.py)."""
    monkeypatch.setattr(engine, "decision", engine.decision.always_answering())
    return engine


# ---- databases: every storage and flow test runs on SQLite and on PostgreSQL ----------
DEFAULT_CANDIDATES = (
    "postgresql+asyncpg://postgres@127.0.0.1:5432/test",
    "postgresql+asyncpg://root@127.0.0.1:5432/test",
)


def _plain(url: str) -> str:
    """The asyncpg form of a SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _first_reachable(candidates: list[str]) -> tuple[str | None, str]:
    errors = []
    for url in candidates:
        try:
            connection = await asyncpg.connect(_plain(url), timeout=3)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            errors.append(f"{make_url(url).username}: {exc}")
            continue
        await connection.close()
        return url, ""
    return None, "; ".join(errors)


async def _admin(url: str, sql: str) -> None:
    connection = await asyncpg.connect(_plain(url), timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A scratch database for this test session on the PostgreSQL server."""
    given = os.environ.get("STORE_TEST_POSTGRES_URL")
    candidates = [given] if given else list(DEFAULT_CANDIDATES)
    admin_url, why = asyncio.run(_first_reachable(candidates))
    if admin_url is None:
        pytest.skip(f"PostgreSQL is not reachable ({why})")
    name = f"store_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    from bot.store.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def empty_postgres(url: str, *, blank: bool = False) -> None:
    """No rows left. A schema already at the newest revision is emptied with TRUNCATE (a
    tenth of the time of dropping it and migrating again); ``blank``: no schema at all,
    for the tests of migrations themselves."""
    connection = await asyncpg.connect(_plain(url), timeout=5)
    try:
        tables = [
            row["tablename"]
            for row in await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        ]
        at_head = (
            "alembic_version" in tables
            and (await connection.fetchval("SELECT version_num FROM alembic_version"))
            == _head_revision()
        )
        data = [t for t in tables if t != "alembic_version"]
        if blank or not at_head or not data:
            await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
        else:
            names = ", ".join(f'"{t}"' for t in data)
            await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file in a folder not created yet, or a clean PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bot.db'}"
    url: str = request.getfixturevalue("postgres_url")
    blank = request.node.get_closest_marker("blank_database") is not None
    asyncio.run(empty_postgres(url, blank=blank))
    return url
