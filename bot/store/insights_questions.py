"""The questions the documents did not answer (for the console's groups of them): the
messages table, read in one query.

A question is unanswered when the engine's reply to it (the person's next message that
the engine produced, before they wrote again) said the documents do not answer it:
kind ``not_found``. Suggestions ("did you mean section …?") are left out: the engine
found sections that may answer, so the question is vague rather than outside the
documents; so are requests for a person (``handoff``: "cho tôi gặp cán bộ" says nothing
about what is missing).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from bot.core.insights import Asked, Said
from bot.core.records import as_utc
from bot.store.base import StoreBase
from bot.store.models import Message, Person

UNANSWERED = ("not_found",)
LOOKUP_CHUNK = 500  # ids per IN (...) list


class UnansweredMixin(StoreBase):
    async def unanswered_questions(self, since: datetime, limit: int) -> list[Asked]:
        """The newest ``limit`` questions since ``since`` whose reply was "not found"."""
        kinds = UNANSWERED
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
        async with self._read() as session:
            rows = (await session.execute(query)).all()
        return [Asked(int(i), text or "", as_utc(at), area or "") for i, text, at, area in rows]

    async def questions_said(self, ids: Sequence[int]) -> dict[int, Said]:
        """The questions of ``ids`` still stored (an erased citizen's are gone)."""
        wanted = sorted(set(ids))
        found: dict[int, Said] = {}
        async with self._read() as session:
            for start in range(0, len(wanted), LOOKUP_CHUNK):
                query = (
                    select(Message.id, Message.text, Person.area)
                    .join(Person, Person.id == Message.person_id)
                    .where(Message.id.in_(wanted[start : start + LOOKUP_CHUNK]))
                )
                for message_id, text, area in (await session.execute(query)).all():
                    found[int(message_id)] = Said(text or "", area or "")
        return found
