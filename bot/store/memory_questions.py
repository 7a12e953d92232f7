"""The in-memory store's unanswered questions (as the SQL store's insights_questions)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise

from bot.core.insights import Asked, Said
from bot.core.records import MessageRecord, as_utc
from bot.store.memory_base import MemoryBase


class MemoryQuestions(MemoryBase):
    async def unanswered_questions(self, since: datetime, limit: int) -> list[Asked]:
        turns: dict[int, list[MessageRecord]] = {}
        for message in sorted(self.messages.values(), key=lambda m: m.id):
            engine_reply = message.direction == "out" and message.grounded is not None
            question = message.direction == "in" and message.kind == "question"
            if as_utc(message.created_at) >= since and (engine_reply or question):
                turns.setdefault(message.person_id, []).append(message)
        found = []
        for person_id, said in turns.items():
            area = self.people[person_id].area or ""
            for asked, reply in pairwise(said):
                if (asked.direction, reply.direction, reply.kind) == ("in", "out", "not_found"):
                    found.append(Asked(asked.id, asked.text, as_utc(asked.created_at), area))
        return sorted(found, key=lambda a: a.id, reverse=True)[:limit]

    async def questions_said(self, ids: Sequence[int]) -> dict[int, Said]:
        found = {}
        for message_id in set(ids):
            message = self.messages.get(message_id)
            if message is not None:
                area = self.people[message.person_id].area or ""
                found[message_id] = Said(message.text, area)
        return found
