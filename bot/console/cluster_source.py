"""Where the unanswered questions come from: the messages table, read in one query.

A question is unanswered when the engine's reply to it (the person's next message that
the engine produced, before they wrote again) said the documents do not answer it:
kind ``not_found``. Suggestions ("did you mean section …?") are left out: the engine
found sections that may answer, so the question is vague rather than outside the
documents; so are requests for a person (``handoff``: "cho tôi gặp cán bộ" says nothing
about what is missing). Reads go straight to the store's engine (read-only); this would
sit in the store beside its other insights if the in-memory store needed it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.console.cluster_math import Asked
from bot.store.models import Message, Person

UNANSWERED = ("not_found",)
LOOKUP_CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True)
class Said:
    """A question's words as the page may show them, with the asker's ward (folded)."""

    text: str
    area: str


async def unanswered(
    engine: AsyncEngine, since: datetime, limit: int, kinds: tuple[str, ...] = UNANSWERED
) -> list[Asked]:
    """The newest ``limit`` questions since ``since`` whose reply was one of ``kinds``."""
    follows = {"partition_by": Message.person_id, "order_by": Message.id}
    turns = (
        select(
            Message.id,
            Message.person_id,
            Message.direction,
            Message.text,
            Message.created_at,
            func.lead(Message.direction).over(**follows).label("next_direction"),
            func.lead(Message.kind).over(**follows).label("next_kind"),
        )
        .where(
            Message.created_at >= since,
            or_(
                and_(Message.direction == "in", Message.kind == "question"),
                and_(Message.direction == "out", Message.grounded.is_not(None)),
            ),
        )
        .subquery()
    )
    query = (
        select(turns.c.id, turns.c.text, turns.c.created_at, Person.area)
        .join(Person, Person.id == turns.c.person_id)
        .where(
            turns.c.direction == "in",
            turns.c.next_direction == "out",
            turns.c.next_kind.in_(kinds),
        )
        .order_by(turns.c.id.desc())
        .limit(limit)
    )
    async with engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    return [Asked(int(i), text or "", _utc(at), area or "") for i, text, at, area in rows]


async def said(engine: AsyncEngine, ids: Iterable[int]) -> dict[int, Said]:
    """The questions of ``ids`` still stored (an erased citizen's are gone)."""
    wanted = sorted(set(ids))
    found: dict[int, Said] = {}
    async with engine.connect() as connection:
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            query = (
                select(Message.id, Message.text, Person.area)
                .join(Person, Person.id == Message.person_id)
                .where(Message.id.in_(wanted[start : start + LOOKUP_CHUNK]))
            )
            for message_id, text, area in (await connection.execute(query)).all():
                found[int(message_id)] = Said(text or "", area or "")
    return found


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
