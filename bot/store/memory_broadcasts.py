"""The in-memory store's officers, audit log and broadcasts (as the SQL store's), for fast
tests of the officers' desk. Sending deliveries is the SQL store's alone (it rests on
``FOR UPDATE SKIP LOCKED`` and advisory locks); here a delivery is a row with a state."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.core.records import BroadcastRecord
from bot.store.memory_base import MemoryBase, utc_now

INTERACTION_WINDOW = timedelta(hours=24)
FINAL_STATES = ("sent", "failed", "blocked", "skipped")


class MemoryBroadcasts(MemoryBase):
    # ---- officers added by command (the audit log is MemoryBase's) ---------------------------
    async def add_officer(self, platform: str, user_id: str, unit: str, added_by: str) -> None:
        self._set(self.officers, (platform, str(user_id)), (unit, True))

    async def remove_officer(self, platform: str, user_id: str) -> bool:
        key = (platform, str(user_id))
        if key not in self.officers:
            return False
        self._set(self.officers, key, (self.officers[key][0], False))
        return True

    async def added_officers(self) -> list[tuple[str, str]]:
        added = [(f"{p}:{u}", unit) for (p, u), (unit, active) in self.officers.items() if active]
        return sorted(added, key=lambda pair: (pair[1], pair[0]))

    async def officer_actors(self) -> set[str]:
        return {f"{p}:{u}" for (p, u), (_, active) in self.officers.items() if active}

    async def officer_unit(self, platform: str, user_id: str) -> str | None:
        unit, active = self.officers.get((platform, str(user_id)), ("", False))
        return unit if active else None

    # ---- broadcasts ----------------------------------------------------------------------------
    async def create_broadcast(
        self,
        officer: str,
        text: str,
        audience: dict[str, Any] | None = None,
        *,
        unit: str = "",
        photo: str | None = None,
        scheduled_at: datetime | None = None,
    ) -> BroadcastRecord:
        broadcast = BroadcastRecord(
            id=self._next("broadcasts"),
            officer=officer,
            unit=unit,
            text=text,
            photo=photo,
            audience=dict(audience or {}),
            state="scheduled" if scheduled_at else "draft",
            scheduled_at=scheduled_at,
            created_at=utc_now(),
            started_at=None,
            finished_at=None,
        )
        self._set(self.broadcasts, broadcast.id, broadcast)
        return broadcast

    async def get_broadcast(self, broadcast_id: int) -> BroadcastRecord | None:
        return self.broadcasts.get(broadcast_id)

    async def audience(self, audience: dict[str, Any]) -> list[tuple[int, str, str]]:
        areas = {a for a in audience.get("areas") or [] if a}
        platforms = set(audience.get("platforms") or [])
        topics = set(audience.get("topics") or [])
        return [
            (p.id, p.platform, p.chat_id)
            for p in sorted(self.people.values(), key=lambda p: p.id)
            if p.subscribed
            and not p.blocked
            and (not areas or p.area in areas)
            and (not platforms or p.platform in platforms)
            and (not topics or not p.topics or bool(topics & set(p.topics)))
        ]

    async def enqueue_broadcast(self, broadcast_id: int) -> int:
        broadcast = self.broadcasts.get(broadcast_id)
        if broadcast is None:
            raise LookupError(f"no broadcast {broadcast_id}")
        queued = 0
        for person_id, _, _ in await self.audience(broadcast.audience):
            if (broadcast_id, person_id) not in self.deliveries:
                self._set(self.deliveries, (broadcast_id, person_id), "queued")
                queued += 1
        if broadcast.state in ("draft", "scheduled"):
            started = replace(broadcast, state="sending", started_at=utc_now())
            self._set(self.broadcasts, broadcast_id, started)
        return queued

    async def set_broadcast_state(self, broadcast_id: int, state: str) -> None:
        broadcast = self.broadcasts[broadcast_id]
        finished = utc_now() if state in ("done", "cancelled") else broadcast.finished_at
        self._set(
            self.broadcasts, broadcast_id, replace(broadcast, state=state, finished_at=finished)
        )

    async def change_broadcast_state(
        self, broadcast_id: int, expected: tuple[str, ...], state: str
    ) -> bool:
        broadcast = self.broadcasts.get(broadcast_id)
        if broadcast is None or broadcast.state not in expected:
            return False
        await self.set_broadcast_state(broadcast_id, state)
        return True

    async def broadcast_history(
        self,
        *,
        unit: str | None = None,
        officer: str | None = None,
        limit: int = 30,
        before: int | None = None,
    ) -> list[tuple[BroadcastRecord, dict[str, int]]]:
        everyone = unit is None and officer is None
        chosen = [
            b
            for b in sorted(self.broadcasts.values(), key=lambda b: -b.id)
            if b.state != "draft"
            and (before is None or b.id < before)
            and (
                everyone
                or (bool(unit) and b.unit == unit)
                or (bool(officer) and b.officer == officer)
            )
        ][:limit]
        history = []
        for broadcast in chosen:
            counts = await self.broadcast_progress(broadcast.id)
            replies = len(self._interaction(broadcast)[1]) if broadcast.started_at else 0
            history.append((broadcast, {**counts, "replies": replies}))
        return history

    def _interaction(self, broadcast: BroadcastRecord) -> tuple[set[int], list]:
        """Who received the broadcast, and what they sent within 24 h of its start."""
        at = broadcast.started_at
        assert at is not None
        reached = {p for (b, p), s in self.deliveries.items() if b == broadcast.id and s == "sent"}
        said = [
            m
            for m in self.messages.values()
            if m.person_id in reached
            and m.direction == "in"
            and at <= m.created_at < at + INTERACTION_WINDOW
        ]
        return reached, said

    async def broadcast_progress(self, broadcast_id: int) -> dict[str, int]:
        counts = Counter(s for (b, _), s in self.deliveries.items() if b == broadcast_id)
        return {state: counts.get(state, 0) for state in ("queued", "sending", *FINAL_STATES)}

    async def set_broadcast_status(
        self, broadcast_id: int, platform: str, chat_id: str, message_id: str
    ) -> None:
        self._set(self.status_messages, broadcast_id, (platform, chat_id, message_id))

    async def broadcast_status(self, broadcast_id: int) -> tuple[str, str, str] | None:
        return self.status_messages.get(broadcast_id)

    async def broadcasts_in(
        self, states: tuple[str, ...], officer: str | None = None
    ) -> list[tuple[int, str, str, datetime | None]]:
        return [
            (b.id, b.state, b.text, b.scheduled_at)
            for b in sorted(self.broadcasts.values(), key=lambda b: -b.id)
            if b.state in states and (officer is None or b.officer == officer)
        ]

    async def due_scheduled(self, now: datetime) -> list[int]:
        return [
            b.id
            for b in self.broadcasts.values()
            if b.state == "scheduled" and b.scheduled_at is not None and b.scheduled_at <= now
        ]

    async def month_report(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        rows = []
        for broadcast in sorted(self.broadcasts.values(), key=lambda b: b.id):
            at = broadcast.started_at
            if (
                at is None
                or not start <= at < end
                or broadcast.state
                not in (
                    "sending",
                    "paused",
                    "done",
                )
            ):
                continue
            until = at + INTERACTION_WINDOW
            reached, said = self._interaction(broadcast)
            votes = Counter(
                f.value
                for f in self.feedback.values()
                if f.person_id in reached and at <= f.updated_at < until
            )
            rows.append(
                {
                    "broadcast": broadcast.id,
                    "unit": broadcast.unit,
                    "officer": broadcast.officer,
                    "started_at": at,
                    "delivered": len(reached),
                    "replies": len(said),
                    "questions": sum(1 for m in said if m.kind == "question"),
                    "thumbs_up": votes.get(1, 0),
                    "thumbs_down": votes.get(-1, 0),
                }
            )
        return rows
