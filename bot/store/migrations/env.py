"""Alembic environment: runs on the connection bot.store.migrate hands over, or on a URL.

``bot.store.migrate.upgrade(url)`` puts a synchronous connection (from an AsyncEngine's
``run_sync``) into ``config.attributes["connection"]``. Without one (the ``alembic``
command line with ``-x url=…`` or ``sqlalchemy.url``), an async engine is made here.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.store.engine import create_engine
from bot.store.models import Base

# Serialises concurrent upgrades from several bot processes sharing one PostgreSQL.
PG_MIGRATION_LOCK = 0x6E713032  # "nq02"

config = context.config
target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK})"))
        context.run_migrations()


async def run_on_url(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_on)
            await connection.commit()
    finally:
        await engine.dispose()


def database_url() -> str:
    return context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url", ""
    )


if context.is_offline_mode():
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif (given := config.attributes.get("connection")) is not None:
    run_on(given)
else:
    asyncio.run(run_on_url(database_url()))
