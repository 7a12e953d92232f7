"""Bring a database to the newest schema with Alembic, from code (no alembic.ini).

python -m bot.store.migrate sqlite+aiosqlite:///data/bot.db
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import weakref
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.engine import create_engine

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Alembic runs through module-level proxies (alembic.context, alembic.op), so two upgrades
# interleaving on one event loop would trample each other: one at a time per loop.
# (Other processes are kept apart by the database: SQLite's write lock, PostgreSQL's
# advisory lock in env.py.)
_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _lock() -> asyncio.Lock:
    return _locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())


def alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration pointing at this package's migrations folder."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(url: str) -> None:
    """Run ``alembic upgrade head`` on the database at ``url``."""
    engine = create_engine(url)
    try:
        await upgrade_engine(engine)
    finally:
        await engine.dispose()


async def upgrade_engine(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade through an engine that is already open (an in-memory SQLite keeps its data)."""
    await _migrate(engine, "upgrade", revision)


async def downgrade_engine(engine: AsyncEngine, revision: str) -> None:
    await _migrate(engine, "downgrade", revision)


async def _migrate(engine: AsyncEngine, action: str, revision: str) -> None:
    async with _lock(), engine.connect() as connection:
        await connection.run_sync(_run, action, revision)
        await connection.commit()


def _run(connection: Connection, action: str, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    getattr(command, action)(config, revision)
    logger.info("database schema %s to %s", action, revision)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Upgrade the bot database to the newest schema.")
    parser.add_argument("url", help="e.g. sqlite+aiosqlite:///data/bot.db")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    asyncio.run(upgrade(args.url))


if __name__ == "__main__":
    main()
