"""Every inbound and outbound message, and the feedback people give on answers."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any, get_args

from sqlalchemy import select, update

from bot.core.answer import Answer, Citation, Suggestion
from bot.core.records import Direction, FeedbackRecord, MessageRecord, PlatformId
from bot.store.base import StoreBase, as_optional_id
from bot.store.columns import utcnow
from bot.store.errors import StoreError
from bot.store.models import Feedback, Message

_CITATION_FIELDS = tuple(f.name for f in fields(Citation))
_SUGGESTION_FIELDS = tuple(f.name for f in fields(Suggestion))


class MessagesMixin(StoreBase):
    async def add_message(
        self,
        person_id: int,
        direction: Direction,
        text: str,
        kind: str,
        platform_message_id: PlatformId | None = None,
        answer: Answer | None = None,
        ticket_id: int | None = None,
        broadcast_id: int | None = None,
        question: str | None = None,
    ) -> MessageRecord:
        """Persist one message; an engine ``answer`` also stores its citations and scores
        (and, for a suggestion, the ``question`` it answers)."""
        if direction not in get_args(Direction):
            raise StoreError(f"Message direction must be 'in' or 'out', not {direction!r}")
        row = new_message(person_id, direction, text, kind, platform_message_id, answer, ticket_id)
        if answer is not None and answer.suggestions:
            row.suggestions = {
                "question": (question or "").replace("\x00", ""),
                "options": [asdict(s) for s in answer.suggestions],
            }
        row.broadcast_id = broadcast_id
        async with self._write() as session:
            session.add(row)
            await session.flush()
            return message_record(row)

    async def mark_delivery(
        self,
        message_id: int,
        delivery: str,
        platform_message_id: PlatformId | None = None,
        error: str | None = None,
    ) -> None:
        """Record what the platform did with an outbound message (sent / failed / blocked)."""
        values: dict[str, Any] = {"delivery": delivery, "delivery_error": error}
        if platform_message_id is not None:
            values["platform_message_id"] = as_optional_id(platform_message_id)
        async with self._write() as session:
            await session.execute(update(Message).where(Message.id == message_id).values(**values))

    async def get_message(self, message_id: int) -> MessageRecord | None:
        async with self._read() as session:
            row = await session.get(Message, message_id)
        return None if row is None else message_record(row)

    async def recent_messages(self, person_id: int, limit: int = 20) -> list[MessageRecord]:
        """The person's last ``limit`` messages, oldest first."""
        query = (
            select(Message)
            .where(Message.person_id == person_id)
            .order_by(Message.id.desc())
            .limit(limit)
        )
        async with self._read() as session:
            rows = (await session.scalars(query)).all()
        return [message_record(row) for row in reversed(rows)]

    async def last_answer(self, person_id: int) -> MessageRecord | None:
        """The newest outbound message that the answer engine produced for this person."""
        query = (
            select(Message)
            .where(
                Message.person_id == person_id,
                Message.direction == "out",
                Message.grounded.is_not(None),
            )
            .order_by(Message.id.desc())
            .limit(1)
        )
        async with self._read() as session:
            row = (await session.scalars(query)).one_or_none()
        return None if row is None else message_record(row)

    async def add_feedback(self, message_id: int, person_id: int, value: int) -> FeedbackRecord:
        """Record +1/-1 on a message; voting again changes the person's vote."""
        if value not in (1, -1):
            raise StoreError(f"Feedback must be +1 or -1, not {value!r}")
        now = utcnow()
        insert = self._insert(Feedback).values(
            message_id=message_id, person_id=person_id, value=value, created_at=now, updated_at=now
        )
        statement = insert.on_conflict_do_update(
            index_elements=[Feedback.message_id, Feedback.person_id],
            set_={"value": insert.excluded.value, "updated_at": now},
        ).returning(Feedback.id)
        async with self._write() as session:
            feedback_id = (await session.execute(statement)).scalar_one()
            row = await session.get(Feedback, feedback_id, populate_existing=True)
            assert row is not None
            return feedback_record(row)

    async def recent_feedback(self, person_id: int, limit: int = 10) -> list[int]:
        """The person's last ``limit`` votes (+1/-1), latest first."""
        query = (
            select(Feedback.value)
            .where(Feedback.person_id == person_id)
            .order_by(Feedback.updated_at.desc(), Feedback.id.desc())
            .limit(limit)
        )
        async with self._read() as session:
            return list((await session.scalars(query)).all())


def new_message(
    person_id: int,
    direction: Direction,
    text: str,
    kind: str,
    platform_message_id: PlatformId | None = None,
    answer: Answer | None = None,
    ticket_id: int | None = None,
) -> Message:
    """A new messages row; an engine ``answer`` also gives its citations and scores."""
    row = Message(
        person_id=person_id,
        direction=direction,
        text=text.replace("\x00", ""),  # the one change: PostgreSQL text cannot hold NUL
        kind=kind,
        platform_message_id=as_optional_id(platform_message_id),
        ticket_id=ticket_id,
        handoff=False,
        created_at=utcnow(),
    )
    if answer is not None:
        row.citations = [asdict(c) for c in answer.citations]
        row.confidence = answer.confidence
        row.grounded = answer.grounded
        row.handoff = answer.handoff
        row.index_version = answer.index_version or None
    return row


def _citation(data: dict[str, Any]) -> Citation:
    return Citation(**{name: data[name] for name in _CITATION_FIELDS if name in data})


def message_record(row: Message) -> MessageRecord:
    return MessageRecord(
        id=row.id,
        person_id=row.person_id,
        direction="in" if row.direction == "in" else "out",
        text=row.text,
        kind=row.kind,
        created_at=row.created_at,
        platform_message_id=row.platform_message_id,
        ticket_id=row.ticket_id,
        citations=tuple(_citation(c) for c in row.citations or ()),
        confidence=row.confidence,
        grounded=row.grounded,
        handoff=row.handoff,
        index_version=row.index_version,
        delivery=row.delivery,
        delivery_error=row.delivery_error,
        broadcast_id=row.broadcast_id,
        suggestions=tuple(_suggestion(s) for s in (row.suggestions or {}).get("options", ())),
        suggested_for=(row.suggestions or {}).get("question"),
    )


def _suggestion(data: dict[str, Any]) -> Suggestion:
    return Suggestion(**{name: data.get(name, "") for name in _SUGGESTION_FIELDS})


def feedback_record(row: Feedback) -> FeedbackRecord:
    return FeedbackRecord(
        id=row.id,
        message_id=row.message_id,
        person_id=row.person_id,
        value=row.value,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
