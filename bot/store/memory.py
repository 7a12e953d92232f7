"""The store ports in memory: what the dispatcher and the conversations need, no database.

For fast tests of the core (and a look at what the ports promise): the same contract
tests run on this, on SQLite and on PostgreSQL (tests/store/). Sending broadcast
deliveries and keeping photos are the SQL store's alone: they rest on what a database does
(``FOR UPDATE SKIP LOCKED``, advisory locks, large objects).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.core.records import Arrival, PlatformId, UpdateRecord
from bot.store.memory_base import KeptEvent, utc_now
from bot.store.memory_broadcasts import MemoryBroadcasts
from bot.store.memory_conversations import MemoryConversations
from bot.store.memory_erasure import MemoryErasure
from bot.store.memory_insights import MemoryInsights
from bot.store.memory_officer_answers import MemoryOfficerAnswers
from bot.store.memory_questions import MemoryQuestions


class MemoryStore(
    MemoryConversations,
    MemoryBroadcasts,
    MemoryErasure,
    MemoryInsights,
    MemoryQuestions,
    MemoryOfficerAnswers,
):
    # ---- updates (see bot/store/updates.py) -------------------------------------------------
    async def receive_update(
        self,
        platform: str,
        update_key: PlatformId,
        owner: str,
        inbound: dict[str, Any] | None = None,
    ) -> tuple[UpdateRecord, bool]:
        key = str(update_key)
        for row in self.updates.values():
            if row.platform == platform and row.update_key == key:
                return row, False
        row = UpdateRecord(
            self._next("updates"), platform, key, "received", owner, inbound, None, None, (), 0
        )
        self._set(self.updates, row.id, row)
        self._set(self.update_times, row.id, utc_now())
        return row, True

    async def record_arrival(
        self,
        platform: str,
        update_key: PlatformId,
        owner: str,
        inbound: dict[str, Any],
        user_id: PlatformId,
        chat_id: PlatformId,
        display_name: str = "",
        language: str | None = None,
        *,
        text: str | None = None,
        kind: str = "question",
        platform_message_id: PlatformId | None = None,
    ) -> Arrival:
        claim, fresh = await self.receive_update(platform, update_key, owner, inbound)
        if not fresh:
            return Arrival(claim, fresh=False)
        person = await self.upsert_person(platform, user_id, chat_id, display_name, language)
        person = await self.set_blocked(person.id, False)
        message_id = None
        if text is not None:
            message = await self.add_message(person.id, "in", text, kind, platform_message_id)
            message_id = message.id
        claim = replace(claim, person_id=person.id, message_id=message_id)
        self._set(self.updates, claim.id, claim)
        ticket = await self.active_ticket(person.id)
        return Arrival(claim, True, person, ticket, message_id)

    async def resume_arrival(self, claim: UpdateRecord) -> Arrival:
        if claim.person_id is None:
            return Arrival(claim, fresh=False)
        person = self._person(claim.person_id)
        ticket = await self.active_ticket(person.id)
        return Arrival(claim, False, person, ticket, claim.message_id)

    async def get_update(self, update_id: int) -> UpdateRecord | None:
        return self.updates.get(update_id)

    async def take_over_update(
        self, update_id: int, previous: str | None, owner: str
    ) -> UpdateRecord | None:
        row = self.updates.get(update_id)
        if row is None or row.owner != previous or row.state == "delivered":
            return None
        row = replace(row, owner=owner)
        self._set(self.updates, update_id, row)
        return row

    async def answer_update(
        self, update_id: int, outbox: list[dict[str, Any]], sent: int = 0
    ) -> None:
        row = self.updates[update_id]
        state = "delivered" if sent >= len(outbox) else "answered"
        self._set(
            self.updates, update_id, replace(row, outbox=tuple(outbox), sent=sent, state=state)
        )

    async def mark_update_sent(self, update_id: int, sent: int, total: int) -> None:
        row = self.updates[update_id]
        state = "delivered" if sent >= total else row.state
        self._set(self.updates, update_id, replace(row, sent=sent, state=state))

    async def unfinished_updates(self, after: int = 0) -> list[UpdateRecord]:
        return [
            row
            for _, row in sorted(self.updates.items())
            if row.state != "delivered" and row.id > after
        ][:200]

    async def forget_updates(self, before: datetime) -> int:
        old = [
            i
            for i, row in self.updates.items()
            if row.state == "delivered" and self.update_times[i] < before
        ]
        for update_id in old:
            del self.updates[update_id]
        return len(old)

    @asynccontextmanager
    async def process_lease(self, owner: str) -> AsyncIterator[None]:
        self._process = owner
        yield

    async def process_alive(self, owner: str | None) -> bool:
        """One process holds the data: another owner was a run that is gone."""
        return owner is not None and owner == self._process

    # ---- webhook events kept until handled ----------------------------------------------------
    async def inbox_put(self, platform: str, event_key: str, payload: dict[str, Any]) -> bool:
        if (platform, event_key) in self.inbox:
            return False
        self._set(self.inbox, (platform, event_key), KeptEvent(payload, utc_now()))
        return True

    def _kept(self, platform: str, event_key: str, **changes: Any) -> KeptEvent | None:
        kept = self.inbox.get((platform, event_key))
        if kept is not None and changes:
            kept = replace(kept, **changes)
            self._set(self.inbox, (platform, event_key), kept)
        return kept

    async def inbox_done(self, platform: str, event_key: str) -> None:
        self._kept(platform, event_key, done_at=utc_now())

    async def inbox_pending(
        self, platform: str, limit: int = 1000, after: int = 0
    ) -> list[tuple[str, dict]]:
        return [
            (key, kept.payload)
            for (where, key), kept in self.inbox.items()
            if where == platform and kept.done_at is None and kept.dead_at is None
        ][after : after + limit]

    async def inbox_attempt(self, platform: str, event_key: str) -> int:
        kept = self._kept(platform, event_key)
        if kept is None:
            return 0
        return self._kept(platform, event_key, attempts=kept.attempts + 1).attempts  # type: ignore[union-attr]

    async def inbox_failed(self, platform: str, event_key: str, reason: str, dead: bool) -> bool:
        kept = self._kept(platform, event_key)
        if kept is None:
            return False
        if dead and kept.dead_at is not None:
            return False  # given up on already, with its first reason
        dead_at = utc_now() if dead else None
        self._kept(platform, event_key, failure=reason[:500], dead_at=dead_at)
        return dead

    async def inbox_dead(self, platform: str) -> list[tuple[str, str]]:
        return [
            (key, kept.failure or "")
            for (where, key), kept in self.inbox.items()
            if where == platform and kept.dead_at is not None
        ]

    async def inbox_forget(self, before: datetime) -> int:
        old = [
            k
            for k, kept in self.inbox.items()
            if kept.done_at is not None and kept.done_at < before
        ]
        for key in old:
            del self.inbox[key]
        return len(old)

    # ---- key-value ------------------------------------------------------------------------------
    async def kv_get(self, key: str) -> str | None:
        return self.kv.get(key)

    async def kv_set(self, key: str, value: str) -> None:
        self._set(self.kv, key, value)

    async def kv_compare_and_set(self, key: str, expected: str | None, new: str) -> bool:
        if self.kv.get(key) != expected:
            return False
        self._set(self.kv, key, new)
        return True
