"""Declarative models of the bot's database (migrations/versions/ mirrors them by hand)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.columns import ID, Base, created_column, updated_column, utcnow
from bot.store.media_model import BroadcastMedia  # noqa: F401  (its own module, same metadata)
from bot.store.officer_answers_model import OfficerAnswer  # noqa: F401  (the same)

_IN = text("direction = 'in'")  # a partial index's condition: only what citizens sent


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(ID)
    chat_id: Mapped[str] = mapped_column(ID)
    display_name: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(16))
    subscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    subscribed_at: Mapped[datetime | None]
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_at: Mapped[datetime | None]
    # Broadcast preferences: None = every topic / no area chosen.
    topics: Mapped[list[str] | None] = mapped_column(JSON)
    area: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = updated_column()


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint("direction IN ('in', 'out')", name="direction"),
        Index(None, "person_id", "id"),
        Index(None, "created_at"),  # the retention period deletes the oldest first
        Index(None, "direction", "created_at", "kind", "person_id"),  # the console's counts
        # What each recipient of a broadcast wrote within a day of it (the console's insights):
        Index(None, "person_id", "created_at", "kind", sqlite_where=_IN, postgresql_where=_IN),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    direction: Mapped[str] = mapped_column(String(3))
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    platform_message_id: Mapped[str | None] = mapped_column(ID)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    # JSONB on PostgreSQL: the console counts answers by cited section without parsing text.
    citations: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSON().with_variant(JSONB, "postgresql")
    )
    confidence: Mapped[float | None] = mapped_column(Float)
    grounded: Mapped[bool | None] = mapped_column(Boolean)
    handoff: Mapped[bool] = mapped_column(Boolean, default=False)
    index_version: Mapped[str | None] = mapped_column(String(128))
    # Outbound only: "sent", "failed" or "blocked", and the platform's reason for a failure.
    delivery: Mapped[str | None] = mapped_column(String(16))
    delivery_error: Mapped[str | None] = mapped_column(Text)
    # The broadcast a "broadcast" message carries (the web shows its photo). No foreign key:
    # SQLite would have to rebuild this table, which other tables point to, to add one.
    broadcast_id: Mapped[int | None] = mapped_column(Integer)
    # A "suggest" answer: {"question": …, "options": [{doc, section, title, label}, …]}.
    suggestions: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = created_column()


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint("state IN ('open', 'assigned', 'answered', 'closed')", name="state"),
        # One active ticket per person; also what makes open_ticket safe under races.
        Index(
            "uq_tickets_active_person",
            "person_id",
            unique=True,
            sqlite_where=text("state <> 'closed'"),
            postgresql_where=text("state <> 'closed'"),
        ),
        Index(None, "opened_at"),  # tickets of a month (the console's insights)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="open")
    reason: Mapped[str] = mapped_column(Text, default="")
    # messages.ticket_id points back here: the cycle is closed with ALTER (use_alter).
    # Indexed: deleting a message (erasure, retention) checks no ticket still points at it.
    last_answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", use_alter=True), index=True
    )
    opened_at: Mapped[datetime] = created_column()
    assigned_at: Mapped[datetime | None]
    assigned_by: Mapped[str | None] = mapped_column(ID)
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(ID)
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(ID)
    updated_at: Mapped[datetime] = updated_column()


class TicketPost(Base):
    """A message posted about a ticket in the operators' group (a reply to it finds the ticket)."""

    __tablename__ = "ticket_posts"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    chat_id: Mapped[str] = mapped_column(ID)
    message_id: Mapped[str] = mapped_column(ID)
    created_at: Mapped[datetime] = created_column()


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("message_id", "person_id"),
        CheckConstraint("value IN (-1, 1)", name="value"),
        Index(None, "person_id", "updated_at"),
        Index(None, "updated_at"),  # votes of a month (the console's insights)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = updated_column()


class ProcessedUpdate(Base):
    """A platform update and how far its handling got: received → answered → delivered.

    Written when the update arrives, before anything is acknowledged; the replies are kept
    with it (``outbox``) in the same transaction as everything the answer stored, and
    ``sent`` counts those already handed to their platform. A retry of the same key, or the
    next start after a crash, finishes what the row says is unfinished: nothing is lost,
    nothing is answered twice.
    """

    __tablename__ = "processed_updates"
    __table_args__ = (
        UniqueConstraint("platform", "update_key"),
        Index(None, "state", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    update_key: Mapped[str] = mapped_column(String(255))
    processed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    state: Mapped[str] = mapped_column(String(16), default="received")  # see the docstring
    owner: Mapped[str | None] = mapped_column(String(64))  # the process handling it
    inbound: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # what to answer again
    person_id: Mapped[int | None] = mapped_column(Integer)
    message_id: Mapped[int | None] = mapped_column(Integer)  # the stored question
    outbox: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    sent: Mapped[int] = mapped_column(Integer, default=0)


class InboxEvent(Base):
    """A webhook event accepted (and acknowledged) but perhaps not yet handled.

    Zalo wants an answer within about 2 s, before the bot has answered: the event is
    written here first, so a crash before it is handled does not lose it.
    """

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("platform", "event_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    event_key: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = created_column()
    done_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failure: Mapped[str | None] = mapped_column(Text)  # why the last attempt failed
    dead_at: Mapped[datetime | None] = mapped_column()  # given up on: never retried


class SecretKV(Base):
    """Small key-value texts (platform tokens that get refreshed)."""

    __tablename__ = "secrets_kv"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = updated_column()


class Broadcast(Base):
    """An officer's update to subscribers: what, to whom, when, and how it went."""

    __tablename__ = "broadcasts"
    __table_args__ = (
        CheckConstraint(
            "state IN ('draft', 'scheduled', 'sending', 'paused', 'done', 'cancelled')",
            name="state",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer: Mapped[str] = mapped_column(ID)  # "telegram:123456789"
    unit: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    photo: Mapped[str | None] = mapped_column(Text)
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"topics": [...], "areas": [...]}
    state: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    scheduled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_column()
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # The officer's status message, edited in place while sending.
    status_platform: Mapped[str | None] = mapped_column(String(16))
    status_chat: Mapped[str | None] = mapped_column(ID)
    status_message: Mapped[str | None] = mapped_column(ID)


class Delivery(Base):
    """One recipient of one broadcast: the outbox row, written before anything is sent."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "person_id"),
        CheckConstraint(
            "state IN ('queued', 'sending', 'sent', 'failed', 'blocked', 'skipped')",
            name="state",
        ),
        Index(None, "platform", "state", "next_attempt_at", "id"),  # the claim's order
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(ID)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = created_column()
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    platform_message_id: Mapped[str | None] = mapped_column(ID)


class Officer(Base):
    """Officers added by an admin with a command (those in settings need no row)."""

    __tablename__ = "officers"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(ID)
    unit: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    added_by: Mapped[str] = mapped_column(ID)
    added_at: Mapped[datetime] = created_column()


class AuditEntry(Base):
    """Every officer action (and every refused attempt), for accountability."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor: Mapped[str] = mapped_column(ID)  # "telegram:123456789"
    action: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
