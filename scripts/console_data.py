"""A year of a district's bot, generated, for the console's insights and their benchmark.

    python -m scripts.console_data postgresql+asyncpg://postgres@127.0.0.1:5432/bench \
        [--messages 1000000] [--tickets 10000] [--days 365] [--seed 57] [--replace]

Fills an empty database (``--replace`` empties the bot's tables first) with a realistic
shape: people on four platforms (Zalo OA, Telegram, Zalo Bot, the web chat), 30 wards of
Hà Nội (a unit "UBND phường X" per ward, with its officer), questions in office and evening
hours, more in recent months, each followed by the bot's reply (answers cite sections of
Kế hoạch 57-KH/TU, the popular ones more often; suggestions, declines, small talk), votes
on answers, handoffs that open tickets (answered within office hours mostly; some expire
unanswered, the last day's still open), and every unit's broadcasts (about 10 a month, some
units fewer) delivered to the ward's subscribers, some of whom reply within 24 h.

PostgreSQL is loaded with COPY (about a minute for a million messages, then VACUUM
ANALYZE); SQLite with batched INSERTs (for small test sets). ``fill()`` is the same for a
benchmark: it returns how many rows of each kind it wrote.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from bot.store.repository import open_store
from scripts.console_shape import COLUMNS, Shape

TABLES = (  # in the order rows must go in (foreign keys)
    "people",
    "officers",
    "tickets",
    "messages",
    "feedback",
    "broadcasts",
    "deliveries",
)
CHUNK = 50_000


async def fill(
    url: str,
    messages: int = 1_000_000,
    tickets: int = 10_000,
    *,
    days: int = 365,
    seed: int = 57,
    now: datetime | None = None,
    replace: bool = False,
) -> dict[str, int]:
    """Generate and load; the number of rows written per table."""
    shape = Shape(messages, tickets, days=days, seed=seed, now=now or datetime.now(UTC))
    rows = shape.build()
    async with open_store(url) as store:
        engine = store.engine
        async with engine.begin() as connection:
            if replace:
                await _empty(connection)
            elif (await connection.execute(text("SELECT count(*) FROM people"))).scalar_one():
                raise SystemExit("the database already holds people: use --replace to empty it")
        load = _copy if engine.dialect.name == "postgresql" else _insert
        await load(engine, rows, shape.links)
    return {table: len(rows[table]) for table in TABLES}


async def _empty(connection: Any) -> None:
    tables = (*TABLES, "ticket_posts", "audit_log", "processed_updates")
    if connection.dialect.name == "postgresql":
        await connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        return
    await connection.execute(text("UPDATE tickets SET last_answer_id = NULL"))
    for table in reversed(tables):
        await connection.execute(text(f"DELETE FROM {table}"))


Rows = dict[str, list[tuple[Any, ...]]]


async def _copy(engine: Any, rows: Rows, links: list[tuple[int, int]]) -> None:
    async with engine.connect() as connection:
        pg = (await connection.get_raw_connection()).driver_connection
        for table in TABLES:
            for start in range(0, len(rows[table]), CHUNK):
                records = [
                    tuple(_pg_value(value) for value in row)
                    for row in rows[table][start : start + CHUNK]
                ]
                await pg.copy_records_to_table(table, records=records, columns=COLUMNS[table])
        # Messages and tickets point at each other: the tickets went in first, without
        # their last answer; it is linked now that the messages are there.
        await pg.execute("CREATE TEMP TABLE ticket_answers (id integer, answer integer)")
        await pg.copy_records_to_table("ticket_answers", records=links)
        await pg.execute(
            "UPDATE tickets SET last_answer_id = a.answer FROM ticket_answers a "
            "WHERE tickets.id = a.id"
        )
        await pg.execute("DROP TABLE ticket_answers")
        for table in TABLES:
            await pg.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        await connection.commit()
    async with engine.connect() as connection:
        pg = (await connection.get_raw_connection()).driver_connection
        for table in TABLES:  # the visibility map lets the indexes answer alone
            await pg.execute(f"VACUUM ANALYZE {table}")


def _pg_value(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


async def _insert(engine: Any, rows: Rows, links: list[tuple[int, int]]) -> None:
    from bot.store.models import Base

    for table in TABLES:
        insert = Base.metadata.tables[table].insert()
        for start in range(0, len(rows[table]), CHUNK):
            chunk = [
                dict(zip(COLUMNS[table], row, strict=True))
                for row in rows[table][start : start + CHUNK]
            ]
            async with engine.begin() as connection:
                await connection.execute(insert, chunk)
    if links:
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE tickets SET last_answer_id = :a WHERE id = :i"),
                [{"i": ticket, "a": message} for ticket, message in links],
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="postgresql+asyncpg://… or sqlite+aiosqlite:///…")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=57)
    parser.add_argument("--replace", action="store_true", help="empty the bot's tables first")
    args = parser.parse_args()
    began = time.monotonic()
    counts = asyncio.run(
        fill(
            args.url,
            args.messages,
            args.tickets,
            days=args.days,
            seed=args.seed,
            replace=args.replace,
        )
    )
    took = time.monotonic() - began
    print(", ".join(f"{table}: {n:,}" for table, n in counts.items()) + f" — {took:.0f} s")


if __name__ == "__main__":
    main()
