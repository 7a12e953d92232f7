"""Broadcasts for the console's insights: ``month_report``'s rows (reach, replies and
votes within 24 h of each broadcast) in four set-based queries instead of four per
broadcast, so a month of every unit's broadcasts stays one page's work."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, select

from bot.core.insights import REPLY_WINDOW
from bot.store.insights_sql import SENT_STATES, InsightsBase, total, within_day
from bot.store.models import Broadcast, Delivery, Feedback, Message


class BroadcastInsightsMixin(InsightsBase):
    async def unit_broadcasts(
        self, start: datetime, end: datetime, unit: str | None
    ) -> list[dict[str, Any]]:
        sent = select(Broadcast.id).where(
            Broadcast.started_at >= start,
            Broadcast.started_at < end,
            Broadcast.state.in_(SENT_STATES),
        )
        if unit is not None:
            sent = sent.where(Broadcast.unit == unit)
        listed = select(Broadcast.id, Broadcast.unit, Broadcast.officer, Broadcast.started_at)
        said = self._after_broadcasts(sent, start, end)
        broadcasts, delivered, replies, votes = await self._together(
            listed.where(Broadcast.id.in_(sent)).order_by(Broadcast.id),
            select(Delivery.broadcast_id, func.count())
            .where(Delivery.broadcast_id.in_(sent), Delivery.state == "sent")
            .group_by(Delivery.broadcast_id),
            said.add_columns(func.count(), total(Message.kind == "question")).group_by(
                Broadcast.id
            ),
            self._votes_after(sent, start, end),
        )
        reached = {b: int(n) for b, n in delivered}
        talk = {b: (int(r), int(q)) for b, r, q in replies}
        thumbs = {b: (int(u), int(d)) for b, u, d in votes}
        return [
            {
                "broadcast": b,
                "unit": unit_name,
                "officer": officer,
                "started_at": started,
                "delivered": reached.get(b, 0),
                "replies": talk.get(b, (0, 0))[0],
                "questions": talk.get(b, (0, 0))[1],
                "thumbs_up": thumbs.get(b, (0, 0))[0],
                "thumbs_down": thumbs.get(b, (0, 0))[1],
            }
            for b, unit_name, officer, started in broadcasts
        ]

    def _reached(self, sent: Any) -> Select[Any]:
        """(broadcast, its start, recipient) for each delivery of ``sent`` that arrived."""
        return (
            select(Broadcast.id)
            .join(Delivery, and_(Delivery.broadcast_id == Broadcast.id, Delivery.state == "sent"))
            .where(Broadcast.id.in_(sent))
        )

    def _after_broadcasts(self, sent: Any, start: datetime, end: datetime) -> Select[Any]:
        """Each message a recipient wrote within 24 h of a broadcast of ``sent`` (which
        started in [start, end)), with the broadcast's id as the first column."""
        dialect = self._dialect
        return self._reached(sent).join(
            Message,
            and_(
                Message.person_id == Delivery.person_id,
                Message.direction == "in",
                # The whole span first, so that the index finds the candidates…
                Message.created_at >= start,
                Message.created_at < _plus_day(end),
                # … then each broadcast's own day.
                within_day(dialect, Message.created_at, Broadcast.started_at),
            ),
        )

    def _votes_after(self, sent: Any, start: datetime, end: datetime) -> Select[Any]:
        dialect = self._dialect
        voted = self._reached(sent).join(
            Feedback,
            and_(
                Feedback.person_id == Delivery.person_id,
                Feedback.updated_at >= start,
                Feedback.updated_at < _plus_day(end),
                within_day(dialect, Feedback.updated_at, Broadcast.started_at),
            ),
        )
        return voted.add_columns(total(Feedback.value == 1), total(Feedback.value == -1)).group_by(
            Broadcast.id
        )


def _plus_day(moment: datetime) -> datetime:
    return moment + timedelta(seconds=REPLY_WINDOW)
