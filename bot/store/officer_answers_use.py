"""How often an officer answer was given, read from the stored answers themselves: an
answer led by it names it in its first citation. Erased messages are gone from the count
and the examples with the rest of a citizen's data."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select

from bot.core.officer_answers import OfficerAnswerUse
from bot.store.base import StoreBase
from bot.store.models import Message

FIRST_KIND = Message.citations[(0, "kind")].as_string()
FIRST_ENTRY = Message.citations[(0, "entry")].as_integer()
_CHOSEN = re.compile(r"^\[[^\]]{0,300}\]\s*")  # "[1. Giải đáp của cán bộ …] question"


def asked_words(text: str) -> str:
    """The citizen's question of a stored turn (a choice is stored with its label first)."""
    return _CHOSEN.sub("", text, count=1)


class OfficerAnswerUseMixin(StoreBase):
    async def officer_answer_use(
        self, entry_id: int, since: datetime, examples: int = 0
    ) -> OfficerAnswerUse:
        led_by_it = (
            Message.direction == "out",
            Message.kind == "answer",
            Message.created_at >= since,
            FIRST_KIND == "officer_answer",
            entry_id == FIRST_ENTRY,
        )
        counted = select(func.count(), func.max(Message.created_at)).where(*led_by_it)
        latest = (
            select(Message.id, Message.person_id, Message.created_at)
            .where(*led_by_it)
            .order_by(Message.id.desc())
            .limit(examples)
        )
        async with self._read() as session:
            served, last = (await session.execute(counted)).one()
            uses = (await session.execute(latest)).all() if examples else []
            asked = []
            for answer_id, person_id, at in uses:
                question = select(Message.text).where(
                    Message.person_id == person_id,
                    Message.direction == "in",
                    Message.id < answer_id,
                )
                text = (
                    await session.execute(question.order_by(Message.id.desc()).limit(1))
                ).scalar()
                if text:
                    asked.append((at, asked_words(text)))
        return OfficerAnswerUse(int(served or 0), last, tuple(asked))
