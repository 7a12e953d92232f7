"""Officers added by command, the audit log, and what the monthly report needs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, update

from bot.store.base import StoreBase, as_id
from bot.store.columns import utcnow
from bot.store.models import AuditEntry, Broadcast, Delivery, Feedback, Message, Officer

INTERACTION_WINDOW = timedelta(hours=24)


class OfficersMixin(StoreBase):
    async def add_officer(self, platform: str, user_id: str, unit: str, added_by: str) -> None:
        insert = self._insert(Officer).values(
            platform=platform,
            user_id=as_id(user_id),
            unit=unit,
            active=True,
            added_by=added_by,
            added_at=utcnow(),
        )
        statement = insert.on_conflict_do_update(
            index_elements=[Officer.platform, Officer.user_id],
            set_={"unit": insert.excluded.unit, "active": True, "added_by": added_by},
        )
        async with self._write() as session:
            await session.execute(statement)

    async def remove_officer(self, platform: str, user_id: str) -> bool:
        statement = (
            update(Officer)
            .where(Officer.platform == platform, Officer.user_id == as_id(user_id))
            .values(active=False)
        )
        async with self._write() as session:
            return bool((await session.execute(statement)).rowcount)

    async def officer_actors(self) -> set[str]:
        """``platform:user`` of every active officer added by command."""
        query = select(Officer.platform, Officer.user_id).where(Officer.active)
        async with self._read() as session:
            return {f"{platform}:{user}" for platform, user in (await session.execute(query)).all()}

    async def added_officers(self) -> list[tuple[str, str]]:
        """(``platform:user``, unit) of every active officer added by an admin, by unit."""
        query = (
            select(Officer.platform, Officer.user_id, Officer.unit)
            .where(Officer.active)
            .order_by(Officer.unit, Officer.platform, Officer.user_id)
        )
        async with self._read() as session:
            rows = (await session.execute(query)).all()
        return [(f"{platform}:{user}", unit) for platform, user, unit in rows]

    async def officer_unit(self, platform: str, user_id: str) -> str | None:
        """The unit of an active officer added by command, else None."""
        query = select(Officer.unit).where(
            Officer.platform == platform, Officer.user_id == as_id(user_id), Officer.active
        )
        async with self._read() as session:
            return (await session.scalars(query)).one_or_none()

    async def audit(self, actor: str, action: str, details: dict[str, Any] | None = None) -> None:
        async with self._write() as session:
            session.add(AuditEntry(actor=actor, action=action, details=details or {}, at=utcnow()))

    async def audit_entries(self, limit: int = 100) -> list[tuple[str, str, dict, datetime]]:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        async with self._read() as session:
            rows = (await session.scalars(query)).all()
        return [(r.actor, r.action, r.details, r.at) for r in rows]

    async def set_broadcast_status(
        self, broadcast_id: int, platform: str, chat: str, message: str
    ) -> None:
        statement = (
            update(Broadcast)
            .where(Broadcast.id == broadcast_id)
            .values(status_platform=platform, status_chat=chat, status_message=message)
        )
        async with self._write() as session:
            await session.execute(statement)

    async def broadcast_status(self, broadcast_id: int) -> tuple[str, str, str] | None:
        query = select(
            Broadcast.status_platform, Broadcast.status_chat, Broadcast.status_message
        ).where(Broadcast.id == broadcast_id)
        async with self._read() as session:
            row = (await session.execute(query)).one_or_none()
        return None if row is None or row[0] is None else (row[0], row[1], row[2])

    async def broadcasts_in(
        self, states: tuple[str, ...], officer: str | None = None
    ) -> list[tuple[int, str, str, datetime | None]]:
        """(id, state, text, scheduled_at) of broadcasts in ``states``, newest first."""
        query = select(Broadcast.id, Broadcast.state, Broadcast.text, Broadcast.scheduled_at).where(
            Broadcast.state.in_(states)
        )
        if officer is not None:
            query = query.where(Broadcast.officer == officer)
        async with self._read() as session:
            return [tuple(r) for r in (await session.execute(query.order_by(Broadcast.id.desc())))]

    async def due_scheduled(self, now: datetime) -> list[int]:
        query = select(Broadcast.id).where(
            Broadcast.state == "scheduled", Broadcast.scheduled_at <= now
        )
        async with self._read() as session:
            return list((await session.scalars(query)).all())

    async def month_report(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Per broadcast sent in [start, end): unit, reach and what recipients did in 24 h."""
        query = select(Broadcast).where(
            Broadcast.started_at >= start,
            Broadcast.started_at < end,
            Broadcast.state.in_(("sending", "paused", "done")),
        )
        rows: list[dict[str, Any]] = []
        async with self._read() as session:
            for broadcast in (await session.scalars(query.order_by(Broadcast.id))).all():
                assert broadcast.started_at is not None
                until = broadcast.started_at + INTERACTION_WINDOW
                recipients, in_window = replies_to(broadcast.id, broadcast.started_at)
                delivered = await session.scalar(
                    select(func.count()).select_from(recipients.subquery())
                )
                replies = await session.scalar(select(func.count()).where(in_window))
                questions = await session.scalar(
                    select(func.count()).where(in_window, Message.kind == "question")
                )
                votes = dict(
                    (
                        await session.execute(
                            select(Feedback.value, func.count())
                            .where(
                                Feedback.person_id.in_(recipients),
                                Feedback.updated_at >= broadcast.started_at,
                                Feedback.updated_at < until,
                            )
                            .group_by(Feedback.value)
                        )
                    ).all()
                )
                rows.append(
                    {
                        "broadcast": broadcast.id,
                        "unit": broadcast.unit,
                        "officer": broadcast.officer,
                        "started_at": broadcast.started_at,
                        "delivered": delivered or 0,
                        "replies": replies or 0,
                        "questions": questions or 0,
                        "thumbs_up": votes.get(1, 0),
                        "thumbs_down": votes.get(-1, 0),
                    }
                )
        return rows


def replies_to(broadcast_id: int, started_at: datetime) -> tuple[Select, ColumnElement[bool]]:
    """Who received the broadcast, and the condition on ``Message`` of what they sent
    within 24 h of its start: its replies, as the monthly report counts them."""
    recipients = select(Delivery.person_id).where(
        Delivery.broadcast_id == broadcast_id, Delivery.state == "sent"
    )
    in_window = and_(
        Message.person_id.in_(recipients),
        Message.direction == "in",
        Message.created_at >= started_at,
        Message.created_at < started_at + INTERACTION_WINDOW,
    )
    return recipients, in_window
